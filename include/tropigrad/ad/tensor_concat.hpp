#pragma once
// concat({a, b, ...}, axis): joins tensors along axis 0 (stacking rows; all
// inputs need the same number of columns) or axis 1 (side by side; the same
// number of rows), like torch.cat. One tape node; the backward pass hands each
// input its block of the gradient.

#include <initializer_list>
#include <span>
#include <string>
#include <vector>

#include "tensor_grad_access.hpp"
#include "tensor_sum.hpp"

namespace tropigrad {
namespace detail {
template <class T>
Tensor<T> concat_impl(std::span<const Tensor<T>> inputs, int axis) {
  check_axis("concat", axis);
  if (inputs.empty()) throw std::invalid_argument("tropigrad::concat: got no tensors; pass at least one");
  const TensorData<T>& first = inputs[0].data();
  Index total = 0;
  bool needs_grad = false;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const TensorData<T>& d = inputs[i].data();
    const bool fits = axis == 0 ? d.cols == first.cols : d.rows == first.rows;
    if (!fits)
      throw std::invalid_argument(std::string("tropigrad::concat: along axis ") + std::to_string(axis) +
                                  " all tensors need the same number of " + (axis == 0 ? "columns" : "rows") +
                                  ", but tensor 0 has shape " + shape_string(first.rows, first.cols) + " and tensor " +
                                  std::to_string(i) + " has shape " + shape_string(d.rows, d.cols));
    total += axis == 0 ? d.rows : d.cols;
    needs_grad = needs_grad || d.requires_grad;
  }
  Tensor<T> out = axis == 0 ? new_result<T>(total, first.cols, needs_grad) : new_result<T>(first.rows, total, needs_grad);
  auto o = value_map(out.data());
  Index offset = 0;
  for (const Tensor<T>& t : inputs) {
    const TensorData<T>& d = t.data();
    if (axis == 0) {
      o.middleRows(offset, d.rows) = value_map(d);
      offset += d.rows;
    } else {
      o.middleCols(offset, d.cols) = value_map(d);
      offset += d.cols;
    }
  }
  if (!out.data().requires_grad) return out;
  record_backward("concat", out, [list = ArenaTensorList<T>(inputs), axis](const auto& g) {
    Index off = 0;
    for (std::size_t i = 0; i < list.size(); ++i) {
      TensorData<T>& d = list[i].data();
      if (axis == 0) {
        accumulate_grad(d, g.middleRows(off, d.rows));
        off += d.rows;
      } else {
        accumulate_grad(d, g.middleCols(off, d.cols));
        off += d.cols;
      }
    }
  });
  return out;
}
}  // namespace detail

/// Joins tensors along `axis` (0: rows, 1: columns): concat({a, b, c}, 0).
template <class T>
Tensor<T> concat(std::initializer_list<Tensor<T>> tensors, int axis) {
  return detail::concat_impl<T>(std::span<const Tensor<T>>(tensors.begin(), tensors.size()), axis);
}

/// Joins a vector of tensors along `axis`.
template <class T>
Tensor<T> concat(const std::vector<Tensor<T>>& tensors, int axis) {
  return detail::concat_impl<T>(std::span<const Tensor<T>>(tensors), axis);
}

}  // namespace tropigrad
