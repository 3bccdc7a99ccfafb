#pragma once
// Scalar reductions of products: dot(a, b) = sum_ij a_ij b_ij (the Frobenius
// inner product; for vectors the dot product) and squared_norm(x) = dot(x, x).
// Both return a scalar Var.

#include "tensor_op.hpp"

namespace tropigrad {

/// sum of a * b over all elements. Throws std::invalid_argument naming both shapes unless they are equal.
template <class T>
Var<T> dot(const Tensor<T>& a, const Tensor<T>& b) {
  using namespace detail;
  TensorData<T>* da = &a.data();
  TensorData<T>* db = &b.data();
  check_same_shape("dot", da->rows, da->cols, db->rows, db->cols);
  const auto av = value_map(static_cast<const TensorData<T>&>(*da));
  const auto bv = value_map(static_cast<const TensorData<T>&>(*db));
  const T value = (av * bv).sum();
  return scalar_result<T>("dot", value, da->requires_grad || db->requires_grad, [a, b, da, db](T g) {
    accumulate_grad(*da, value_map(static_cast<const TensorData<T>&>(*db)) * g);
    accumulate_grad(*db, value_map(static_cast<const TensorData<T>&>(*da)) * g);
  });
}

/// sum of x^2 over all elements.
template <class T>
Var<T> squared_norm(const Tensor<T>& x) {
  using namespace detail;
  TensorData<T>* d = &x.data();
  const T value = value_map(static_cast<const TensorData<T>&>(*d)).matrix().squaredNorm();
  return scalar_result<T>("squared_norm", value, d->requires_grad, [x, d](T g) {
    accumulate_grad(*d, value_map(static_cast<const TensorData<T>&>(*d)) * (T(2) * g));
  });
}

}  // namespace tropigrad
