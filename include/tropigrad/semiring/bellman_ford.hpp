// tropigrad/semiring/bellman_ford.hpp
//
// Single-source best paths by Bellman-Ford relaxation over any semiring.
// W is the n x n edge-weight matrix, W(i, j) the weight of edge i -> j, and
// s.zero() marks "no edge". Start: d[source] = one, d[j] = zero otherwise.
// Each pass (synchronous, from the previous d):
//   d_new[j] = d[j] ⊕ (⊕_i d[i] ⊗ W(i, j)).
// After n-1 passes (the default):
//  - MinPlus: shortest distances (no negative cycles), +inf if unreachable;
//  - MaxPlus: longest-path weights (no positive cycles), -inf if unreachable;
//  - LogSumExp(eps): a smooth version (⊕ is not idempotent, so d[j] ⊕ d[j]
//    grows by eps*log 2 per pass); as eps -> 0 it tends to MaxPlus.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "tropigrad/semiring/concept.hpp"
#include "tropigrad/semiring/errors.hpp"
#include "tropigrad/semiring/matmul.hpp"

namespace tropigrad {

/// d after `iterations` relaxation passes from `source`. Throws
/// std::invalid_argument if W is not square, source is not in [0, n), or
/// iterations < 0.
template <class S, class Derived>
  requires Semiring<S, typename Derived::Scalar>
std::vector<typename Derived::Scalar> bellman_ford(const S& s, const Eigen::DenseBase<Derived>& W_in,
                                                   Eigen::Index source, Eigen::Index iterations) {
  using T = typename Derived::Scalar;
  constexpr std::string_view where = "tropigrad::bellman_ford";
  const Derived& W = W_in.derived();
  detail::check_square(W, where, "W");
  const Eigen::Index n = W.rows();
  if (source < 0 || source >= n) {
    throw_invalid(where, "source must be in [0, " + std::to_string(n) + ") for a " + detail::shape_text(n, n) +
                             " W, got " + std::to_string(source));
  }
  if (iterations < 0) throw_invalid(where, "iterations must be >= 0, got " + std::to_string(iterations));

  const auto size = static_cast<std::size_t>(n);
  std::vector<T> d(size, s.template zero<T>());
  d[static_cast<std::size_t>(source)] = s.template one<T>();
  std::vector<T> next = d;
  for (Eigen::Index pass = 0; pass < iterations; ++pass) {
    for (Eigen::Index j = 0; j < n; ++j) {
      T acc = d[static_cast<std::size_t>(j)];
      for (Eigen::Index i = 0; i < n; ++i) acc = s.plus(acc, s.times(d[static_cast<std::size_t>(i)], W(i, j)));
      next[static_cast<std::size_t>(j)] = acc;
    }
    d.swap(next);
  }
  return d;
}

/// bellman_ford with the default n - 1 passes.
template <class S, class Derived>
  requires Semiring<S, typename Derived::Scalar>
std::vector<typename Derived::Scalar> bellman_ford(const S& s, const Eigen::DenseBase<Derived>& W,
                                                   Eigen::Index source) {
  const Eigen::Index n = W.rows();
  return bellman_ford(s, W, source, n > 0 ? n - 1 : 0);
}

}  // namespace tropigrad
