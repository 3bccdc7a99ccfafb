#include "tropigrad/ad/tensor_softmax.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

/// softmax(x / eps) of entry (r, c) along `axis`, naively in long double (no shift; moderate inputs only).
long double naive_softmax(double eps, const RowArrayD& x, int axis, Eigen::Index r, Eigen::Index c) {
  long double s = 0;
  const Eigen::Index n = axis == 1 ? x.cols() : x.rows();
  for (Eigen::Index i = 0; i < n; ++i) s += std::exp(static_cast<long double>(axis == 1 ? x(r, i) : x(i, c)) / eps);
  return std::exp(static_cast<long double>(x(r, c)) / eps) / s;
}
}  // namespace

TEST_CASE("softmax, log_softmax: forward against naive long double", "[ad][softmax]") {
  tg::Scope<double> scope;
  const auto x = random_array(3, 5, 71, -2.0, 2.0);
  for (double eps : {0.1, 1.0, 20.0})
    for (int axis : {0, 1}) {
      const auto p = tg::softmax(eps, tg::Tensor<double>(x), axis);
      const auto lp = tg::log_softmax(eps, tg::Tensor<double>(x), axis);
      for (Eigen::Index r = 0; r < 3; ++r)
        for (Eigen::Index c = 0; c < 5; ++c) {
          const long double ref = naive_softmax(eps, x, axis, r, c);
          CHECK(p(r, c) == Approx(static_cast<double>(ref)).epsilon(1e-13));
          CHECK(lp(r, c) == Approx(static_cast<double>(std::log(ref))).epsilon(1e-12).margin(1e-13));
        }
    }
  const auto p1 = tg::softmax(tg::Tensor<double>(x), 1);  // eps = 1
  const auto lp1 = tg::log_softmax(tg::Tensor<double>(x), 0);
  CHECK(p1(2, 3) == Approx(static_cast<double>(naive_softmax(1.0, x, 1, 2, 3))).epsilon(1e-13));
  CHECK(lp1(2, 3) == Approx(static_cast<double>(std::log(naive_softmax(1.0, x, 0, 2, 3)))).epsilon(1e-13));
}

TEST_CASE("softmax, log_softmax: gradcheck for x and eps (Var, 1x1 Tensor, number), both axes", "[ad][softmax]") {
  const auto x = random_array(3, 4, 72, -2.0, 2.0);
  const RowArrayD eps = RowArrayD::Constant(1, 1, 0.6);
  for (int axis : {0, 1}) {
    INFO("axis " << axis);
    CHECK(tg::gradcheck([&](const auto& in) { return tg::softmax(tg::sum(in[1]), in[0], axis); }, {{"x", x}, {"eps", eps}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::softmax(in[1], in[0], axis); }, {{"x", x}, {"eps", eps}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::softmax(0.6, in[0], axis); }, {{"x", x}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::softmax(in[0], axis); }, {{"x", x}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::log_softmax(tg::sum(in[1]), in[0], axis); }, {{"x", x}, {"eps", eps}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::log_softmax(in[1], in[0], axis); }, {{"x", x}, {"eps", eps}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::log_softmax(0.6, in[0], axis); }, {{"x", x}}));
    CHECK(tg::gradcheck([&](const auto& in) { return tg::log_softmax(in[0], axis); }, {{"x", x}}));
    // eps alone requires a gradient.
    CHECK(tg::gradcheck([&](const auto& in) { return tg::softmax(in[0], tg::Tensor<double>(x), axis); }, {{"eps", eps}}));
  }
}

TEST_CASE("softmax: near ties and large magnitudes (~1e3 at eps = 0.01)", "[ad][softmax]") {
  RowArrayD ties(2, 4);
  ties << 1.0, 1.001, 0.999, 1.0005, -2.0, -2.001, -1.999, -2.0;
  tg::GradcheckOptions opt;
  opt.step = 1e-9;
  opt.rtol = 1e-4;
  opt.atol = 1e-4;
  const RowArrayD eps = RowArrayD::Constant(1, 1, 0.01);
  CHECK(tg::gradcheck([](const auto& in) { return tg::softmax(in[1], in[0], 1); }, {{"x", ties}, {"eps", eps}}, opt));
  RowArrayD big = random_array(2, 4, 73, -0.05, 0.05) + 1000.0;
  big.row(1) -= 2000.0;
  CHECK(tg::gradcheck([](const auto& in) { return tg::softmax(in[1], in[0], 1); }, {{"x", big}, {"eps", eps}}, opt));
  CHECK(tg::gradcheck([](const auto& in) { return tg::log_softmax(in[1], in[0], 1); }, {{"x", big}, {"eps", eps}}, opt));
  tg::Scope<double> scope;
  const auto p = tg::softmax(0.01, tg::Tensor<double>(big), 1);
  for (Eigen::Index r = 0; r < 2; ++r) {
    long double m = -INFINITY, s = 0;
    for (Eigen::Index c = 0; c < 4; ++c) m = std::max(m, static_cast<long double>(big(r, c)));
    for (Eigen::Index c = 0; c < 4; ++c) s += std::exp((static_cast<long double>(big(r, c)) - m) / 0.01L);
    for (Eigen::Index c = 0; c < 4; ++c)
      CHECK(p(r, c) == Approx(static_cast<double>(std::exp((static_cast<long double>(big(r, c)) - m) / 0.01L) / s)).epsilon(1e-11));
  }
}

TEST_CASE("softmax: extremes, -inf entries, and a row of -inf", "[ad][softmax]") {
  tg::Scope<double> scope;
  RowArrayD huge(1, 3);
  huge << 1e30, -1e30, 1e30;
  for (double e : {1e-6, 1e6}) {
    tg::Tensor<double> t(huge, true);
    const auto p = tg::softmax(e, t, 1);
    CHECK(p.value().allFinite());
    CHECK(p(0, 0) == Approx(0.5));
    tg::sum(p * p).backward();
    CHECK(t.grad().allFinite());
  }
  RowArrayD x(2, 3);
  x << -inf, 0.0, 1.0, 2.0, -inf, 0.0;
  tg::Tensor<double> t(x, true);
  tg::Var<double> eps(0.5);
  const auto p = tg::softmax(eps, t, 1);
  CHECK(p(0, 0) == 0.0);
  CHECK(p(1, 1) == 0.0);
  CHECK(p(0, 2) == Approx(1.0 / (1.0 + std::exp(-2.0))));
  const auto lp = tg::log_softmax(eps, t, 1);
  CHECK(lp(0, 0) == -inf);
  tg::sum(p * tg::Tensor<double>(random_array(2, 3, 74))).backward();
  CHECK(t.grad().allFinite());
  CHECK(std::isfinite(eps.grad()));
  tg::sum(lp * tg::Tensor<double>(random_array(2, 3, 75))).backward();
  CHECK(t.grad().allFinite());
  CHECK(std::isfinite(eps.grad()));

  RowArrayD dead(3, 2);
  dead << 0.0, 1.0, -inf, -inf, 2.0, 3.0;
  auto m = tg_ops_test::invalid_argument_message([&] { tg::softmax(tg::Tensor<double>(dead), 1); });
  CHECK_THAT(m, Catch::Contains("softmax") && Catch::Contains("row 1") && Catch::Contains("-inf"));
  m = tg_ops_test::invalid_argument_message([&] { tg::log_softmax(tg::Tensor<double>(dead.transpose().eval()), 0); });
  CHECK_THAT(m, Catch::Contains("log_softmax") && Catch::Contains("column 1"));
}

TEST_CASE("softmax: float agrees with double within 1e-6; errors are named", "[ad][softmax]") {
  const auto x = random_array(4, 6, 76, -3.0, 3.0);
  tg::Scope<double> sd;
  tg::Scope<float> sf;
  tg::Tensor<double> td(x, true);
  tg::Tensor<float> tf(x.cast<float>().eval(), true);
  const auto pd = tg::softmax(0.7, td, 0);
  const auto pf = tg::softmax(0.7f, tf, 0);
  CHECK((pf.value().cast<double>() - pd.value()).abs().maxCoeff() < 1e-6);
  tg::sum(pd * pd).backward();
  tg::sum(pf * pf).backward();
  CHECK((tf.grad().cast<double>() - td.grad()).abs().maxCoeff() < 1e-5);

  tg::Tensor<double> y(RowArrayD::Ones(2, 3));
  for (double e : {0.0, -1.0, std::nan("")}) {
    const auto m = tg_ops_test::invalid_argument_message([&] { tg::log_softmax(e, y, 1); });
    CHECK_THAT(m, Catch::Contains("eps") && Catch::Contains(tg::format_number(e)));
  }
  const auto m = tg_ops_test::invalid_argument_message([&] { tg::softmax(tg::Tensor<double>(RowArrayD::Ones(1, 2)), y, 1); });
  CHECK_THAT(m, Catch::Contains("1x2") && Catch::Contains("2x3"));
  tg::NoGrad<double> no_grad;
  CHECK_FALSE(tg::softmax(td, 1).requires_grad());
}
