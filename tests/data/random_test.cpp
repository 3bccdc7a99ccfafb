#include "tropigrad/data/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <span>
#include <array>
#include <cstdint>
#include <numeric>
#include <vector>

#include <catch2/catch.hpp>

namespace tg = tropigrad;

TEST_CASE("data random: derive_seed separates streams", "[data][random]") {
  CHECK(tg::derive_seed(1, 0) != tg::derive_seed(2, 0));
  CHECK(tg::derive_seed(1, 0) != tg::derive_seed(1, 1));
  CHECK(tg::derive_seed(1, 0, 0) != tg::derive_seed(1, 0, 1));
  CHECK(tg::derive_seed(7, 3, 4) == tg::derive_seed(7, 3, 4));
}

TEST_CASE("data random: uniform01 in [0, 1), deterministic", "[data][random]") {
  tg::DataRng a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    const double x = tg::uniform01(a);
    CHECK(x >= 0.0);
    CHECK(x < 1.0);
    CHECK(x == tg::uniform01(b));
  }
}

TEST_CASE("data random: uniform_index is in range and roughly uniform", "[data][random]") {
  tg::DataRng engine(3);
  std::array<int, 7> counts{};
  for (int i = 0; i < 70000; ++i) {
    const auto k = tg::uniform_index(engine, 7);
    REQUIRE(k < 7);
    ++counts[k];
  }
  for (int c : counts) CHECK(std::abs(c - 10000) < 500);
  CHECK(tg::uniform_index(engine, 1) == 0);
  CHECK(tg::uniform_index(engine, 0) == 0);
}

TEST_CASE("data random: standard_normal has mean 0 and variance 1", "[data][random]") {
  tg::DataRng engine(5);
  double sum = 0, sum2 = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double z = tg::standard_normal(engine);
    REQUIRE(std::isfinite(z));
    sum += z;
    sum2 += z * z;
  }
  CHECK(std::abs(sum / n) < 0.02);
  CHECK(std::abs(sum2 / n - 1.0) < 0.03);
}

TEST_CASE("data random: shuffle_in_place gives a permutation", "[data][random]") {
  std::vector<int> v(100);
  std::iota(v.begin(), v.end(), 0);
  tg::DataRng engine(9);
  tg::shuffle_in_place(std::span<int>(v), engine);
  CHECK_FALSE(std::is_sorted(v.begin(), v.end()));
  std::vector<int> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  for (int i = 0; i < 100; ++i) CHECK(sorted[std::size_t(i)] == i);
}
