// tropigrad/data/randman.hpp
//
// Randman: random smooth manifolds of spike times (after Zenke & Vogels 2021,
// "The remarkable robustness of surrogate gradient learning for instilling
// complex function in spiking neural networks"). A temporal classification
// task that a static image cannot pose: the class is in WHEN each channel
// fires.
//
//   tg::Dataset d = tg::make_randman({.classes = 10, .channels = 100,
//                                     .time_steps = 100, .seed = 1});
//   d.inputs: (classes * samples_per_class) x (time_steps * channels), 0/1
//   tg::spike_raster(d, n): sample n as a time_steps x channels matrix
//
// Construction, per class k and per spike s < spikes_per_channel:
//  - a random smooth map f_k,s: [0,1]^manifold_dim -> R^channels, output c
//      f_c(x) = prod_d sum_{i=0}^{F-1} a_cdi (i+1)^-alpha
//                                 sin(2 pi (i x_d b_cdi + p_cdi)),
//    a, b, p uniform in [0, 1): random Fourier features whose spectrum falls
//    off as (i+1)^-alpha (larger alpha: smoother manifold). F = frequencies,
//    by default min(ceil(1e-3^(-1/alpha)), 1000) (terms above 1e-3 of the
//    first);
//  - samples_per_class points x uniform in [0,1]^manifold_dim (shared by the
//    spikes of a class);
//  - each channel's values standardised over the class's samples to [0, 1)
//    by (v - min) / (max - min + 1e-7), then mapped to the time step
//    floor(v * time_steps) (clamped to time_steps - 1).
// The raster has a 1 at (t, c) for each spike; spikes of one channel that
// fall in the same step merge into one 1 (the raster is binary).
//
// Layout: Dataset::inputs row n = sample n, time-major: inputs(n, t *
// channels + c); Dataset::time_steps = time_steps. Samples are shuffled
// (shuffle = true) or grouped by class. Everything is drawn from
// std::mt19937_64 streams derived from `seed` with portable sampling (see
// random.hpp): the same seed gives the same data set on every platform.
// Invalid options throw DataError naming the option and the value.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "tropigrad/data/dataset.hpp"
#include "tropigrad/data/errors.hpp"
#include "tropigrad/data/random.hpp"

namespace tropigrad {

struct RandmanOptions {
  int classes = 10;
  int channels = 100;          ///< input units (spike trains)
  int time_steps = 100;        ///< T
  int samples_per_class = 1000;
  int manifold_dim = 2;        ///< intrinsic dimension d of each class manifold
  int spikes_per_channel = 1;
  double alpha = 2.0;          ///< spectral fall-off: smoothness (> 0)
  int frequencies = 0;         ///< Fourier terms F; 0 = min(ceil(1e-3^(-1/alpha)), 1000)
  std::uint64_t seed = 0;
  bool shuffle = true;
};

namespace detail {

inline constexpr std::string_view randman_where = "tropigrad::make_randman";

inline void check_positive(std::string_view name, long long value, long long max) {
  if (value < 1 || value > max) {
    throw_data_error(randman_where, std::string(name) + " must be in 1.." + std::to_string(max) +
                                        ", got " + std::to_string(value));
  }
}

inline int randman_frequencies(const RandmanOptions& options) {
  if (options.frequencies > 0) return options.frequencies;
  const double cutoff = std::ceil(std::pow(1e-3, -1.0 / options.alpha));
  return static_cast<int>(std::clamp(cutoff, 1.0, 1000.0));
}

}  // namespace detail

/// Generates a Randman spike-raster data set. Throws DataError for invalid
/// options (each count must be >= 1; alpha finite and > 0; at most 2^31
/// raster elements in total).
inline Dataset make_randman(const RandmanOptions& options = {}) {
  using detail::check_positive;
  check_positive("classes", options.classes, 1 << 20);
  check_positive("channels", options.channels, 1 << 20);
  check_positive("time_steps", options.time_steps, 1 << 20);
  check_positive("samples_per_class", options.samples_per_class, 1 << 30);
  check_positive("manifold_dim", options.manifold_dim, 64);
  check_positive("spikes_per_channel", options.spikes_per_channel, 1 << 10);
  if (!std::isfinite(options.alpha) || options.alpha <= 0.0) {
    detail::throw_data_error(detail::randman_where,
                             "alpha must be a finite number > 0, got " +
                                 std::to_string(options.alpha));
  }
  if (options.frequencies < 0 || options.frequencies > 100000) {
    detail::throw_data_error(detail::randman_where,
                             "frequencies must be in 0..100000 (0 = automatic), got " +
                                 std::to_string(options.frequencies));
  }
  const std::uint64_t samples =
      std::uint64_t(options.classes) * std::uint64_t(options.samples_per_class);
  const std::uint64_t features = std::uint64_t(options.time_steps) * std::uint64_t(options.channels);
  constexpr std::uint64_t cap = std::uint64_t{1} << 31;
  if (samples > cap || features > cap || samples * features > cap) {
    detail::throw_data_error(detail::randman_where,
                             "classes * samples_per_class * time_steps * channels must be <= 2^31, "
                             "got " + std::to_string(samples) + " samples x " +
                                 std::to_string(features) + " features");
  }

  const auto channels = static_cast<std::size_t>(options.channels);
  const auto dims = static_cast<std::size_t>(options.manifold_dim);
  const auto per_class = static_cast<std::size_t>(options.samples_per_class);
  const auto frequencies = static_cast<std::size_t>(detail::randman_frequencies(options));
  const int steps = options.time_steps;

  std::vector<double> spectrum(frequencies);
  for (std::size_t i = 0; i < frequencies; ++i) {
    spectrum[i] = std::pow(static_cast<double>(i + 1), -options.alpha);
  }

  Dataset dataset;
  dataset.classes = options.classes;
  dataset.time_steps = steps;
  dataset.inputs = RowMatrixXf::Zero(static_cast<Eigen::Index>(samples),
                                     static_cast<Eigen::Index>(features));
  dataset.labels.resize(static_cast<std::size_t>(samples));

  std::vector<double> points(per_class * dims);
  std::vector<double> amplitude(channels * dims * frequencies);
  std::vector<double> frequency(amplitude.size());
  std::vector<double> phase(amplitude.size());
  std::vector<double> values(per_class * channels);
  constexpr double two_pi = 2.0 * std::numbers::pi;

  for (int k = 0; k < options.classes; ++k) {
    const auto klass = static_cast<std::uint64_t>(k);
    DataRng point_engine(derive_seed(options.seed, 2 * klass + 1));
    for (double& x : points) x = uniform01(point_engine);
    const std::size_t first_row = static_cast<std::size_t>(k) * per_class;
    for (std::size_t n = 0; n < per_class; ++n) dataset.labels[first_row + n] = k;

    for (int s = 0; s < options.spikes_per_channel; ++s) {
      DataRng engine(derive_seed(options.seed, 2 * klass + 2, static_cast<std::uint64_t>(s)));
      for (std::size_t j = 0; j < amplitude.size(); ++j) {
        amplitude[j] = uniform01(engine);
        frequency[j] = uniform01(engine);
        phase[j] = uniform01(engine);
      }
      // f_c(x) = prod_d sum_i a (i+1)^-alpha sin(2 pi (i x_d b + p)).
      for (std::size_t n = 0; n < per_class; ++n) {
        for (std::size_t c = 0; c < channels; ++c) {
          double product = 1.0;
          for (std::size_t d = 0; d < dims; ++d) {
            const double x = points[n * dims + d];
            const std::size_t base = (c * dims + d) * frequencies;
            double sum = 0.0;
            for (std::size_t i = 0; i < frequencies; ++i) {
              sum += amplitude[base + i] * spectrum[i] *
                     std::sin(two_pi * (static_cast<double>(i) * x * frequency[base + i] +
                                        phase[base + i]));
            }
            product *= sum;
          }
          values[n * channels + c] = product;
        }
      }
      // Standardise each channel over the class to [0, 1), then to a step.
      for (std::size_t c = 0; c < channels; ++c) {
        double lo = std::numeric_limits<double>::infinity();
        double hi = -lo;
        for (std::size_t n = 0; n < per_class; ++n) {
          lo = std::min(lo, values[n * channels + c]);
          hi = std::max(hi, values[n * channels + c]);
        }
        const double range = hi - lo + 1e-7;
        for (std::size_t n = 0; n < per_class; ++n) {
          const double unit = (values[n * channels + c] - lo) / range;
          const int t = std::clamp(static_cast<int>(unit * steps), 0, steps - 1);
          dataset.inputs(static_cast<Eigen::Index>(first_row + n),
                         static_cast<Eigen::Index>(static_cast<std::size_t>(t) * channels + c)) =
              1.0f;
        }
      }
    }
  }

  if (options.shuffle) {
    std::vector<std::size_t> order(static_cast<std::size_t>(samples));
    std::iota(order.begin(), order.end(), std::size_t{0});
    DataRng engine(derive_seed(options.seed, 0, 0x5348554646ULL));
    shuffle_in_place(std::span<std::size_t>(order), engine);
    RowMatrixXf shuffled(dataset.inputs.rows(), dataset.inputs.cols());
    std::vector<int> labels(dataset.labels.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
      shuffled.row(static_cast<Eigen::Index>(i)) =
          dataset.inputs.row(static_cast<Eigen::Index>(order[i]));
      labels[i] = dataset.labels[order[i]];
    }
    dataset.inputs = std::move(shuffled);
    dataset.labels = std::move(labels);
  }
  return dataset;
}

}  // namespace tropigrad
