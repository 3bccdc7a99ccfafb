#include "tropigrad/ad/tensor_tropical_matmul.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/tensor_slice.hpp"
#include "tropigrad/semiring/matmul.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

void check(const tg::GradcheckResult& r) {
  INFO(r.report);
  CHECK(r.passed);
}

/// Smallest gap between the best and the second best term over all outputs
/// (a gradcheck of a hard semiring needs it well above the difference step).
double smallest_gap(const RowArrayD& A, const RowArrayD& B) {
  double gap = inf;
  for (Eigen::Index i = 0; i < A.rows(); ++i)
    for (Eigen::Index j = 0; j < B.cols(); ++j) {
      double first = -inf, second = -inf;
      for (Eigen::Index k = 0; k < A.cols(); ++k) {
        const double x = A(i, k) + B(k, j);
        if (x > first) {
          second = first;
          first = x;
        } else if (x > second) {
          second = x;
        }
      }
      gap = std::min(gap, first - second);
    }
  return gap;
}
}  // namespace

TEST_CASE("tropical_matmul: forward equals the reference loop for every semiring", "[ad][tropical_matmul]") {
  tg::Scope<double> scope;
  const RowArrayD A = random_array(5, 7, 1, -2, 2), B = random_array(7, 4, 2, -2, 2);
  const Eigen::MatrixXd Am = A.matrix(), Bm = B.matrix();
  const tg::Tensor<double> a(A), b(B);
  CHECK(tg::tropical_matmul(tg::MaxPlus{}, a, b).value().matrix() == tg::matmul(tg::MaxPlus{}, Am, Bm));
  CHECK(tg::tropical_matmul(tg::MinPlus{}, a, b).value().matrix() == tg::matmul(tg::MinPlus{}, Am, Bm));
  CHECK((tg::tropical_matmul(tg::LogSumExp<double>(0.3), a, b).value().matrix() -
         tg::matmul(tg::LogSumExp<double>(0.3), Am, Bm)).cwiseAbs().maxCoeff() < 1e-12);
  CHECK((tg::tropical_matmul(tg::SumProduct{}, a, b).value().matrix() - Am * Bm).cwiseAbs().maxCoeff() < 1e-12);
}

TEST_CASE("tropical_matmul: MaxPlus/MinPlus gradcheck without ties, also at large magnitudes", "[ad][tropical_matmul]") {
  for (double offset : {0.0, 100.0}) {
    const RowArrayD A = random_array(4, 6, 3, -3, 3) + offset, B = random_array(6, 5, 4, -3, 3) - offset;
    REQUIRE(smallest_gap(A, B) > 1e-3);
    REQUIRE(smallest_gap(-A, -B) > 1e-3);
    check(tg::gradcheck([](const auto& in) { return tg::tropical_matmul(tg::MaxPlus{}, in[0], in[1]); },
                        {{"A", A}, {"B", B}}));
    check(tg::gradcheck([](const auto& in) { return tg::tropical_matmul(tg::MinPlus{}, in[0], in[1]); },
                        {{"A", A}, {"B", B}}));
  }
}

TEST_CASE("tropical_matmul: ties route to the lowest k; -inf outputs pass nothing", "[ad][tropical_matmul]") {
  tg::Scope<double> scope;
  RowArrayD A(2, 3), B(3, 2);
  A << 1, 1, 0, -inf, -inf, -inf;
  B << 0, 2, 0, 2, 1, -inf;
  const tg::Tensor<double> a(A, true), b(B, true);
  const auto C = tg::tropical_matmul(tg::MaxPlus{}, a, b);
  // C(0, 0) = max(1, 1, 1): k = 0 wins; C(0, 1) = max(3, 3, -inf): k = 0; row 1 is -inf.
  CHECK(C(0, 0) == 1.0);
  CHECK(C(0, 1) == 3.0);
  CHECK(C(1, 0) == -inf);
  RowArrayD W(2, 2);
  W << 2, 3, 5, 7;
  tg::sum(C * tg::Tensor<double>(W)).backward();  // the loss is -inf; the gradient is still defined
  RowArrayD dA = RowArrayD::Zero(2, 3), dB = RowArrayD::Zero(3, 2);
  dA(0, 0) = 2 + 3;
  dB(0, 0) = 2;
  dB(0, 1) = 3;
  CHECK(a.grad().matrix() == dA.matrix());
  CHECK(b.grad().matrix() == dB.matrix());
}

TEST_CASE("tropical_matmul: LogSumExp gradcheck for A, B and eps (near ties, large magnitudes, fallback)",
          "[ad][tropical_matmul]") {
  const RowArrayD eps = RowArrayD::Constant(1, 1, 0.7);
  struct Case {
    double lo, hi, offset;
  };
  for (const Case c : {Case{-2, 2, 0}, Case{-1e-4, 1e-4, 0}, Case{-3, 3, 1e3}, Case{-1000, 1000, 0}}) {
    INFO("range [" << c.lo << ", " << c.hi << "] + " << c.offset);
    const RowArrayD A = random_array(4, 6, 5, c.lo, c.hi) + c.offset, B = random_array(6, 3, 6, c.lo, c.hi);
    check(tg::gradcheck([](const auto& in) { return tg::lse_matmul(tg::sum(in[2]), in[0], in[1]); },
                        {{"A", A}, {"B", B}, {"eps", eps}}));
    check(tg::gradcheck([](const auto& in) { return tg::lse_matmul(in[2], in[0], in[1]); },
                        {{"A", A}, {"B", B}, {"eps", eps}}));
    // A small constant eps (the central difference step grows with |x|, so only without the offset).
    if (c.offset == 0)
      check(tg::gradcheck([](const auto& in) { return tg::tropical_matmul(tg::LogSumExp<double>(0.05), in[0], in[1]); },
                          {{"A", A}, {"B", B}}));
  }
  // Only eps requires a gradient; only B does.
  const RowArrayD A = random_array(3, 4, 7, -1, 1), B = random_array(4, 2, 8, -1, 1);
  check(tg::gradcheck([&](const auto& in) { return tg::lse_matmul(in[0], tg::Tensor<double>(A), tg::Tensor<double>(B)); },
                      {{"eps", eps}}));
  check(tg::gradcheck([&](const auto& in) { return tg::lse_matmul(0.3, tg::Tensor<double>(A), in[0]); }, {{"B", B}}));
}

TEST_CASE("tropical_matmul: LogSumExp with -inf entries: no gradient there, finite elsewhere", "[ad][tropical_matmul]") {
  tg::Scope<double> scope;
  RowArrayD A = random_array(3, 4, 9, -1, 1);
  A(0, 1) = -inf;
  A(1, 1) = -inf;
  A.row(2).setConstant(-inf);  // a row of C of -inf
  const tg::Tensor<double> a(A, true), b(random_array(4, 2, 10, -1, 1), true), eps(0.5, true);
  const auto C = tg::lse_matmul(eps, a, b);
  CHECK((C.value().row(2) == -inf).all());
  tg::sum(tg::slice_rows(C, 0, 2)).backward();
  CHECK(a.grad().allFinite());
  CHECK(a.grad()(0, 1) == 0.0);
  CHECK((a.grad().row(2) == 0.0).all());
  CHECK(b.grad().allFinite());
  CHECK(std::isfinite(eps.grad()(0, 0)));
  // Against the same product without the -inf row and column (a separate evaluation).
  tg::Scope<double> inner;
  RowArrayD A2(2, 3);
  A2 << A(0, 0), A(0, 2), A(0, 3), A(1, 0), A(1, 2), A(1, 3);
  RowArrayD B2(3, 2);
  B2 << b.value().row(0), b.value().row(2), b.value().row(3);
  const tg::Tensor<double> a2(A2, true), b2(B2, true), eps2(0.5, true);
  tg::sum(tg::lse_matmul(eps2, a2, b2)).backward();
  CHECK(a.grad()(0, 0) == Approx(a2.grad()(0, 0)).epsilon(1e-12));
  CHECK(a.grad()(1, 3) == Approx(a2.grad()(1, 2)).epsilon(1e-12));
  CHECK(eps.grad()(0, 0) == Approx(eps2.grad()(0, 0)).epsilon(1e-10));
}

TEST_CASE("tropical_matmul: LogSumExp tends to MaxPlus (values within eps log k, gradients)", "[ad][tropical_matmul]") {
  tg::Scope<double> scope;
  const RowArrayD A = random_array(5, 8, 11, -2, 2), B = random_array(8, 3, 12, -2, 2);
  REQUIRE(smallest_gap(A, B) > 1e-3);
  tg::Tensor<double> a(A, true), b(B, true);
  tg::sum(tg::tropical_matmul(tg::MaxPlus{}, a, b)).backward();
  const RowArrayD hard_grad = a.grad();
  const RowArrayD hard = tg::tropical_matmul(tg::MaxPlus{}, a, b).value();
  for (double e : {0.1, 1e-3, 1e-5}) {
    a.zero_grad();
    const auto soft = tg::tropical_matmul(tg::LogSumExp<double>(e), a, b);
    const RowArrayD diff = soft.value() - hard;
    CHECK(diff.minCoeff() >= -1e-12);
    CHECK(diff.maxCoeff() <= e * std::log(8.0) + 1e-12);
    tg::sum(soft).backward();
    if (e <= 1e-5) CHECK((a.grad() - hard_grad).abs().maxCoeff() < 1e-6);
  }
}

TEST_CASE("tropical_matmul: float agrees with double; bad input throws", "[ad][tropical_matmul]") {
  tg::Scope<float> scope_f;
  tg::Scope<double> scope_d;
  const RowArrayD A = random_array(6, 40, 13, -30, 30), B = random_array(40, 5, 14, -30, 30);
  const auto cf = tg::lse_matmul(0.5f, tg::Tensor<float>(A.cast<float>().eval()), tg::Tensor<float>(B.cast<float>().eval()));
  const auto cd = tg::lse_matmul(0.5, tg::Tensor<double>(A), tg::Tensor<double>(B));
  CHECK((cf.value().cast<double>() - cd.value()).abs().maxCoeff() < 1e-4);
  RowArrayD bad = A;
  bad(2, 3) = std::nan("");
  CHECK(tg_ops_test::invalid_argument_message([&] { tg::tropical_matmul(tg::MaxPlus{}, tg::Tensor<double>(bad), tg::Tensor<double>(B)); }) ==
        "tropigrad::tropical_matmul: A is NaN at (2, 3); inputs must not contain NaN");
  // lse_matmul's errors name lse_matmul, not the shared kernel (robustness sweep regression).
  CHECK(tg_ops_test::invalid_argument_message([&] { tg::lse_matmul(0.5, tg::Tensor<double>(B), tg::Tensor<double>(B)); }) ==
        "tropigrad::lse_matmul: A is 40x5 but B is 40x5; A.cols() must equal B.rows()");
  CHECK(tg_ops_test::invalid_argument_message([&] { tg::lse_matmul(0.5, tg::Tensor<double>(bad), tg::Tensor<double>(B)); }) ==
        "tropigrad::lse_matmul: A is NaN at (2, 3); inputs must not contain NaN");
  CHECK(tg_ops_test::invalid_argument_message([&] {
          tg::tropical_matmul(tg::LogSumExp<double>(0.5), tg::Tensor<double>(bad), tg::Tensor<double>(B));
        }) == "tropigrad::tropical_matmul: A is NaN at (2, 3); inputs must not contain NaN");
  CHECK(tg_ops_test::invalid_argument_message([&] { tg::lse_matmul(-1.0, tg::Tensor<double>(A), tg::Tensor<double>(B)); })
            .find("eps must be a finite number > 0, got -1") != std::string::npos);
}
