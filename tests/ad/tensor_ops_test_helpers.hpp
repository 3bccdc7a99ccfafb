// Shared helpers for the tests of the Tensor ops in tests/ad/ (not a public header).
#pragma once

#include <random>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "tropigrad/ad/tensor.hpp"

namespace tg_ops_test {

using RowArrayD = tropigrad::RowArray<double>;

/// Uniform random entries in [lo, hi), reproducible from `seed`.
inline RowArrayD random_array(Eigen::Index rows, Eigen::Index cols, unsigned seed, double lo = -1.0,
                              double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  RowArrayD a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

/// The what() of the std::invalid_argument thrown by f, or "<no exception>".
template <class F>
std::string invalid_argument_message(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace tg_ops_test
