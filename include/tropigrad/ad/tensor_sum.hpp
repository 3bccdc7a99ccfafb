#pragma once
// sum and mean, over all elements (giving a scalar Var) or along an axis
// (axis 0 reduces the rows, giving 1 x cols; axis 1 reduces the columns,
// giving rows x 1), as in NumPy and PyTorch.

#include <string>

#include "tensor_op.hpp"

namespace tropigrad {
namespace detail {
inline void check_axis(const char* op, int axis) {
  if (axis != 0 && axis != 1)
    throw std::invalid_argument(std::string("tropigrad::") + op + ": axis must be 0 (rows) or 1 (columns), got " +
                                std::to_string(axis));
}

template <class T>
Tensor<T> sum_along(const char* name, const Tensor<T>& x, int axis, T scale) {
  check_axis(name, axis);
  TensorData<T>* in = &x.data();
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  Tensor<T> out = axis == 0 ? new_result<T>(1, in->cols, in->requires_grad) : new_result<T>(in->rows, 1, in->requires_grad);
  if (axis == 0) {
    value_map(out.data()) = v.colwise().sum() * scale;
  } else {
    value_map(out.data()) = v.rowwise().sum() * scale;
  }
  record_backward(name, out, [x, in, axis, scale](const auto& g) {
    if (axis == 0) {
      accumulate_grad(*in, (g * scale).replicate(in->rows, 1));
    } else {
      accumulate_grad(*in, (g * scale).replicate(1, in->cols));
    }
  });
  return out;
}
}  // namespace detail

/// Sum of all elements, as a scalar Var.
template <class T>
Var<T> sum(const Tensor<T>& x) {
  detail::TensorData<T>* in = &x.data();
  return detail::scalar_result<T>("sum", detail::value_map(static_cast<const detail::TensorData<T>&>(*in)).sum(),
                                  in->requires_grad, [x, in](T g) { detail::accumulate_grad_constant(*in, g); });
}

/// Mean of all elements, as a scalar Var.
template <class T>
Var<T> mean(const Tensor<T>& x) {
  detail::TensorData<T>* in = &x.data();
  if (in->size() == 0) throw std::invalid_argument("tropigrad::mean: the tensor is empty (shape " + x.shape() + ")");
  const T scale = T(1) / static_cast<T>(in->size());
  return detail::scalar_result<T>("mean",
                                  detail::value_map(static_cast<const detail::TensorData<T>&>(*in)).sum() * scale,
                                  in->requires_grad, [x, in, scale](T g) { detail::accumulate_grad_constant(*in, g * scale); });
}

template <class T>
Tensor<T> sum(const Tensor<T>& x, int axis) {
  return detail::sum_along<T>("sum", x, axis, T(1));
}

template <class T>
Tensor<T> mean(const Tensor<T>& x, int axis) {
  detail::check_axis("mean", axis);
  const Index n = axis == 0 ? x.rows() : x.cols();
  if (n == 0) throw std::invalid_argument("tropigrad::mean: cannot average along an empty axis of shape " + x.shape());
  return detail::sum_along<T>("mean", x, axis, T(1) / static_cast<T>(n));
}

}  // namespace tropigrad
