#pragma once
// sqrt, square and pow for Var.

#include <cmath>

#include "var.hpp"

namespace tropigrad {

template <class T>
Var<T> sqrt(const Var<T>& a) {
  const T r = std::sqrt(a.value());
  return detail::unary_result(a, r, T(0.5) / r);
}

template <class T>
Var<T> square(const Var<T>& a) {
  return detail::unary_result(a, a.value() * a.value(), T(2) * a.value());
}

template <class T>
Var<T> pow(const Var<T>& a, const Var<T>& b) {
  const T p = std::pow(a.value(), b.value());
  // d/db a^b = a^b log a; at a == 0 the limit along a > 0 is 0 for b > 0.
  // p = 0 (e.g. a = inf, b < 0): the limit is 0, not 0 * log(a) = 0 * inf.
  const T db = a.value() == T(0) || p == T(0) ? T(0) : p * std::log(a.value());
  const T da = b.value() == T(0) ? T(0) : b.value() * std::pow(a.value(), b.value() - T(1));
  return detail::binary_result(a, b, p, da, db);
}

template <class T, Arithmetic U>
Var<T> pow(const Var<T>& a, U b) {
  const T e = static_cast<T>(b);
  const T da = e == T(0) ? T(0) : e * std::pow(a.value(), e - T(1));
  // x^0 = 1, but a NaN x stays NaN (std::pow(NaN, 0) = 1 would hide it).
  return detail::unary_result(a, e == T(0) && a.value() != a.value() ? a.value() : std::pow(a.value(), e), da);
}

template <class T, Arithmetic U>
Var<T> pow(U a, const Var<T>& b) {
  const T base = static_cast<T>(a);
  const T p = std::pow(base, b.value());
  return detail::unary_result(b, p, base == T(0) ? T(0) : p * std::log(base));
}

}  // namespace tropigrad
