#pragma once
// sin, cos, tanh for Var.

#include <cmath>

#include "var.hpp"

namespace tropigrad {

template <class T>
Var<T> sin(const Var<T>& a) {
  return detail::unary_result(a, std::sin(a.value()), std::cos(a.value()));
}

template <class T>
Var<T> cos(const Var<T>& a) {
  return detail::unary_result(a, std::cos(a.value()), -std::sin(a.value()));
}

template <class T>
Var<T> tanh(const Var<T>& a) {
  const T t = std::tanh(a.value());
  return detail::unary_result(a, t, T(1) - t * t);
}

}  // namespace tropigrad
