#pragma once
// + - * / and unary minus for Var, with plain numbers on either side.

#include "var.hpp"

namespace tropigrad {

template <class T>
Var<T> operator+(const Var<T>& a, const Var<T>& b) {
  return detail::binary_result(a, b, a.value() + b.value(), T(1), T(1));
}
template <class T, Arithmetic U>
Var<T> operator+(const Var<T>& a, U b) {
  return detail::unary_result(a, a.value() + static_cast<T>(b), T(1));
}
template <class T, Arithmetic U>
Var<T> operator+(U a, const Var<T>& b) {
  return detail::unary_result(b, static_cast<T>(a) + b.value(), T(1));
}

template <class T>
Var<T> operator-(const Var<T>& a, const Var<T>& b) {
  return detail::binary_result(a, b, a.value() - b.value(), T(1), T(-1));
}
template <class T, Arithmetic U>
Var<T> operator-(const Var<T>& a, U b) {
  return detail::unary_result(a, a.value() - static_cast<T>(b), T(1));
}
template <class T, Arithmetic U>
Var<T> operator-(U a, const Var<T>& b) {
  return detail::unary_result(b, static_cast<T>(a) - b.value(), T(-1));
}
template <class T>
Var<T> operator-(const Var<T>& a) {
  return detail::unary_result(a, -a.value(), T(-1));
}
template <class T>
Var<T> operator+(const Var<T>& a) {
  return a;
}

template <class T>
Var<T> operator*(const Var<T>& a, const Var<T>& b) {
  return detail::binary_result(a, b, a.value() * b.value(), b.value(), a.value());
}
template <class T, Arithmetic U>
Var<T> operator*(const Var<T>& a, U b) {
  return detail::unary_result(a, a.value() * static_cast<T>(b), static_cast<T>(b));
}
template <class T, Arithmetic U>
Var<T> operator*(U a, const Var<T>& b) {
  return detail::unary_result(b, static_cast<T>(a) * b.value(), static_cast<T>(a));
}

template <class T>
Var<T> operator/(const Var<T>& a, const Var<T>& b) {
  const T inv = T(1) / b.value();
  const T q = a.value() * inv;
  return detail::binary_result(a, b, q, inv, -q * inv);
}
template <class T, Arithmetic U>
Var<T> operator/(const Var<T>& a, U b) {
  const T inv = T(1) / static_cast<T>(b);
  return detail::unary_result(a, a.value() * inv, inv);
}
template <class T, Arithmetic U>
Var<T> operator/(U a, const Var<T>& b) {
  const T inv = T(1) / b.value();
  const T q = static_cast<T>(a) * inv;
  return detail::unary_result(b, q, -q * inv);
}

template <std::floating_point T>
Var<T>& Var<T>::operator+=(const Var<T>& b) { return *this = *this + b; }
template <std::floating_point T>
Var<T>& Var<T>::operator-=(const Var<T>& b) { return *this = *this - b; }
template <std::floating_point T>
Var<T>& Var<T>::operator*=(const Var<T>& b) { return *this = *this * b; }
template <std::floating_point T>
Var<T>& Var<T>::operator/=(const Var<T>& b) { return *this = *this / b; }

}  // namespace tropigrad
