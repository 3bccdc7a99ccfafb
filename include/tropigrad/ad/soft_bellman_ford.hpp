#pragma once
// Differentiable (soft) Bellman-Ford on a general directed graph (cycles and
// negative weights allowed; the number of rounds R bounds the walk length):
//   soft_bellman_ford(W, source, eps, R) -> 1 x K tensor d^R with
//     d^0_v     = 0 if v = source, +inf otherwise;
//     d^{r+1}_v = softmin_eps( [0 if v = source], softmin_eps over u of (d^r_u + W(u, v)) ),
//   softmin_eps(a) = -eps log sum_i exp(-a_i / eps), the min at eps = 0.
// Closed form (induction on r): d^R_v is the soft-min over the set of all walks
// source -> v with at most R edges, each walk counted exactly once:
//   exp(-d^R_v / eps) = sum_{l=0..R} sum over walks w of l edges ending at v of exp(-len(w) / eps)
//                     = sum_{l=0..R} (e_source^T A^l)_v,   A(u, v) = exp(-W(u, v) / eps).
// (The length-0 walk exists only for v = source; a self-loop W(v, v) < inf is an
// ordinary edge.) The "stay-put" recursion d^{r+1}_v = softmin(d^r_v, ...) of
// semiring/bellman_ford.hpp with LogSumExp would instead count a walk of l
// edges C(R, l) times (the choice of the rounds in which it moves); restarting
// from the source each round removes that multiplicity. At eps = 0 both are
// the min over walks of <= R edges, i.e. bellman_ford(MinPlus{}, W, source, R).
// W(u, v) is the weight of edge u -> v, +inf for "no edge".
// Gradient: d(d^R_v)/dW(u, v') = expected number of uses of edge u -> v' by a
// walk drawn from p(w) ∝ exp(-len(w) / eps) over that walk set (counted with
// multiplicity); at eps = 0, the edge counts of one minimising walk (ties:
// the empty walk first, then the lowest predecessor index). Hence
// sum(W * grad_v) = the expected walk length and sum(grad_v) = the expected
// number of edges. Unreachable v: +inf and no gradient.
// One tape node. Forward O(R K^2) time, storing the R + 1 distance vectors
// (O(R K)) and -W^T (O(K^2), so that both passes read contiguous rows);
// backward O(R K^2), reverse mode through the rounds with the softmin weights
// recomputed from the stored vectors.

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "semiring_dp.hpp"

namespace tropigrad {

/// Soft distances (1 x K) from source after `rounds` soft Bellman-Ford rounds
/// over W (K x K, +inf = no edge) at temperature eps >= 0 (0: exact min over
/// walks of <= rounds edges). Throws std::invalid_argument for a non-square or
/// empty W, NaN or -inf in W, an out-of-range source, a bad eps, or rounds < 0.
template <class T>
Tensor<T> soft_bellman_ford(const Tensor<T>& W, Index source, T eps, Index rounds) {
  constexpr const char* where = "tropigrad::soft_bellman_ford";
  if (!(eps >= T(0)) || !std::isfinite(eps))
    throw_invalid(where, "eps must be a finite number >= 0, got " + format_number(static_cast<double>(eps)));
  const Index K = W.rows();
  if (K == 0 || W.cols() != K) throw_invalid(where, "W must be a non-empty square matrix, got " + detail::shape_string(K, W.cols()));
  if (source < 0 || source >= K)
    throw_invalid(where, "source must be in [0, " + std::to_string(K) + "), got " + std::to_string(source));
  if (rounds < 0) throw_invalid(where, "rounds must be >= 0, got " + std::to_string(rounds));
  const Eigen::Map<const RowArray<T>> Wv(W.data().value, K, K);
  constexpr T inf = std::numeric_limits<T>::infinity();
  for (Index i = 0; i < K * K; ++i) {
    const T w = Wv.data()[i];
    if (w != w) throw_nan_at(where, "W", static_cast<std::size_t>(i));
    if (w == -inf)
      throw_invalid(where, "W must not contain -inf (use +inf for no edge), got one at (" + std::to_string(i / K) + ", " +
                               std::to_string(i % K) + ")");
  }
  // Max form (a = -d, via detail::DpPlus); row v of NWT holds -W(., v), the
  // in-edges of v, so each relaxation reads contiguous memory.
  const detail::DpPlus<T> plus{eps};
  RowArray<T> NWT = -Wv.transpose();
  RowArray<T> A(rounds + 1, K);
  A.row(0).setConstant(-inf);
  A(0, source) = 0;
  // x[0] is the restart term (the empty walk), x[1 + u] the walks via u -> v;
  // putting the empty walk first makes it win hard ties at eps = 0.
  RowArray<T> x(1, K + 1);
  for (Index r = 0; r < rounds; ++r)
    for (Index v = 0; v < K; ++v) {
      x(0, 0) = v == source ? T(0) : -inf;
      x.rightCols(K) = A.row(r) + NWT.row(v);
      A(r + 1, v) = plus.reduce(x.data(), K + 1);
    }
  Tensor<T> out = detail::new_result<T>(1, K, W.requires_grad());
  detail::value_map(out.data()) = T(0) - A.row(rounds);  // not -A: no -0 at the source
  detail::record_backward<T>("soft_bellman_ford", out, [plus, W, NWT = std::move(NWT), A = std::move(A), source, rounds, K](const auto& g) {
    // G = dL/d(d^r) (the distances, not the max form): every weight of the
    // softmin enters with sign +, since d^{r+1}_v = -LSE(-(d^r_u + W(u, v))).
    RowArray<T> G = g, Gprev(1, K), dWT = RowArray<T>::Zero(K, K), x(1, K + 1), w(1, K + 1);
    for (Index r = rounds; r-- > 0;) {
      Gprev.setZero();
      for (Index v = 0; v < K; ++v) {
        const T a = G(0, v);
        if (a == T(0)) continue;
        x(0, 0) = v == source ? T(0) : -std::numeric_limits<T>::infinity();
        x.rightCols(K) = A.row(r) + NWT.row(v);
        plus.weights(x.data(), K + 1, A(r + 1, v), w.data());
        w.rightCols(K) *= a;
        Gprev += w.rightCols(K);
        dWT.row(v) += w.rightCols(K);
      }
      G.swap(Gprev);
    }
    detail::accumulate_grad(W.data(), dWT.transpose());
  });
  return out;
}

/// soft_bellman_ford with the default K - 1 rounds (enough for every shortest
/// walk when W has no negative cycle).
template <class T>
Tensor<T> soft_bellman_ford(const Tensor<T>& W, Index source, T eps) {
  return soft_bellman_ford(W, source, eps, W.rows() > 0 ? W.rows() - 1 : 0);
}

/// soft_bellman_ford with a number of another arithmetic type as eps.
template <class T, Arithmetic U>
  requires(!std::is_same_v<T, U>)
Tensor<T> soft_bellman_ford(const Tensor<T>& W, Index source, U eps, Index rounds) {
  return soft_bellman_ford(W, source, static_cast<T>(eps), rounds);
}

template <class T, Arithmetic U>
  requires(!std::is_same_v<T, U>)
Tensor<T> soft_bellman_ford(const Tensor<T>& W, Index source, U eps) {
  return soft_bellman_ford(W, source, static_cast<T>(eps));
}

}  // namespace tropigrad
