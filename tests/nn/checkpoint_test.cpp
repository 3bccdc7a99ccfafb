#include <tropigrad/nn/checkpoint.hpp>
#include <tropigrad/nn/linear.hpp>

#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
namespace fs = std::filesystem;

namespace {
std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("tropigrad_" + std::to_string(::getpid()) + "_" + name)).string();
}
std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
void write_all(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}
bool same_parameters(const nn::Module<float>& a, const nn::Module<float>& b) {
  auto pa = a.parameters(), pb = b.parameters();
  for (std::size_t k = 0; k < pa.size(); ++k)
    if (!(pa[k].value() == pb[k].value()).all()) return false;
  return true;
}
}  // namespace

TEST_CASE("save then load restores every parameter exactly", "[nn][checkpoint]") {
  const std::string path = temp_path("roundtrip.ckpt");
  nn::Linear<float> saved(7, 3, 1), loaded(7, 3, 2);
  REQUIRE_FALSE(same_parameters(saved, loaded));
  saved.save(path);
  loaded.load(path);
  CHECK(same_parameters(saved, loaded));
  CHECK_FALSE(fs::exists(path + ".tmp"));
  std::remove(path.c_str());
}

TEST_CASE("corrupt, truncated, foreign and mismatched files throw and leave the model unchanged", "[nn][checkpoint]") {
  const std::string path = temp_path("corrupt.ckpt");
  nn::Linear<float> source(7, 3, 1);
  source.save(path);
  const std::string good = read_all(path);
  nn::Linear<float> model(7, 3, 5), reference(7, 3, 5);

  auto expect_error = [&](const std::string& bytes, const char* message) {
    write_all(path, bytes);
    CHECK_THROWS_WITH(model.load(path), Catch::Contains(message));
    CHECK(same_parameters(model, reference));
  };
  std::string flipped = good;
  flipped[40] = static_cast<char>(flipped[40] ^ 0x5a);
  expect_error(flipped, "checksum");
  expect_error(good.substr(0, good.size() / 2), "checksum");
  expect_error(good.substr(0, 10), "too short");
  expect_error(std::string(100, 'x'), "magic");
  expect_error("", "too short");

  nn::Linear<float> other_shape(6, 3, 1);
  other_shape.save(path);
  CHECK_THROWS_WITH(model.load(path), Catch::Contains("weight") && Catch::Contains("3x6") && Catch::Contains("3x7"));
  CHECK(same_parameters(model, reference));

  std::remove(path.c_str());
  CHECK_THROWS_WITH(model.load(path), Catch::Contains("cannot open") && Catch::Contains(path));
}

TEST_CASE("a declared size beyond the file is rejected before allocating", "[nn][checkpoint]") {
  const std::string path = temp_path("huge.ckpt");
  nn::Linear<float> model(2, 2, 1, /*bias=*/false);
  model.save(path);
  std::string bytes = read_all(path);
  // header: 8 magic + 4 version + 4 count + 4 name length + "weight" + 1 scalar size; rows follow
  const std::size_t rows_at = 8 + 4 + 4 + 4 + 6 + 1;
  const std::uint64_t huge = 1ULL << 60;
  std::memcpy(&bytes[rows_at], &huge, 8);
  // recompute the checksum so that the size check itself is exercised
  const auto crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size() - 4)));
  std::memcpy(&bytes[bytes.size() - 4], &crc, 4);
  write_all(path, bytes);
  CHECK_THROWS_WITH(model.load(path), Catch::Contains("more than the file holds"));
  std::remove(path.c_str());
}

TEST_CASE("a process killed while saving leaves the previous checkpoint loadable", "[nn][checkpoint]") {
  const std::string path = temp_path("killed.ckpt");
  nn::Linear<float> first(300, 200, 1);
  first.save(path);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    nn::Linear<float> big(300, 200, 2);
    for (;;) big.save(path);  // saves until killed, some mid-write
  }
  ::usleep(50000);
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  nn::Linear<float> loaded(300, 200, 3);
  REQUIRE_NOTHROW(loaded.load(path));  // the old file or a complete new one, never a torn one
  nn::Linear<float> second(300, 200, 2);
  CHECK((same_parameters(loaded, first) || same_parameters(loaded, second)));
  std::remove(path.c_str());
  std::remove((path + ".tmp").c_str());
}
