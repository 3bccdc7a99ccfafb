#pragma once
// Confusion-matrix metrics as plain math (no autodiff): the metric formulas with
// their closed-form partial derivatives (used by the soft metric losses of
// metric_losses.hpp), and the hard confusion matrix with the same metrics for
// evaluation.
//
//   accuracy          (TP + TN) / (TP + FP + FN + TN)
//   precision         TP / (TP + FP)
//   recall            TP / (TP + FN)            (sensitivity, true positive rate)
//   specificity       TN / (TN + FP)            (true negative rate)
//   F-beta            (1 + b^2) TP / ((1 + b^2) TP + b^2 FN + FP)
//   G-mean            sqrt(recall * specificity)
//   balanced accuracy (recall + specificity) / 2
//   MCC               (TP TN - FP FN) / sqrt((TP + FP)(TP + FN)(TN + FP)(TN + FN))
//   Jaccard (IoU)     TP / (TP + FP + FN)
//   Tversky(a, b)     TP / (TP + a FP + b FN)
//
// Zero denominators. metric_with_gradient(metric, tp, fp, fn, tn, eps) adds eps
// to every denominator (and eps^2 under the G-mean root), so a soft loss never
// divides by zero. With eps = 0 (hard metrics) a ratio whose denominator is 0 is
// 0, as scikit-learn's zero_division=0. Either way, a batch with no positives
// gives recall = precision = F-beta = Jaccard = Tversky = G-mean = MCC = 0 and
// balanced accuracy = specificity / 2; a batch with no negatives gives
// specificity = G-mean = MCC = 0 and balanced accuracy = recall / 2.

#include <Eigen/Core>
#include <cmath>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "../semiring/errors.hpp"

namespace tropigrad {

enum class MetricKind {
  accuracy,
  precision,
  recall,
  specificity,
  f_beta,
  g_mean,
  balanced_accuracy,
  mcc,
  jaccard,
  tversky
};

/// A confusion-matrix metric and its parameters. Build one with the factories:
/// Metric::f1(), Metric::f_beta(2), Metric::tversky(0.3, 0.7), ...
struct Metric {
  MetricKind kind = MetricKind::f_beta;
  double beta = 1;   ///< F-beta's beta
  double alpha = 1;  ///< Tversky's weight of FP
  double tversky_beta = 1;  ///< Tversky's weight of FN

  static Metric accuracy() { return {MetricKind::accuracy}; }
  static Metric precision() { return {MetricKind::precision}; }
  static Metric recall() { return {MetricKind::recall}; }
  static Metric specificity() { return {MetricKind::specificity}; }
  static Metric f1() { return {MetricKind::f_beta}; }
  static Metric f_beta(double beta) {
    if (!(std::isfinite(beta) && beta > 0))
      throw_invalid("tropigrad::Metric::f_beta", "beta must be a finite number > 0, got " + format_number(beta));
    return {MetricKind::f_beta, beta};
  }
  static Metric g_mean() { return {MetricKind::g_mean}; }
  static Metric balanced_accuracy() { return {MetricKind::balanced_accuracy}; }
  static Metric mcc() { return {MetricKind::mcc}; }
  static Metric jaccard() { return {MetricKind::jaccard}; }
  /// TP / (TP + alpha FP + beta FN); (0.5, 0.5) is F1 and (1, 1) is Jaccard.
  static Metric tversky(double alpha, double beta) {
    if (!(std::isfinite(alpha) && alpha >= 0) || !(std::isfinite(beta) && beta >= 0))
      throw_invalid("tropigrad::Metric::tversky", "alpha and beta must be finite numbers >= 0, got alpha = " +
                                                       format_number(alpha) + ", beta = " + format_number(beta));
    return {MetricKind::tversky, 1, alpha, beta};
  }

  std::string name() const {
    switch (kind) {
      case MetricKind::accuracy: return "accuracy";
      case MetricKind::precision: return "precision";
      case MetricKind::recall: return "recall";
      case MetricKind::specificity: return "specificity";
      case MetricKind::f_beta: return beta == 1 ? "F1" : "F" + format_number(beta);
      case MetricKind::g_mean: return "G-mean";
      case MetricKind::balanced_accuracy: return "balanced accuracy";
      case MetricKind::mcc: return "MCC";
      case MetricKind::jaccard: return "Jaccard";
      case MetricKind::tversky: return "Tversky(" + format_number(alpha) + ", " + format_number(tversky_beta) + ")";
    }
    return "?";
  }
};

/// How per-class metrics of a multi-label or multi-class problem are combined:
/// macro: the mean of the per-class metrics; micro: the metric of the summed
/// confusion matrices; weighted: the mean weighted by each class's support
/// (TP + FN; uniform if no class has a positive).
enum class Average { macro, micro, weighted };

/// A metric's value and its partial derivatives w.r.t. TP, FP, FN and TN.
template <class T>
struct MetricGradient {
  T value = 0, d_tp = 0, d_fp = 0, d_fn = 0, d_tn = 0;
};

namespace detail {

/// num / den and its partials w.r.t. num and den; 0 (and no gradient) if den == 0.
template <class T>
struct Ratio {
  T value = 0, d_num = 0, d_den = 0;
  Ratio(T num, T den) {
    if (den == T(0)) return;
    value = num / den;
    d_num = T(1) / den;
    d_den = -value / den;
  }
};

}  // namespace detail

/// The metric of one confusion matrix and its partials. eps > 0 is added to
/// each denominator (see the header comment); eps = 0 gives the hard metric.
template <class T>
MetricGradient<T> metric_with_gradient(const Metric& m, T tp, T fp, T fn, T tn, T eps) {
  using detail::Ratio;
  MetricGradient<T> g;
  switch (m.kind) {
    case MetricKind::accuracy: {
      const Ratio<T> r(tp + tn, tp + fp + fn + tn + eps);
      g.value = r.value;
      g.d_tp = g.d_tn = r.d_num + r.d_den;
      g.d_fp = g.d_fn = r.d_den;
      break;
    }
    case MetricKind::precision: {
      const Ratio<T> r(tp, tp + fp + eps);
      g = {r.value, r.d_num + r.d_den, r.d_den, 0, 0};
      break;
    }
    case MetricKind::recall: {
      const Ratio<T> r(tp, tp + fn + eps);
      g = {r.value, r.d_num + r.d_den, 0, r.d_den, 0};
      break;
    }
    case MetricKind::specificity: {
      const Ratio<T> r(tn, tn + fp + eps);
      g = {r.value, 0, r.d_den, 0, r.d_num + r.d_den};
      break;
    }
    case MetricKind::f_beta: {
      const T b2 = static_cast<T>(m.beta * m.beta);
      const Ratio<T> r((1 + b2) * tp, (1 + b2) * tp + b2 * fn + fp + eps);
      g = {r.value, (1 + b2) * (r.d_num + r.d_den), r.d_den, b2 * r.d_den, 0};
      break;
    }
    case MetricKind::jaccard:
    case MetricKind::tversky: {
      const T a = m.kind == MetricKind::jaccard ? T(1) : static_cast<T>(m.alpha);
      const T b = m.kind == MetricKind::jaccard ? T(1) : static_cast<T>(m.tversky_beta);
      const Ratio<T> r(tp, tp + a * fp + b * fn + eps);
      g = {r.value, r.d_num + r.d_den, a * r.d_den, b * r.d_den, 0};
      break;
    }
    case MetricKind::g_mean:
    case MetricKind::balanced_accuracy: {
      const Ratio<T> rec(tp, tp + fn + eps);
      const Ratio<T> spec(tn, tn + fp + eps);
      // d recall / d (tp, fn) and d specificity / d (tn, fp).
      const T rec_tp = rec.d_num + rec.d_den, rec_fn = rec.d_den;
      const T spec_tn = spec.d_num + spec.d_den, spec_fp = spec.d_den;
      T w_rec = T(0.5), w_spec = T(0.5);
      if (m.kind == MetricKind::g_mean) {
        // The eps^2 keeps d sqrt / d(product) finite when the product is 0.
        g.value = std::sqrt(rec.value * spec.value + eps * eps);
        const T half_inv = g.value > T(0) ? T(0.5) / g.value : T(0);
        w_rec = spec.value * half_inv;
        w_spec = rec.value * half_inv;
      } else {
        g.value = T(0.5) * (rec.value + spec.value);
      }
      g.d_tp = w_rec * rec_tp;
      g.d_fn = w_rec * rec_fn;
      g.d_tn = w_spec * spec_tn;
      g.d_fp = w_spec * spec_fp;
      break;
    }
    case MetricKind::mcc: {
      const T d1 = tp + fp + eps, d2 = tp + fn + eps, d3 = tn + fp + eps, d4 = tn + fn + eps;
      if (d1 == T(0) || d2 == T(0) || d3 == T(0) || d4 == T(0)) break;  // hard metric, a zero margin: 0
      // A product of roots, not the root of the product, so float does not overflow for counts ~1e9.
      const T root = std::sqrt(d1) * std::sqrt(d2) * std::sqrt(d3) * std::sqrt(d4);
      const T value = (tp * tn - fp * fn) / root;
      const T half = T(0.5) * value;
      g.value = value;
      g.d_tp = tn / root - half * (1 / d1 + 1 / d2);
      g.d_fp = -fn / root - half * (1 / d1 + 1 / d3);
      g.d_fn = -fp / root - half * (1 / d2 + 1 / d4);
      g.d_tn = tp / root - half * (1 / d3 + 1 / d4);
      break;
    }
  }
  return g;
}

/// A hard (count) confusion matrix.
struct ConfusionMatrix {
  double tp = 0, fp = 0, fn = 0, tn = 0;
  double total() const { return tp + fp + fn + tn; }
  double support() const { return tp + fn; }
};

/// The metric of one hard confusion matrix (0 where a denominator is 0).
inline double score(const Metric& m, const ConfusionMatrix& c) {
  return metric_with_gradient<double>(m, c.tp, c.fp, c.fn, c.tn, 0.0).value;
}

/// The metric of per-class confusion matrices, combined by `average`.
inline double score(const Metric& m, std::span<const ConfusionMatrix> per_class, Average average = Average::macro) {
  if (per_class.empty()) throw_invalid("tropigrad::score", "per_class is empty; expected at least one confusion matrix");
  if (average == Average::micro) {
    ConfusionMatrix sum;
    for (const auto& c : per_class) {
      sum.tp += c.tp;
      sum.fp += c.fp;
      sum.fn += c.fn;
      sum.tn += c.tn;
    }
    return score(m, sum);
  }
  double support = 0;
  for (const auto& c : per_class) support += c.support();
  const bool uniform = average == Average::macro || support == 0;
  double total = 0;
  for (const auto& c : per_class)
    total += (uniform ? 1.0 / static_cast<double>(per_class.size()) : c.support() / support) * score(m, c);
  return total;
}

namespace detail {

template <class D>
void check_binary_labels(const Eigen::DenseBase<D>& y, const char* where, const char* name) {
  for (Eigen::Index r = 0; r < y.rows(); ++r)
    for (Eigen::Index c = 0; c < y.cols(); ++c) {
      const double v = static_cast<double>(y(r, c));
      if (v != 0 && v != 1) {
        const std::string at = y.cols() == 1 ? "index " + std::to_string(r)
                                              : "index (" + std::to_string(r) + ", " + std::to_string(c) + ")";
        throw_invalid(where, std::string(name) + " must be 0 or 1, got " + format_number(v) + " at " + at);
      }
    }
}

}  // namespace detail

/// Per-column hard confusion matrices of binary / multi-label predictions:
/// `scores` (N x C logits, or probabilities if `from_logits` is false) predict
/// positive where logit > 0 (probability > 0.5); `targets` (N x C) hold 0 or 1.
template <class S, class Y>
std::vector<ConfusionMatrix> confusion_matrix(const Eigen::DenseBase<S>& scores, const Eigen::DenseBase<Y>& targets,
                                              bool from_logits = true) {
  constexpr const char* where = "tropigrad::confusion_matrix";
  if (scores.rows() != targets.rows() || scores.cols() != targets.cols())
    throw_invalid(where, "scores have shape " + std::to_string(scores.rows()) + "x" + std::to_string(scores.cols()) +
                             " but targets have shape " + std::to_string(targets.rows()) + "x" +
                             std::to_string(targets.cols()) + "; they must be equal");
  detail::check_binary_labels(targets, where, "targets");
  const double threshold = from_logits ? 0.0 : 0.5;
  std::vector<ConfusionMatrix> out(static_cast<std::size_t>(scores.cols()));
  for (Eigen::Index r = 0; r < scores.rows(); ++r)
    for (Eigen::Index c = 0; c < scores.cols(); ++c) {
      const bool predicted = static_cast<double>(scores(r, c)) > threshold;
      const bool actual = targets(r, c) != 0;
      auto& m = out[static_cast<std::size_t>(c)];
      (predicted ? (actual ? m.tp : m.fp) : (actual ? m.fn : m.tn)) += 1;
    }
  return out;
}

/// One-vs-rest hard confusion matrices of a multi-class problem: the predicted
/// class of row r is the argmax of scores.row(r) (N x classes); labels hold one
/// class index in [0, classes) per row.
template <class S, class L>
std::vector<ConfusionMatrix> confusion_matrix_multiclass(const Eigen::DenseBase<S>& scores, const L& labels) {
  constexpr const char* where = "tropigrad::confusion_matrix_multiclass";
  const auto n = static_cast<Eigen::Index>(labels.size());
  if (n != scores.rows())
    throw_invalid(where, "scores have " + std::to_string(scores.rows()) + " rows but labels has " + std::to_string(n) +
                             " entries; they must be equal");
  const Eigen::Index classes = scores.cols();
  std::vector<ConfusionMatrix> out(static_cast<std::size_t>(classes));
  for (Eigen::Index r = 0; r < n; ++r) {
    const auto label = static_cast<Eigen::Index>(labels[static_cast<std::size_t>(r)]);
    if (label < 0 || label >= classes)
      throw_invalid(where, "label " + std::to_string(label) + " at index " + std::to_string(r) + " is outside [0, " +
                               std::to_string(classes) + ")");
    Eigen::Index predicted = 0;
    scores.row(r).maxCoeff(&predicted);
    for (Eigen::Index c = 0; c < classes; ++c) {
      auto& m = out[static_cast<std::size_t>(c)];
      const bool p = predicted == c, a = label == c;
      (p ? (a ? m.tp : m.fp) : (a ? m.fn : m.tn)) += 1;
    }
  }
  return out;
}

}  // namespace tropigrad
