// Random graphs and textbook path algorithms used as independent references
// by closure_test.cpp and bellman_ford_test.cpp (not a public header).
#pragma once

#include <cmath>
#include <limits>
#include <queue>
#include <random>
#include <utility>
#include <vector>

#include <Eigen/Core>

namespace tg_test {

/// Directed graph for MinPlus: W(i, j) = weight of edge i -> j, +inf if absent.
/// Weights are integers; with `negative_edges` they are reweighted by random
/// potentials h, w'(i, j) = w(i, j) + h(i) - h(j), which creates negative
/// edges but never a negative cycle.
inline Eigen::MatrixXd random_min_plus_graph(std::mt19937& rng, int n, double density, bool negative_edges) {
  const double inf = std::numeric_limits<double>::infinity();
  std::bernoulli_distribution present(density);
  std::uniform_int_distribution<int> weight(0, 20);
  std::uniform_int_distribution<int> potential(-15, 15);
  std::vector<int> h(static_cast<std::size_t>(n), 0);
  if (negative_edges)
    for (auto& x : h) x = potential(rng);
  Eigen::MatrixXd W(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j)
      W(i, j) = (i != j && present(rng)) ? weight(rng) + h[static_cast<std::size_t>(i)] - h[static_cast<std::size_t>(j)]
                                         : inf;
  return W;
}

/// DAG for MaxPlus: edges only i -> j with i < j, integer weights (may be
/// negative), -inf if absent.
inline Eigen::MatrixXd random_dag(std::mt19937& rng, int n, double density) {
  const double inf = std::numeric_limits<double>::infinity();
  std::bernoulli_distribution present(density);
  std::uniform_int_distribution<int> weight(-10, 10);
  Eigen::MatrixXd W = Eigen::MatrixXd::Constant(n, n, -inf);
  for (int i = 0; i < n; ++i)
    for (int j = i + 1; j < n; ++j)
      if (present(rng)) W(i, j) = weight(rng);
  return W;
}

/// Floyd-Warshall shortest paths (0 on the diagonal when there are no negative cycles).
inline Eigen::MatrixXd floyd_warshall(const Eigen::MatrixXd& W) {
  const Eigen::Index n = W.rows();
  Eigen::MatrixXd D = W;
  for (Eigen::Index i = 0; i < n; ++i) D(i, i) = std::min(0.0, D(i, i));
  for (Eigen::Index k = 0; k < n; ++k)
    for (Eigen::Index i = 0; i < n; ++i)
      for (Eigen::Index j = 0; j < n; ++j)
        if (D(i, k) + D(k, j) < D(i, j)) D(i, j) = D(i, k) + D(k, j);
  return D;
}

/// Longest paths in a DAG whose edges go from lower to higher index,
/// by dynamic programming in topological (index) order. 0 on the diagonal.
inline Eigen::MatrixXd dag_longest_paths(const Eigen::MatrixXd& W) {
  const double inf = std::numeric_limits<double>::infinity();
  const Eigen::Index n = W.rows();
  Eigen::MatrixXd L = Eigen::MatrixXd::Constant(n, n, -inf);
  for (Eigen::Index i = 0; i < n; ++i) {
    L(i, i) = 0.0;
    for (Eigen::Index j = i + 1; j < n; ++j)
      for (Eigen::Index k = i; k < j; ++k)
        if (W(k, j) > -inf && L(i, k) > -inf) L(i, j) = std::max(L(i, j), L(i, k) + W(k, j));
  }
  return L;
}

/// Dijkstra with a binary heap (non-negative weights, +inf = no edge).
inline std::vector<double> dijkstra(const Eigen::MatrixXd& W, int source) {
  const double inf = std::numeric_limits<double>::infinity();
  const int n = static_cast<int>(W.rows());
  std::vector<double> d(static_cast<std::size_t>(n), inf);
  d[static_cast<std::size_t>(source)] = 0.0;
  using Item = std::pair<double, int>;
  std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
  queue.push({0.0, source});
  while (!queue.empty()) {
    const auto [du, u] = queue.top();
    queue.pop();
    if (du > d[static_cast<std::size_t>(u)]) continue;
    for (int v = 0; v < n; ++v) {
      if (W(u, v) == inf) continue;
      const double candidate = du + W(u, v);
      if (candidate < d[static_cast<std::size_t>(v)]) {
        d[static_cast<std::size_t>(v)] = candidate;
        queue.push({candidate, v});
      }
    }
  }
  return d;
}

}  // namespace tg_test
