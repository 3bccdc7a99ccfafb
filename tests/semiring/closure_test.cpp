#include "tropigrad/semiring/closure.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "graph_test_helpers.hpp"
#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("closure: number of squarings", "[semiring][closure]") {
  CHECK(tg::closure_squarings(0) == 0);
  CHECK(tg::closure_squarings(1) == 0);
  CHECK(tg::closure_squarings(2) == 0);
  CHECK(tg::closure_squarings(3) == 1);
  CHECK(tg::closure_squarings(5) == 2);
  CHECK(tg::closure_squarings(9) == 3);
  CHECK(tg::closure_squarings(10) == 4);
}

TEST_CASE("closure: MinPlus equals Floyd-Warshall on random graphs", "[semiring][closure]") {
  std::mt19937 rng(70);
  for (int trial = 0; trial < 20; ++trial) {
    const int n = 2 + trial % 11;
    const bool negative = trial % 2 == 1;
    const Eigen::MatrixXd W = tg_test::random_min_plus_graph(rng, n, 0.3, negative);
    INFO("trial=" << trial << " n=" << n << "\nW=\n" << W);
    CHECK(tg::closure(tg::MinPlus{}, W) == tg_test::floyd_warshall(W));  // integer weights: exact
  }
}

TEST_CASE("closure: MaxPlus on a DAG equals longest paths", "[semiring][closure]") {
  std::mt19937 rng(71);
  for (int trial = 0; trial < 10; ++trial) {
    const int n = 3 + trial;
    const Eigen::MatrixXd W = tg_test::random_dag(rng, n, 0.4);
    INFO("n=" << n);
    CHECK(tg::closure(tg::MaxPlus{}, W) == tg_test::dag_longest_paths(W));
  }
}

TEST_CASE("closure: LogSumExp tends to the MaxPlus closure on a DAG as eps -> 0", "[semiring][closure]") {
  std::mt19937 rng(72);
  const int n = 8;
  const Eigen::MatrixXd W = tg_test::random_dag(rng, n, 0.5);
  const Eigen::MatrixXd hard = tg::closure(tg::MaxPlus{}, W);
  // (I ⊕ A)^(2^m) is an LSE over at most n^(2^m - 1) walk terms, the best of
  // which is the longest path: 0 <= soft - hard <= eps (2^m - 1) log n.
  const double walk_factor = std::pow(2.0, tg::closure_squarings(n)) - 1;
  double previous = inf;
  for (double eps : {1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6}) {
    const Eigen::MatrixXd soft = tg::closure(tg::LogSumExp<>{eps}, W);
    double worst = 0.0;
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < n; ++j) {
        if (hard(i, j) == -inf) {
          CHECK(soft(i, j) == -inf);
          continue;
        }
        const double gap = soft(i, j) - hard(i, j);
        CHECK(gap >= -1e-12);
        CHECK(gap <= eps * walk_factor * std::log(static_cast<double>(n)) + 1e-12);
        worst = std::max(worst, gap);
      }
    }
    CHECK(worst <= previous);
    previous = worst;
  }
  CHECK(previous < 1e-4);
}

TEST_CASE("closure: SumProduct is the truncated walk sum (I + A)^(2^m)", "[semiring][closure]") {
  std::srand(73);
  const Eigen::MatrixXd A = Eigen::MatrixXd::Random(5, 5) * 0.2;
  const Eigen::MatrixXd B = Eigen::MatrixXd::Identity(5, 5) + A;
  const Eigen::MatrixXd expected = B * B * B * B;  // m = 2 squarings for n = 5
  CHECK((tg::closure(tg::SumProduct{}, A) - expected).cwiseAbs().maxCoeff() < 1e-14);
}

TEST_CASE("closure: small and bad inputs", "[semiring][closure]") {
  CHECK(tg::closure(tg::MinPlus{}, Eigen::MatrixXd(0, 0)).size() == 0);
  Eigen::MatrixXd one_node(1, 1);
  one_node << 5.0;
  CHECK(tg::closure(tg::MinPlus{}, one_node)(0, 0) == 0.0);
  CHECK(tg::closure(tg::MaxPlus{}, Eigen::MatrixXd::Constant(1, 1, -inf))(0, 0) == 0.0);
  CHECK_THROWS_WITH(tg::closure(tg::MinPlus{}, Eigen::MatrixXd(2, 3)), "tropigrad::closure: A is 2x3 but must be square");
}
