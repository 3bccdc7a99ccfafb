#pragma once
// cross_entropy(logits, labels): the mean over the batch of -log softmax(logits_r)[label_r],
// fused and stable: loss_r = LSE(logits_r) - logits_r[label_r], with LSE (as max + log_sum) from
// semiring/lse_rows.hpp (eps = 1). logits are batch x classes; labels hold one
// class index per row (std::vector<int>, Eigen::VectorXi, ...). Returns a
// scalar Var. Backward: d logits = (softmax(logits) - onehot(labels)) / batch.
// Throws std::invalid_argument if the batch sizes differ (naming both), if a
// label is outside [0, classes) (naming the value and its index), for an empty
// batch, for a NaN logit, or for a row of only -inf logits. A row with +inf logits
// takes the limit (softmax uniform over them; no gradient flows through that row).

#include <cmath>
#include <limits>
#include <string>

#include "../semiring/lse_rows.hpp"
#include "tensor_grad_access.hpp"
#include "tensor_slice.hpp"

namespace tropigrad {

template <class T, IndexVector I>
Var<T> cross_entropy(const Tensor<T>& logits, const I& labels) {
  using namespace detail;
  constexpr const char* where = "tropigrad::cross_entropy";
  TensorData<T>* in = &logits.data();
  const Index batch = in->rows, classes = in->cols;
  const Index n = static_cast<Index>(labels.size());
  if (n != batch)
    throw std::invalid_argument(std::string(where) + ": logits have " + std::to_string(batch) +
                                " rows (batch size, shape " + logits.shape() + ") but labels has " +
                                std::to_string(n) + " entries; they must be equal");
  if (batch == 0) throw std::invalid_argument(std::string(where) + ": the batch is empty (logits shape " + logits.shape() + ")");
  Tape<T>& t = tape<T>();
  Index* label = t.arena().template allocate_array<Index>(static_cast<std::size_t>(n));
  for (Index r = 0; r < n; ++r) {
    const Index c = static_cast<Index>(labels[static_cast<decltype(labels.size())>(r)]);
    if (c < 0 || c >= classes)
      throw std::invalid_argument(std::string(where) + ": label " + std::to_string(c) + " at index " +
                                  std::to_string(r) + " is outside [0, " + std::to_string(classes) +
                                  ") (the number of classes, logits shape " + logits.shape() + ")");
    label[r] = c;
  }
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  // Per row: loss_r = log_sum_r - (x_r[label] - max_r), exact even where max + log_sum would round.
  T* row_max = t.arena().template allocate_array<T>(static_cast<std::size_t>(n));
  T* log_sum = t.arena().template allocate_array<T>(static_cast<std::size_t>(n));
  lse_rows_parts(T(1), v, Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(row_max, n),
                 Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>(log_sum, n), where, "row");
  T total = 0;
  for (Index r = 0; r < n; ++r) {
    if (row_max[r] == -std::numeric_limits<T>::infinity())
      throw std::invalid_argument(std::string(where) + ": all logits of row " + std::to_string(r) +
                                  " are -inf, so softmax is undefined (0/0); at least one logit per row must be > -inf");
    if (row_max[r] == std::numeric_limits<T>::infinity()) {
      // The limit: softmax is uniform over the +inf logits (as in lse_rows), so the
      // loss is log(count) if the label's logit is +inf, else +inf; no inf - inf.
      total += v(r, label[r]) == row_max[r] ? std::log(static_cast<T>((v.row(r) == row_max[r]).count()))
                                            : std::numeric_limits<T>::infinity();
      continue;
    }
    total += log_sum[r] - (v(r, label[r]) - row_max[r]);
  }
  const T inv_batch = T(1) / static_cast<T>(batch);
  return scalar_result<T>("cross_entropy", total * inv_batch, in->requires_grad,
                          [logits, in, label, row_max, log_sum, n, inv_batch](T g) {
                            const auto x = value_map(static_cast<const TensorData<T>&>(*in));
                            const T scale = g * inv_batch;
                            const T cutoff = exp_underflow_cutoff<T>();
                            scatter_grad(*in, [&](auto dx) {
                              for (Index r = 0; r < n; ++r) {
                                if (!std::isfinite(row_max[r])) continue;
                                const auto log_p = (x.row(r) - row_max[r]) - log_sum[r];
                                dx.row(r) += scale * (log_p < cutoff).select(T(0), log_p.exp());
                                dx(r, label[r]) -= scale;
                              }
                            });
                          });
}

}  // namespace tropigrad
