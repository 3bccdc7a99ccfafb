#include "tropigrad/semiring/tropical.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"

namespace tg = tropigrad;
using tg_test::inf;

static_assert(sizeof(tg::Tropical<tg::MaxPlus, double>) == sizeof(double));
static_assert(sizeof(tg::Tropical<tg::MinPlus, float>) == sizeof(float));

TEST_CASE("tropical: operators are the semiring operations", "[semiring][tropical]") {
  using T = tg::Tropical<tg::MaxPlus, double>;
  const T a{3.0}, b{5.0};
  CHECK((a + b).value == 5.0);
  CHECK((a * b).value == 8.0);
  CHECK(a + b == T{5.0});
  CHECK(a != b);
  CHECK((a + T::zero()) == a);
  CHECK((a * T::one()) == a);
  CHECK(T::zero().value == -inf);
  T c = a;
  c += b;
  CHECK(c.value == 5.0);
  c *= b;
  CHECK(c.value == 10.0);

  using M = tg::Tropical<tg::MinPlus, double>;
  CHECK((M{3.0} + M{5.0}).value == 3.0);
  CHECK(M::zero().value == inf);
  using P = tg::Tropical<tg::SumProduct, double>;
  CHECK((P{3.0} + P{5.0} * P{2.0}).value == 13.0);
}

TEST_CASE("tropical: LogSumExp values carry eps", "[semiring][tropical]") {
  using L = tg::Tropical<tg::LogSumExp<>, double>;
  const tg::LogSumExp<> ring{0.5};
  const L a{1.0, ring}, b{2.0, ring};
  CHECK((a + b).value == tg::lse(0.5, 1.0, 2.0));
  CHECK((a + b).ring.eps == 0.5);
  CHECK((a * b).value == 3.0);
  CHECK((a + L::zero(ring)).value == 1.0);
  CHECK((a * L::one(ring)).value == 1.0);
  // Different eps: not the same semiring.
  const L other{1.0, tg::LogSumExp<>{0.25}};
  CHECK_THROWS_AS(a + other, std::invalid_argument);
  CHECK_THROWS_WITH(a * other, Catch::Contains("different semirings"));
  L d = a;
  CHECK_THROWS_AS(d += other, std::invalid_argument);
}

TEST_CASE("tropical: stream output writes the value", "[semiring][tropical]") {
  std::ostringstream os;
  os << tg::Tropical<tg::MaxPlus, double>{2.5};
  CHECK(os.str() == "2.5");
}

TEST_CASE("tropical: works for a user scalar type", "[semiring][tropical]") {
  using tg_test::Num;
  using T = tg::Tropical<tg::MaxPlus, Num>;
  CHECK((T{Num(1.0)} + T{Num(2.0)}).value.v == 2.0);
  CHECK((T{Num(1.0)} * T{Num(2.0)}).value.v == 3.0);
}
