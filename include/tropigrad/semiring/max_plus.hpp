// tropigrad/semiring/max_plus.hpp
//
// The max-plus (tropical) semiring: ⊕ = max, ⊗ = +, zero = -inf, one = 0.
// It is exactly LogSumExp(eps) with the smoothing term dropped:
//   LogSumExp(eps).plus(a, b) = MaxPlus::plus(a, b) + lse_correction(eps, a, b)
// (see lse.hpp), so MaxPlus is the eps = 0 limit of LogSumExp by construction.
#pragma once

#include <concepts>
#include <limits>

#include "tropigrad/semiring/min_max.hpp"

namespace tropigrad {

namespace detail {
/// `max(a, b)` is callable: tropigrad::max for floating point, or an overload
/// found by argument-dependent lookup for a user scalar type.
template <class T>
concept has_max = requires(const T& a, const T& b) {
  { max(a, b) } -> std::convertible_to<T>;
};
}  // namespace detail

struct MaxPlus {
  /// max(a, b), by unqualified call (ADL finds a user scalar's max). NaN
  /// propagates for floating point.
  template <class T>
    requires detail::has_max<T>
  static T plus(const T& a, const T& b) {
    return max(a, b);
  }

  template <class T>
    requires requires(const T& a, const T& b) { { a + b } -> std::convertible_to<T>; }
  static T times(const T& a, const T& b) {
    return a + b;
  }

  /// -inf, built as T(double) so that any scalar constructible from double works.
  template <class T>
    requires std::constructible_from<T, double>
  static T zero() {
    return T(-std::numeric_limits<double>::infinity());
  }

  template <class T>
    requires std::constructible_from<T, double>
  static T one() {
    return T(0.0);
  }

  friend constexpr bool operator==(const MaxPlus&, const MaxPlus&) noexcept { return true; }
};

}  // namespace tropigrad
