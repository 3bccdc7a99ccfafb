#include "tropigrad/semiring/matmul.hpp"

#include <limits>
#include <random>
#include <stdexcept>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("matmul: SumProduct equals Eigen's product", "[semiring][matmul]") {
  std::srand(50);
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(5, 7);
  const Eigen::MatrixXd B = Eigen::MatrixXd::Random(7, 3);
  const Eigen::MatrixXd expected = A * B;
  const Eigen::MatrixXd C = tg::matmul(tg::SumProduct{}, A, B);
  REQUIRE(C.rows() == 5);
  REQUIRE(C.cols() == 3);
  CHECK((C - expected).cwiseAbs().maxCoeff() < 1e-14);
  // Expressions and float work too.
  const Eigen::MatrixXf Cf = tg::matmul(tg::SumProduct{}, A.cast<float>(), B.cast<float>());
  CHECK((Cf.cast<double>() - expected).cwiseAbs().maxCoeff() < 1e-5);
}

TEST_CASE("matmul: MaxPlus and MinPlus closed forms", "[semiring][matmul]") {
  Eigen::MatrixXd A(2, 2), B(2, 2);
  A << 0, 1, 2, -inf;
  B << 3, -inf, 0, 5;
  const Eigen::MatrixXd C = tg::matmul(tg::MaxPlus{}, A, B);
  CHECK(C(0, 0) == 3.0);   // max(0+3, 1+0)
  CHECK(C(0, 1) == 6.0);   // max(0-inf, 1+5)
  CHECK(C(1, 0) == 5.0);   // max(2+3, -inf+0)
  CHECK(C(1, 1) == -inf);  // max(2-inf, -inf+5)
  const Eigen::MatrixXd D = tg::matmul(tg::MinPlus{}, A, B);
  CHECK(D(0, 0) == 1.0);
  CHECK(D(1, 1) == -inf);  // min(-inf, -inf)
}

TEST_CASE("matmul: LogSumExp entries are lse of the sums", "[semiring][matmul]") {
  std::srand(51);
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(3, 4) * 5;
  const Eigen::MatrixXd B = Eigen::MatrixXd::Random(4, 2) * 5;
  const double eps = 0.3;
  const Eigen::MatrixXd C = tg::matmul(tg::LogSumExp<>{eps}, A, B);
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 2; ++j) {
      std::vector<long double> terms;
      for (int k = 0; k < 4; ++k) terms.push_back(static_cast<long double>(A(i, k)) + B(k, j));
      CHECK(tg_test::close(C(i, j), static_cast<double>(tg_test::reference_lse(eps, terms)), 1e-14));
    }
  }
}

TEST_CASE("matmul: shape errors and empty inner dimension", "[semiring][matmul]") {
  CHECK_THROWS_WITH(tg::matmul(tg::MaxPlus{}, Eigen::MatrixXd(3, 4), Eigen::MatrixXd(5, 2)),
                    "tropigrad::matmul: A is 3x4 but B is 5x2; A.cols() must equal B.rows()");
  const Eigen::MatrixXd C = tg::matmul(tg::MaxPlus{}, Eigen::MatrixXd(2, 0), Eigen::MatrixXd(0, 3));
  REQUIRE(C.rows() == 2);
  REQUIRE(C.cols() == 3);
  CHECK((C.array() == -inf).all());
}

TEST_CASE("identity: one on the diagonal, zero elsewhere", "[semiring][matmul]") {
  const Eigen::MatrixXd I = tg::identity<double>(tg::MaxPlus{}, 3);
  CHECK(I(0, 0) == 0.0);
  CHECK(I(2, 2) == 0.0);
  CHECK(I(0, 1) == -inf);
  CHECK(I(2, 0) == -inf);
  CHECK(tg::identity<double>(tg::SumProduct{}, 4).isIdentity());
  std::srand(52);
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(3, 3);
  CHECK(tg::matmul(tg::MaxPlus{}, I, A) == A);
  CHECK(tg::matmul(tg::MaxPlus{}, A, I) == A);
  CHECK(tg::matmul(tg::LogSumExp<>{0.1}, A, I) == A);
  CHECK_THROWS_WITH(tg::identity<double>(tg::MaxPlus{}, -1), "tropigrad::identity: n must be >= 0, got -1");
}

TEST_CASE("matmul: user scalar type in an Eigen matrix", "[semiring][matmul]") {
  using tg_test::Num;
  using tg::SemiringMatrix;
  std::srand(53);
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(3, 4);
  const Eigen::MatrixXd B = Eigen::MatrixXd::Random(4, 2);
  SemiringMatrix<Num> An(3, 4), Bn(4, 2);
  for (int i = 0; i < 3; ++i)
    for (int k = 0; k < 4; ++k) An(i, k) = Num(A(i, k));
  for (int k = 0; k < 4; ++k)
    for (int j = 0; j < 2; ++j) Bn(k, j) = Num(B(k, j));
  const tg::LogSumExp<> s{0.4};
  const SemiringMatrix<Num> Cn = tg::matmul(s, An, Bn);
  const Eigen::MatrixXd C = tg::matmul(s, A, B);
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 2; ++j) CHECK(Cn(i, j).v == C(i, j));
}
