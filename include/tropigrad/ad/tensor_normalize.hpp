#pragma once
// L2 normalisation along an axis, as torch.nn.functional.normalize(x, p=2, dim, eps):
//   y = x / max(||x||, eps)   for each row (axis 1) or each column (axis 0),
// one tape node. Backward, per line with s = max(||x||, eps):
//   ||x|| > eps:  dx = (g - y (g . y)) / s   (the projection removes the radial part)
//   otherwise:    dx = g / eps               (y = x / eps is linear there)
// A zero line gives zeros (and the gradient g / eps), never NaN.
// Throws std::invalid_argument for an axis other than 0 or 1, eps <= 0 or NaN,
// and a line with a NaN or an infinite norm (|x| beyond ~1e154 in double).

#include <cmath>
#include <string>

#include "../semiring/errors.hpp"
#include "tensor_grad_access.hpp"
#include "tensor_sum.hpp"

namespace tropigrad {

/// x / max(||x||_2, eps) along `axis` (1: each row has unit norm; 0: each column).
template <class T>
Tensor<T> normalize(const Tensor<T>& x, int axis = 1, double eps = 1e-12) {
  using namespace detail;
  check_axis("normalize", axis);
  if (!is_valid_eps(eps))
    throw_invalid("tropigrad::normalize", "eps (the smallest norm divided by) must be a finite number > 0, got " +
                                              format_number(eps));
  TensorData<T>* in = &x.data();
  const Index lines = axis == 1 ? in->rows : in->cols;
  Tensor<T> out = new_result<T>(in->rows, in->cols, in->requires_grad);
  T* scale = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(lines));  // max(||x||, eps)
  const T floor = static_cast<T>(eps);
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  auto o = value_map(out.data());
  with_lines(axis, v, [&](const auto& xl) {
    with_lines(axis, o, [&](auto&& ol) {
      for (Index r = 0; r < lines; ++r) {
        const T norm = xl.row(r).matrix().norm();
        if (!std::isfinite(norm))
          throw_invalid("tropigrad::normalize", std::string("x must be finite, but ") + (axis == 1 ? "row " : "column ") +
                                                    std::to_string(r) + " has norm " + format_number(static_cast<double>(norm)));
        scale[r] = std::max(norm, floor);
        ol.row(r) = xl.row(r) / scale[r];
      }
    });
  });
  const Eigen::Map<const RowArray<T>> y_all(o.data(), o.rows(), o.cols());
  record_backward("normalize", out, [x, in, axis, scale, floor, y_all, lines](const auto& g) {
    scatter_grad(*in, [&](auto dx) {
      with_lines(axis, y_all, [&](const auto& yl) {
        with_lines(axis, g, [&](const auto& gl) {
          with_lines(axis, dx, [&](auto&& dl) {
            for (Index r = 0; r < lines; ++r) {
              const T s = scale[r];
              if (s > floor) dl.row(r) += (gl.row(r) - yl.row(r) * (gl.row(r) * yl.row(r)).sum()) / s;
              else dl.row(r) += gl.row(r) / s;
            }
          });
        });
      });
    });
  });
  return out;
}

}  // namespace tropigrad
