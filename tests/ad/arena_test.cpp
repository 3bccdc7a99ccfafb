#include <tropigrad/ad/arena.hpp>

#include <catch2/catch.hpp>
#include <cstdint>
#include <cstring>

using tropigrad::Arena;

TEST_CASE("arena hands out aligned, non-overlapping blocks", "[arena]") {
  Arena arena;
  auto* a = static_cast<unsigned char*>(arena.allocate(100));
  auto* b = static_cast<unsigned char*>(arena.allocate(1));
  auto* c = static_cast<unsigned char*>(arena.allocate(1 << 20));  // larger than a chunk
  for (auto* p : {a, b, c}) CHECK(reinterpret_cast<std::uintptr_t>(p) % Arena::kAlignment == 0);
  std::memset(a, 1, 100);
  std::memset(b, 2, 1);
  std::memset(c, 3, 1 << 20);
  CHECK(a[99] == 1);
  CHECK(b[0] == 2);
  CHECK(c[(1 << 20) - 1] == 3);
  CHECK(arena.bytes_used() >= 100 + 1 + (1 << 20));
}

TEST_CASE("arena memory is reused after reset and stops growing", "[arena]") {
  Arena arena;
  auto round = [&] {
    for (int i = 0; i < 200; ++i) arena.allocate(static_cast<std::size_t>(1000 + 37 * i));
    arena.reset();
  };
  round();
  round();
  const std::size_t reserved = arena.bytes_reserved();
  for (int k = 0; k < 100; ++k) round();
  CHECK(arena.bytes_reserved() == reserved);
  CHECK(arena.bytes_used() == 0);
}

TEST_CASE("arena rewind frees only what came after the mark", "[arena]") {
  Arena arena;
  arena.allocate(64);
  const auto mark = arena.mark();
  const std::size_t used = arena.bytes_used();
  arena.allocate(1 << 18);
  arena.rewind(mark);
  CHECK(arena.bytes_used() == used);
}
