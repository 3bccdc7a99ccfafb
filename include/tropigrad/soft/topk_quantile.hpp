#pragma once
// Soft top-k masks and soft quantiles, built on soft/sort.hpp.
//
// soft_topk_mask(x, k, options): the projection of x / strength onto the
// permutahedron of (1, ..., 1, 0, ..., 0) with k ones, i.e. onto
// {m in [0, 1]^n : sum m = k}: each entry is in [0, 1], each line sums to k, and
// strength 0 gives exactly 1 on the k largest entries and 0 elsewhere. It is
// the weighted soft_rank with those weights: one sort and one PAV per line.
// direction = ascending (the default) selects the k largest entries, as
// torch.topk; descending selects the k smallest.
//
// soft_quantile(x, q, options): the q-quantile of each line with linear
// interpolation between order statistics (NumPy's default "linear" method),
// taken on the ascending soft sort: rows x 1 for axis 1, 1 x cols for axis 0.
// soft_median is q = 0.5. Strength 0 gives the exact quantile.
//
// Throws std::invalid_argument for k outside [1, n] (n > 0), q outside [0, 1]
// or NaN, a quantile of empty lines, and everything soft_sort/soft_rank reject.

#include <algorithm>
#include <string>
#include <vector>

#include "../ad/tensor_matmul.hpp"
#include "sort.hpp"

namespace tropigrad {

namespace detail {

// The ops below with `name` naming the public function in error messages.
template <class T>
Tensor<T> topk_mask_op(const Tensor<T>& x, Index k, const SoftSortOptions& options, const char* name) {
  const std::string where = std::string("tropigrad::") + name;
  check_axis(name, options.axis);
  const Index n = options.axis == 1 ? x.cols() : x.rows();
  if (n == 0) return permutahedron_op<T>(true, x, {}, options, name);
  if (k < 1 || k > n)
    throw_invalid(where, "k must be in [1, n] = [1, " + std::to_string(n) + "] (n = the length of a line of x, shape " +
                             x.shape() + "), got " + std::to_string(k));
  std::vector<T> weights(static_cast<std::size_t>(n), T(0));
  std::fill(weights.begin(), weights.begin() + k, T(1));
  return permutahedron_op<T>(true, x, weights, options, name);
}

template <class T>
Tensor<T> quantile_op(const Tensor<T>& x, double q, const SoftSortOptions& options, const char* name) {
  const std::string where = std::string("tropigrad::") + name;
  check_axis(name, options.axis);
  if (!(q >= 0 && q <= 1)) throw_invalid(where, "q must be in [0, 1], got " + format_number(q));
  const Index n = options.axis == 1 ? x.cols() : x.rows();
  if (n == 0) throw_invalid(where, "the quantile of an empty line is undefined (x has shape " + x.shape() + ")");
  SoftSortOptions ascending = options;
  ascending.direction = SortDirection::ascending;
  const Tensor<T> sorted = permutahedron_op<T>(false, x, {}, ascending, name);
  // Linear interpolation between the order statistics at floor and ceil of q (n - 1).
  const double position = q * static_cast<double>(n - 1);
  const Index lo = std::min(static_cast<Index>(position), n - 1);
  const Index hi = std::min(lo + 1, n - 1);
  const T t = static_cast<T>(position - static_cast<double>(lo));
  RowArray<T> w = RowArray<T>::Zero(options.axis == 1 ? n : 1, options.axis == 1 ? 1 : n);
  w.data()[lo] += T(1) - t;
  w.data()[hi] += t;
  return options.axis == 1 ? matmul(sorted, Tensor<T>(w)) : matmul(Tensor<T>(w), sorted);
}

}  // namespace detail

/// Soft indicator of the k largest entries of each line (see the file comment).
template <class T>
Tensor<T> soft_topk_mask(const Tensor<T>& x, Index k, const SoftSortOptions& options = {}) {
  return detail::topk_mask_op(x, k, options, "soft_topk_mask");
}

/// Soft q-quantile of each line (see the file comment).
template <class T>
Tensor<T> soft_quantile(const Tensor<T>& x, double q, const SoftSortOptions& options = {}) {
  return detail::quantile_op(x, q, options, "soft_quantile");
}

/// Soft median of each line: soft_quantile(x, 0.5, options).
template <class T>
Tensor<T> soft_median(const Tensor<T>& x, const SoftSortOptions& options = {}) {
  return detail::quantile_op(x, 0.5, options, "soft_median");
}

}  // namespace tropigrad
