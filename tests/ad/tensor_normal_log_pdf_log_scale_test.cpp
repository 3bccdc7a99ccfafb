#include "tropigrad/ad/tensor_normal_log_pdf_log_scale.hpp"

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/tensor_exp.hpp"
#include "tropigrad/ad/tensor_normal_log_pdf.hpp"
#include "tropigrad/ad/tensor_sum.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using RowArrayD = tg::RowArray<double>;
using TensorD = tg::Tensor<double>;

namespace {
// Independent reference: a long double loop over the broadcast shape.
long double reference(const RowArrayD& x, const RowArrayD& mu, const RowArrayD& ls) {
  const long double pi = 3.141592653589793238462643383279502884L;
  auto at = [](const RowArrayD& a, Eigen::Index r, Eigen::Index c) {
    return static_cast<long double>(a(a.rows() == 1 ? 0 : r, a.cols() == 1 ? 0 : c));
  };
  const Eigen::Index rows = std::max({x.rows(), mu.rows(), ls.rows()});
  const Eigen::Index cols = std::max({x.cols(), mu.cols(), ls.cols()});
  long double total = 0;
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c) {
      const long double z = (at(x, r, c) - at(mu, r, c)) / std::exp(at(ls, r, c));
      total += -0.5L * z * z - at(ls, r, c) - 0.5L * std::log(2.0L * pi);
    }
  return total;
}
}  // namespace

TEST_CASE("Tensor normal_log_pdf_log_scale: values match a long double reference, all broadcasts",
          "[ad][tensor][normal_log_pdf_log_scale]") {
  tg::tape<double>().reset();
  for (double scale : {1.0, 1e3}) {
    const RowArrayD x = random_array(6, 5, 1, -scale, scale);
    const RowArrayD ls_full = random_array(6, 5, 2, -1.0, 1.0) + std::log(scale);
    const RowArrayD mu_row = random_array(1, 5, 3, -scale, scale);
    const RowArrayD mu_col = random_array(6, 1, 4, -scale, scale);
    const RowArrayD ls_row = random_array(1, 5, 5, -1.0, 1.0) + std::log(scale);
    const RowArrayD one_mu = RowArrayD::Constant(1, 1, 0.25 * scale), one_ls = RowArrayD::Constant(1, 1, std::log(scale) + 0.3);
    const TensorD xt(x);
    auto check = [&](const tg::Var<double>& got, long double expected) {
      CHECK(got.value() == Approx(static_cast<double>(expected)).epsilon(1e-12));
    };
    check(tg::normal_log_pdf_log_scale(xt, TensorD(mu_row), TensorD(ls_full)), reference(x, mu_row, ls_full));
    check(tg::normal_log_pdf_log_scale(xt, TensorD(mu_col), TensorD(ls_row)), reference(x, mu_col, ls_row));
    check(tg::normal_log_pdf_log_scale(xt, 0.25 * scale, TensorD(ls_full)), reference(x, one_mu, ls_full));
    check(tg::normal_log_pdf_log_scale(xt, tg::Var<double>(0.25 * scale), std::log(scale) + 0.3),
          reference(x, one_mu, one_ls));
    // The same as the sigma-parameterised op (independent code) at sigma = exp(log_sigma).
    const TensorD ls_t(ls_full);
    CHECK(tg::normal_log_pdf_log_scale(xt, TensorD(mu_row), ls_t).value() ==
          Approx(tg::normal_log_pdf(xt, TensorD(mu_row), tg::exp(ls_t)).value()).epsilon(1e-12));
  }
  tg::tape<double>().reset();
}

TEST_CASE("Tensor normal_log_pdf_log_scale gradcheck", "[ad][tensor][normal_log_pdf_log_scale][gradcheck]") {
  for (double scale : {1.0, 1e3}) {
    for (unsigned seed : {11u, 12u}) {
      const RowArrayD x = random_array(4, 3, seed, -scale, scale);
      const RowArrayD ls = random_array(4, 3, seed + 1, -1.0, 1.0) + std::log(scale);
      auto run = [](const std::vector<tg::GradcheckInput>& in, auto f) {
        const auto r = tg::gradcheck(f, in);
        INFO(r.report);
        CHECK(r.passed);
      };
      // All three full and broadcast tensors; mu a row, log_sigma a column.
      run({{"x", x}, {"mu", random_array(4, 3, seed + 2, -scale, scale)}, {"log_sigma", ls}},
          [](const std::vector<TensorD>& in) { return tg::normal_log_pdf_log_scale(in[0], in[1], in[2]); });
      run({{"x", x}, {"mu", random_array(1, 3, seed + 3, -scale, scale)},
           {"log_sigma", random_array(4, 1, seed + 4, -1.0, 1.0) + std::log(scale)}},
          [](const std::vector<TensorD>& in) { return tg::normal_log_pdf_log_scale(in[0], in[1], in[2]); });
      // Scalar Var parameters (from 1x1 leaves), and only log_sigma requiring grad (the one-pass path).
      run({{"x", x}, {"mu", RowArrayD::Constant(1, 1, 0.1 * scale)}, {"log_sigma", RowArrayD::Constant(1, 1, std::log(scale))}},
          [](const std::vector<TensorD>& in) {
            return tg::normal_log_pdf_log_scale(in[0], tg::sum(in[1]), tg::sum(in[2]));
          });
      const TensorD x_const(x, false);
      run({{"log_sigma", ls}},
          [x_const](const std::vector<TensorD>& in) { return tg::normal_log_pdf_log_scale(x_const, 0.0, in[0]); });
    }
  }
}

TEST_CASE("Tensor normal_log_pdf_log_scale: limits where the plain formula gives NaN", "[ad][tensor][normal_log_pdf_log_scale]") {
  tg::tape<double>().reset();
  const double c = 0.5 * std::log(2 * std::numbers::pi);
  // x == mu with sigma underflowed: the element contributes -log_sigma - c; the others are ordinary.
  RowArrayD x(1, 3), ls(1, 3);
  x << 1.0, 2.0, 3.0;
  ls << -800.0, 0.0, 0.5;
  TensorD xt(x, true), lst(ls, true);
  const tg::Var<double> lp = tg::normal_log_pdf_log_scale(xt, TensorD(RowArrayD::Constant(1, 3, 1.0)), lst);
  const double expected = 800.0 - c + (-0.5 * 1.0 - 0.0 - c) + (-0.5 * 4.0 * std::exp(-1.0) - 0.5 - c);
  CHECK(lp.value() == Approx(expected));
  lp.backward();
  CHECK(xt.grad()(0, 0) == 0.0);
  CHECK(lst.grad()(0, 0) == -1.0);
  CHECK(xt.grad()(0, 1) == Approx(-1.0));                 // -z / sigma at z = 1, sigma = 1
  CHECK(lst.grad()(0, 2) == Approx(4.0 * std::exp(-1.0) - 1.0));  // z^2 - 1
  // log_sigma = -inf with x != mu: -inf, gradients without NaN.
  tg::tape<double>().reset();
  TensorD x2(RowArrayD::Constant(2, 2, 2.0), true), ls2(RowArrayD::Constant(2, 2, -HUGE_VAL), true);
  const tg::Var<double> lp2 = tg::normal_log_pdf_log_scale(x2, 1.0, ls2);
  CHECK(lp2.value() == -HUGE_VAL);
  lp2.backward();
  CHECK_FALSE(x2.grad().isNaN().any());
  CHECK_FALSE(ls2.grad().isNaN().any());
  tg::tape<double>().reset();
}

TEST_CASE("Tensor normal_log_pdf_log_scale: shapes that do not broadcast throw", "[ad][tensor][normal_log_pdf_log_scale]") {
  tg::tape<double>().reset();
  const TensorD x(random_array(3, 4, 1)), ls(random_array(2, 4, 2));
  const std::string m = tg_ops_test::invalid_argument_message([&] { (void)tg::normal_log_pdf_log_scale(x, 0.0, ls); });
  CHECK(m.find("tropigrad::normal_log_pdf_log_scale") != std::string::npos);
  CHECK(m.find("3x4 and 2x4") != std::string::npos);
  tg::tape<double>().reset();
}
