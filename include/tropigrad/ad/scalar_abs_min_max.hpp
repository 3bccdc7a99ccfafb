#pragma once
// abs, min and max for Var. The subgradient goes to the selected argument; on a
// tie, to the first one, so results are deterministic.

#include <cmath>

#include "var.hpp"

namespace tropigrad {

template <class T>
Var<T> abs(const Var<T>& a) {
  const T v = a.value();
  return detail::unary_result(a, std::abs(v), v > T(0) ? T(1) : (v < T(0) ? T(-1) : T(0)));
}

template <class T>
Var<T> max(const Var<T>& a, const Var<T>& b) {
  // As Tensor max: ties and a NaN a select a; a NaN b is selected (NaN propagates).
  const bool first = !(a.value() == a.value()) || !(b.value() != b.value() || b.value() > a.value());
  return detail::binary_result(a, b, first ? a.value() : b.value(), T(first), T(!first));
}
template <class T, Arithmetic U>
Var<T> max(const Var<T>& a, U b) {
  const bool first = !(a.value() == a.value()) || !(std::isnan(static_cast<T>(b)) || static_cast<T>(b) > a.value());
  return detail::unary_result(a, first ? a.value() : static_cast<T>(b), T(first));
}
template <class T, Arithmetic U>
Var<T> max(U a, const Var<T>& b) {
  return max(b, a);
}

template <class T>
Var<T> min(const Var<T>& a, const Var<T>& b) {
  const bool first = !(a.value() == a.value()) || !(b.value() != b.value() || b.value() < a.value());
  return detail::binary_result(a, b, first ? a.value() : b.value(), T(first), T(!first));
}
template <class T, Arithmetic U>
Var<T> min(const Var<T>& a, U b) {
  const bool first = !(a.value() == a.value()) || !(std::isnan(static_cast<T>(b)) || static_cast<T>(b) < a.value());
  return detail::unary_result(a, first ? a.value() : static_cast<T>(b), T(first));
}
template <class T, Arithmetic U>
Var<T> min(U a, const Var<T>& b) {
  return min(b, a);
}

}  // namespace tropigrad
