#pragma once
// Eigen::NumTraits<Var<T>>, so that small Eigen::Matrix<Var<T>, ...> expressions
// work. This is a convenience: each coefficient is a scalar tape entry. For
// anything sized like data, use Tensor, which is one node per operation.

#include <Eigen/Core>

#include "scalar_abs_min_max.hpp"
#include "scalar_arithmetic.hpp"
#include "scalar_compare.hpp"
#include "scalar_exp_log.hpp"
#include "scalar_power.hpp"
#include "scalar_trig.hpp"
#include "var.hpp"

namespace Eigen {

template <class T>
struct NumTraits<tropigrad::Var<T>> : NumTraits<T> {
  using Real = tropigrad::Var<T>;
  using NonInteger = tropigrad::Var<T>;
  using Nested = tropigrad::Var<T>;
  using Literal = T;
  enum {
    IsComplex = 0,
    IsInteger = 0,
    IsSigned = 1,
    RequireInitialization = 1,
    ReadCost = 1,
    AddCost = 3,
    MulCost = 3
  };
  static inline Real epsilon() { return tropigrad::Var<T>::constant(NumTraits<T>::epsilon()); }
  static inline Real dummy_precision() { return tropigrad::Var<T>::constant(NumTraits<T>::dummy_precision()); }
  static inline Real highest() { return tropigrad::Var<T>::constant(NumTraits<T>::highest()); }
  static inline Real lowest() { return tropigrad::Var<T>::constant(NumTraits<T>::lowest()); }
  static inline int digits10() { return NumTraits<T>::digits10(); }
};

// Mixed Var/number expressions such as (matrix of Var) * 2.0.
template <class T, typename BinaryOp>
struct ScalarBinaryOpTraits<tropigrad::Var<T>, T, BinaryOp> {
  using ReturnType = tropigrad::Var<T>;
};
template <class T, typename BinaryOp>
struct ScalarBinaryOpTraits<T, tropigrad::Var<T>, BinaryOp> {
  using ReturnType = tropigrad::Var<T>;
};

}  // namespace Eigen
