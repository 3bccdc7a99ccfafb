// tropigrad/data/batches.hpp
//
// Seeded shuffled mini-batches with no allocation in the training loop.
//
//   tg::BatchSampler sampler(train.size(), 128, {.seed = 42});
//   tg::Batch batch(128, train.features());          // allocated once
//   for (int epoch = 0; epoch < epochs; ++epoch) {
//     sampler.set_epoch(epoch);                      // permutation of epoch
//     for (std::size_t b = 0; b < sampler.batches_per_epoch(); ++b) {
//       tg::gather_batch(train, sampler.batch(b), batch);
//       use(batch.inputs(), batch.targets());        // batch.size() rows
//     }
//   }
//
// The order of epoch e depends only on (seed, e): set_epoch can be called in
// any order and gives the same permutation (mt19937_64 seeded with
// derive_seed(seed, e), portable Fisher-Yates, see random.hpp). With
// shuffle = false the order is 0..N-1. The last partial batch is kept
// (drop_last = false, the default) or dropped.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "tropigrad/data/dataset.hpp"
#include "tropigrad/data/errors.hpp"
#include "tropigrad/data/random.hpp"

namespace tropigrad {

struct BatchOptions {
  std::uint64_t seed = 0;
  bool shuffle = true;
  bool drop_last = false;  ///< drop the last batch if it has fewer than batch_size samples
};

/// Index permutation per epoch, cut into batches.
class BatchSampler {
 public:
  BatchSampler(std::size_t dataset_size, std::size_t batch_size, BatchOptions options = {})
      : batch_size_(batch_size), options_(options), order_(dataset_size) {
    if (batch_size == 0) {
      detail::throw_data_error("tropigrad::BatchSampler", "batch_size must be >= 1, got 0");
    }
    set_epoch(0);
  }

  /// Makes the order of `epoch` current. Deterministic in (seed, epoch).
  void set_epoch(std::uint64_t epoch) {
    epoch_ = epoch;
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    if (options_.shuffle) {
      DataRng engine(derive_seed(options_.seed, epoch));
      shuffle_in_place(std::span<std::size_t>(order_), engine);
    }
  }

  std::uint64_t epoch() const { return epoch_; }
  std::size_t dataset_size() const { return order_.size(); }
  std::size_t batch_size() const { return batch_size_; }

  /// Batches in an epoch (the partial one counted unless drop_last).
  std::size_t batches_per_epoch() const {
    const std::size_t full = order_.size() / batch_size_;
    return (options_.drop_last || order_.size() % batch_size_ == 0) ? full : full + 1;
  }

  /// The permutation of the current epoch.
  std::span<const std::size_t> order() const { return order_; }

  /// Indices of batch b of the current epoch (a view into order()).
  std::span<const std::size_t> batch(std::size_t b) const {
    if (b >= batches_per_epoch()) {
      detail::throw_data_error("tropigrad::BatchSampler::batch",
                               "batch index must be < " + std::to_string(batches_per_epoch()) +
                                   ", got " + std::to_string(b));
    }
    const std::size_t begin = b * batch_size_;
    const std::size_t count = std::min(batch_size_, order_.size() - begin);
    return std::span<const std::size_t>(order_).subspan(begin, count);
  }

 private:
  std::size_t batch_size_;
  BatchOptions options_;
  std::vector<std::size_t> order_;
  std::uint64_t epoch_ = 0;
};

/// A preallocated batch buffer: `capacity` rows. gather_batch fills the first
/// size() rows; inputs() / targets() view exactly those.
struct Batch {
  RowMatrixXf storage;
  std::vector<int> labels;
  std::size_t count = 0;

  Batch() = default;
  Batch(std::size_t capacity, Eigen::Index features)
      : storage(static_cast<Eigen::Index>(capacity), features), labels(capacity, 0) {}

  std::size_t size() const { return count; }
  std::size_t capacity() const { return labels.size(); }
  auto inputs() { return storage.topRows(static_cast<Eigen::Index>(count)); }
  auto inputs() const { return storage.topRows(static_cast<Eigen::Index>(count)); }
  std::span<const int> targets() const { return std::span<const int>(labels).first(count); }
};

/// Copies rows `indices` of `source` into the first indices.size() rows of
/// `destination`. No allocation. Throws DataError on a shape mismatch or an
/// index out of range.
inline void gather_rows(const RowMatrixXf& source, std::span<const std::size_t> indices,
                        RowMatrixXf& destination) {
  constexpr std::string_view where = "tropigrad::gather_rows";
  if (static_cast<Eigen::Index>(indices.size()) > destination.rows() ||
      destination.cols() != source.cols()) {
    detail::throw_data_error(where, "destination must have >= " + std::to_string(indices.size()) +
                                        " rows and " + std::to_string(source.cols()) +
                                        " columns, got " + std::to_string(destination.rows()) +
                                        " x " + std::to_string(destination.cols()));
  }
  const Eigen::Index cols = source.cols();
  for (std::size_t i = 0; i < indices.size(); ++i) {
    if (indices[i] >= static_cast<std::size_t>(source.rows())) {
      detail::throw_data_error(where, "index must be < " + std::to_string(source.rows()) +
                                          ", got " + std::to_string(indices[i]) +
                                          " at position " + std::to_string(i));
    }
    const float* from = source.data() + static_cast<Eigen::Index>(indices[i]) * cols;
    std::copy_n(from, cols, destination.data() + static_cast<Eigen::Index>(i) * cols);
  }
}

/// Gathers the samples `indices` of `dataset` (inputs and labels) into
/// `batch`. No allocation. Throws DataError if batch is too small or has the
/// wrong number of features, or an index is out of range.
inline void gather_batch(const Dataset& dataset, std::span<const std::size_t> indices,
                         Batch& batch) {
  if (indices.size() > batch.capacity()) {
    detail::throw_data_error("tropigrad::gather_batch",
                             "batch capacity must be >= " + std::to_string(indices.size()) +
                                 " samples, got " + std::to_string(batch.capacity()));
  }
  if (dataset.labels.size() != static_cast<std::size_t>(dataset.inputs.rows())) {
    detail::throw_data_error("tropigrad::gather_batch",
                             "dataset has " + std::to_string(dataset.inputs.rows()) +
                                 " input rows but " + std::to_string(dataset.labels.size()) +
                                 " labels; expected equal counts");
  }
  gather_rows(dataset.inputs, indices, batch.storage);
  for (std::size_t i = 0; i < indices.size(); ++i) batch.labels[i] = dataset.labels[indices[i]];
  batch.count = indices.size();
}

}  // namespace tropigrad
