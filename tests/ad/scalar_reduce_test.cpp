#include "tropigrad/ad/scalar_reduce.hpp"

#include <cmath>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scope.hpp"

namespace tg = tropigrad;
using V = tg::Var<double>;
using Vs = std::vector<V>;

namespace {
std::vector<double> random_point(unsigned seed, std::size_t n, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& e : v) e = d(rng);
  return v;
}
// Independent references: long double loops.
long double ref_sum(const std::vector<double>& x) {
  long double s = 0;
  for (double v : x) s += v;
  return s;
}
}  // namespace

TEST_CASE("n-ary sum, squared_norm and dot: values match plain loops", "[scalar][reduce]") {
  tg::tape<double>().reset();
  for (double scale : {1.0, 1e3}) {
    const auto x = random_point(1, 50, -scale, scale);
    const auto a = random_point(2, 50, -scale, scale);
    Vs xv(x.begin(), x.end()), av(a.begin(), a.end());
    long double sq = 0, d = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
      sq += static_cast<long double>(x[i]) * x[i];
      d += static_cast<long double>(a[i]) * x[i];
    }
    CHECK(tg::sum(xv).value() == Approx(static_cast<double>(ref_sum(x))).margin(1e-12 * scale));
    CHECK(tg::squared_norm(xv).value() == Approx(static_cast<double>(sq)));
    CHECK(tg::dot(a, xv).value() == Approx(static_cast<double>(d)));
    CHECK(tg::dot(av, xv).value() == Approx(static_cast<double>(d)));
    CHECK(tg::sum(x) == Approx(static_cast<double>(ref_sum(x))).margin(1e-12 * scale));
    CHECK(tg::squared_norm(x) == Approx(static_cast<double>(sq)));
    CHECK(tg::dot(a, x) == Approx(static_cast<double>(d)));
  }
  tg::tape<double>().reset();
}

TEST_CASE("n-ary reductions gradcheck", "[scalar][reduce][gradcheck]") {
  for (double scale : {1.0, 1e3}) {
    for (unsigned seed : {3u, 4u, 5u}) {
      const auto p = random_point(seed, 12, -scale, scale);
      const auto coeff = random_point(seed + 10, 6, -2, 2);
      auto check = [&](auto f) {
        const auto r = tg::gradcheck(f, p);
        INFO(r.report);
        CHECK(r.passed);
      };
      // Mixed with ordinary ops, repeated operands, and a constant element.
      check([](const Vs& v) { return tg::sum(Vs{v[0], v[1] * v[2], v[3], v[0], V::constant(2.5)}); });
      check([](const Vs& v) { return tg::squared_norm(Vs{v[0], v[1] - v[2], v[3], v[3]}) * 1e-3; });
      check([&](const Vs& v) { return tg::dot(coeff, Vs{v[0], v[1], v[2], v[3], v[4], v[0]}); });
      check([](const Vs& v) {
        return tg::dot(Vs{v[0], v[1], v[2], v[3], v[4], v[5]}, Vs{v[6], v[7], v[8], v[9], v[10], v[0]}) * 1e-3;
      });
    }
  }
}

TEST_CASE("n-ary reductions: constants, NoGrad, empty input and misuse", "[scalar][reduce]") {
  tg::tape<double>().reset();
  CHECK(tg::sum(Vs{V::constant(1), V::constant(2)}).is_constant());
  CHECK(tg::sum(Vs{}).value() == 0.0);
  {
    tg::NoGrad<double> guard;
    const V a(1.0), b(2.0);
    CHECK(tg::dot(Vs{a}, Vs{b}).is_constant());
  }
  const V stale(3.0);
  tg::tape<double>().reset();
  CHECK_THROWS_AS(tg::sum(Vs{V(1.0), stale}), tg::TapeError);
  CHECK_THROWS_AS(tg::dot(std::vector<double>{1.0, 2.0}, Vs{V(1.0)}), std::invalid_argument);
  // An outer-scope variable used inside a Scope takes the checked path and still records.
  const V outer(2.0);
  double g = 0;
  {
    tg::Scope<double> scope;
    const V y = tg::squared_norm(Vs{outer, outer * 3.0});
    y.backward();
    g = outer.grad();
  }
  CHECK(g == Approx(2 * 2.0 + 2 * 6.0 * 3.0));
  tg::tape<double>().reset();
}
