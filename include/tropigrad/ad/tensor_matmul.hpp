#pragma once
// Matrix products on Tensors, each one tape node running Eigen's GEMM:
//   matmul(A, B)     A (m x k) times B (k x n) -> m x n; B of shape k x 1 gives
//                    a matrix-vector product.
//   transpose(x)     rows x cols -> cols x rows.
//   linear(x, W, b)  x W^T + b, PyTorch's layout: x is batch x in, W is out x in,
//                    b is 1 x out (broadcast over the batch); linear(x, W) has no bias.
// Backward: dA += G B^T, dB += A^T G (and for linear dx += G W, dW += G^T x,
// db += column sums of G), skipping inputs that do not require a gradient.

#include <string>

#include "tensor_grad_access.hpp"

namespace tropigrad {
namespace detail {
template <class T>
Eigen::Map<const RowMatrix<T>> matrix_map(const TensorData<T>& d) {
  return {d.value, d.rows, d.cols};
}
template <class T>
Eigen::Map<const RowMatrix<T>> grad_matrix_map(const Eigen::Map<const RowArray<T>>& g) {
  return {g.data(), g.rows(), g.cols()};
}
}  // namespace detail

/// Matrix product A B. Throws std::invalid_argument naming both shapes unless A.cols() == B.rows().
template <class T>
Tensor<T> matmul(const Tensor<T>& A, const Tensor<T>& B) {
  using namespace detail;
  TensorData<T>* a = &A.data();
  TensorData<T>* b = &B.data();
  if (a->cols != b->rows)
    throw std::invalid_argument("tropigrad::matmul: shapes " + A.shape() + " and " + B.shape() +
                                " cannot be multiplied (the first one's columns, " + std::to_string(a->cols) +
                                ", must equal the second one's rows, " + std::to_string(b->rows) + ")");
  Tensor<T> out = new_result<T>(a->rows, b->cols, a->requires_grad || b->requires_grad);
  Eigen::Map<RowMatrix<T>> o(out.data().value, a->rows, b->cols);
  o.noalias() = matrix_map(*a) * matrix_map(*b);
  record_backward("matmul", out, [A, B, a, b](const auto& g) {
    const auto G = grad_matrix_map<T>(g);
    update_grad(*a, [&](auto dA, bool fresh) {
      if (fresh) dA.noalias() = G * matrix_map(*b).transpose();
      else dA.noalias() += G * matrix_map(*b).transpose();
    });
    update_grad(*b, [&](auto dB, bool fresh) {
      if (fresh) dB.noalias() = matrix_map(*a).transpose() * G;
      else dB.noalias() += matrix_map(*a).transpose() * G;
    });
  });
  return out;
}

/// The transpose, as a new tensor (a copy; Tensors are always contiguous row-major).
template <class T>
Tensor<T> transpose(const Tensor<T>& x) {
  using namespace detail;
  TensorData<T>* in = &x.data();
  Tensor<T> out = new_result<T>(in->cols, in->rows, in->requires_grad);
  value_map(out.data()) = value_map(static_cast<const TensorData<T>&>(*in)).transpose();
  record_backward("transpose", out, [x, in](const auto& g) { accumulate_grad(*in, g.transpose()); });
  return out;
}

namespace detail {
template <class T>
Tensor<T> linear_impl(const Tensor<T>& X, const Tensor<T>& W, const Tensor<T>* B) {
  TensorData<T>* x = &X.data();
  TensorData<T>* w = &W.data();
  TensorData<T>* b = B ? &B->data() : nullptr;
  if (x->cols != w->cols)
    throw std::invalid_argument("tropigrad::linear: input shape " + X.shape() + " and weight shape " + W.shape() +
                                " do not fit (the weight is out x in, so its columns, " + std::to_string(w->cols) +
                                ", must equal the input's columns, " + std::to_string(x->cols) + ")");
  if (b && (b->rows != 1 || b->cols != w->rows))
    throw std::invalid_argument("tropigrad::linear: bias shape " + B->shape() + " does not fit weight shape " +
                                W.shape() + " (expected a bias of shape " + shape_string(1, w->rows) + ")");
  const bool needs_grad = x->requires_grad || w->requires_grad || (b && b->requires_grad);
  Tensor<T> out = new_result<T>(x->rows, w->rows, needs_grad);
  Eigen::Map<RowMatrix<T>> o(out.data().value, x->rows, w->rows);
  o.noalias() = matrix_map(*x) * matrix_map(*w).transpose();
  if (b) o.rowwise() += matrix_map(*b).row(0);
  Tensor<T> bias_handle = B ? *B : Tensor<T>();
  record_backward("linear", out, [X, W, bias_handle, x, w, b](const auto& g) {
    const auto G = grad_matrix_map<T>(g);
    update_grad(*x, [&](auto dx, bool fresh) {
      if (fresh) dx.noalias() = G * matrix_map(*w);
      else dx.noalias() += G * matrix_map(*w);
    });
    update_grad(*w, [&](auto dW, bool fresh) {
      if (fresh) dW.noalias() = G.transpose() * matrix_map(*x);
      else dW.noalias() += G.transpose() * matrix_map(*x);
    });
    if (b) accumulate_grad(*b, g.colwise().sum());
  });
  return out;
}
}  // namespace detail

/// x W^T + b: x is batch x in, W is out x in, b is 1 x out. One tape node.
template <class T>
Tensor<T> linear(const Tensor<T>& x, const Tensor<T>& W, const Tensor<T>& b) {
  return detail::linear_impl<T>(x, W, &b);
}

/// x W^T (no bias).
template <class T>
Tensor<T> linear(const Tensor<T>& x, const Tensor<T>& W) {
  return detail::linear_impl<T>(x, W, nullptr);
}

}  // namespace tropigrad
