// tropigrad/semiring/min_plus.hpp
//
// The min-plus (shortest-path) semiring: ⊕ = min, ⊗ = +, zero = +inf, one = 0.
#pragma once

#include <concepts>
#include <limits>

#include "tropigrad/semiring/min_max.hpp"

namespace tropigrad {

namespace detail {
/// `min(a, b)` is callable: tropigrad::min for floating point, or an overload
/// found by argument-dependent lookup for a user scalar type.
template <class T>
concept has_min = requires(const T& a, const T& b) {
  { min(a, b) } -> std::convertible_to<T>;
};
}  // namespace detail

struct MinPlus {
  /// min(a, b), by unqualified call (ADL finds a user scalar's min). NaN
  /// propagates for floating point.
  template <class T>
    requires detail::has_min<T>
  static T plus(const T& a, const T& b) {
    return min(a, b);
  }

  template <class T>
    requires requires(const T& a, const T& b) { { a + b } -> std::convertible_to<T>; }
  static T times(const T& a, const T& b) {
    return a + b;
  }

  /// +inf, built as T(double).
  template <class T>
    requires std::constructible_from<T, double>
  static T zero() {
    return T(std::numeric_limits<double>::infinity());
  }

  template <class T>
    requires std::constructible_from<T, double>
  static T one() {
    return T(0.0);
  }

  friend constexpr bool operator==(const MinPlus&, const MinPlus&) noexcept { return true; }
};

}  // namespace tropigrad
