#include <tropigrad/ad/scalar_arithmetic.hpp>

#include "scalar_test_util.hpp"

namespace tg = tropigrad;
using V = tg::Var<double>;
using Vs = std::vector<V>;

TEST_CASE("+ - * / and unary minus: values", "[scalar]") {
  V a = 3.0, b = -2.0;
  CHECK((a + b).value() == 1.0);
  CHECK((a - b).value() == 5.0);
  CHECK((a * b).value() == -6.0);
  CHECK((a / b).value() == -1.5);
  CHECK((-a).value() == -3.0);
  CHECK((2 * a + 1).value() == 7.0);
  CHECK((1.0 / b).value() == -0.5);
  CHECK((a - 1).value() == 2.0);
  V c = a;
  c += b;
  c *= a;
  c -= 1.0;
  c /= b;
  CHECK(c.value() == Approx(((3.0 - 2.0) * 3.0 - 1.0) / -2.0));
}

TEST_CASE("+ - * /: gradients match finite differences", "[scalar][gradcheck]") {
  std::mt19937 rng(1);
  for (int trial = 0; trial < 20; ++trial) {
    const auto x = test_util::random_point(rng, 3, -5, 5);
    test_util::check_gradient(
        [](const Vs& v) { return (v[0] * v[1] - v[2]) / (v[1] * v[1] + 1.0) + 2 * v[0] - v[2] / 3 - (-v[1]); }, x);
    test_util::check_gradient([](const Vs& v) { return 1.5 / (v[0] * v[0] + 2.0) - (4 - v[1]) * (v[2] + 1); }, x);
  }
  // large magnitudes
  test_util::check_gradient([](const Vs& v) { return v[0] * v[1] / v[2]; }, {1e3, -2e4, 5e2});
}

TEST_CASE("a Var used many times accumulates every path", "[scalar]") {
  V x = 2.0;
  V y = x;
  for (int i = 0; i < 10; ++i) y = y * x;  // x^11
  y.backward();
  CHECK(x.grad() == Approx(11 * std::pow(2.0, 10)));
}
