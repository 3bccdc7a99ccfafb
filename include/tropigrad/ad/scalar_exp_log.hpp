#pragma once
// exp, log, log1p, expm1 for Var.

#include <cmath>

#include "var.hpp"

namespace tropigrad {

template <class T>
Var<T> exp(const Var<T>& a) {
  const T e = std::exp(a.value());
  return detail::unary_result(a, e, e);
}

template <class T>
Var<T> log(const Var<T>& a) {
  return detail::unary_result(a, std::log(a.value()), T(1) / a.value());
}

template <class T>
Var<T> log1p(const Var<T>& a) {
  return detail::unary_result(a, std::log1p(a.value()), T(1) / (T(1) + a.value()));
}

template <class T>
Var<T> expm1(const Var<T>& a) {
  const T e = std::expm1(a.value());
  return detail::unary_result(a, e, e + T(1));
}

}  // namespace tropigrad
