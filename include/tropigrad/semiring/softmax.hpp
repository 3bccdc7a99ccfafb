// tropigrad/semiring/softmax.hpp
//
// Numerically stable softmax with temperature eps:
//
//   softmax_eps(x)_i = exp((x_i - m) / eps) / sum_j exp((x_j - m) / eps),  m = max_j x_j
//
// It is the gradient of LSE_eps: d LSE_eps / d x_i = softmax_eps(x)_i.
// The result is finite, in [0, 1] and sums to 1 (up to rounding).
//
// Conventions:
//  - -inf entries get probability 0.
//  - If some entries are +inf, the result is the eps-independent limit:
//    uniform over the +inf entries, 0 elsewhere.
//  - Empty input -> empty output.
//  - All entries -inf: there is no distribution to return (0/0), so
//    std::invalid_argument is thrown.
//  - NaN entry: std::invalid_argument naming its index (the inputs are only
//    scanned when the normaliser comes out NaN, so the check is cheap).
//  - eps must be a finite number > 0, else std::invalid_argument.
#pragma once

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "tropigrad/semiring/contiguous.hpp"
#include "tropigrad/semiring/errors.hpp"
#include "tropigrad/semiring/lse.hpp"

namespace tropigrad {

namespace detail {

template <std::floating_point T>
void softmax_span(T eps, std::span<const T> values, std::span<T> out) {
  constexpr std::string_view where = "tropigrad::softmax";
  check_eps(eps, where);
  if (out.size() != values.size()) {
    throw_invalid(where, "out has size " + std::to_string(out.size()) + " but values has size " +
                             std::to_string(values.size()) + "; they must be equal");
  }
  const std::size_t n = values.size();
  if (n == 0) return;
  const T m = max_ignoring_nan(values);
  if (m == -std::numeric_limits<T>::infinity()) {
    check_no_nan(values, where, "values");
    throw_invalid(where,
                  "all " + std::to_string(n) +
                      " entries of values are -inf, so softmax is undefined (0/0); "
                      "at least one entry must be > -inf");
  }
  if (m == std::numeric_limits<T>::infinity()) {
    check_no_nan(values, where, "values");
    std::size_t count = 0;
    for (const T x : values) count += (x == m) ? 1 : 0;
    const T share = T(1) / static_cast<T>(count);
    for (std::size_t i = 0; i < n; ++i) out[i] = (values[i] == m) ? share : T(0);
    return;
  }
  T sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    // Read before write: out may be the very same memory as values.
    const T e = std::exp((values[i] - m) / eps);  // in [0, 1]; the max gives 1
    out[i] = e;
    sum += e;
  }
  if (sum != sum) {
    // out[i] is NaN exactly where values[i] was NaN (values may be overwritten).
    check_no_nan(std::span<const T>(out.data(), n), where, "values");
  }
  const T inverse = T(1) / sum;  // sum >= 1
  for (std::size_t i = 0; i < n; ++i) out[i] *= inverse;
}

}  // namespace detail

/// Writes softmax_eps(values) into out (same size; out may be the same memory
/// as values for an in-place softmax, but must not otherwise overlap it).
template <detail::floating_contiguous_range In, std::ranges::contiguous_range Out>
  requires std::same_as<std::ranges::range_value_t<Out>, std::ranges::range_value_t<In>> &&
           (!std::is_const_v<std::remove_reference_t<std::ranges::range_reference_t<Out>>>)
void softmax(std::ranges::range_value_t<In> eps, const In& values, Out&& out) {
  using T = std::ranges::range_value_t<In>;
  detail::softmax_span<T>(eps, detail::as_const_span(values),
                          std::span<T>(std::ranges::data(out), static_cast<std::size_t>(std::ranges::size(out))));
}

/// Returns softmax_eps(values) of a contiguous range as a std::vector.
template <detail::floating_contiguous_range R>
std::vector<std::ranges::range_value_t<R>> softmax(std::ranges::range_value_t<R> eps, const R& values) {
  using T = std::ranges::range_value_t<R>;
  std::vector<T> out(std::ranges::size(values));
  detail::softmax_span<T>(eps, detail::as_const_span(values), std::span<T>(out));
  return out;
}

/// Returns softmax_eps of a braced list: softmax(eps, {a, b, c}).
template <std::floating_point T>
std::vector<T> softmax(std::type_identity_t<T> eps, std::initializer_list<T> values) {
  std::vector<T> out(values.size());
  detail::softmax_span<T>(eps, std::span<const T>(values.begin(), values.size()), std::span<T>(out));
  return out;
}

/// Softmax over ALL coefficients of an Eigen matrix, array or expression.
/// The result has the same shape (PlainObject); each coefficient keeps its
/// position. For a per-column softmax, call it on each column.
template <class Derived>
  requires std::floating_point<typename Derived::Scalar>
typename Derived::PlainObject softmax(typename Derived::Scalar eps, const Eigen::DenseBase<Derived>& values) {
  using T = typename Derived::Scalar;
  typename Derived::PlainObject out(values.rows(), values.cols());
  detail::with_eigen_span(values, [&](std::span<const T> v) {
    detail::softmax_span<T>(eps, v, std::span<T>(out.data(), static_cast<std::size_t>(out.size())));
  });
  return out;
}

}  // namespace tropigrad
