// tropigrad/semiring/min_max.hpp
//
// max / min for floating-point scalars, in namespace tropigrad, so that
// semiring code can call the UNQUALIFIED names `max(a, b)` and `min(a, b)`:
// ordinary lookup finds these overloads for float/double, and argument-
// dependent lookup finds the overloads of a user scalar type (e.g.
// tropigrad::Var) declared elsewhere. Never write `using std::max` next to them.
#pragma once

#include <concepts>

namespace tropigrad {

/// The larger of a and b. NaN is never silently dropped: if either argument is
/// NaN the result is NaN (unlike std::max, whose result depends on the
/// argument order). max(-inf, x) == x, max(+inf, x) == +inf.
template <std::floating_point T>
constexpr T max(T a, T b) noexcept {
  if (a != a) return a;  // NaN
  if (b != b) return b;  // NaN
  return (a < b) ? b : a;
}

/// The smaller of a and b. NaN propagates as for tropigrad::max.
template <std::floating_point T>
constexpr T min(T a, T b) noexcept {
  if (a != a) return a;
  if (b != b) return b;
  return (b < a) ? b : a;
}

}  // namespace tropigrad
