#include <tropigrad/ad/tensor_power.hpp>

#include <cmath>

#include "elementwise_test_util.hpp"

using namespace tg_test;

TEST_CASE("sqrt, square, pow: forward matches std:: functions", "[tensor][power]") {
  const A x = uniform(3, 4, 0.1, 3.0, 11);
  const A e = uniform(3, 4, -2.0, 2.0, 12);
  const TD t(x), te(e);
  const auto s = tg::sqrt(t), q = tg::square(t), p = tg::pow(t, 2.5), pt = tg::pow(t, te);
  for (Eigen::Index r = 0; r < 3; ++r)
    for (Eigen::Index c = 0; c < 4; ++c) {
      CHECK(s(r, c) == Approx(std::sqrt(x(r, c))).epsilon(1e-15));
      CHECK(q(r, c) == Approx(x(r, c) * x(r, c)).epsilon(1e-15));
      CHECK(p(r, c) == Approx(std::pow(x(r, c), 2.5)).epsilon(1e-14));
      CHECK(pt(r, c) == Approx(std::pow(x(r, c), e(r, c))).epsilon(1e-14));
    }
}

TEST_CASE("sqrt, square, pow: gradcheck, with broadcast exponents", "[tensor][power][gradcheck]") {
  const A x = uniform(3, 4, 0.3, 2.5, 13);
  check_gradient([](const Ins& v) { return tg::sqrt(v[0]); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::square(v[0]); }, {{"x", uniform(3, 4, -2, 2, 14)}});
  check_gradient([](const Ins& v) { return tg::pow(v[0], 3); }, {{"x", uniform(3, 4, -2, 2, 15)}});
  check_gradient([](const Ins& v) { return tg::pow(v[0], -1.5); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::pow(v[0], v[1]); }, {{"x", x}, {"e", uniform(3, 4, -2, 2, 16)}});
  check_gradient([](const Ins& v) { return tg::pow(v[0], v[1]); }, {{"x", x}, {"row", uniform(1, 4, -2, 2, 17)}});
  check_gradient([](const Ins& v) { return tg::pow(v[0], v[1]); }, {{"x", x}, {"col", uniform(3, 1, -2, 2, 18)}});
  check_gradient([](const Ins& v) { return tg::pow(v[0], v[1]); }, {{"x", x}, {"scalar", uniform(1, 1, -2, 2, 19)}});
  check_gradient([](const Ins& v) { return tg::pow(v[1], v[0]); }, {{"e", x}, {"base_row", uniform(1, 4, 0.5, 2, 20)}});
  check_gradient([](const Ins& v) { return tg::pow(2.0, v[0]); }, {{"e", x}});
}

TEST_CASE("pow with a Var exponent: the Var's gradient is sum g x^e log x", "[tensor][power]") {
  const A x = uniform(2, 3, 0.5, 2.0, 21);
  TD t(x, true);
  tg::Var<double> e(1.7);
  tg::sum(tg::pow(t, e)).backward();
  long double want = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const long double v = x.data()[i];
    want += std::pow(v, 1.7L) * std::log(v);
    CHECK(t.grad().data()[i] == Approx(static_cast<double>(1.7L * std::pow(v, 0.7L))).epsilon(1e-12));
  }
  CHECK(e.grad() == Approx(static_cast<double>(want)).epsilon(1e-12));
}

TEST_CASE("pow at the edges: exponent 0, and base 0", "[tensor][power]") {
  TD t(A::Zero(1, 2), true), e(A::Constant(1, 2, 2.0), true);
  tg::sum(tg::pow(t, 0) + tg::pow(t, e)).backward();
  CHECK(t.grad()(0, 0) == 0.0);  // d/dx x^0 = 0, and 2 * 0^1 = 0, no NaN
  CHECK(e.grad()(0, 0) == 0.0);  // d/de 0^e = 0 for e > 0
}

TEST_CASE("sqrt, square, pow: float agrees with double", "[tensor][power][float]") {
  const A x = uniform(4, 5, 0.1, 3.0, 22);
  CHECK(float_vs_double([](const auto& t) { return tg::sqrt(t); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::square(t); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::pow(t, 1.5); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::pow(t, t); }, x) < 1e-5);
}

TEST_CASE("pow: shape mismatch names both shapes and the op", "[tensor][power]") {
  const std::string m = invalid_argument_message([] { tg::pow(TD(A::Ones(2, 3)), TD(A::Ones(3, 2))); });
  CHECK_THAT(m, Catch::Contains("2x3") && Catch::Contains("3x2") && Catch::Contains("pow"));
}
