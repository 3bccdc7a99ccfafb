#include "tropigrad/semiring/matrix_power.hpp"

#include <limits>
#include <random>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"

namespace tg = tropigrad;
using tg_test::inf;

namespace {
Eigen::MatrixXd random_integer_matrix(std::mt19937& rng, int n, double missing) {
  std::uniform_int_distribution<int> weight(-9, 9);
  std::bernoulli_distribution absent(0.3);
  Eigen::MatrixXd A(n, n);
  for (int j = 0; j < n; ++j)
    for (int i = 0; i < n; ++i) A(i, j) = absent(rng) ? missing : weight(rng);
  return A;
}

template <class S>
Eigen::MatrixXd repeated_product(const S& s, const Eigen::MatrixXd& A, int k) {
  Eigen::MatrixXd result = tg::identity<double>(s, A.rows());
  for (int i = 0; i < k; ++i) result = tg::matmul(s, result, A);
  return result;
}
}  // namespace

TEST_CASE("matrix_power: equals repeated matmul (exact for integer weights)", "[semiring][matrix_power]") {
  std::mt19937 rng(60);
  const Eigen::MatrixXd A_max = random_integer_matrix(rng, 5, -inf);
  const Eigen::MatrixXd A_min = random_integer_matrix(rng, 5, inf);
  for (int k = 0; k <= 9; ++k) {
    INFO("k=" << k);
    CHECK(tg::matrix_power(tg::MaxPlus{}, A_max, k) == repeated_product(tg::MaxPlus{}, A_max, k));
    CHECK(tg::matrix_power(tg::MinPlus{}, A_min, k) == repeated_product(tg::MinPlus{}, A_min, k));
  }
}

TEST_CASE("matrix_power: SumProduct and LogSumExp within rounding", "[semiring][matrix_power]") {
  std::srand(61);
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(4, 4) * 0.5;
  const tg::LogSumExp<> lse{0.5};
  for (int k = 0; k <= 7; ++k) {
    INFO("k=" << k);
    // Independent reference for SumProduct: Eigen's own product.
    Eigen::MatrixXd eigen_power = Eigen::MatrixXd::Identity(4, 4);
    for (int i = 0; i < k; ++i) eigen_power = eigen_power * A;
    CHECK((tg::matrix_power(tg::SumProduct{}, A, k) - eigen_power).cwiseAbs().maxCoeff() < 1e-13);
    const Eigen::MatrixXd P = tg::matrix_power(lse, A, k);
    const Eigen::MatrixXd R = repeated_product(lse, A, k);
    for (int j = 0; j < 4; ++j)
      for (int i = 0; i < 4; ++i) CHECK(tg_test::close(P(i, j), R(i, j), 1e-13));
  }
}

TEST_CASE("matrix_power: bad arguments throw", "[semiring][matrix_power]") {
  CHECK_THROWS_WITH(tg::matrix_power(tg::MaxPlus{}, Eigen::MatrixXd(2, 3), 2),
                    "tropigrad::matrix_power: A is 2x3 but must be square");
  CHECK_THROWS_WITH(tg::matrix_power(tg::MaxPlus{}, Eigen::MatrixXd::Zero(2, 2), -1),
                    "tropigrad::matrix_power: k must be >= 0, got -1");
}
