#include "tropigrad/ad/tensor_lse.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/semiring/lse.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

/// LSE_eps of row r (axis 1) or column r (axis 0) in long double, shifted by the max
/// only so that long double itself does not overflow for large |x| / eps.
long double reference_lse(double eps, const RowArrayD& x, int axis, Eigen::Index r) {
  const Eigen::Index n = axis == 1 ? x.cols() : x.rows();
  auto at = [&](Eigen::Index i) { return static_cast<long double>(axis == 1 ? x(r, i) : x(i, r)); };
  long double m = -INFINITY;
  for (Eigen::Index i = 0; i < n; ++i) m = std::max(m, at(i));
  long double s = 0;
  for (Eigen::Index i = 0; i < n; ++i) s += std::exp((at(i) - m) / eps);
  return m + eps * std::log(s);
}
}  // namespace

TEST_CASE("lse: forward along both axes against long double", "[ad][lse]") {
  tg::Scope<double> scope;
  const auto x = random_array(4, 6, 61, -3.0, 3.0);
  for (double eps : {0.01, 0.3, 1.0, 50.0})
    for (int axis : {0, 1}) {
      const auto y = tg::lse(eps, tg::Tensor<double>(x), axis);
      REQUIRE(y.rows() == (axis == 1 ? 4 : 1));
      REQUIRE(y.cols() == (axis == 1 ? 1 : 6));
      for (Eigen::Index r = 0; r < (axis == 1 ? 4 : 6); ++r)
        CHECK(y.value().data()[r] == Approx(static_cast<double>(reference_lse(eps, x, axis, r))).epsilon(1e-14));
    }
}

TEST_CASE("lse: gradcheck for x and eps given as Var, 1x1 Tensor or number", "[ad][lse]") {
  const auto x = random_array(3, 5, 62, -2.0, 2.0);
  const RowArrayD eps = RowArrayD::Constant(1, 1, 0.7);
  for (int axis : {0, 1}) {
    INFO("axis " << axis);
    CHECK(tg::gradcheck([&](const auto& in) { return tg::lse(tg::sum(in[1]), in[0], axis); }, {{"x", x}, {"eps", eps}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::lse(in[1], in[0], axis); }, {{"x", x}, {"eps", eps}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::lse(0.7, in[0], axis); }, {{"x", x}}));
  }
}

TEST_CASE("lse: near ties (entries 1e-3 apart) at small and moderate eps", "[ad][lse]") {
  RowArrayD x(2, 4);
  x << 1.0, 1.001, 0.999, 1.0005, -2.0, -2.001, -1.999, -2.0;
  for (double e : {1e-3, 0.01, 1.0}) {
    INFO("eps " << e);
    const RowArrayD eps = RowArrayD::Constant(1, 1, e);
    tg::GradcheckOptions opt;
    opt.step = 1e-8;  // the function curves on the scale of eps
    opt.rtol = 1e-4;
    opt.atol = 1e-5;
    for (int axis : {0, 1})
      CHECK(tg::gradcheck([&](const auto& in) { return tg::lse(in[1], in[0], axis); }, {{"x", x}, {"eps", eps}}, opt));
  }
}

TEST_CASE("lse: large magnitudes (~1e3 at eps = 0.01) against long double, and gradcheck", "[ad][lse]") {
  RowArrayD x = random_array(3, 4, 63, -0.05, 0.05) + 1000.0;
  x.row(2) -= 2000.0;  // around -1e3
  {
    tg::Scope<double> scope;
    const auto y = tg::lse(0.01, tg::Tensor<double>(x), 1);
    for (Eigen::Index r = 0; r < 3; ++r)
      CHECK(y(r, 0) == Approx(static_cast<double>(reference_lse(0.01, x, 1, r))).epsilon(1e-15));
  }
  // Step 1e-9 * |x| = 1e-6 moves x / eps by 1e-4: truncation error ~1e-8, rounding ~1e-13 / 1e-6.
  tg::GradcheckOptions opt;
  opt.step = 1e-9;
  opt.rtol = 1e-4;
  opt.atol = 1e-4;
  const RowArrayD eps = RowArrayD::Constant(1, 1, 0.01);
  CHECK(tg::gradcheck([](const auto& in) { return tg::lse(in[1], in[0], 1); }, {{"x", x}, {"eps", eps}}, opt));
}

TEST_CASE("lse: extreme magnitudes and temperatures stay finite", "[ad][lse]") {
  tg::Scope<double> scope;
  RowArrayD x(2, 3);
  x << 1e30, -1e30, 5e29, -1e30, -2e30, -1e29;
  for (double eps : {1e-6, 1.0, 1e6}) {
    tg::Tensor<double> t(x, true);
    tg::Var<double> e(eps);
    const auto y = tg::lse(e, t, 1);
    CHECK(y.value().allFinite());
    CHECK(y(0, 0) >= 1e30);
    tg::sum(y).backward();
    CHECK(t.grad().allFinite());
    CHECK(std::isfinite(e.grad()));
  }
  // A tie at 1e30: the gradient is exactly (1/2, 1/2) although 1e30 + log 2 rounds to 1e30.
  RowArrayD tie(1, 2);
  tie << 1e30, 1e30;
  tg::Tensor<double> tt(tie, true);
  tg::sum(tg::lse(1.0, tt, 1)).backward();
  CHECK(tt.grad()(0, 0) == Approx(0.5).epsilon(1e-15));
  CHECK(tt.grad()(0, 1) == Approx(0.5).epsilon(1e-15));
  tg::Scope<float> sf;
  const auto yf = tg::lse(1e-6f, tg::Tensor<float>(x.cast<float>().eval()), 0);
  CHECK(yf.value().allFinite());
}

TEST_CASE("lse: -inf entries weigh nothing; a row of -inf gives -inf", "[ad][lse]") {
  tg::Scope<double> scope;
  RowArrayD x(2, 3);
  x << -inf, 0.5, -1.0, -inf, -inf, -inf;
  tg::Tensor<double> t(x, true);
  tg::Var<double> eps(0.4);
  const auto y = tg::lse(eps, t, 1);
  CHECK(y(0, 0) == Approx(tg::lse(0.4, 0.5, -1.0)).epsilon(1e-15));
  CHECK(y(1, 0) == -inf);
  // Gradient of the first row only (the second has none): compare with the
  // same computation on the row without its -inf entry.
  RowArrayD w(2, 1);
  w << 1.0, 0.0;
  tg::sum(y * tg::Tensor<double>(w)).backward();
  CHECK(t.grad()(0, 0) == 0.0);
  CHECK(t.grad().row(1).isZero());
  RowArrayD reduced(1, 2);
  reduced << 0.5, -1.0;
  tg::Tensor<double> r(reduced, true);
  tg::Var<double> eps2(0.4);
  tg::sum(tg::lse(eps2, r, 1)).backward();
  CHECK(t.grad()(0, 1) == Approx(r.grad()(0, 0)).epsilon(1e-15));
  CHECK(t.grad()(0, 2) == Approx(r.grad()(0, 1)).epsilon(1e-15));
  CHECK(eps.grad() == Approx(eps2.grad()).epsilon(1e-14));
}

TEST_CASE("lse: float agrees with double within 1e-5", "[ad][lse]") {
  const auto x = random_array(5, 7, 64, -4.0, 4.0);
  tg::Scope<double> sd;
  tg::Scope<float> sf;
  for (int axis : {0, 1}) {
    tg::Tensor<double> td(x, true);
    tg::Tensor<float> tf(x.cast<float>().eval(), true);
    tg::Var<double> ed(0.5);
    tg::Var<float> ef(0.5f);
    const auto yd = tg::lse(ed, td, axis);
    const auto yf = tg::lse(ef, tf, axis);
    CHECK((yf.value().cast<double>() - yd.value()).abs().maxCoeff() < 1e-5 * 5);
    tg::sum(yd).backward();
    tg::sum(yf).backward();
    CHECK((tf.grad().cast<double>() - td.grad()).abs().maxCoeff() < 1e-5);
    CHECK(std::abs(ef.grad() - ed.grad()) < 1e-4);
  }
}

TEST_CASE("lse: invalid eps, eps shape, axis and NaN throw with names", "[ad][lse]") {
  tg::Scope<double> scope;
  tg::Tensor<double> x(RowArrayD::Ones(2, 3));
  for (double e : {0.0, -2.5, std::nan("")}) {
    const auto m = tg_ops_test::invalid_argument_message([&] { tg::lse(e, x, 1); });
    CHECK_THAT(m, Catch::Contains("eps") && Catch::Contains(tg::format_number(e)));
  }
  auto m = tg_ops_test::invalid_argument_message([&] { tg::lse(tg::Tensor<double>(RowArrayD::Ones(2, 2)), x, 1); });
  CHECK_THAT(m, Catch::Contains("lse") && Catch::Contains("2x2") && Catch::Contains("2x3"));
  m = tg_ops_test::invalid_argument_message([&] { tg::lse(1.0, x, 3); });
  CHECK_THAT(m, Catch::Contains("axis"));
  RowArrayD bad = RowArrayD::Ones(2, 3);
  bad(1, 2) = std::nan("");
  m = tg_ops_test::invalid_argument_message([&] { tg::lse(1.0, tg::Tensor<double>(bad), 1); });
  CHECK_THAT(m, Catch::Contains("NaN") && Catch::Contains("row 1"));
}

TEST_CASE("lse: respects requires_grad and NoGrad", "[ad][lse]") {
  tg::Scope<double> scope;
  tg::Tensor<double> x(random_array(2, 3, 65), false);
  tg::Var<double> eps(0.5);
  tg::sum(tg::lse(eps, x, 1)).backward();  // only eps needs a gradient
  CHECK(eps.grad() > 0);                    // the entropy of a non-degenerate softmax
  CHECK(x.grad().isZero());
  tg::NoGrad<double> no_grad;
  tg::Tensor<double> xg(random_array(2, 3, 66), true);
  CHECK_FALSE(tg::lse(eps, xg, 0).requires_grad());
}
