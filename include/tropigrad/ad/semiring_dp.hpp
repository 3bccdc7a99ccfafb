#pragma once
// Differentiable dynamic programming over a semiring, and the HMM forward
// algorithm built on it:
//   hmm_forward(MaxPlus{}, log_initial, log_transition, log_emission)
//       = max over state sequences z of log p(z, x)           (Viterbi score)
//   hmm_forward(LogSumExp<double>(1), ...) = log sum_z p(z, x)  (log-likelihood)
//   hmm_forward(MinPlus{}, ...)            = min over z (inputs read as costs)
//   viterbi_path(...)                      = the arg-max state sequence (plain)
// One tape node; O(T K^2) forward and backward. The backward is the backward
// algorithm: each ⊕ of the forward passes its adjoint to its arguments with
// weights d(⊕)/dx_k, the softmax of the arguments for LogSumExp (posterior
// probabilities) and a one-hot on the first winner for MaxPlus/MinPlus.
//
// detail::DpPlus is the ⊕ shared by soft_dtw and soft_shortest_path: every DP
// here is written in "max form" (MaxPlus or LogSumExp); MinPlus problems are
// solved as max-form problems on negated inputs, which keeps a single kernel.

#include <cmath>
#include <limits>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "../semiring/errors.hpp"
#include "../semiring/log_sum_exp.hpp"
#include "../semiring/lse.hpp"
#include "../semiring/max_plus.hpp"
#include "../semiring/min_plus.hpp"
#include "tensor_op.hpp"

namespace tropigrad {
namespace detail {

/// ⊕ of a max-form DP: max (eps = 0) or LSE_eps (eps > 0, via lse).
template <class T>
struct DpPlus {
  T eps = 0;

  T reduce(const T* x, Index n) const {
    if (eps == T(0)) {
      T m = -std::numeric_limits<T>::infinity();
      for (Index k = 0; k < n; ++k) m = x[k] > m ? x[k] : m;
      return m;
    }
    return lse(eps, std::span<const T>(x, static_cast<std::size_t>(n)));
  }

  /// w[k] = d(reduce)/d x[k] at the result r: softmax weights, or a one-hot on
  /// the first k with x[k] == r (deterministic ties). All 0 if r = -inf.
  void weights(const T* x, Index n, T r, T* w) const {
    if (!(r > -std::numeric_limits<T>::infinity())) {
      for (Index k = 0; k < n; ++k) w[k] = 0;
      return;
    }
    if (eps == T(0)) {
      bool found = false;
      for (Index k = 0; k < n; ++k) {
        w[k] = (!found && x[k] == r) ? T(1) : T(0);
        found = found || x[k] == r;
      }
      return;
    }
    // x[k] <= r, so each exponent is <= 0: no overflow; -inf gives 0.
    const T inv = T(1) / eps;
    for (Index k = 0; k < n; ++k) w[k] = std::exp((x[k] - r) * inv);
  }
};

/// The max-form ⊕ of a semiring and whether its inputs must be negated.
template <class T>
struct DpForm {
  DpPlus<T> plus;
  bool negate = false;
};

template <class T, class S>
DpForm<T> dp_form(const S& s) {
  if constexpr (std::is_same_v<S, MaxPlus>) {
    return {DpPlus<T>{T(0)}, false};
  } else if constexpr (std::is_same_v<S, MinPlus>) {
    return {DpPlus<T>{T(0)}, true};
  } else {
    static_assert(std::is_arithmetic_v<decltype(s.eps)>, "dp semiring: MaxPlus, MinPlus or LogSumExp(number)");
    return {DpPlus<T>{static_cast<T>(s.eps)}, false};
  }
}

/// Copies a tensor's value (negated if asked) and rejects NaN and the infinity
/// that would be the semiring's "top" (+inf in max form).
template <class T>
RowArray<T> dp_input(const Tensor<T>& t, bool negate, const char* where, const char* name) {
  RowArray<T> v = negate ? RowArray<T>(-t.value()) : RowArray<T>(t.value());
  for (Index i = 0; i < v.size(); ++i) {
    const T x = v.data()[i];
    if (x != x) throw_nan_at(where, name, static_cast<std::size_t>(i));
    if (x == std::numeric_limits<T>::infinity())
      throw_invalid(where, std::string(name) + " must not contain " + (negate ? "-inf" : "+inf") + ", got one at index " +
                               std::to_string(i));
  }
  return v;
}

template <class T>
void check_hmm_shapes(const char* where, const Tensor<T>& pi, const Tensor<T>& A, const Tensor<T>& E) {
  const Index K = A.rows();
  if (K == 0 || A.cols() != K)
    throw_invalid(where, "log_transition must be a non-empty square K x K matrix, got " + shape_string(A.rows(), A.cols()));
  if (pi.rows() != 1 || pi.cols() != K)
    throw_invalid(where, "log_initial must be 1x" + std::to_string(K) + ", got " + shape_string(pi.rows(), pi.cols()));
  if (E.rows() == 0 || E.cols() != K)
    throw_invalid(where, "log_emission must be Tx" + std::to_string(K) + " with T >= 1, got " +
                             shape_string(E.rows(), E.cols()));
}

/// alpha(t, k) in max form; AT is the transposed transition matrix so that the
/// ⊕ over previous states reads contiguous memory.
template <class T>
void hmm_alpha(const DpPlus<T>& plus, const RowArray<T>& pi, const RowArray<T>& AT, const RowArray<T>& E,
               RowArray<T>& alpha, RowArray<T>& scratch) {
  const Index steps = E.rows(), K = E.cols();
  alpha.resize(steps, K);
  scratch.resize(1, K);
  alpha.row(0) = pi + E.row(0);
  for (Index t = 1; t < steps; ++t)
    for (Index k = 0; k < K; ++k) {
      scratch = alpha.row(t - 1) + AT.row(k);
      alpha(t, k) = plus.reduce(scratch.data(), K) + E(t, k);
    }
}

}  // namespace detail

/// The HMM forward algorithm over the semiring s (MaxPlus, MinPlus or
/// LogSumExp(eps)) as one tape node returning a Var. log_initial is 1 x K,
/// log_transition K x K (row = from, column = to), log_emission T x K (the log
/// probability of observation t in each state). -inf entries (impossible) are
/// allowed (+inf for MinPlus); NaN and the opposite infinity throw.
template <class S, class T>
Var<T> hmm_forward(const S& s, const Tensor<T>& log_initial, const Tensor<T>& log_transition,
                   const Tensor<T>& log_emission) {
  constexpr const char* where = "tropigrad::hmm_forward";
  detail::check_hmm_shapes(where, log_initial, log_transition, log_emission);
  const detail::DpForm<T> form = detail::dp_form<T>(s);
  const RowArray<T> pi = detail::dp_input(log_initial, form.negate, where, "log_initial");
  const RowArray<T> AT = detail::dp_input(log_transition, form.negate, where, "log_transition").transpose();
  const RowArray<T> E = detail::dp_input(log_emission, form.negate, where, "log_emission");
  RowArray<T> alpha, scratch;
  detail::hmm_alpha(form.plus, pi, AT, E, alpha, scratch);
  const Index steps = E.rows(), K = E.cols();
  const T top = form.plus.reduce(alpha.data() + (steps - 1) * K, K);
  const T sign = form.negate ? T(-1) : T(1);
  const bool needs = log_initial.requires_grad() || log_transition.requires_grad() || log_emission.requires_grad();
  return detail::scalar_result<T>(
      "hmm_forward", sign * top, needs,
      [form, sign, top, pi_t = log_initial, A_t = log_transition, E_t = log_emission, AT, alpha = std::move(alpha),
       steps, K](T g) {
        RowArray<T> ga(steps, K), gA = RowArray<T>::Zero(K, K), x(1, K), w(1, K);
        form.plus.weights(alpha.data() + (steps - 1) * K, K, top, ga.data() + (steps - 1) * K);
        ga.row(steps - 1) *= g * sign;  // sign: the adjoint of the max-form value
        for (Index t = steps - 1; t >= 1; --t) {
          ga.row(t - 1).setZero();
          for (Index k = 0; k < K; ++k) {
            const T gk = ga(t, k);
            if (gk == T(0)) continue;
            x = alpha.row(t - 1) + AT.row(k);
            form.plus.weights(x.data(), K, form.plus.reduce(x.data(), K), w.data());
            ga.row(t - 1) += gk * w;
            gA.col(k) += gk * w.transpose();
          }
        }
        // d alpha(t, k) / d E(t, k) = 1 and d alpha(0, k) / d pi(k) = 1; the
        // inputs were negated for MinPlus, so their gradients flip back.
        accumulate_grad(pi_t.data(), sign * ga.row(0));
        accumulate_grad(A_t.data(), sign * gA);
        accumulate_grad(E_t.data(), sign * ga);
      });
}

/// The best state sequence of an HMM (arg-max of log p(z, x); ties: the lowest
/// state). Same inputs and checks as hmm_forward; no gradient.
template <class T>
std::vector<Index> viterbi_path(const Tensor<T>& log_initial, const Tensor<T>& log_transition,
                                const Tensor<T>& log_emission) {
  constexpr const char* where = "tropigrad::viterbi_path";
  detail::check_hmm_shapes(where, log_initial, log_transition, log_emission);
  const detail::DpPlus<T> plus{T(0)};
  const RowArray<T> pi = detail::dp_input(log_initial, false, where, "log_initial");
  const RowArray<T> AT = detail::dp_input(log_transition, false, where, "log_transition").transpose();
  const RowArray<T> E = detail::dp_input(log_emission, false, where, "log_emission");
  RowArray<T> alpha, x;
  detail::hmm_alpha(plus, pi, AT, E, alpha, x);
  const Index steps = E.rows();
  std::vector<Index> path(static_cast<std::size_t>(steps));
  Index best = 0;
  alpha.row(steps - 1).maxCoeff(&best);
  path.back() = best;
  for (Index t = steps - 1; t >= 1; --t) {
    x = alpha.row(t - 1) + AT.row(best);
    Index row = 0;
    x.maxCoeff(&row, &best);
    path[static_cast<std::size_t>(t - 1)] = best;
  }
  return path;
}

}  // namespace tropigrad
