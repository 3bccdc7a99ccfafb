#pragma once
// roll(x, shift, axis): periodic shift along an axis, like torch.roll:
// y[..., (i + shift) mod n] = x[..., i]. Axis 1 shifts the columns (features),
// axis 0 the rows. Negative shifts and shifts larger than n wrap around.
// The backward pass rolls the gradient back by -shift.

#include <string>

#include "tensor_grad_access.hpp"
#include "tensor_sum.hpp"

namespace tropigrad {

template <class T>
Tensor<T> roll(const Tensor<T>& x, Index shift, int axis) {
  using namespace detail;
  check_axis("roll", axis);
  TensorData<T>* in = &x.data();
  const Index n = axis == 1 ? in->cols : in->rows;
  const Index s = n == 0 ? 0 : ((shift % n) + n) % n;
  Tensor<T> out = new_result<T>(in->rows, in->cols, in->requires_grad);
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  auto o = value_map(out.data());
  // Along axis 1 of m, or along axis 1 of m^T (= axis 0 of m).
  with_lines(axis == 1 ? 1 : 0, v, [&](const auto& src) {
    with_lines(axis == 1 ? 1 : 0, o, [&](auto&& dst) {
      dst.rightCols(n - s) = src.leftCols(n - s);
      dst.leftCols(s) = src.rightCols(s);
    });
  });
  record_backward("roll", out, [x, in, s, n, axis](const auto& g) {
    update_grad(*in, [&](auto dx_matrix, bool fresh) {
      auto dx = dx_matrix.array();
      with_lines(axis == 1 ? 1 : 0, g, [&](const auto& src) {
        with_lines(axis == 1 ? 1 : 0, dx, [&](auto&& dst) {
          if (fresh) {
            dst.leftCols(n - s) = src.rightCols(n - s);
            dst.rightCols(s) = src.leftCols(s);
          } else {
            dst.leftCols(n - s) += src.rightCols(n - s);
            dst.rightCols(s) += src.leftCols(s);
          }
        });
      });
    });
  });
  return out;
}

}  // namespace tropigrad
