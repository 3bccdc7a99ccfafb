#pragma once
// Rank-based losses built on soft/sort.hpp.
//
// spearman_loss(pred, target, options): the mean over lines (rows for axis 1,
// columns for axis 0) of 1 - pearson(soft_rank(pred), rank(target)), where
// rank(target) is the hard rank (ties share their mean rank) and gets no
// gradient. With strength 0 it is exactly 1 - Spearman's rho. A line whose soft
// ranks (or target ranks) are all equal has no correlation: it counts as 0
// (loss 1) and passes no gradient. Backward, per line with centred r and t:
//   d(1 - rho) / d r = -(t / (|r| |t|) - rho r / |r|^2).
//
// soft_topk_accuracy(logits, labels, k, options): the mean over the rows of
// soft_topk_mask(logits, k)[row, label]: 1 exactly when every label is among
// its row's k largest logits at strength 0. Use 1 - it as a loss.
//
// Throws std::invalid_argument for shapes that differ, lines shorter than 2
// (spearman), labels of the wrong count or outside [0, classes), and what
// soft_rank / soft_topk_mask reject.

#include <cmath>
#include <string>

#include "../ad/tensor_slice.hpp"
#include "sort.hpp"
#include "topk_quantile.hpp"

namespace tropigrad {

/// 1 - Spearman's rank correlation, soft in pred, averaged over lines (a scalar Var).
template <class T>
Var<T> spearman_loss(const Tensor<T>& pred, const Tensor<T>& target, const SoftSortOptions& options = {}) {
  using namespace detail;
  constexpr const char* where = "tropigrad::spearman_loss";
  check_axis("spearman_loss", options.axis);
  if (pred.rows() != target.rows() || pred.cols() != target.cols())
    throw_invalid(where, "pred and target must have the same shape, got " + pred.shape() + " and " + target.shape());
  const LineLayout L(pred.rows(), pred.cols(), options.axis);
  if (L.n < 2 || L.lines == 0)
    throw_invalid(where, "each line needs at least 2 entries to correlate, got pred of shape " + pred.shape() +
                             " (axis " + std::to_string(options.axis) + ")");
  const Tensor<T> r = permutahedron_op<T>(true, pred, {}, options, "spearman_loss");
  SoftSortOptions hard = options;
  hard.strength = 0;
  const Tensor<T> t =
      permutahedron_op<T>(true, Tensor<T>::map(target.value().data(), target.rows(), target.cols()), {}, hard, "spearman_loss");
  TensorData<T>* rd = &r.data();
  const T* rv = rd->value;
  const T* tv = t.data().value;
  // Per line: the centred ranks' dot product and norms, kept for the backward pass.
  T* stats = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(3 * L.lines));
  T total = 0;
  for (Index line = 0; line < L.lines; ++line) {
    T mr = 0, mt = 0;
    for (Index i = 0; i < L.n; ++i) {
      mr += rv[L.at(line, i)];
      mt += tv[L.at(line, i)];
    }
    mr /= static_cast<T>(L.n);
    mt /= static_cast<T>(L.n);
    T rt = 0, rr = 0, tt = 0;
    for (Index i = 0; i < L.n; ++i) {
      const T a = rv[L.at(line, i)] - mr, b = tv[L.at(line, i)] - mt;
      rt += a * b;
      rr += a * a;
      tt += b * b;
    }
    stats[3 * line] = rt;
    stats[3 * line + 1] = rr;
    stats[3 * line + 2] = tt;
    const T rho = rr > 0 && tt > 0 ? rt / std::sqrt(rr * tt) : T(0);
    total += T(1) - rho;
  }
  const T scale = T(1) / static_cast<T>(L.lines);
  return scalar_result<T>("spearman_loss", total * scale, rd->requires_grad, [r, t, rd, L, stats, scale](T g) {
    const T* rv = rd->value;
    const T* tv = t.data().value;
    scatter_grad(*rd, [&](auto dr) {
      T* d = dr.data();
      for (Index line = 0; line < L.lines; ++line) {
        const T rt = stats[3 * line], rr = stats[3 * line + 1], tt = stats[3 * line + 2];
        if (!(rr > 0 && tt > 0)) continue;
        T mr = 0, mt = 0;
        for (Index i = 0; i < L.n; ++i) {
          mr += rv[L.at(line, i)];
          mt += tv[L.at(line, i)];
        }
        mr /= static_cast<T>(L.n);
        mt /= static_cast<T>(L.n);
        const T norm = std::sqrt(rr * tt), rho = rt / norm;
        // Both centred vectors sum to 0, so the centring adds nothing to this gradient.
        for (Index i = 0; i < L.n; ++i) {
          const T a = rv[L.at(line, i)] - mr, b = tv[L.at(line, i)] - mt;
          d[L.at(line, i)] -= g * scale * (b / norm - rho * a / rr);
        }
      }
    });
  });
}

/// Mean over rows of the soft top-k mask at each row's label (a scalar Var in [0, 1]).
template <class T, IndexVector I>
Var<T> soft_topk_accuracy(const Tensor<T>& logits, const I& labels, Index k, const SoftSortOptions& options = {}) {
  using namespace detail;
  constexpr const char* where = "tropigrad::soft_topk_accuracy";
  if (options.axis != 1) throw_invalid(where, "axis must be 1 (one row per sample), got " + std::to_string(options.axis));
  const Index batch = logits.rows(), classes = logits.cols();
  if (static_cast<Index>(labels.size()) != batch)
    throw_invalid(where, "logits have " + std::to_string(batch) + " rows (shape " + logits.shape() + ") but labels has " +
                             std::to_string(labels.size()) + " entries; they must be equal");
  if (batch == 0) throw_invalid(where, "the batch is empty (logits shape " + logits.shape() + ")");
  Index* label = tape<T>().arena().template allocate_array<Index>(static_cast<std::size_t>(batch));
  for (Index r = 0; r < batch; ++r) {
    const Index c = static_cast<Index>(labels[static_cast<decltype(labels.size())>(r)]);
    if (c < 0 || c >= classes)
      throw_invalid(where, "label " + std::to_string(c) + " at index " + std::to_string(r) + " is outside [0, " +
                               std::to_string(classes) + ")");
    label[r] = c;
  }
  const Tensor<T> mask = topk_mask_op(logits, k, options, "soft_topk_accuracy");
  TensorData<T>* md = &mask.data();
  T total = 0;
  for (Index r = 0; r < batch; ++r) total += md->value[r * classes + label[r]];
  const T scale = T(1) / static_cast<T>(batch);
  return scalar_result<T>("soft_topk_accuracy", total * scale, md->requires_grad, [mask, md, label, batch, classes, scale](T g) {
    scatter_grad(*md, [&](auto dm) {
      for (Index r = 0; r < batch; ++r) dm.data()[r * classes + label[r]] += g * scale;
    });
  });
}

}  // namespace tropigrad
