// tropigrad/data/sequential.hpp
//
// Sequential (temporal) views of static data sets.
//
//   tg::Dataset seq = tg::load_seq_fashion_mnist(tg::Split::train);
//   seq.time_steps == 28, seq.channels() == 28: the 28 rows of each image are
//   fed one per time step, 28 pixels each, a temporal task from real data
//   (the "sequential MNIST by rows" protocol).
//
// as_sequence(d, T) reinterprets each row of `d` as T consecutive chunks of
// features / T values, the time-major layout of Dataset (inputs(n, t *
// channels + c)). For a row-major 28 x 28 image with T = 28, chunk t is image
// row t. No value is changed, so the result is as deterministic as its input.
#pragma once

#include <string>
#include <utility>

#include "tropigrad/data/dataset.hpp"
#include "tropigrad/data/errors.hpp"
#include "tropigrad/data/fashion_mnist.hpp"

namespace tropigrad {

/// `dataset` with each row read as `time_steps` steps of features / time_steps channels.
inline Dataset as_sequence(Dataset dataset, int time_steps) {
  constexpr std::string_view where = "tropigrad::as_sequence";
  if (dataset.time_steps != 1) {
    detail::throw_data_error(where, "dataset must be static (time_steps == 1), got time_steps = " +
                                        std::to_string(dataset.time_steps));
  }
  if (time_steps < 1 || dataset.features() % time_steps != 0) {
    detail::throw_data_error(where, "time_steps must be >= 1 and divide the " + std::to_string(dataset.features()) +
                                        " features, got " + std::to_string(time_steps));
  }
  dataset.time_steps = time_steps;
  return dataset;
}

/// Sequential Fashion-MNIST: 28 time steps of 28 pixels (one image row per step).
inline Dataset load_seq_fashion_mnist(Split split, const FashionMnistOptions& options = {}) {
  return as_sequence(load_fashion_mnist(split, options), 28);
}

}  // namespace tropigrad
