// Shared helpers for the tests of the Tensor ops in tests/ad/ (not a public header).
#pragma once

#include "elementwise_test_util.hpp"

namespace tg_ops_test {

using RowArrayD = tropigrad::RowArray<double>;

/// Uniform random entries in [lo, hi], reproducible from `seed`.
inline RowArrayD random_array(Eigen::Index rows, Eigen::Index cols, unsigned seed, double lo = -1.0,
                              double hi = 1.0) {
  return tg_test::uniform(rows, cols, lo, hi, seed);
}

using tg_test::invalid_argument_message;

}  // namespace tg_ops_test
