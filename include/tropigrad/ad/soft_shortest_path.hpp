#pragma once
// Differentiable (soft) shortest paths on a weighted DAG:
//   soft_shortest_path(W, source, target, eps)
//       = -eps log sum over paths p from source to target of exp(-len(p) / eps),
//   eps = 0: the shortest path length (min over paths).
// W is a dense K x K tensor, W(u, v) the weight of edge u -> v, +inf for "no
// edge"; the edges must form a DAG (negative weights are fine). The value is
// computed by Bellman-Ford relaxation in a topological order, i.e. the
// MinPlus / smooth-min DP of semiring/bellman_ford.hpp with one pass suffices;
// on a DAG ⊕ over the in-edges of each node sums exactly the paths, so the
// result is the path sum above (a cyclic graph would have infinitely many
// walks and is rejected).
// Gradient: dvalue/dW(u, v) = probability that a path drawn from the Gibbs
// distribution p(path) ∝ exp(-len / eps) uses u -> v (the expected edge
// usage); at eps = 0, the indicator of the shortest path (ties: lowest
// predecessor index). One tape node, O(K^2) forward and backward (the dense
// scan of W; the DP itself is O(edges)).
// An unreachable target gives +inf and a zero gradient.

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "semiring_dp.hpp"

namespace tropigrad {
namespace detail {

/// Predecessor lists (CSR) of the finite entries of W and a topological order.
struct DagStructure {
  std::vector<Index> start;  // preds of v: pred[start[v] .. start[v + 1])
  std::vector<Index> pred;
  std::vector<Index> order;
};

template <class T>
DagStructure dag_structure(const Eigen::Map<const RowArray<T>>& W, const char* where) {
  const Index K = W.rows();
  DagStructure s;
  s.start.assign(static_cast<std::size_t>(K + 1), 0);
  std::vector<Index> outdeg(static_cast<std::size_t>(K), 0);
  for (Index u = 0; u < K; ++u)
    for (Index v = 0; v < K; ++v) {
      const T w = W(u, v);
      if (w != w) throw_nan_at(where, "W", static_cast<std::size_t>(u * K + v));
      if (w == -std::numeric_limits<T>::infinity())
        throw_invalid(where, "W must not contain -inf (use +inf for no edge), got one at (" + std::to_string(u) + ", " +
                                 std::to_string(v) + ")");
      if (w != std::numeric_limits<T>::infinity()) {
        ++s.start[static_cast<std::size_t>(v + 1)];
        ++outdeg[static_cast<std::size_t>(u)];
      }
    }
  for (Index v = 0; v < K; ++v) s.start[static_cast<std::size_t>(v + 1)] += s.start[static_cast<std::size_t>(v)];
  s.pred.resize(static_cast<std::size_t>(s.start.back()));
  std::vector<Index> fill(s.start.begin(), s.start.end() - 1);
  for (Index u = 0; u < K; ++u)
    for (Index v = 0; v < K; ++v)
      if (W(u, v) != std::numeric_limits<T>::infinity()) s.pred[static_cast<std::size_t>(fill[static_cast<std::size_t>(v)]++)] = u;
  // Kahn's algorithm on out-degrees, reversed: repeatedly remove sinks.
  std::vector<Index> stack;
  for (Index v = 0; v < K; ++v)
    if (outdeg[static_cast<std::size_t>(v)] == 0) stack.push_back(v);
  s.order.resize(static_cast<std::size_t>(K));
  Index placed = K;
  while (!stack.empty()) {
    const Index v = stack.back();
    stack.pop_back();
    s.order[static_cast<std::size_t>(--placed)] = v;
    for (Index k = s.start[static_cast<std::size_t>(v)]; k < s.start[static_cast<std::size_t>(v + 1)]; ++k) {
      const Index u = s.pred[static_cast<std::size_t>(k)];
      if (--outdeg[static_cast<std::size_t>(u)] == 0) stack.push_back(u);
    }
  }
  if (placed != 0)
    throw_invalid(where, "the finite entries of W must form a directed acyclic graph, but it has a cycle "
                         "(use +inf for no edge, including on the diagonal)");
  return s;
}

}  // namespace detail

/// Soft shortest path length from source to target over the DAG W (K x K,
/// +inf = no edge) with temperature eps >= 0 (0: exact shortest path). Throws
/// std::invalid_argument for a non-square/empty W, NaN or -inf in W, a cycle,
/// an out-of-range source/target, or a bad eps.
template <class T>
Var<T> soft_shortest_path(const Tensor<T>& W, Index source, Index target, T eps) {
  constexpr const char* where = "tropigrad::soft_shortest_path";
  if (!(eps >= T(0)) || !std::isfinite(eps))
    throw_invalid(where, "eps must be a finite number >= 0, got " + format_number(static_cast<double>(eps)));
  const Index K = W.rows();
  if (K == 0 || W.cols() != K) throw_invalid(where, "W must be a non-empty square matrix, got " + detail::shape_string(K, W.cols()));
  if (source < 0 || source >= K || target < 0 || target >= K)
    throw_invalid(where, "source and target must be in [0, " + std::to_string(K) + "), got " + std::to_string(source) +
                             " and " + std::to_string(target));
  const Eigen::Map<const RowArray<T>> Wv(W.data().value, K, K);
  detail::DagStructure dag = detail::dag_structure<T>(Wv, where);
  const detail::DpPlus<T> plus{eps};
  // Max form: d(v) = -(soft distance from source to v).
  std::vector<T> d(static_cast<std::size_t>(K), -std::numeric_limits<T>::infinity());
  std::vector<T> x(static_cast<std::size_t>(K));
  d[static_cast<std::size_t>(source)] = 0;
  for (const Index v : dag.order) {
    if (v == source) continue;
    const Index b = dag.start[static_cast<std::size_t>(v)], e = dag.start[static_cast<std::size_t>(v + 1)];
    for (Index k = b; k < e; ++k) {
      const Index u = dag.pred[static_cast<std::size_t>(k)];
      x[static_cast<std::size_t>(k - b)] = d[static_cast<std::size_t>(u)] - Wv(u, v);
    }
    d[static_cast<std::size_t>(v)] = plus.reduce(x.data(), e - b);
  }
  const T value = -d[static_cast<std::size_t>(target)];  // before d moves into the closure
  return detail::scalar_result<T>(
      "soft_shortest_path", value, W.requires_grad(),
      [plus, W, dag = std::move(dag), d = std::move(d), source, target, K](T g) {
        const Eigen::Map<const RowArray<T>> Wv(W.data().value, K, K);
        RowArray<T> dW = RowArray<T>::Zero(K, K);
        std::vector<T> adj(static_cast<std::size_t>(K), T(0)), x(static_cast<std::size_t>(K)), w(static_cast<std::size_t>(K));
        adj[static_cast<std::size_t>(target)] = g;
        for (auto it = dag.order.rbegin(); it != dag.order.rend(); ++it) {
          const Index v = *it;
          const T a = adj[static_cast<std::size_t>(v)];
          if (a == T(0) || v == source) continue;
          const Index b = dag.start[static_cast<std::size_t>(v)], e = dag.start[static_cast<std::size_t>(v + 1)];
          for (Index k = b; k < e; ++k) {
            const Index u = dag.pred[static_cast<std::size_t>(k)];
            x[static_cast<std::size_t>(k - b)] = d[static_cast<std::size_t>(u)] - Wv(u, v);
          }
          plus.weights(x.data(), e - b, d[static_cast<std::size_t>(v)], w.data());
          for (Index k = b; k < e; ++k) {
            const Index u = dag.pred[static_cast<std::size_t>(k)];
            const T flow = a * w[static_cast<std::size_t>(k - b)];
            adj[static_cast<std::size_t>(u)] += flow;
            dW(u, v) += flow;  // -(-1): the value is -d, and d(v) depends on -W(u, v)
          }
        }
        accumulate_grad(W.data(), dW);
      });
}

/// soft_shortest_path with a number of another arithmetic type as eps.
template <class T, Arithmetic U>
  requires(!std::is_same_v<T, U>)
Var<T> soft_shortest_path(const Tensor<T>& W, Index source, Index target, U eps) {
  return soft_shortest_path(W, source, target, static_cast<T>(eps));
}

}  // namespace tropigrad
