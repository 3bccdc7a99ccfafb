#include "tropigrad/ad/tensor_normal_log_pdf.hpp"

#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scalar_exp_log.hpp"
#include "tropigrad/ad/tensor_power.hpp"
#include "tensor_ops_test_helpers.hpp"

namespace tg = tropigrad;
using TensorD = tg::Tensor<double>;
using tg_ops_test::random_array;

namespace {
/// Independent reference: a plain long double loop over the broadcast shape.
long double reference(const tg::RowArray<double>& x, const tg::RowArray<double>& mu, const tg::RowArray<double>& sigma) {
  auto at = [](const tg::RowArray<double>& a, tg::Index r, tg::Index c) {
    return static_cast<long double>(a(a.rows() == 1 ? 0 : r, a.cols() == 1 ? 0 : c));
  };
  const tg::Index rows = std::max({x.rows(), mu.rows(), sigma.rows()});
  const tg::Index cols = std::max({x.cols(), mu.cols(), sigma.cols()});
  long double total = 0;
  for (tg::Index r = 0; r < rows; ++r)
    for (tg::Index c = 0; c < cols; ++c) {
      const long double z = (at(x, r, c) - at(mu, r, c)) / at(sigma, r, c);
      total += -0.5L * z * z - std::log(at(sigma, r, c)) - 0.5L * std::log(2.0L * std::numbers::pi_v<long double>);
    }
  return total;
}
tg::RowArray<double> positive(tg::Index rows, tg::Index cols, unsigned seed, double lo, double hi) {
  return random_array(rows, cols, seed, lo, hi);
}
}  // namespace

TEST_CASE("normal_log_pdf value matches a long double loop", "[ad][tensor][normal_log_pdf]") {
  tg::tape<double>().reset();
  for (double scale : {1.0, 1e3}) {
    const auto x = random_array(23, 7, 1, -scale, scale);
    const auto mu_row = random_array(1, 7, 2, -scale, scale);
    const auto sigma_col = positive(23, 1, 3, 0.1 * scale, 2 * scale);
    const tg::RowArray<double> mu1 = tg::RowArray<double>::Constant(1, 1, 0.3 * scale);
    const tg::RowArray<double> s1 = tg::RowArray<double>::Constant(1, 1, 0.7 * scale);
    const double tol = 1e-11 * std::abs(static_cast<double>(reference(x, mu1, s1)));
    CHECK(tg::normal_log_pdf(TensorD(x), 0.3 * scale, 0.7 * scale).value() ==
          Approx(static_cast<double>(reference(x, mu1, s1))).margin(tol));
    CHECK(tg::normal_log_pdf(TensorD(x), TensorD(mu_row), TensorD(sigma_col)).value() ==
          Approx(static_cast<double>(reference(x, mu_row, sigma_col))).margin(1e-9 * scale));
    CHECK(tg::normal_log_pdf(TensorD(x), TensorD(x), 0.7 * scale).value() ==
          Approx(static_cast<double>(reference(x, x, s1))));
  }
  tg::tape<double>().reset();
}

TEST_CASE("normal_log_pdf gradcheck, scalar mu and sigma as 1x1 Tensors", "[ad][tensor][normal_log_pdf][gradcheck]") {
  for (double scale : {1.0, 1e3}) {
    for (unsigned seed : {11u, 12u, 13u}) {
      const auto result = tg::gradcheck(
          [](const std::vector<TensorD>& in) { return tg::normal_log_pdf(in[0], in[1], in[2]); },
          {{"x", random_array(31, 1, seed, -scale, scale)},
           {"mu", random_array(1, 1, seed + 100, -scale, scale)},
           {"sigma", positive(1, 1, seed + 200, 0.2 * scale, 2 * scale)}});
      INFO(result.report);
      CHECK(result.passed);
    }
  }
}

TEST_CASE("normal_log_pdf gradcheck, mu and sigma as Vars", "[ad][tensor][normal_log_pdf][gradcheck]") {
  for (double scale : {1.0, 1e3}) {
    const auto result = tg::gradcheck(
        [](const std::vector<TensorD>& in) {
          return tg::normal_log_pdf(in[0], tg::sum(in[1]), tg::sum(in[2]));
        },
        {{"x", random_array(5, 4, 21, -scale, scale)},
         {"mu", random_array(1, 1, 22, -scale, scale)},
         {"sigma", positive(1, 1, 23, 0.2 * scale, 2 * scale)}});
    INFO(result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("normal_log_pdf gradcheck with broadcasting Tensors", "[ad][tensor][normal_log_pdf][gradcheck]") {
  for (double scale : {1.0, 1e3}) {
    // mu a row vector, sigma a column vector; then mu full-shape and sigma a number.
    auto r1 = tg::gradcheck(
        [](const std::vector<TensorD>& in) { return tg::normal_log_pdf(in[0], in[1], in[2]); },
        {{"x", random_array(6, 3, 31, -scale, scale)},
         {"mu", random_array(1, 3, 32, -scale, scale)},
         {"sigma", positive(6, 1, 33, 0.2 * scale, 2 * scale)}});
    INFO(r1.report);
    CHECK(r1.passed);
    const double sigma = 0.9 * scale;
    auto r2 = tg::gradcheck(
        [sigma](const std::vector<TensorD>& in) { return tg::normal_log_pdf(in[0], in[1], sigma); },
        {{"x", random_array(4, 5, 34, -scale, scale)}, {"mu", random_array(4, 5, 35, -scale, scale)}});
    INFO(r2.report);
    CHECK(r2.passed);
    // A 1x1 x broadcast against a full-shape sigma.
    auto r3 = tg::gradcheck(
        [](const std::vector<TensorD>& in) { return tg::normal_log_pdf(in[0], 0.0, in[1]); },
        {{"x", random_array(1, 1, 36, -scale, scale)}, {"sigma", positive(3, 4, 37, 0.2 * scale, 2 * scale)}});
    INFO(r3.report);
    CHECK(r3.passed);
  }
}

TEST_CASE("normal_log_pdf gradients equal the composed Tensor ops", "[ad][tensor][normal_log_pdf]") {
  tg::tape<double>().reset();
  const auto xe = random_array(200, 1, 41, -3, 3);
  TensorD x1(xe, true), x2(xe, true);
  const tg::Var<double> mu1(0.4), sigma1(1.7), mu2(0.4), sigma2(1.7);
  const tg::Var<double> fused = tg::normal_log_pdf(x1, mu1, sigma1);
  const tg::Var<double> inv = 1.0 / sigma2;
  const tg::Var<double> composed = -0.5 * tg::sum(tg::square(x2 - mu2)) * (inv * inv) - 200.0 * log(sigma2) -
                                   200.0 * 0.5 * std::log(2.0 * std::numbers::pi);
  CHECK(fused.value() == Approx(composed.value()).epsilon(1e-12));
  fused.backward();
  composed.backward();
  CHECK((x1.grad() - x2.grad()).abs().maxCoeff() < 1e-12);
  CHECK(mu1.grad() == Approx(mu2.grad()).epsilon(1e-10));
  CHECK(sigma1.grad() == Approx(sigma2.grad()).epsilon(1e-10));
  tg::tape<double>().reset();
}

TEST_CASE("normal_log_pdf rejects bad sigma and shapes", "[ad][tensor][normal_log_pdf]") {
  tg::tape<double>().reset();
  const TensorD x(random_array(4, 3, 51));
  auto msg = tg_ops_test::invalid_argument_message([&] { (void)tg::normal_log_pdf(x, 0.0, -1.0); });
  CHECK(msg.find("sigma") != std::string::npos);
  CHECK(msg.find("-1") != std::string::npos);
  msg = tg_ops_test::invalid_argument_message(
      [&] { (void)tg::normal_log_pdf(x, 0.0, TensorD(tg::RowArray<double>::Constant(4, 1, 0.0))); });
  CHECK(msg.find("sigma") != std::string::npos);
  msg = tg_ops_test::invalid_argument_message([&] { (void)tg::normal_log_pdf(x, TensorD(random_array(2, 3, 52)), 1.0); });
  CHECK(msg.find("normal_log_pdf") != std::string::npos);
  CHECK(msg.find("4x3") != std::string::npos);
  tg::tape<double>().reset();
}
