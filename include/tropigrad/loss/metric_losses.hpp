#pragma once
// Metric losses, 1 - metric, over a soft confusion matrix (AnyLoss):
//
//   auto cm = tg::soft_confusion(logits, targets);    // 4 x C: TP, FP, FN, TN
//   tg::Var<float> loss = tg::f1_loss(cm);            // 1 - F1
//   loss.backward();
//
// One tape node over the 4 x C counts: the forward evaluates each column's
// metric and its closed-form partials (metrics.hpp); the backward scales them,
// O(C). With the soft_confusion node before it, the whole loss is O(N C).
//
// Averaging over the C columns (labels, or classes one-vs-rest):
//   macro     1 - mean_c metric(column c)
//   micro     1 - metric(sum of the columns)
//   weighted  1 - sum_c w_c metric(column c), w_c = (TP_c + FN_c) / sum (TP + FN)
//             (the class support; uniform if every support is 0). The support
//             is differentiated too, so the gradient is exact for any counts.
// For a binary problem (C = 1) the three agree.
//
// epsilon (default 1e-7) is added to every denominator, so a batch with no
// positives or no negatives gives the documented values of metrics.hpp
// (e.g. F1 = 0, so its loss is 1) and never NaN.

#include <string>

#include "../ad/tensor_grad_access.hpp"
#include "metrics.hpp"
#include "soft_confusion.hpp"

namespace tropigrad {

/// 1 - metric of a 4 x C counts tensor (rows TP, FP, FN, TN), averaged over the columns.
template <class T>
Var<T> metric_loss(const Tensor<T>& counts, const Metric& metric, Average average = Average::macro,
                   double epsilon = 1e-7) {
  using namespace detail;
  constexpr const char* where = "tropigrad::metric_loss";
  TensorData<T>* in = &counts.data();
  if (in->rows != 4 || in->cols < 1)
    throw_invalid(where, "counts must have shape 4 x C (rows TP, FP, FN, TN, C >= 1), got " + counts.shape());
  if (!(std::isfinite(epsilon) && epsilon >= 0))
    throw_invalid(where, "epsilon must be a finite number >= 0, got " + format_number(epsilon));
  const Index c = in->cols;
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  const T eps = static_cast<T>(epsilon);
  // d loss / d counts, 4 x C, computed with the value (the backward only scales it).
  T* partial = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(4 * c));
  Eigen::Map<RowArray<T>> d(partial, 4, c);
  T value = 0;
  if (average == Average::micro || c == 1) {
    const auto m = metric_with_gradient<T>(metric, v.row(0).sum(), v.row(1).sum(), v.row(2).sum(), v.row(3).sum(), eps);
    value = T(1) - m.value;
    d.row(0).setConstant(-m.d_tp);
    d.row(1).setConstant(-m.d_fp);
    d.row(2).setConstant(-m.d_fn);
    d.row(3).setConstant(-m.d_tn);
  } else {
    const T support_total = (v.row(0) + v.row(2)).sum();
    const bool uniform = average == Average::macro || support_total == T(0);
    T* values = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(c));
    T score = 0;
    for (Index k = 0; k < c; ++k) {
      const auto m = metric_with_gradient<T>(metric, v(0, k), v(1, k), v(2, k), v(3, k), eps);
      const T w = uniform ? T(1) / static_cast<T>(c) : (v(0, k) + v(2, k)) / support_total;
      values[k] = m.value;
      score += w * m.value;
      d(0, k) = -w * m.d_tp;
      d(1, k) = -w * m.d_fp;
      d(2, k) = -w * m.d_fn;
      d(3, k) = -w * m.d_tn;
    }
    if (!uniform) {
      // score = sum_k s_k m_k / S with s_k = TP_k + FN_k: d score / d s_k = (m_k - score) / S.
      for (Index k = 0; k < c; ++k) {
        const T ds = (values[k] - score) / support_total;
        d(0, k) -= ds;
        d(2, k) -= ds;
      }
    }
    value = T(1) - score;
  }
  const T* dp = partial;
  return scalar_result<T>("metric_loss", value, in->requires_grad, [counts, in, dp, c](T g) {
    accumulate_grad(*in, g * Eigen::Map<const RowArray<T>>(dp, 4, c));
  });
}

/// 1 - metric of a soft confusion matrix.
template <class T>
Var<T> metric_loss(const SoftConfusion<T>& confusion, const Metric& metric, Average average = Average::macro,
                   double epsilon = 1e-7) {
  return metric_loss(confusion.counts, metric, average, epsilon);
}

template <class T>
Var<T> accuracy_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::accuracy(), average);
}
template <class T>
Var<T> precision_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::precision(), average);
}
template <class T>
Var<T> recall_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::recall(), average);
}
template <class T>
Var<T> f1_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::f1(), average);
}
template <class T>
Var<T> f_beta_loss(const SoftConfusion<T>& c, double beta, Average average = Average::macro) {
  return metric_loss(c, Metric::f_beta(beta), average);
}
template <class T>
Var<T> g_mean_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::g_mean(), average);
}
template <class T>
Var<T> balanced_accuracy_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::balanced_accuracy(), average);
}
template <class T>
Var<T> mcc_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::mcc(), average);
}
template <class T>
Var<T> jaccard_loss(const SoftConfusion<T>& c, Average average = Average::macro) {
  return metric_loss(c, Metric::jaccard(), average);
}
/// 1 - TP / (TP + alpha FP + beta FN).
template <class T>
Var<T> tversky_loss(const SoftConfusion<T>& c, double alpha, double beta, Average average = Average::macro) {
  return metric_loss(c, Metric::tversky(alpha, beta), average);
}

}  // namespace tropigrad
