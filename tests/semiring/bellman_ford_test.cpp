#include "tropigrad/semiring/bellman_ford.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "graph_test_helpers.hpp"
#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("bellman_ford: MinPlus equals Dijkstra (non-negative weights)", "[semiring][bellman_ford]") {
  std::mt19937 rng(80);
  for (int trial = 0; trial < 15; ++trial) {
    const int n = 2 + trial;
    const Eigen::MatrixXd W = tg_test::random_min_plus_graph(rng, n, 0.25, false);
    const int source = trial % n;
    INFO("n=" << n << " source=" << source);
    CHECK(tg::bellman_ford(tg::MinPlus{}, W, source) == tg_test::dijkstra(W, source));
  }
}

TEST_CASE("bellman_ford: MinPlus equals Floyd-Warshall rows (negative edges)", "[semiring][bellman_ford]") {
  std::mt19937 rng(81);
  for (int trial = 0; trial < 10; ++trial) {
    const int n = 3 + trial;
    const Eigen::MatrixXd W = tg_test::random_min_plus_graph(rng, n, 0.3, true);
    const Eigen::MatrixXd D = tg_test::floyd_warshall(W);
    for (int source = 0; source < n; ++source) {
      const std::vector<double> d = tg::bellman_ford(tg::MinPlus{}, W, source);
      for (int j = 0; j < n; ++j) CHECK(d[static_cast<std::size_t>(j)] == D(source, j));
    }
  }
}

TEST_CASE("bellman_ford: MaxPlus on a DAG equals longest paths", "[semiring][bellman_ford]") {
  std::mt19937 rng(82);
  const int n = 9;
  const Eigen::MatrixXd W = tg_test::random_dag(rng, n, 0.4);
  const Eigen::MatrixXd L = tg_test::dag_longest_paths(W);
  for (int source = 0; source < n; ++source) {
    const std::vector<double> d = tg::bellman_ford(tg::MaxPlus{}, W, source);
    for (int j = 0; j < n; ++j) CHECK(d[static_cast<std::size_t>(j)] == L(source, j));
  }
}

TEST_CASE("bellman_ford: iteration count", "[semiring][bellman_ford]") {
  // Path 0 -> 1 -> 2 -> 3 with weight 1 per edge.
  Eigen::MatrixXd W = Eigen::MatrixXd::Constant(4, 4, inf);
  W(0, 1) = W(1, 2) = W(2, 3) = 1.0;
  CHECK(tg::bellman_ford(tg::MinPlus{}, W, 0, 0) == std::vector<double>{0, inf, inf, inf});
  CHECK(tg::bellman_ford(tg::MinPlus{}, W, 0, 2) == std::vector<double>{0, 1, 2, inf});
  CHECK(tg::bellman_ford(tg::MinPlus{}, W, 0) == std::vector<double>{0, 1, 2, 3});
}

TEST_CASE("bellman_ford: LogSumExp tends to MaxPlus as eps -> 0", "[semiring][bellman_ford]") {
  std::mt19937 rng(83);
  const int n = 7;
  const Eigen::MatrixXd W = tg_test::random_dag(rng, n, 0.5);
  const std::vector<double> hard = tg::bellman_ford(tg::MaxPlus{}, W, 0);
  // After p passes d_j is an LSE over at most (n + 1)^p terms, the best of
  // which is the longest path: 0 <= soft - hard <= eps p log(n + 1).
  for (double eps : {1.0, 1e-2, 1e-4, 1e-6}) {
    const std::vector<double> soft = tg::bellman_ford(tg::LogSumExp<>{eps}, W, 0);
    for (int j = 0; j < n; ++j) {
      const auto k = static_cast<std::size_t>(j);
      if (hard[k] == -inf) {
        CHECK(soft[k] == -inf);
        continue;
      }
      CHECK(soft[k] - hard[k] >= -1e-12);
      CHECK(soft[k] - hard[k] <= eps * (n - 1) * std::log(n + 1.0) + 1e-12);
    }
  }
}

TEST_CASE("bellman_ford: bad arguments throw", "[semiring][bellman_ford]") {
  const Eigen::MatrixXd W = Eigen::MatrixXd::Zero(3, 3);
  CHECK_THROWS_WITH(tg::bellman_ford(tg::MinPlus{}, Eigen::MatrixXd(3, 2), 0),
                    "tropigrad::bellman_ford: W is 3x2 but must be square");
  CHECK_THROWS_WITH(tg::bellman_ford(tg::MinPlus{}, W, 3),
                    "tropigrad::bellman_ford: source must be in [0, 3) for a 3x3 W, got 3");
  CHECK_THROWS_WITH(tg::bellman_ford(tg::MinPlus{}, W, -1),
                    "tropigrad::bellman_ford: source must be in [0, 3) for a 3x3 W, got -1");
  CHECK_THROWS_WITH(tg::bellman_ford(tg::MinPlus{}, W, 0, -2),
                    "tropigrad::bellman_ford: iterations must be >= 0, got -2");
}
