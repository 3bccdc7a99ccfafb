#pragma once
// The soft confusion matrix of AnyLoss (Han et al., arXiv 2405.14745): TP, FP,
// FN and TN as differentiable sums over a batch, one tape node.
//
//   p = sigmoid(score) (binary / multi-label) or softmax(score) (multi-class,
//       one-vs-rest), or the score itself for ScoreType::probabilities;
//   a = A(p) = sigmoid(L (p - 0.5))   (the amplification, L = 73 by default),
//       or a = p without amplification;
//   TP = sum y a,  FP = sum (1 - y) a,  FN = sum y (1 - a),  TN = sum (1 - y)(1 - a) + (N - batch),
//
// per column (class / label), so the result `counts` is 4 x C with rows TP, FP,
// FN, TN. N is the batch size, or a fixed data-set size (options.total).
//
// float32: A(p) saturates (A(0.99) = 1 - 3e-16 rounds to 1), so the naive
// derivative A (1 - A) L p (1 - p) is exactly 0 over most of (0, 1). Here
// a = sigmoid(u) and 1 - a = sigmoid(-u) are each computed directly, u = L (p - 0.5),
// and for logits p and 1 - p likewise from z (p - 0.5 = (p - (1 - p)) / 2), so
// dA/dz = L a (1 - a) p (1 - p) keeps its ~1e-16 magnitude instead of rounding to 0.
// The forward runs in blocks of rows, so only dA/dz is stored for the backward.
//
// Backward (O(N C)): d a_i = y_i (g_TP - g_FN) + (1 - y_i)(g_FP - g_TN), then
// times dA/dz (and through the softmax Jacobian for multi-class logits).
//
// Throws std::invalid_argument for: an empty batch; targets or labels whose
// shape or length does not match the scores; a target outside {0, 1} or a label
// outside [0, classes) (naming the value and its index); a probability outside
// [0, 1] or a NaN score (naming the index); an amplification that is not a
// finite number > 0; a total that is not finite or smaller than the batch.

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>

#include "../ad/tensor_grad_access.hpp"
#include "../ad/tensor_slice.hpp"
#include "../semiring/errors.hpp"
#include "../semiring/lse_rows.hpp"
#include "metrics.hpp"

namespace tropigrad {

/// What the scores passed to a loss are.
enum class ScoreType { logits, probabilities };

struct SoftConfusionOptions {
  /// L of the amplification A(p) = sigmoid(L (p - 0.5)); std::nullopt: a = p (no amplification).
  std::optional<double> amplification = 73.0;
  /// Logits (sigmoid, or softmax for multi-class), or probabilities in [0, 1].
  ScoreType input = ScoreType::logits;
  /// N: std::nullopt counts the batch; a fixed data-set size adds (N - batch) to TN.
  std::optional<double> total = std::nullopt;
};

/// A soft confusion matrix: `counts` is 4 x C, rows TP, FP, FN, TN, one column per class / label.
template <class T>
struct SoftConfusion {
  Tensor<T> counts;

  Index classes() const { return counts.cols(); }
  Tensor<T> tp() const { return slice_rows(counts, 0, 1); }
  Tensor<T> fp() const { return slice_rows(counts, 1, 1); }
  Tensor<T> fn() const { return slice_rows(counts, 2, 1); }
  Tensor<T> tn() const { return slice_rows(counts, 3, 1); }
};

namespace detail {

inline std::string element_index(Index r, Index c, Index cols) {
  return cols == 1 ? "index " + std::to_string(r) : "index (" + std::to_string(r) + ", " + std::to_string(c) + ")";
}

[[noreturn]] inline void throw_shape(const char* where, const std::string& what, Index r1, Index c1, Index r2, Index c2) {
  throw_invalid(where, "scores have shape " + shape_string(r1, c1) + " but " + what + " " + shape_string(r2, c2) +
                           "; they must match");
}

/// a = sigmoid(x) and abar = sigmoid(-x) = 1 - a, each with full relative
/// precision in its tail (so a * abar, the derivative, does not round to 0). The
/// exp argument is clamped at -log(smallest normal), where both are already as
/// close to 0 / 1 as T can tell, so nothing overflows. Select-free, so Eigen
/// vectorises it (semiring/activations.hpp's sigmoid would do the same work with
/// two more exps per element).
template <class X, class M>
void sigmoid_pair(const X& x, M& a, M& abar) {
  using T = typename M::Scalar;
  const T bound = -std::log(std::numeric_limits<T>::min());
  a = T(1) / (T(1) + (-x.max(-bound).min(bound)).exp());
  abar = T(1) / (T(1) + x.max(-bound).min(bound).exp());
}

/// Rows per block of the forward pass: its scratch arrays stay in L1/L2 cache.
inline Index confusion_block_rows(Index cols) { return std::max<Index>(1, 2048 / cols); }

template <class T>
SoftConfusion<T> soft_confusion_impl(const Tensor<T>& scores, const T* targets, bool softmax_input,
                                     const SoftConfusionOptions& options, const char* where) {
  TensorData<T>* in = &scores.data();
  const Index n = in->rows, c = in->cols;
  const auto z = value_map(static_cast<const TensorData<T>&>(*in));
  const bool logits = options.input == ScoreType::logits;
  if (!logits && !((z >= T(0)) && (z <= T(1))).all())
    for (Index r = 0; r < n; ++r)
      for (Index k = 0; k < c; ++k)
        if (!(z(r, k) >= T(0) && z(r, k) <= T(1)))
          throw_invalid(where, "scores are probabilities (ScoreType::probabilities) and must lie in [0, 1], got " +
                                   format_number(static_cast<double>(z(r, k))) + " at " + element_index(r, k, c));
  Arena& arena = tape<T>().arena();
  auto allocate = [&](Index size) { return arena.template allocate_array<T>(static_cast<std::size_t>(size)); };
  T* probs = nullptr;  // softmax(z), kept for the backward pass
  if (softmax_input) {
    probs = allocate(n * c);
    Eigen::Map<RowArray<T>> p(probs, n, c);
    softmax_rows(T(1), z, p, where, "row");
  }
  T* deriv = allocate(n * c);  // da/dz (or da/dp through a softmax), kept for the backward pass
  const Index block = confusion_block_rows(c);
  T* scratch = allocate(3 * block * c);
  const T L = options.amplification ? static_cast<T>(*options.amplification) : T(0);
  Tensor<T> out = new_result<T>(4, c, in->requires_grad);
  auto o = value_map(out.data());
  o.setZero();
  for (Index r0 = 0; r0 < n; r0 += block) {
    const Index rows = std::min(block, n - r0);
    const Eigen::Map<const RowArray<T>> x((softmax_input ? probs : z.data()) + r0 * c, rows, c);
    const Eigen::Map<const RowArray<T>> y(targets + r0 * c, rows, c);
    Eigen::Map<RowArray<T>> a(scratch, rows, c), abar(scratch + block * c, rows, c), t(scratch + 2 * block * c, rows, c);
    Eigen::Map<RowArray<T>> d(deriv + r0 * c, rows, c);
    if (logits && !softmax_input) {
      sigmoid_pair(x, a, abar);  // p and 1 - p from the logit
      d = a * abar;              // dp/dz
      if (options.amplification) {
        t = (T(0.5) * L) * (a - abar);  // u = L (p - 0.5)
        sigmoid_pair(t, a, abar);
        d *= L * a * abar;
      }
    } else if (options.amplification) {
      t = L * (x - T(0.5));
      sigmoid_pair(t, a, abar);
      d = L * a * abar;  // dA/dp
    } else {
      a = x;
      abar = T(1) - x;
      d.setOnes();
    }
    if (c == 1) {
      o(0, 0) += (y * a).sum();
      o(1, 0) += ((T(1) - y) * a).sum();
      o(2, 0) += (y * abar).sum();
      o(3, 0) += ((T(1) - y) * abar).sum();
    } else {
      o.row(0) += (y * a).colwise().sum();
      o.row(1) += ((T(1) - y) * a).colwise().sum();
      o.row(2) += (y * abar).colwise().sum();
      o.row(3) += ((T(1) - y) * abar).colwise().sum();
    }
  }
  if (options.total) o.row(3) += static_cast<T>(*options.total - static_cast<double>(n));
  if (!o.allFinite())  // only a NaN score gets here: every other input gives finite sums
    for (Index r = 0; r < n; ++r)
      for (Index k = 0; k < c; ++k)
        if (std::isnan(z(r, k))) throw_invalid(where, "scores is NaN at " + element_index(r, k, c) + "; inputs must not contain NaN");
  const T* dptr = deriv;
  record_backward("soft_confusion", out, [scores, in, targets, dptr, probs, n, c](const auto& g) {
    const Eigen::Map<const RowArray<T>> Y(targets, n, c), D(dptr, n, c);
    if (c == 1) {
      const T pos = g(0, 0) - g(2, 0), neg = g(1, 0) - g(3, 0);
      accumulate_grad(*in, D * (Y * (pos - neg) + neg));
      return;
    }
    const Eigen::Array<T, 1, Eigen::Dynamic> neg = g.row(1) - g.row(3);
    const Eigen::Array<T, 1, Eigen::Dynamic> diff = g.row(0) - g.row(2) - neg;
    if (probs == nullptr) {
      accumulate_grad(*in, D * ((Y.rowwise() * diff).rowwise() + neg));
      return;
    }
    // Through the softmax: dz_r = p_r * (gp_r - <gp_r, p_r>).
    Arena& arena = tape<T>().arena();
    Eigen::Map<RowArray<T>> gp(arena.template allocate_array<T>(static_cast<std::size_t>(n * c)), n, c);
    Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>> dot(arena.template allocate_array<T>(static_cast<std::size_t>(n)), n);
    const Eigen::Map<const RowArray<T>> P(probs, n, c);
    gp = D * ((Y.rowwise() * diff).rowwise() + neg);
    dot = (gp * P).rowwise().sum();
    accumulate_grad(*in, P * (gp.colwise() - dot));
  });
  return {out};
}

template <class T>
void check_confusion_options(const SoftConfusionOptions& o, Index batch, const char* where, const std::string& shape) {
  if (batch == 0) throw_invalid(where, "the batch is empty (scores shape " + shape + "); expected at least one row");
  if (o.amplification && !(std::isfinite(*o.amplification) && *o.amplification > 0))
    throw_invalid(where, "options.amplification must be a finite number > 0 (or std::nullopt for none), got " +
                             format_number(*o.amplification));
  if (o.total && !(std::isfinite(*o.total) && *o.total >= static_cast<double>(batch)))
    throw_invalid(where, "options.total must be a finite number >= the batch size " + std::to_string(batch) +
                             " (or std::nullopt for the batch size), got " + format_number(*o.total));
}

}  // namespace detail

/// Binary (scores N x 1) or multi-label (N x C, one sigmoid per column) soft
/// confusion matrix; targets is an Eigen array / matrix of the scores' shape
/// holding 0 or 1.
template <class T, class Derived>
SoftConfusion<T> soft_confusion(const Tensor<T>& scores, const Eigen::DenseBase<Derived>& targets,
                                const SoftConfusionOptions& options = {}) {
  constexpr const char* where = "tropigrad::soft_confusion";
  const Index n = scores.rows(), c = scores.cols();
  if (targets.rows() != n || targets.cols() != c)
    detail::throw_shape(where, "targets have shape", n, c, targets.rows(), targets.cols());
  detail::check_confusion_options<T>(options, n, where, scores.shape());
  T* y = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(n * c));
  Eigen::Map<RowArray<T>> ym(y, n, c);
  ym = targets.derived().template cast<T>();
  // y (y - 1) is 0 exactly for 0 and 1; the element-wise scan runs only if something else is there.
  if (!((ym * (ym - T(1))).abs().sum() == T(0))) detail::check_binary_labels(targets, where, "targets");
  return detail::soft_confusion_impl(scores, y, false, options, where);
}

/// Binary soft confusion matrix with the targets as an integer vector of 0 / 1
/// (std::vector<int>, Eigen::VectorXi, ...); scores are N x 1.
template <class T, IndexVector I>
  requires(!std::is_base_of_v<Eigen::EigenBase<I>, I>)  // Eigen integer arrays take the N x C overload
SoftConfusion<T> soft_confusion(const Tensor<T>& scores, const I& targets, const SoftConfusionOptions& options = {}) {
  constexpr const char* where = "tropigrad::soft_confusion";
  const Index n = scores.rows();
  const auto m = static_cast<Index>(targets.size());
  if (scores.cols() != 1 || m != n) detail::throw_shape(where, "targets (a vector of 0/1) have shape", n, scores.cols(), m, 1);
  detail::check_confusion_options<T>(options, n, where, scores.shape());
  T* y = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(n));
  for (Index r = 0; r < n; ++r) {
    const auto v = targets[static_cast<decltype(targets.size())>(r)];
    if (v != 0 && v != 1)
      throw_invalid(where, "targets must be 0 or 1, got " + std::to_string(v) + " at index " + std::to_string(r));
    y[r] = static_cast<T>(v);
  }
  return detail::soft_confusion_impl(scores, y, false, options, where);
}

/// Multi-class one-vs-rest soft confusion matrix: scores are N x classes
/// (logits, softmax per row; or probabilities), labels hold one class index in
/// [0, classes) per row. Column k is the matrix of "class k vs the rest".
template <class T, IndexVector I>
SoftConfusion<T> soft_confusion_multiclass(const Tensor<T>& scores, const I& labels,
                                           const SoftConfusionOptions& options = {}) {
  constexpr const char* where = "tropigrad::soft_confusion_multiclass";
  const Index n = scores.rows(), c = scores.cols();
  const auto m = static_cast<Index>(labels.size());
  if (m != n)
    throw_invalid(where, "scores have " + std::to_string(n) + " rows (shape " + scores.shape() + ") but labels has " +
                             std::to_string(m) + " entries; they must be equal");
  detail::check_confusion_options<T>(options, n, where, scores.shape());
  T* y = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(n * c));
  Eigen::Map<RowArray<T>> onehot(y, n, c);
  onehot.setZero();
  for (Index r = 0; r < n; ++r) {
    const auto label = static_cast<Index>(labels[static_cast<decltype(labels.size())>(r)]);
    if (label < 0 || label >= c)
      throw_invalid(where, "label " + std::to_string(label) + " at index " + std::to_string(r) + " is outside [0, " +
                               std::to_string(c) + ") (the number of classes, scores shape " + scores.shape() + ")");
    onehot(r, label) = T(1);
  }
  return detail::soft_confusion_impl(scores, y, options.input == ScoreType::logits, options, where);
}

}  // namespace tropigrad
