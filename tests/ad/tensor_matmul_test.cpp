#include "tropigrad/ad/tensor_matmul.hpp"

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/scope.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

TEST_CASE("matmul: forward equals Eigen's own product, including matrix-vector", "[ad][matmul]") {
  tg::Scope<double> scope;
  const RowArrayD a = random_array(4, 3, 1), b = random_array(3, 5, 2), v = random_array(3, 1, 3);
  const Eigen::MatrixXd expected = a.matrix() * b.matrix();  // column-major, independent code path
  const auto out = tg::matmul(tg::Tensor<double>(a), tg::Tensor<double>(b));
  REQUIRE(out.rows() == 4);
  REQUIRE(out.cols() == 5);
  CHECK(out.value().matrix().isApprox(expected, 1e-14));
  const auto mv = tg::matmul(tg::Tensor<double>(a), tg::Tensor<double>(v));
  REQUIRE(mv.cols() == 1);
  for (Eigen::Index i = 0; i < 4; ++i) {
    double s = 0;
    for (Eigen::Index k = 0; k < 3; ++k) s += a(i, k) * v(k, 0);
    CHECK(mv(i, 0) == Approx(s).epsilon(1e-14));
  }
}

TEST_CASE("matmul, transpose, linear: gradcheck in double", "[ad][matmul]") {
  const auto a = random_array(4, 3, 4), b = random_array(3, 5, 5), v = random_array(3, 1, 6);
  CHECK(tg::gradcheck([](const auto& in) { return tg::matmul(in[0], in[1]); }, {{"A", a}, {"B", b}}));
  CHECK(tg::gradcheck([](const auto& in) { return tg::matmul(in[0], in[1]); }, {{"A", a}, {"v", v}}));
  CHECK(tg::gradcheck([](const auto& in) { return tg::transpose(in[0]); }, {{"x", a}}));
  const auto x = random_array(6, 3, 7), w = random_array(2, 3, 8), bias = random_array(1, 2, 9);
  CHECK(tg::gradcheck([](const auto& in) { return tg::linear(in[0], in[1], in[2]); },
                      {{"x", x}, {"W", w}, {"b", bias}}));
  CHECK(tg::gradcheck([](const auto& in) { return tg::linear(in[0], in[1]); }, {{"x", x}, {"W", w}}));
  // The same tensor on both sides, and a result used twice (gradients accumulate).
  const auto sq = random_array(3, 3, 10);
  CHECK(tg::gradcheck([](const auto& in) { return tg::matmul(in[0], tg::matmul(in[0], in[0])); }, {{"X", sq}}));
}

TEST_CASE("linear: forward equals x W^T + b by loops", "[ad][matmul]") {
  tg::Scope<double> scope;
  const auto x = random_array(5, 4, 11), w = random_array(3, 4, 12), b = random_array(1, 3, 13);
  const auto y = tg::linear(tg::Tensor<double>(x), tg::Tensor<double>(w), tg::Tensor<double>(b));
  REQUIRE(y.rows() == 5);
  REQUIRE(y.cols() == 3);
  for (Eigen::Index i = 0; i < 5; ++i)
    for (Eigen::Index o = 0; o < 3; ++o) {
      long double s = b(0, o);
      for (Eigen::Index k = 0; k < 4; ++k) s += static_cast<long double>(x(i, k)) * w(o, k);
      CHECK(y(i, o) == Approx(static_cast<double>(s)).epsilon(1e-14));
    }
}

TEST_CASE("matmul: float agrees with double within 1e-5 relative", "[ad][matmul]") {
  tg::Scope<double> sd;
  tg::Scope<float> sf;
  const auto a = random_array(8, 16, 14), b = random_array(16, 4, 15);
  const auto d = tg::matmul(tg::Tensor<double>(a), tg::Tensor<double>(b));
  tg::Tensor<float> af(a.cast<float>().eval(), true), bf(b.cast<float>().eval(), true);
  const auto f = tg::matmul(af, bf);
  CHECK((f.value().cast<double>() - d.value()).abs().maxCoeff() <= 1e-5 * 16);
  tg::sum(f).backward();
  // d sum(AB)/dA = 1 B^T: each row of dA is B's row sums.
  const Eigen::VectorXd row_sums = b.rowwise().sum().matrix();
  for (Eigen::Index i = 0; i < 8; ++i)
    for (Eigen::Index k = 0; k < 16; ++k) CHECK(af.grad()(i, k) == Approx(row_sums(k)).epsilon(1e-5));
}

TEST_CASE("matmul, linear: shape mismatch names both shapes", "[ad][matmul]") {
  tg::Scope<double> scope;
  tg::Tensor<double> a(RowArrayD::Zero(2, 3)), b(RowArrayD::Zero(4, 5));
  auto m = tg_ops_test::invalid_argument_message([&] { tg::matmul(a, b); });
  CHECK_THAT(m, Catch::Contains("matmul") && Catch::Contains("2x3") && Catch::Contains("4x5"));
  tg::Tensor<double> w(RowArrayD::Zero(7, 4)), bias(RowArrayD::Zero(1, 7)), bad_bias(RowArrayD::Zero(1, 6));
  m = tg_ops_test::invalid_argument_message([&] { tg::linear(a, w, bias); });
  CHECK_THAT(m, Catch::Contains("linear") && Catch::Contains("2x3") && Catch::Contains("7x4"));
  tg::Tensor<double> x(RowArrayD::Zero(2, 4));
  m = tg_ops_test::invalid_argument_message([&] { tg::linear(x, w, bad_bias); });
  CHECK_THAT(m, Catch::Contains("linear") && Catch::Contains("1x6") && Catch::Contains("7x4"));
}

TEST_CASE("matmul: respects requires_grad and NoGrad", "[ad][matmul]") {
  tg::Scope<double> scope;
  tg::Tensor<double> a(random_array(2, 3, 16), true), b(random_array(3, 2, 17), false);
  tg::sum(tg::matmul(a, b)).backward();
  CHECK(a.grad().isApprox((RowArrayD::Ones(2, 2).matrix() * b.value().matrix().transpose()).array()));
  CHECK(b.grad().isZero());  // b does not require a gradient: untouched
  {
    tg::NoGrad<double> no_grad;
    const auto y = tg::linear(a, a);
    CHECK_FALSE(y.requires_grad());
  }
}
