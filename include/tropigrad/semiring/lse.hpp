// tropigrad/semiring/lse.hpp
//
// Numerically stable log-sum-exp with temperature eps:
//
//   LSE_eps(x_1..x_n) = eps * log(sum_i exp(x_i / eps))
//                     = m + eps * log(sum_i exp((x_i - m) / eps)),  m = max_i x_i
//
// exp(x / eps) is never formed: every exponent is <= 0, so nothing overflows,
// for |x| up to the largest finite value and any valid eps.
//
// Bounds: max(x) <= LSE_eps(x) <= max(x) + eps * log(n). As eps -> 0 it tends
// to max(x): the max-plus semiring is the eps = 0 limit.
//
// Errors (std::invalid_argument):
//  - eps not a finite number > 0 (message names eps and its value);
//  - a NaN input (message names the argument / the index). The check is
//    cheap: only when the result comes out NaN are the inputs scanned.
//
// Infinities: -inf entries contribute nothing (lse(eps, -inf, b) == b exactly;
// all -inf or no entries -> -inf); any +inf entry gives +inf. inf - inf is
// never evaluated.
#pragma once

#include <cmath>
#include <cstddef>
#include <initializer_list>
#include <limits>
#include <span>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "tropigrad/semiring/contiguous.hpp"
#include "tropigrad/semiring/errors.hpp"
#include "tropigrad/semiring/min_max.hpp"

namespace tropigrad {

/// The smoothing term that turns max into LSE_eps for two arguments:
///   lse(eps, a, b) == max(a, b) + lse_correction(eps, a, b),
///   lse_correction  = eps * log1p(exp(-|a - b| / eps)), in [0, eps * log 2].
/// Dropping it (eps = 0) gives exactly MaxPlus::plus. Returns 0 when a or b is
/// infinite (the max alone is then exact). Unchecked: eps must be valid and
/// a, b not NaN.
template <std::floating_point T>
T lse_correction(std::type_identity_t<T> eps, T a, T b) noexcept {
  if (!(std::isfinite(a) && std::isfinite(b))) return T(0);
  // a - b may overflow to +-inf for huge finite inputs: exp(-inf) = 0, fine.
  return eps * std::log1p(std::exp(-std::abs(a - b) / eps));
}

/// Binary smooth max: eps * log(exp(a/eps) + exp(b/eps)), computed as
/// max(a, b) + eps * log1p(exp(-|a - b| / eps)).
/// Throws std::invalid_argument for an invalid eps or a NaN argument.
template <std::floating_point T>
T lse(std::type_identity_t<T> eps, T a, T b) {
  check_eps(eps, "tropigrad::lse");
  const T m = max(a, b);  // tropigrad::max: NaN propagates
  if (m != m) throw_nan("tropigrad::lse", (a != a) ? "argument a" : "argument b");
  return m + lse_correction<T>(eps, a, b);
}

namespace detail {

/// Throws naming the first NaN entry of `values`, if there is one.
template <std::floating_point T>
void check_no_nan(std::span<const T> values, std::string_view where, std::string_view name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i] != values[i]) throw_nan_at(where, name, i);
  }
}

/// The max of the non-NaN entries (-inf if there is none).
template <std::floating_point T>
T max_ignoring_nan(std::span<const T> values) noexcept {
  T m = -std::numeric_limits<T>::infinity();
  for (const T x : values) {
    if (x > m) m = x;
  }
  return m;
}

template <std::floating_point T>
T lse_span(T eps, std::span<const T> values) {
  constexpr std::string_view where = "tropigrad::lse";
  check_eps(eps, where);
  const T m = max_ignoring_nan(values);
  if (!std::isfinite(m)) {
    // Empty, all -inf, or some +inf (or all NaN): the max is the answer.
    check_no_nan(values, where, "values");
    return m;
  }
  T sum = 0;
  for (const T x : values) sum += std::exp((x - m) / eps);  // each term in [0, 1]
  const T result = m + eps * std::log(sum);                 // sum >= 1
  if (result != result) check_no_nan(values, where, "values");
  return result;
}

}  // namespace detail

/// n-ary smooth max of a contiguous range (std::vector, std::array, std::span,
/// C array): m + eps * log(sum_i exp((x_i - m) / eps)). Empty -> -inf.
template <detail::floating_contiguous_range R>
std::ranges::range_value_t<R> lse(std::ranges::range_value_t<R> eps, const R& values) {
  return detail::lse_span(eps, detail::as_const_span(values));
}

/// n-ary smooth max of a braced list: lse(eps, {a, b, c}).
template <std::floating_point T>
T lse(std::type_identity_t<T> eps, std::initializer_list<T> values) {
  return detail::lse_span<T>(eps, std::span<const T>(values.begin(), values.size()));
}

/// n-ary smooth max over all coefficients of an Eigen matrix, array or
/// expression.
template <class Derived>
  requires std::floating_point<typename Derived::Scalar>
typename Derived::Scalar lse(typename Derived::Scalar eps, const Eigen::DenseBase<Derived>& values) {
  using T = typename Derived::Scalar;
  return detail::with_eigen_span(values, [eps](std::span<const T> v) { return detail::lse_span<T>(eps, v); });
}

}  // namespace tropigrad
