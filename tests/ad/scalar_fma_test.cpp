#include "tropigrad/ad/scalar_fma.hpp"

#include <cmath>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "scalar_test_util.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scope.hpp"

namespace tg = tropigrad;
using V = tg::Var<double>;
using Vs = std::vector<V>;

TEST_CASE("fma: value is std::fma, and one statement whatever mix of Vars and numbers", "[scalar][fma]") {
  tg::tape<double>().reset();
  std::mt19937 rng(1);
  for (double scale : {1.0, 1e3, 1e150}) {
    const auto p = test_util::random_point(rng, 3, -scale, scale);
    const V a(p[0]), b(p[1]), c(p[2]);
    const double expected = std::fma(p[0], p[1], p[2]);
    auto& t = tg::tape<double>();
    const std::size_t before = t.num_statements();
    CHECK(tg::fma(a, b, c).value() == expected);
    CHECK(tg::fma(a, p[1], c).value() == expected);
    CHECK(tg::fma(p[0], b, c).value() == expected);
    CHECK(tg::fma(a, b, p[2]).value() == expected);
    CHECK(tg::fma(a, p[1], p[2]).value() == expected);
    CHECK(tg::fma(p[0], b, p[2]).value() == expected);
    CHECK(tg::fma(p[0], p[1], c).value() == expected);
    CHECK(t.num_statements() - before == 7);
    CHECK(tg::fma(p[0], p[1], p[2]) == expected);  // plain numbers: std::fma
  }
  // Integer coefficients and float Vars.
  const tg::Var<float> x(2.0f);
  CHECK(tg::fma(x, 3, 1).value() == 7.0f);
  // Only constants: a constant, no tape space.
  const std::size_t before = tg::tape<double>().num_statements();
  CHECK(tg::fma(V::constant(2.0), V::constant(3.0), 1.0).is_constant());
  CHECK(tg::tape<double>().num_statements() == before);
  tg::tape<double>().reset();
}

TEST_CASE("fma gradients equal those of a * b + c, and gradcheck", "[scalar][fma][gradcheck]") {
  std::mt19937 rng(2);
  for (double scale : {1.0, 1e3}) {
    for (int rep = 0; rep < 3; ++rep) {
      const auto p = test_util::random_point(rng, 3, -scale, scale);
      // Reference: the composed ops (independent code), on a repeated operand too.
      tg::tape<double>().reset();
      const V a(p[0]), b(p[1]), c(p[2]);
      (tg::fma(a, b, c) * 2.0 + tg::fma(a, a, b)).backward();
      const double ga = a.grad(), gb = b.grad(), gc = c.grad();
      tg::tape<double>().reset();
      const V a2(p[0]), b2(p[1]), c2(p[2]);
      ((a2 * b2 + c2) * 2.0 + (a2 * a2 + b2)).backward();
      CHECK(ga == Approx(a2.grad()));
      CHECK(gb == Approx(b2.grad()));
      CHECK(gc == Approx(c2.grad()));
      tg::tape<double>().reset();

      test_util::check_gradient([](const Vs& v) { return tg::fma(v[0], v[1], v[2]); }, p);
      test_util::check_gradient([&](const Vs& v) { return tg::fma(v[0], p[1], v[2]) * tg::fma(0.5, v[1], v[0]); }, p);
      test_util::check_gradient([&](const Vs& v) { return tg::fma(v[0], v[0], 3.0) + tg::fma(-2.0, 1.5, v[2]); }, p);
      test_util::check_gradient([&](const Vs& v) { return tg::fma(v[1], v[2], v[1]); }, p);  // repeated operand
    }
  }
}

TEST_CASE("fma: an AR(1) chain x[t] = phi x[t-1] + u[t] matches the closed form", "[scalar][fma]") {
  tg::tape<double>().reset();
  const double phi_value = 0.7;
  const int n = 40;
  const V phi(phi_value);
  Vs u;
  for (int t = 0; t < n; ++t) u.emplace_back(std::sin(0.3 * t));
  V x = u[0];
  for (int t = 1; t < n; ++t) x = tg::fma(phi, x, u[t]);
  x.backward();
  // x[n-1] = sum_t phi^(n-1-t) u[t]: d/du[t] = phi^(n-1-t), d/dphi = sum (n-1-t) phi^(n-2-t) u[t].
  double dphi = 0;
  for (int t = 0; t < n; ++t) {
    CHECK(u[static_cast<std::size_t>(t)].grad() == Approx(std::pow(phi_value, n - 1 - t)).margin(1e-15));
    if (t < n - 1) dphi += (n - 1 - t) * std::pow(phi_value, n - 2 - t) * std::sin(0.3 * t);
  }
  CHECK(phi.grad() == Approx(dphi));
  tg::tape<double>().reset();
}

TEST_CASE("fma: NoGrad gives a constant, a stale Var throws", "[scalar][fma]") {
  tg::tape<double>().reset();
  const V a(1.0), b(2.0);
  {
    const tg::NoGrad no_grad;
    CHECK(tg::fma(a, b, 1.0).is_constant());
  }
  tg::tape<double>().reset();
  CHECK_THROWS_AS(tg::fma(a, b, 1.0), tg::TapeError);
  tg::tape<double>().reset();
}
