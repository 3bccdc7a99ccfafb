// tropigrad/data/dataset.hpp
//
// Dataset: the in-memory form every loader and generator of data/ returns.
//
//   inputs      N x F row-major float matrix, one sample per row
//   labels      N class indices in [0, classes)
//   classes     number of classes
//   time_steps  T >= 1. For temporal data (Randman) each row is a spike
//               raster of T x (F / T) values stored time-major:
//               inputs(n, t * channels + c). Static data has T = 1.
//
// spike_raster(dataset, n) views row n as a T x channels row-major matrix
// without copying.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "tropigrad/data/errors.hpp"

namespace tropigrad {

/// Row-major float matrix: the storage of data-set inputs and batches.
using RowMatrixXf = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Dataset {
  RowMatrixXf inputs;        ///< N x features, one sample per row
  std::vector<int> labels;   ///< N labels in [0, classes)
  int classes = 0;           ///< number of classes
  int time_steps = 1;        ///< T; features = T * channels() for temporal data

  std::size_t size() const { return labels.size(); }
  Eigen::Index features() const { return inputs.cols(); }
  /// Features per time step (all features when time_steps == 1).
  Eigen::Index channels() const { return time_steps > 0 ? inputs.cols() / time_steps : 0; }
};

/// Row `sample` of a temporal data set as a T x channels row-major view.
inline Eigen::Map<const RowMatrixXf> spike_raster(const Dataset& dataset, std::size_t sample) {
  if (sample >= dataset.size() || static_cast<Eigen::Index>(sample) >= dataset.inputs.rows()) {
    detail::throw_data_error("tropigrad::spike_raster",
                             "sample must be < " + std::to_string(dataset.size()) + ", got " +
                                 std::to_string(sample));
  }
  return Eigen::Map<const RowMatrixXf>(
      dataset.inputs.data() + static_cast<Eigen::Index>(sample) * dataset.inputs.cols(),
      dataset.time_steps, dataset.channels());
}

}  // namespace tropigrad
