#include <tropigrad/ad/scalar_power.hpp>

#include <cmath>

#include "scalar_test_util.hpp"

namespace tg = tropigrad;
using Vs = std::vector<tg::Var<double>>;

TEST_CASE("sqrt square pow: values and gradients", "[scalar][gradcheck]") {
  CHECK(tg::pow(tg::Var(2.0), tg::Var(3.0)).value() == Approx(8.0));
  CHECK(tg::sqrt(tg::Var(9.0)).value() == 3.0);
  std::mt19937 rng(3);
  for (int trial = 0; trial < 20; ++trial) {
    const auto p = test_util::random_point(rng, 2, 0.1, 3);
    test_util::check_gradient([](const Vs& v) { return tg::sqrt(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::square(v[1]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::pow(v[0], v[1]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::pow(v[0], 2.5); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::pow(1.7, v[1]); }, p);
  }
}

TEST_CASE("pow at a zero base has the one-sided limits", "[scalar]") {
  tg::Var a = 0.0, b = 2.0;
  const auto y = tg::pow(a, b);
  y.backward();
  CHECK(a.grad() == 0.0);  // 2 * 0^1
  CHECK(b.grad() == 0.0);  // 0^2 * log 0 -> 0
  CHECK(std::isfinite(b.grad()));
}
