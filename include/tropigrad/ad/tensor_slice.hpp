#pragma once
// Selecting parts of a tensor, one tape node each:
//   slice_rows(x, begin, count)        rows begin .. begin + count - 1 (e.g. a mini-batch);
//   index_select(x, indices, axis)     the rows (axis 0) or columns (axis 1) listed in
//                                      `indices`, in that order, repeats allowed
//                                      (like torch.index_select);
//   gather(x, indices, axis)           the same as index_select (whole rows / columns,
//                                      not torch.gather's per-element picking).
// `indices` is any integer vector with size() and operator[]: std::vector<int>,
// std::vector<Eigen::Index>, std::span, Eigen::VectorXi, ...
// The gradient scatters back and accumulates over repeated indices.

#include <concepts>
#include <string>

#include "tensor_grad_access.hpp"
#include "tensor_sum.hpp"

namespace tropigrad {

/// An integer index vector: std::vector<int>, std::span<const long>, Eigen::VectorXi, ...
template <class I>
concept IndexVector = requires(const I& v) {
  { v.size() } -> std::convertible_to<std::size_t>;
  { v[0] } -> std::convertible_to<Index>;
} && std::integral<std::remove_cvref_t<decltype(std::declval<const I&>()[0])>>;

/// Rows begin .. begin + count - 1 of x.
template <class T>
Tensor<T> slice_rows(const Tensor<T>& x, Index begin, Index count) {
  using namespace detail;
  TensorData<T>* in = &x.data();
  if (begin < 0 || count < 0 || begin > in->rows || count > in->rows - begin)
    throw std::invalid_argument("tropigrad::slice_rows: rows " + std::to_string(begin) + " .. " +
                                std::to_string(begin + count) + " (begin " + std::to_string(begin) + ", count " +
                                std::to_string(count) + ") are out of range for a tensor of shape " + x.shape() +
                                "; need 0 <= begin and begin + count <= " + std::to_string(in->rows));
  Tensor<T> out = new_result<T>(count, in->cols, in->requires_grad);
  value_map(out.data()) = value_map(static_cast<const TensorData<T>&>(*in)).middleRows(begin, count);
  record_backward("slice_rows", out, [x, in, begin, count](const auto& g) {
    scatter_grad(*in, [&](auto dx) { dx.middleRows(begin, count) += g; });
  });
  return out;
}

/// The rows (axis 0) or columns (axis 1) of x listed in `indices`, in order.
template <class T, IndexVector I>
Tensor<T> index_select(const Tensor<T>& x, const I& indices, int axis) {
  using namespace detail;
  check_axis("index_select", axis);
  TensorData<T>* in = &x.data();
  const Index n = static_cast<Index>(indices.size());
  const Index extent = axis == 0 ? in->rows : in->cols;
  Index* idx = tape<T>().arena().template allocate_array<Index>(static_cast<std::size_t>(n));
  for (Index k = 0; k < n; ++k) {
    const Index i = static_cast<Index>(indices[static_cast<decltype(indices.size())>(k)]);
    if (i < 0 || i >= extent)
      throw std::invalid_argument("tropigrad::index_select: index " + std::to_string(i) + " at position " +
                                  std::to_string(k) + " is out of range for axis " + std::to_string(axis) +
                                  " of a tensor of shape " + x.shape() + " (valid: 0 .. " +
                                  std::to_string(extent - 1) + ")");
    idx[k] = i;
  }
  Tensor<T> out = axis == 0 ? new_result<T>(n, in->cols, in->requires_grad) : new_result<T>(in->rows, n, in->requires_grad);
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  auto o = value_map(out.data());
  if (axis == 0) {
    for (Index k = 0; k < n; ++k) o.row(k) = v.row(idx[k]);
  } else {
    for (Index k = 0; k < n; ++k) o.col(k) = v.col(idx[k]);
  }
  record_backward("index_select", out, [x, in, idx, n, axis](const auto& g) {
    scatter_grad(*in, [&](auto dx) {
      if (axis == 0) {
        for (Index k = 0; k < n; ++k) dx.row(idx[k]) += g.row(k);
      } else {
        for (Index k = 0; k < n; ++k) dx.col(idx[k]) += g.col(k);
      }
    });
  });
  return out;
}

/// Same as index_select(x, indices, axis).
template <class T, IndexVector I>
Tensor<T> gather(const Tensor<T>& x, const I& indices, int axis) {
  return index_select(x, indices, axis);
}

}  // namespace tropigrad
