#include <tropigrad/ad/scalar_compare.hpp>

#include <catch2/catch.hpp>

namespace tg = tropigrad;

TEST_CASE("comparisons compare values, with numbers on either side", "[scalar]") {
  tg::Var a = 1.0, b = 2.0;
  CHECK(a < b);
  CHECK(b > a);
  CHECK(a <= 1);
  CHECK(2.0 >= b);
  CHECK(a != b);
  CHECK(a == 1.0);
  CHECK_FALSE(a > b);
  CHECK(0.5 < a);
}
