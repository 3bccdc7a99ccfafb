#pragma once
// Shared by the tests of soft/: reproducible random inputs.

#include <random>

#include "tropigrad/ad/tensor.hpp"

namespace soft_test {

/// Uniform random array in [lo, hi), reproducible from `seed`.
inline tropigrad::RowArray<double> random_array(Eigen::Index rows, Eigen::Index cols, unsigned seed, double lo = -1.0,
                                                double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  tropigrad::RowArray<double> a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

}  // namespace soft_test
