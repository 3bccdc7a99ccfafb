// tropigrad/data/synthetic.hpp
//
// Small seeded 2-D classification sets for tests and examples. Each returns a
// Dataset with 2 features, 2 classes, time_steps = 1; the same seed gives the
// same points on every platform (random.hpp). Samples alternate class 0 / 1
// (sample i has label i % 2), so any prefix is balanced.
//
//   make_two_moons(n, noise, seed): sklearn's two moons. Class 0 on the upper
//     half circle (cos t, sin t), class 1 on the lower one
//     (1 - cos t, 0.5 - sin t), t uniform in [0, pi], plus N(0, noise^2)
//     per coordinate.
//   make_xor(n, noise, seed): points uniform in [-1, 1]^2, label
//     (x > 0) XOR (y > 0), computed BEFORE N(0, noise^2) jitter is added.
// samples >= 1, noise finite and >= 0; otherwise DataError.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numbers>
#include <string>

#include "tropigrad/data/dataset.hpp"
#include "tropigrad/data/errors.hpp"
#include "tropigrad/data/random.hpp"

namespace tropigrad {

namespace detail {

inline Dataset make_2d_dataset(std::string_view where, std::size_t samples, double noise) {
  if (samples == 0 || samples > (std::size_t{1} << 30)) {
    throw_data_error(where, "samples must be in 1..2^30, got " + std::to_string(samples));
  }
  if (!std::isfinite(noise) || noise < 0.0) {
    throw_data_error(where, "noise must be a finite number >= 0, got " + std::to_string(noise));
  }
  Dataset dataset;
  dataset.classes = 2;
  dataset.time_steps = 1;
  dataset.inputs.resize(static_cast<Eigen::Index>(samples), 2);
  dataset.labels.resize(samples);
  return dataset;
}

}  // namespace detail

inline Dataset make_two_moons(std::size_t samples, double noise = 0.1, std::uint64_t seed = 0) {
  Dataset dataset = detail::make_2d_dataset("tropigrad::make_two_moons", samples, noise);
  DataRng engine(derive_seed(seed, 0x4D4F4F4EULL));
  for (std::size_t i = 0; i < samples; ++i) {
    const int label = static_cast<int>(i % 2);
    const double t = std::numbers::pi * uniform01(engine);
    double x = label == 0 ? std::cos(t) : 1.0 - std::cos(t);
    double y = label == 0 ? std::sin(t) : 0.5 - std::sin(t);
    x += noise * standard_normal(engine);
    y += noise * standard_normal(engine);
    const auto row = static_cast<Eigen::Index>(i);
    dataset.inputs(row, 0) = static_cast<float>(x);
    dataset.inputs(row, 1) = static_cast<float>(y);
    dataset.labels[i] = label;
  }
  return dataset;
}

inline Dataset make_xor(std::size_t samples, double noise = 0.0, std::uint64_t seed = 0) {
  Dataset dataset = detail::make_2d_dataset("tropigrad::make_xor", samples, noise);
  DataRng engine(derive_seed(seed, 0x584F52ULL));
  for (std::size_t i = 0; i < samples; ++i) {
    const int label = static_cast<int>(i % 2);
    // Pick a quadrant of the wanted label, then a point in it.
    const bool x_positive = uniform01(engine) < 0.5;
    const bool y_positive = label == 1 ? !x_positive : x_positive;
    const double x = (x_positive ? 1.0 : -1.0) * uniform01(engine) +
                     noise * standard_normal(engine);
    const double y = (y_positive ? 1.0 : -1.0) * uniform01(engine) +
                     noise * standard_normal(engine);
    const auto row = static_cast<Eigen::Index>(i);
    dataset.inputs(row, 0) = static_cast<float>(x);
    dataset.inputs(row, 1) = static_cast<float>(y);
    dataset.labels[i] = label;
  }
  return dataset;
}

}  // namespace tropigrad
