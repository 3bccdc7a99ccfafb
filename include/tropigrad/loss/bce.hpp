#pragma once
// The classification baselines the metric losses are compared with, each the
// mean over all N x C elements and one tape node (value and closed-form
// gradient computed together, O(N C)):
//
//   binary_cross_entropy       -[w y log p + (1 - y) log(1 - p)], w = pos_weight (1: plain BCE)
//                              from logits: w y softplus(-z) + (1 - y) softplus(z)  (as BCEWithLogitsLoss)
//                              d/dz = -w y sigmoid(-z) + (1 - y) sigmoid(z)
//                              from probabilities: each log clamped at >= -100 (as torch BCELoss)
//   focal_loss (Lin et al.)    alpha_t (1 - p_t)^gamma (-log p_t), from logits, with
//                              s = z if y = 1 else -z, p_t = sigmoid(s), alpha_t = alpha or 1 - alpha
//                              (alpha < 0: no weighting; torchvision's sigmoid_focal_loss).
//                              d/ds = alpha_t sigmoid(-s)^gamma (-gamma sigmoid(s) softplus(-s) - sigmoid(-s))
//
// Stable for any finite logits: softplus / log_sigmoid come from
// semiring/activations.hpp, and sigmoid(-s)^gamma is exp(gamma log_sigmoid(-s)).
// BCE targets may be soft (in [0, 1]); focal-loss targets must be 0 or 1.
// Throws std::invalid_argument for an empty batch, a shape mismatch, a target
// out of range (naming value and index), a probability outside [0, 1], a NaN
// logit, pos_weight <= 0, gamma < 0 or alpha > 1.

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "../ad/tensor_grad_access.hpp"
#include "../ad/tensor_slice.hpp"
#include "../semiring/activations.hpp"
#include "../semiring/errors.hpp"
#include "soft_confusion.hpp"

namespace tropigrad {

struct BceOptions {
  ScoreType input = ScoreType::logits;
  /// Weight of the positive term (torch's pos_weight); n_negative / n_positive balances the classes.
  double pos_weight = 1;
};

struct FocalOptions {
  double gamma = 2;     ///< focusing parameter, >= 0 (0: alpha-weighted BCE)
  double alpha = 0.25;  ///< weight of the positives in [0, 1]; < 0 turns the weighting off
};

namespace detail {

/// Copies targets (shape of scores) into the arena, checking each is in {0, 1}
/// (binary_only) or in [0, 1].
template <class T, class Derived>
const T* loss_targets(const Tensor<T>& scores, const Eigen::DenseBase<Derived>& targets, bool binary_only,
                      const char* where) {
  const Index n = scores.rows(), c = scores.cols();
  if (targets.rows() != n || targets.cols() != c) throw_shape(where, "targets have shape", n, c, targets.rows(), targets.cols());
  if (n == 0) throw_invalid(where, "the batch is empty (scores shape " + scores.shape() + "); expected at least one row");
  if (binary_only) check_binary_labels(targets, where, "targets");
  T* y = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(n * c));
  Eigen::Map<RowArray<T>> m(y, n, c);
  m = targets.derived().template cast<T>();
  if (!binary_only)
    for (Index r = 0; r < n; ++r)
      for (Index k = 0; k < c; ++k)
        if (!(m(r, k) >= T(0) && m(r, k) <= T(1)))
          throw_invalid(where, "targets must lie in [0, 1], got " + format_number(static_cast<double>(m(r, k))) +
                                   " at " + element_index(r, k, c));
  return y;
}

template <class T, IndexVector I>
  requires(!std::is_base_of_v<Eigen::EigenBase<I>, I>)
const T* loss_targets(const Tensor<T>& scores, const I& targets, bool, const char* where) {
  const Index n = scores.rows();
  const auto m = static_cast<Index>(targets.size());
  if (scores.cols() != 1 || m != n) throw_shape(where, "targets (a vector of 0/1) have shape", n, scores.cols(), m, 1);
  if (n == 0) throw_invalid(where, "the batch is empty (scores shape " + scores.shape() + "); expected at least one row");
  T* y = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(n));
  for (Index r = 0; r < n; ++r) {
    const auto v = targets[static_cast<decltype(targets.size())>(r)];
    if (v != 0 && v != 1)
      throw_invalid(where, "targets must be 0 or 1, got " + std::to_string(v) + " at index " + std::to_string(r));
    y[r] = static_cast<T>(v);
  }
  return y;
}

/// The mean loss as a scalar Var whose backward adds g * grad (grad precomputed, N x C) to the scores.
template <class T>
Var<T> mean_loss_result(const char* name, const char* where, const Tensor<T>& scores, T total, const T* grad) {
  TensorData<T>* in = &scores.data();
  if (std::isnan(total)) {
    const auto z = value_map(static_cast<const TensorData<T>&>(*in));
    for (Index r = 0; r < in->rows; ++r)
      for (Index k = 0; k < in->cols; ++k)
        if (std::isnan(z(r, k))) throw_invalid(where, "scores is NaN at " + element_index(r, k, in->cols) + "; inputs must not contain NaN");
  }
  const Index n = in->rows, c = in->cols;
  return scalar_result<T>(name, total / static_cast<T>(n * c), in->requires_grad, [scores, in, grad, n, c](T g) {
    accumulate_grad(*in, (g / static_cast<T>(n * c)) * Eigen::Map<const RowArray<T>>(grad, n, c));
  });
}

template <class T>
Var<T> bce_impl(const Tensor<T>& scores, const T* targets, const BceOptions& options, const char* where) {
  if (!(std::isfinite(options.pos_weight) && options.pos_weight > 0))
    throw_invalid(where, "pos_weight must be a finite number > 0, got " + format_number(options.pos_weight));
  TensorData<T>* in = &scores.data();
  const Index n = in->rows, c = in->cols;
  const auto z = value_map(static_cast<const TensorData<T>&>(*in));
  const Eigen::Map<const RowArray<T>> y(targets, n, c);
  const T w = static_cast<T>(options.pos_weight);
  T* grad = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(n * c));
  Eigen::Map<RowArray<T>> d(grad, n, c);
  T total = 0;
  if (options.input == ScoreType::logits) {
    // A target of exactly 0 or 1 drops a term: 0 * softplus(+-inf) must be 0, not NaN, at an infinite logit.
    total = ((y == T(0)).select(T(0), w * y * softplus(-z)) + (y == T(1)).select(T(0), (T(1) - y) * softplus(z))).sum();
    if (in->requires_grad) d = (T(1) - y) * sigmoid(z) - w * y * sigmoid(-z);
  } else {
    for (Index r = 0; r < n; ++r)
      for (Index k = 0; k < c; ++k)
        if (!(z(r, k) >= T(0) && z(r, k) <= T(1)))
          throw_invalid(where, "scores are probabilities (ScoreType::probabilities) and must lie in [0, 1], got " +
                                   format_number(static_cast<double>(z(r, k))) + " at " + element_index(r, k, c));
    const T floor = -100;
    // The clamped log has zero slope where the clamp is active (also keeps 0 * log 0 at 0).
    total = -(w * y * z.log().max(floor) + (T(1) - y) * (T(1) - z).log().max(floor)).sum();
    if (in->requires_grad)
      d = (z.log() > floor).select(-w * y / z, T(0)) + ((T(1) - z).log() > floor).select((T(1) - y) / (T(1) - z), T(0));
  }
  return mean_loss_result<T>("binary_cross_entropy", where, scores, total, grad);
}

template <class T>
Var<T> focal_impl(const Tensor<T>& scores, const T* targets, const FocalOptions& options, const char* where) {
  if (!(std::isfinite(options.gamma) && options.gamma >= 0))
    throw_invalid(where, "gamma must be a finite number >= 0, got " + format_number(options.gamma));
  if (!(std::isfinite(options.alpha) && options.alpha <= 1))
    throw_invalid(where, "alpha must be a finite number <= 1 (< 0 for no weighting), got " + format_number(options.alpha));
  TensorData<T>* in = &scores.data();
  const Index n = in->rows, c = in->cols;
  const auto z = value_map(static_cast<const TensorData<T>&>(*in));
  const Eigen::Map<const RowArray<T>> y(targets, n, c);
  Arena& arena = tape<T>().arena();
  auto buffer = [&] { return Eigen::Map<RowArray<T>>(arena.template allocate_array<T>(static_cast<std::size_t>(n * c)), n, c); };
  auto sign = buffer(), log_q = buffer(), nll = buffer(), d = buffer();
  const T gamma = static_cast<T>(options.gamma);
  const T alpha = static_cast<T>(options.alpha);
  sign = T(2) * y - T(1);
  nll = softplus(-(sign * z));       // -log p_t
  log_q = log_sigmoid(-(sign * z));  // log(1 - p_t)
  const auto alpha_t = options.alpha < 0 ? RowArray<T>::Ones(n, c).eval() : (alpha * y + (T(1) - alpha) * (T(1) - y)).eval();
  // d reuses its buffer: first the modulated weight alpha_t (1 - p_t)^gamma.
  // (1 - p_t)^0 = 1 even where p_t = 1 (an infinite logit: log_q = -inf, and 0 * -inf would be NaN).
  if (gamma == T(0)) d = alpha_t;
  else d = alpha_t * (gamma * log_q).exp();
  // A zero weight (alpha_t = 0, or p_t = 1) contributes 0 even where -log p_t is infinite.
  const T total = (d == T(0)).select(T(0), d * nll).sum();
  // p_t (-log p_t) -> 0 as p_t -> 0 (nll = +inf at an infinite logit).
  if (in->requires_grad)
    d = sign * d * (-gamma * (nll == std::numeric_limits<T>::infinity()).select(T(0), (-nll).exp() * nll) - log_q.exp());
  return mean_loss_result<T>("focal_loss", where, scores, total, d.data());
}

}  // namespace detail

/// Mean (weighted) binary cross-entropy of N x C scores against targets in [0, 1]
/// (an Eigen array of the same shape).
template <class T, class Derived>
Var<T> binary_cross_entropy(const Tensor<T>& scores, const Eigen::DenseBase<Derived>& targets, const BceOptions& options = {}) {
  constexpr const char* where = "tropigrad::binary_cross_entropy";
  return detail::bce_impl(scores, detail::loss_targets(scores, targets, false, where), options, where);
}
/// As above, N x 1 scores and an integer vector of 0 / 1 targets.
template <class T, IndexVector I>
  requires(!std::is_base_of_v<Eigen::EigenBase<I>, I>)
Var<T> binary_cross_entropy(const Tensor<T>& scores, const I& targets, const BceOptions& options = {}) {
  constexpr const char* where = "tropigrad::binary_cross_entropy";
  return detail::bce_impl(scores, detail::loss_targets(scores, targets, true, where), options, where);
}

/// Mean focal loss of N x C logits against 0 / 1 targets (Eigen array of the same shape).
template <class T, class Derived>
Var<T> focal_loss(const Tensor<T>& logits, const Eigen::DenseBase<Derived>& targets, const FocalOptions& options = {}) {
  constexpr const char* where = "tropigrad::focal_loss";
  return detail::focal_impl(logits, detail::loss_targets(logits, targets, true, where), options, where);
}
/// As above, N x 1 logits and an integer vector of 0 / 1 targets.
template <class T, IndexVector I>
  requires(!std::is_base_of_v<Eigen::EigenBase<I>, I>)
Var<T> focal_loss(const Tensor<T>& logits, const I& targets, const FocalOptions& options = {}) {
  constexpr const char* where = "tropigrad::focal_loss";
  return detail::focal_impl(logits, detail::loss_targets(logits, targets, true, where), options, where);
}

}  // namespace tropigrad
