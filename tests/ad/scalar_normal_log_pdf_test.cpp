#include "tropigrad/ad/scalar_normal_log_pdf.hpp"

#include <cmath>
#include <numbers>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "scalar_test_util.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scalar_exp_log.hpp"
#include "tropigrad/ad/scope.hpp"

namespace tg = tropigrad;
using V = tg::Var<double>;
using Vs = std::vector<V>;

namespace {
// Independent reference in long double: sum_i log N(y_i | mu_i, s_i).
long double ref_density(const std::vector<double>& y, const std::vector<double>& mu, const std::vector<double>& s) {
  const long double pi = 3.141592653589793238462643383279502884L;
  long double total = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const long double z = (static_cast<long double>(y[i]) - mu[i]) / s[i];
    total += -0.5L * z * z - std::log(static_cast<long double>(s[i])) - 0.5L * std::log(2.0L * pi);
  }
  return total;
}
std::vector<double> exp_of(const std::vector<double>& v) {
  std::vector<double> e(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) e[i] = std::exp(v[i]);
  return e;
}
}  // namespace

TEST_CASE("normal_log_pdf (scalar, vector): values match a long double reference", "[scalar][normal_log_pdf]") {
  tg::tape<double>().reset();
  std::mt19937 rng(1);
  for (double scale : {1.0, 1e3}) {
    const std::size_t n = 17;
    const auto y = test_util::random_point(rng, n, -scale, scale);
    const auto mu = test_util::random_point(rng, n, -scale, scale);
    const auto ls = test_util::random_point(rng, n, -2.0, 3.0 + std::log(scale));
    const auto s = exp_of(ls);
    const std::vector<double> mu0(n, mu[0]), s0(n, s[0]), ls0(n, ls[0]);
    const Vs yv(y.begin(), y.end()), muv(mu.begin(), mu.end()), sv(s.begin(), s.end()), lsv(ls.begin(), ls.end());
    const double full = static_cast<double>(ref_density(y, mu, s));
    const double scalar_params = static_cast<double>(ref_density(y, mu0, s0));
    const double tol = 1e-12 * std::abs(full) + 1e-12;
    // Every kind of argument, Var and number, vector and scalar.
    CHECK(tg::normal_log_pdf(yv, muv, sv).value() == Approx(full).margin(tol));
    CHECK(tg::normal_log_pdf(y, muv, s).value() == Approx(full).margin(tol));
    CHECK(tg::normal_log_pdf(y, mu, s) == Approx(full).margin(tol));
    CHECK(tg::normal_log_pdf_log_scale(yv, mu, lsv).value() == Approx(full).margin(tol));
    CHECK(tg::normal_log_pdf_log_scale(y, muv, ls) .value() == Approx(full).margin(tol));
    CHECK(tg::normal_log_pdf_log_scale(y, mu, ls) == Approx(full).margin(tol));
    CHECK(tg::normal_log_pdf(yv, V(mu[0]), V(s[0])).value() == Approx(scalar_params).margin(tol));
    CHECK(tg::normal_log_pdf(std::span<const double>(y), mu[0], s[0]) == Approx(scalar_params).margin(tol));
    CHECK(tg::normal_log_pdf_log_scale(yv, mu[0], V(ls[0])).value() == Approx(scalar_params).margin(tol));
    CHECK(tg::normal_log_pdf_log_scale(std::span<const V>(yv), mu[0], ls[0]).value() ==
          Approx(scalar_params).margin(tol));
    // One element: all scalars.
    const double one = static_cast<double>(ref_density({y[0]}, {mu[0]}, {s[0]}));
    CHECK(tg::normal_log_pdf(V(y[0]), mu[0], V(s[0])).value() == Approx(one));
    CHECK(tg::normal_log_pdf(y[0], mu[0], s[0]) == Approx(one));
    CHECK(tg::normal_log_pdf_log_scale(y[0], V(mu[0]), ls[0]).value() == Approx(one));
  }
  tg::tape<double>().reset();
}

TEST_CASE("normal_log_pdf: the whole vector is ONE tape statement", "[scalar][normal_log_pdf]") {
  tg::tape<double>().reset();
  const Vs y{V(0.1), V(-0.4), V(2.0), V(1.5)};
  const V mu(0.3), log_sigma(-0.2);
  auto& t = tg::tape<double>();
  const std::size_t before = t.num_statements();
  const V lp = tg::normal_log_pdf_log_scale(y, mu, log_sigma);
  CHECK(t.num_statements() - before == 1);
  // Constants only: a constant, no statement.
  CHECK(tg::normal_log_pdf(Vs{V::constant(1.0)}, 0.0, 1.0).is_constant());
  CHECK(t.num_statements() - before == 1);
  lp.backward();
  // Closed form: d/dy_i = -(y_i - mu) / s^2, d/dmu = sum (y_i - mu) / s^2, d/dlog s = sum (z_i^2 - 1).
  const double s = std::exp(-0.2);
  double dmu = 0, dls = 0;
  for (const V& v : y) {
    const double z = (v.value() - 0.3) / s;
    CHECK(v.grad() == Approx(-z / s));
    dmu += z / s;
    dls += z * z - 1;
  }
  CHECK(mu.grad() == Approx(dmu));
  CHECK(log_sigma.grad() == Approx(dls));
  tg::tape<double>().reset();
}

TEST_CASE("normal_log_pdf and normal_log_pdf_log_scale gradcheck", "[scalar][normal_log_pdf][gradcheck]") {
  std::mt19937 rng(3);
  for (double scale : {1.0, 1e3}) {
    for (int rep = 0; rep < 2; ++rep) {
      // p = [y0..y4, mu0..mu4, ls0..ls4]; sigma in [e^-1, e^1] times scale.
      auto p = test_util::random_point(rng, 15, -scale, scale);
      for (std::size_t i = 10; i < 15; ++i) p[i] = std::uniform_real_distribution<double>(-1.0, 1.0)(rng) + std::log(scale);
      auto part = [](const Vs& v, std::size_t from) { return Vs(v.begin() + static_cast<long>(from), v.begin() + static_cast<long>(from) + 5); };
      auto sig = [](const Vs& ls) {
        Vs s;
        for (const V& l : ls) s.push_back(tg::exp(l));
        return s;
      };
      const std::vector<double> y_const(p.begin(), p.begin() + 5);
      test_util::check_gradient([&](const Vs& v) { return tg::normal_log_pdf(part(v, 0), part(v, 5), sig(part(v, 10))); }, p);
      test_util::check_gradient([&](const Vs& v) { return tg::normal_log_pdf_log_scale(part(v, 0), part(v, 5), part(v, 10)); }, p);
      test_util::check_gradient([&](const Vs& v) { return tg::normal_log_pdf(part(v, 0), v[5], tg::exp(v[10])); }, p);
      test_util::check_gradient([&](const Vs& v) { return tg::normal_log_pdf_log_scale(y_const, v[5], part(v, 10)); }, p);
      test_util::check_gradient([&](const Vs& v) { return tg::normal_log_pdf_log_scale(v[0], part(v, 5), v[10]); }, p);
      // A Var appearing in two arguments (y = mu + something, sigma from mu).
      test_util::check_gradient([&](const Vs& v) { return tg::normal_log_pdf_log_scale(part(v, 0), v[0], v[10] + v[0] * 1e-3); }, p);
    }
  }
}

TEST_CASE("normal_log_pdf_log_scale: limits where the plain formula gives NaN", "[scalar][normal_log_pdf]") {
  tg::tape<double>().reset();
  // sigma underflows (log_sigma = -800): y == mu contributes -log_sigma - 0.5 log 2 pi, y != mu gives -inf.
  const double c = 0.5 * std::log(2 * std::numbers::pi);
  V y(1.0), mu(1.0), ls(-800.0);
  V lp = tg::normal_log_pdf_log_scale(y, mu, ls);
  CHECK(lp.value() == Approx(800.0 - c));
  lp.backward();
  CHECK(y.grad() == 0.0);
  CHECK(mu.grad() == 0.0);
  CHECK(ls.grad() == -1.0);
  tg::tape<double>().reset();
  const V y2(2.0), ls2(-HUGE_VAL);
  const V lp2 = tg::normal_log_pdf_log_scale(y2, 1.0, ls2);
  CHECK(lp2.value() == -HUGE_VAL);
  lp2.backward();
  CHECK_FALSE(std::isnan(y2.grad()));
  CHECK_FALSE(std::isnan(ls2.grad()));
  // sigma = +inf: density -inf, gradients 0 / -1 (no NaN).
  tg::tape<double>().reset();
  const V y3(2.0), ls3(HUGE_VAL);
  const V lp3 = tg::normal_log_pdf_log_scale(y3, 1.0, ls3);
  CHECK(lp3.value() == -HUGE_VAL);
  lp3.backward();
  CHECK(y3.grad() == 0.0);
  CHECK(ls3.grad() == -1.0);
  tg::tape<double>().reset();
}

TEST_CASE("normal_log_pdf: bad input throws std::invalid_argument naming the function and argument",
          "[scalar][normal_log_pdf]") {
  tg::tape<double>().reset();
  auto message = [](auto f) -> std::string {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "no throw";
  };
  const std::vector<double> y{1.0, 2.0, 3.0};
  const std::string m1 = message([&] { (void)tg::normal_log_pdf(y, 0.0, std::vector<double>{1.0, -2.0, 1.0}); });
  CHECK(m1.find("tropigrad::normal_log_pdf") != std::string::npos);
  CHECK(m1.find("sigma must be > 0, got -2 at index 1") != std::string::npos);
  const std::string m2 = message([&] { (void)tg::normal_log_pdf(V(1.0), 0.0, V(0.0)); });
  CHECK(m2.find("sigma must be > 0, got 0") != std::string::npos);
  CHECK(message([&] { (void)tg::normal_log_pdf(y, 0.0, std::nan("")); }).find("sigma") != std::string::npos);
  const std::string m3 = message([&] { (void)tg::normal_log_pdf_log_scale(y, std::vector<double>{0.0, 1.0}, 0.0); });
  CHECK(m3.find("tropigrad::normal_log_pdf_log_scale") != std::string::npos);
  CHECK(m3.find("arguments 'y' and 'mu' must have the same length, got 3 and 2") != std::string::npos);
  const std::string m4 = message([&] { (void)tg::normal_log_pdf_log_scale(Vs{V(1.0)}, 0.0, Vs{V(0.0), V(0.0)}); });
  CHECK(m4.find("'y' and 'log_sigma'") != std::string::npos);
  // Empty vectors: the empty sum.
  CHECK(tg::normal_log_pdf(std::vector<double>{}, 0.0, 1.0) == 0.0);
  tg::tape<double>().reset();
}

TEST_CASE("normal_log_pdf: NoGrad and stale Vars", "[scalar][normal_log_pdf]") {
  tg::tape<double>().reset();
  const Vs y{V(1.0), V(2.0)};
  {
    const tg::NoGrad no_grad;
    CHECK(tg::normal_log_pdf_log_scale(y, 0.0, 0.0).is_constant());
  }
  tg::tape<double>().reset();
  CHECK_THROWS_AS(tg::normal_log_pdf(y, 0.0, 1.0), tg::TapeError);
  tg::tape<double>().reset();
}

TEST_CASE("normal_log_pdf: constants and outer-scope Vars among the elements still record", "[scalar][normal_log_pdf]") {
  tg::tape<double>().reset();
  const V a(0.7), b(-1.2);  // outer scope
  double ga = 0, gb = 0;
  {
    tg::Scope<double> scope;
    const Vs y{a, V::constant(0.5), b};  // mixed: outer Vars and a constant
    const V lp = tg::normal_log_pdf(y, 0.1, 2.0);
    CHECK_FALSE(lp.is_constant());
    CHECK(lp.value() == Approx(-0.5 * (0.36 + 0.16 + 1.69) / 4.0 - 3 * std::log(2.0) -
                               1.5 * std::log(2 * 3.141592653589793)));
    lp.backward();
    ga = a.grad();
    gb = b.grad();
  }
  // d/dy_i = -(y_i - mu) / sigma^2, independent of the other elements.
  CHECK(ga == Approx(-(0.7 - 0.1) / 4.0));
  CHECK(gb == Approx(-(-1.2 - 0.1) / 4.0));
  tg::tape<double>().reset();
}
