#include <tropigrad/ad/tensor_smooth_max.hpp>

#include <cmath>

#include "elementwise_test_util.hpp"

using namespace tg_test;

namespace {
// Closed forms in long double, from the definitions (log of a sum of exps,
// scaled by exp(-m/eps) to stay finite).
struct Ref {
  long double value, da, db, deps;
};
Ref ref_smooth_max(long double eps, long double a, long double b) {
  const long double m = std::max(a, b);
  const long double ea = std::exp((a - m) / eps), eb = std::exp((b - m) / eps);
  const long double value = m + eps * std::log(ea + eb);
  const long double p = ea / (ea + eb);
  const long double q = eb / (ea + eb);  // 1 - p, without cancellation
  return {value, p, q, (value - p * a - q * b) / eps};
}
}  // namespace

TEST_CASE("smooth_max/min: values and gradients against the closed form", "[tensor][smooth_max]") {
  for (double eps : {0.3, 1.0, 0.01}) {
    const A a = uniform(2, 3, -2, 2, 51), b = uniform(2, 3, -2, 2, 52);
    TD ta(a, true), tb(b, true);
    tg::Var<double> e(eps);
    tg::sum(tg::smooth_max(e, ta, tb)).backward();
    long double deps = 0;
    const auto y = [&] {
      tg::NoGrad<double> ng;
      return tg::smooth_max(eps, ta, tb);
    }();
    for (Eigen::Index i = 0; i < a.size(); ++i) {
      const Ref r = ref_smooth_max(eps, a.data()[i], b.data()[i]);
      CHECK(y.value().data()[i] == Approx(static_cast<double>(r.value)).epsilon(1e-14));
      CHECK(ta.grad().data()[i] == Approx(static_cast<double>(r.da)).epsilon(1e-12).margin(1e-300));
      CHECK(tb.grad().data()[i] == Approx(static_cast<double>(r.db)).epsilon(1e-12).margin(1e-300));
      deps += r.deps;
    }
    CHECK(e.grad() == Approx(static_cast<double>(deps)).epsilon(1e-10));
  }
  // smooth_min(eps, a, b) == -smooth_max(eps, -a, -b), here by the closed form.
  const A a = uniform(2, 2, -1, 1, 53), b = uniform(2, 2, -1, 1, 54);
  const auto y = tg::smooth_min(0.2, TD(a), TD(b));
  for (Eigen::Index i = 0; i < 4; ++i)
    CHECK(y.value().data()[i] == Approx(static_cast<double>(-ref_smooth_max(0.2, -a.data()[i], -b.data()[i]).value)).epsilon(1e-14));
}

TEST_CASE("smooth_max/min: gradcheck in a, b and eps, with broadcasting and near-ties", "[tensor][smooth_max][gradcheck]") {
  const A a = uniform(3, 4, -1, 1, 55);
  A near = a;
  for (Eigen::Index i = 0; i < near.size(); ++i) near.data()[i] += (i % 2 ? 1e-3 : -1e-3);
  const A eps = A::Constant(1, 1, 0.2);
  for (int sign : {1, -1}) {
    auto f = [sign](const Ins& v) { return sign > 0 ? tg::smooth_max(v[2], v[0], v[1]) : tg::smooth_min(v[2], v[0], v[1]); };
    check_gradient(f, {{"a", a}, {"b", uniform(3, 4, -1, 1, 56)}, {"eps", eps}});
    check_gradient(f, {{"a", a}, {"b", near}, {"eps", A::Constant(1, 1, 0.01)}});
    check_gradient(f, {{"a", a}, {"row", uniform(1, 4, -1, 1, 57)}, {"eps", eps}});
    check_gradient(f, {{"col", uniform(3, 1, -1, 1, 58)}, {"a", a}, {"eps", eps}});
    check_gradient(f, {{"a", a}, {"scalar", uniform(1, 1, -1, 1, 59)}, {"eps", A::Constant(1, 1, 1.5)}});
  }
  check_gradient([](const Ins& v) { return tg::smooth_max(0.5, v[0], 0.25); }, {{"a", a}});
}

TEST_CASE("smooth_max: a Var eps gets the same gradient as a 1x1 tensor eps", "[tensor][smooth_max]") {
  const A a = uniform(2, 3, -1, 1, 60), b = uniform(2, 3, -1, 1, 61);
  tg::Var<double> ev(0.4);
  TD et(A::Constant(1, 1, 0.4), true);
  tg::sum(tg::smooth_min(ev, TD(a), TD(b))).backward();
  tg::sum(tg::smooth_min(et, TD(a), TD(b))).backward();
  CHECK(ev.grad() == Approx(et.grad()(0, 0)).epsilon(1e-15));
}

TEST_CASE("smooth_max: large magnitudes and small eps are stable", "[tensor][smooth_max]") {
  // values ~1e3 with eps = 0.01: closed form in long double, and gradcheck
  // with an FD step scaled to eps (the function varies on the scale of eps).
  A a = uniform(2, 3, 1e3, 1.001e3, 62), b = a;
  for (Eigen::Index i = 0; i < b.size(); ++i) b.data()[i] += (i % 3 - 1) * 0.013;
  const double eps = 0.01;
  TD ta(a, true), tb(b, true);
  tg::Var<double> e(eps);
  const auto y = tg::smooth_max(e, ta, tb);
  tg::sum(y).backward();
  long double deps = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    const Ref r = ref_smooth_max(eps, a.data()[i], b.data()[i]);
    CHECK(y.value().data()[i] == Approx(static_cast<double>(r.value)).epsilon(1e-15));
    CHECK(ta.grad().data()[i] == Approx(static_cast<double>(r.da)).epsilon(1e-9));
    deps += r.deps;
  }
  CHECK(e.grad() == Approx(static_cast<double>(deps)).epsilon(1e-7));  // the reference cancels ~1e3 digits
  tg::GradcheckOptions opt;
  opt.step = 1e-9;  // scaled by |x| ~ 1e3: h ~ 1e-6 << eps
  opt.rtol = 1e-4;
  opt.atol = 1e-4;
  check_gradient([](const Ins& v) { return tg::smooth_max(0.01, v[0], v[1]); }, {{"a", a}, {"b", b}}, opt);

  // |a|, |b| up to 1e30, eps down to 1e-6: finite, and the right limit.
  A big(1, 4), other(1, 4);
  big << 1e30, -1e30, 1e30, 5;
  other << 1e30, 1e30, -1e30, 5;
  TD tbig(big, true), tother(other, true);
  tg::Var<double> tiny(1e-6);
  const auto z = tg::smooth_max(tiny, tbig, tother);
  CHECK(z.value().allFinite());
  CHECK(z(0, 0) == 1e30);  // + 1e-6 log 2 is below 1e30's ulp
  CHECK(z(0, 1) == 1e30);
  CHECK(z(0, 3) == Approx(5 + 1e-6 * std::log(2.0)).epsilon(1e-15));
  tg::sum(z).backward();
  CHECK(tbig.grad().allFinite());
  CHECK(tbig.grad()(0, 1) == 0.0);
  CHECK(tbig.grad()(0, 2) == 1.0);
  CHECK(tbig.grad()(0, 3) == 0.5);
  CHECK(std::isfinite(tiny.grad()));
  CHECK(tiny.grad() == Approx(2 * std::log(2.0)).epsilon(1e-12));  // two exact ties contribute log 2 each
  // -inf is the semiring zero: smooth_max(eps, -inf, b) == b, gradient all to b.
  const double inf = std::numeric_limits<double>::infinity();
  TD minf(A::Constant(1, 1, -inf), true), three(A::Constant(1, 1, 3.0), true);
  tg::sum(tg::smooth_max(0.5, minf, three)).backward();
  CHECK(three.grad()(0, 0) == 1.0);
  CHECK(minf.grad()(0, 0) == 0.0);
}

TEST_CASE("smooth_max: float agrees with double", "[tensor][smooth_max][float]") {
  const A a = uniform(3, 4, -5, 5, 63), b = uniform(3, 4, -5, 5, 64);
  const auto yd = tg::smooth_max(0.1, TD(a), TD(b));
  const auto yf = tg::smooth_max(0.1f, TF(a.cast<float>().eval()), TF(b.cast<float>().eval()));
  CHECK(max_rel_error(yf.value(), yd.value()) < 1e-6);
}

TEST_CASE("smooth_max: bad eps, NaN and shape mismatch throw std::invalid_argument", "[tensor][smooth_max]") {
  const TD a(A::Ones(2, 3)), b(A::Ones(2, 3));
  CHECK_THAT(invalid_argument_message([&] { tg::smooth_max(-0.5, a, b); }), Catch::Contains("eps") && Catch::Contains("-0.5"));
  CHECK_THAT(invalid_argument_message([&] { tg::smooth_min(0.0, a, b); }), Catch::Contains("eps") && Catch::Contains("smooth_min"));
  CHECK_THAT(invalid_argument_message([&] { tg::smooth_max(tg::Var<double>(std::nan("")), a, b); }), Catch::Contains("eps"));
  CHECK_THAT(invalid_argument_message([&] { tg::smooth_max(TD(A::Ones(1, 2)), a, b); }), Catch::Contains("1x2"));
  CHECK_THAT(invalid_argument_message([&] { tg::smooth_max(0.1, a, TD(A::Ones(3, 2))); }),
             Catch::Contains("2x3") && Catch::Contains("3x2") && Catch::Contains("smooth_max"));
  CHECK_THAT(invalid_argument_message([&] { tg::smooth_max(0.1, a, std::nan("")); }), Catch::Contains("NaN"));
}
