#include "tropigrad/semiring/min_max.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

namespace tg = tropigrad;

TEST_CASE("min_max: ordinary values and infinities", "[semiring][min_max]") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK(tg::max(1.0, 2.0) == 2.0);
  CHECK(tg::max(2.0, 1.0) == 2.0);
  CHECK(tg::min(1.0f, 2.0f) == 1.0f);
  CHECK(tg::max(-inf, 3.0) == 3.0);
  CHECK(tg::max(inf, 3.0) == inf);
  CHECK(tg::min(inf, 3.0) == 3.0);
  CHECK(tg::min(-inf, 3.0) == -inf);
  static_assert(tg::max(1.5, -2.0) == 1.5);
}

TEST_CASE("min_max: NaN propagates whatever the argument order", "[semiring][min_max]") {
  const double nan = std::nan("");
  CHECK(std::isnan(tg::max(nan, 1.0)));
  CHECK(std::isnan(tg::max(1.0, nan)));
  CHECK(std::isnan(tg::min(nan, 1.0)));
  CHECK(std::isnan(tg::min(1.0, nan)));
  CHECK(std::isnan(tg::max(-std::numeric_limits<float>::infinity(), std::nanf(""))));
}
