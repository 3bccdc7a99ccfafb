#pragma once
// Differentiable sorting networks: odd-even transposition (n layers) and
// bitonic (log2(n) (log2(n) + 1) / 2 layers; any n, the missing wires act as +inf
// and their comparators are skipped). Each row of x is sorted ascending (or
// descending); one tape node for the values, one for the permutation matrix.
//
// Compare-and-swap of (a, b) into (min', max'), with d = (b - a) / eps:
//   logsumexp (default): the LogSumExp(eps) semiring of semiring/log_sum_exp.hpp,
//       max' = a (+) b = LSE_eps(a, b), min' = -((-a) (+) (-b)); eps -> 0 gives max/min.
//   logistic, cauchy, optimal: the diffsort relaxations (Petersen et al. 2021, 2022),
//       min' = alpha a + (1 - alpha) b, max' = (1 - alpha) a + alpha b with alpha = f(d):
//       logistic f = sigmoid(d); cauchy f = atan(d) / pi + 1/2;
//       optimal monotonic f = d + 1/2 for |d| <= 1/4, 1 - 1/(16 d) above, -1/(16 d) below.
// The soft permutation matrix P (row i: how much of each input lands in output
// slot i) is built comparator by comparator with the same alpha (sigmoid(d) for
// logsumexp): rows i and j become alpha P_i + (1 - alpha) P_j and
// (1 - alpha) P_i + alpha P_j, so P stays doubly stochastic, P x equals the values
// for the diffsort relaxations, and eps = 0 gives the hard permutation. P is
// O(n^2) per row and is formed only when asked for; its gradient keeps P before
// each layer (O(layers n^2) per row), the values' gradient O(comparators).
//
// Throws std::invalid_argument for eps < 0 or not finite, a NaN or infinite
// entry (naming the row and index), or an unknown network / relaxation.

#include <cmath>
#include <cstdint>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "../ad/tensor_grad_access.hpp"
#include "../semiring/errors.hpp"
#include "../semiring/log_sum_exp.hpp"
#include "sort.hpp"

namespace tropigrad {

enum class SortingNetwork { odd_even, bitonic };
enum class SwapRelaxation { logsumexp, logistic, cauchy, optimal };

struct SortingNetworkOptions {
  SortingNetwork network = SortingNetwork::bitonic;
  SwapRelaxation relaxation = SwapRelaxation::logsumexp;
  double eps = 0.1;  ///< temperature (1 / steepness); 0 is the hard network
  SortDirection direction = SortDirection::ascending;
  bool return_permutation = false;  ///< also build the soft permutation matrix
};

template <class T>
struct SortingNetworkResult {
  Tensor<T> values;       ///< rows x n, each row sorted
  Tensor<T> permutation;  ///< (rows n) x n, row r's n x n matrix in rows [r n, r n + n); empty unless asked for
};

namespace detail {

/// The comparators (i < j, min to i) of a network on n wires, layer by layer.
struct NetworkLayout {
  std::vector<std::int32_t> lo, hi;
  std::vector<std::int32_t> layer_start;  // comparator index where each layer starts, plus the end
};

inline NetworkLayout network_layout(SortingNetwork kind, std::int32_t n) {
  NetworkLayout L;
  auto add = [&](std::int32_t i, std::int32_t j) {
    if (j < n) L.lo.push_back(i), L.hi.push_back(j);  // wires >= n hold +inf: nothing to swap
  };
  auto close_layer = [&] {
    if (L.layer_start.empty() || L.layer_start.back() != static_cast<std::int32_t>(L.lo.size()))
      L.layer_start.push_back(static_cast<std::int32_t>(L.lo.size()));
  };
  L.layer_start.push_back(0);
  if (kind == SortingNetwork::odd_even) {
    for (std::int32_t layer = 0; layer < n; ++layer) {
      for (std::int32_t i = layer % 2; i + 1 < n; i += 2) add(i, i + 1);
      close_layer();
    }
  } else {
    std::int32_t N = 1;
    while (N < n) N *= 2;
    for (std::int32_t k = 2; k <= N; k *= 2) {
      for (std::int32_t i = 0; i < N; i += k)
        for (std::int32_t t = 0; t < k / 2; ++t) add(i + t, i + k - 1 - t);
      close_layer();
      for (std::int32_t j = k / 4; j >= 1; j /= 2) {
        for (std::int32_t i = 0; i < N; i += 2 * j)
          for (std::int32_t t = 0; t < j; ++t) add(i + t, i + t + j);
        close_layer();
      }
    }
  }
  return L;
}

/// Per comparator: c = d min'/d a (the local Jacobian is [[c, 1-c], [1-c, c]]), the mixing
/// weight alpha of P, and dalpha = d alpha / d b = -d alpha / d a.
template <class T>
struct SwapState {
  T c, alpha, dalpha;
};

template <class T>
SwapState<T> compare_and_swap(SwapRelaxation kind, T eps, T& a, T& b) {
  if (eps == T(0)) {
    const bool keep = a <= b;
    if (!keep) std::swap(a, b);
    return {keep ? T(1) : T(0), keep ? T(1) : T(0), T(0)};
  }
  const T d = (b - a) / eps;
  if (kind == SwapRelaxation::logsumexp) {
    const LogSumExp<T> semiring(eps);
    const T hi = semiring.plus(a, b);
    const T lo = -semiring.plus(-a, -b);
    const T alpha = T(1) / (T(1) + std::exp(-d));  // softmax weight of a in the soft min
    a = lo;
    b = hi;
    return {alpha, alpha, alpha * (T(1) - alpha) / eps};
  }
  T f, df;
  if (kind == SwapRelaxation::logistic) {
    f = T(1) / (T(1) + std::exp(-d));
    df = f * (T(1) - f);
  } else if (kind == SwapRelaxation::cauchy) {
    f = std::atan(d) / std::numbers::pi_v<T> + T(0.5);
    df = T(1) / (std::numbers::pi_v<T> * (T(1) + d * d));
  } else {
    if (std::abs(d) <= T(0.25)) {
      f = d + T(0.5);
      df = T(1);
    } else {
      f = d > 0 ? T(1) - T(1) / (16 * d) : -T(1) / (16 * d);
      df = T(1) / (16 * d * d);
    }
  }
  const T lo = b + f * (a - b);
  b = a + b - lo;
  a = lo;
  return {f + d * df, f, df / eps};
}

// `where` names the public function in error messages.
template <class T>
SortingNetworkResult<T> sorting_network_impl(const Tensor<T>& x, SortingNetworkOptions opt, const char* where) {
  if (!(std::isfinite(opt.eps) && opt.eps >= 0))
    throw_invalid(where, "eps must be a finite number >= 0 (0 gives the hard network), got " + format_number(opt.eps));
  if (opt.network != SortingNetwork::odd_even && opt.network != SortingNetwork::bitonic)
    throw_invalid(where, "network must be SortingNetwork::odd_even or bitonic, got " + std::to_string(static_cast<int>(opt.network)));
  if (static_cast<int>(opt.relaxation) < 0 || static_cast<int>(opt.relaxation) > 3)
    throw_invalid(where, "relaxation must be a SwapRelaxation, got " + std::to_string(static_cast<int>(opt.relaxation)));
  TensorData<T>* in = &x.data();
  const Index rows = in->rows, n = in->cols;
  if (n > (Index(1) << 20)) throw_invalid(where, "rows longer than 2^20 entries are not supported, got " + std::to_string(n));
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < n; ++i)
      if (!std::isfinite(in->value[r * n + i]))
        throw_invalid(where, "x must be finite, got " + format_number(static_cast<double>(in->value[r * n + i])) +
                                 " at row " + std::to_string(r) + ", index " + std::to_string(i));
  const T sign = opt.direction == SortDirection::descending ? T(-1) : T(1);  // descending = -ascending(-x)
  const T eps = static_cast<T>(opt.eps);
  Arena& arena = tape<T>().arena();
  // The last layout is cached per thread: a training loop sorts rows of one length.
  thread_local NetworkLayout layout;
  thread_local std::pair<SortingNetwork, Index> layout_key{SortingNetwork::odd_even, -1};
  if (layout_key != std::make_pair(opt.network, n)) {
    layout = network_layout(opt.network, static_cast<std::int32_t>(n));
    layout_key = {opt.network, n};
  }
  const Index K = static_cast<Index>(layout.lo.size());
  const Index layers = static_cast<Index>(layout.layer_start.size()) - 1;
  // The layout and per-comparator states live in the arena for the backward pass.
  auto* lo = arena.allocate_array<std::int32_t>(static_cast<std::size_t>(K + 1));
  auto* hi = arena.allocate_array<std::int32_t>(static_cast<std::size_t>(K + 1));
  auto* starts = arena.allocate_array<std::int32_t>(static_cast<std::size_t>(layers + 1));
  std::copy(layout.lo.begin(), layout.lo.end(), lo);
  std::copy(layout.hi.begin(), layout.hi.end(), hi);
  std::copy(layout.layer_start.begin(), layout.layer_start.end(), starts);
  auto* state = arena.allocate_array<SwapState<T>>(static_cast<std::size_t>(rows * K + 1));

  SortingNetworkResult<T> result;
  result.values = new_result<T>(rows, n, in->requires_grad);
  T* v = result.values.data().value;
  for (Index r = 0; r < rows; ++r) {
    T* row = v + r * n;
    for (Index i = 0; i < n; ++i) row[i] = sign * in->value[r * n + i];
    for (Index k = 0; k < K; ++k) state[r * K + k] = compare_and_swap(opt.relaxation, eps, row[lo[k]], row[hi[k]]);
    for (Index i = 0; i < n; ++i) row[i] *= sign;
  }
  // Backward of the chain of swaps for one row: gv holds d/d(outputs) (sign-adjusted) and
  // becomes d/d(inputs); galpha (may be null) adds d/d alpha of each comparator.
  auto chain_backward = [lo, hi, state, K](Index r, T* gv, const T* galpha) {
    for (Index k = K - 1; k >= 0; --k) {
      const SwapState<T>& s = state[r * K + k];
      T& ga = gv[lo[k]];
      T& gb = gv[hi[k]];
      const T a = s.c * ga + (T(1) - s.c) * gb;
      const T b = (T(1) - s.c) * ga + s.c * gb;
      ga = a;
      gb = b;
      if (galpha) {
        ga -= galpha[k] * s.dalpha;
        gb += galpha[k] * s.dalpha;
      }
    }
  };
  record_backward("sorting_network_sort", result.values, [x, in, rows, n, sign, chain_backward](const auto& g) {
    scatter_grad(*in, [&](auto dx) {
      std::vector<T> gv(static_cast<std::size_t>(n));
      for (Index r = 0; r < rows; ++r) {
        for (Index i = 0; i < n; ++i) gv[i] = sign * g(r, i);
        chain_backward(r, gv.data(), nullptr);
        for (Index i = 0; i < n; ++i) dx(r, i) += sign * gv[i];
      }
    });
  });
  if (!opt.return_permutation) return result;

  result.permutation = new_result<T>(rows * n, n, in->requires_grad);
  const bool keep = result.permutation.data().requires_grad;
  T* P_all = result.permutation.data().value;
  T* before = keep ? arena.allocate_array<T>(static_cast<std::size_t>(rows * layers * n * n)) : nullptr;
  for (Index r = 0; r < rows; ++r) {
    Eigen::Map<RowArray<T>> P(P_all + r * n * n, n, n);
    P.setZero();
    P.matrix().diagonal().setOnes();
    for (Index l = 0; l < layers; ++l) {
      if (keep) std::copy(P.data(), P.data() + n * n, before + (r * layers + l) * n * n);
      for (Index k = starts[l]; k < starts[l + 1]; ++k) {
        const T alpha = state[r * K + k].alpha;
        auto Pi = P.row(lo[k]);
        auto Pj = P.row(hi[k]);
        for (Index c = 0; c < n; ++c) {
          const T a = Pi(c), b = Pj(c);
          Pi(c) = alpha * a + (T(1) - alpha) * b;
          Pj(c) = (T(1) - alpha) * a + alpha * b;
        }
      }
    }
  }
  record_backward("soft_argsort", result.permutation,
                  [x, in, rows, n, sign, layers, K, lo, hi, starts, state, before, chain_backward](const auto& g) {
                    scatter_grad(*in, [&](auto dx) {
                      RowArray<T> B(n, n);
                      std::vector<T> galpha(static_cast<std::size_t>(K)), gv(static_cast<std::size_t>(n));
                      for (Index r = 0; r < rows; ++r) {
                        B = g.middleRows(r * n, n);
                        for (Index l = layers - 1; l >= 0; --l) {
                          const Eigen::Map<const RowArray<T>> Pprev(before + (r * layers + l) * n * n, n, n);
                          for (Index k = starts[l]; k < starts[l + 1]; ++k) {
                            const T alpha = state[r * K + k].alpha;
                            galpha[k] = ((B.row(lo[k]) - B.row(hi[k])) * (Pprev.row(lo[k]) - Pprev.row(hi[k]))).sum();
                            const auto Bi = B.row(lo[k]).eval();
                            B.row(lo[k]) = alpha * Bi + (T(1) - alpha) * B.row(hi[k]);
                            B.row(hi[k]) = (T(1) - alpha) * Bi + alpha * B.row(hi[k]);
                          }
                        }
                        std::fill(gv.begin(), gv.end(), T(0));
                        chain_backward(r, gv.data(), galpha.data());
                        for (Index i = 0; i < n; ++i) dx(r, i) += sign * gv[i];
                      }
                    });
                  });
  return result;
}

}  // namespace detail

/// Sorts each row of x with a differentiable sorting network (see the file comment).
template <class T>
SortingNetworkResult<T> sorting_network_sort(const Tensor<T>& x, const SortingNetworkOptions& options = {}) {
  return detail::sorting_network_impl<T>(x, options, "tropigrad::sorting_network_sort");
}

/// The soft permutation matrix of each row's sorting network: (rows n) x n, doubly
/// stochastic, differentiable; eps = 0 gives the hard argsort as a 0/1 matrix.
template <class T>
Tensor<T> soft_argsort(const Tensor<T>& x, SortingNetworkOptions options = {}) {
  options.return_permutation = true;
  return detail::sorting_network_impl<T>(x, options, "tropigrad::soft_argsort").permutation;
}

}  // namespace tropigrad
