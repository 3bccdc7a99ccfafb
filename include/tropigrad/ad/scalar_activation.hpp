#pragma once
// sigmoid, softplus and log_sigmoid for Var, on the stable kernels of semiring/.

#include "../semiring/activations.hpp"
#include "var.hpp"

namespace tropigrad {

template <class T>
Var<T> sigmoid(const Var<T>& a) {
  const T s = sigmoid(a.value());
  return detail::unary_result(a, s, s * (T(1) - s));
}

template <class T>
Var<T> softplus(const Var<T>& a) {
  return detail::unary_result(a, softplus(a.value()), sigmoid(a.value()));
}

template <class T>
Var<T> log_sigmoid(const Var<T>& a) {
  return detail::unary_result(a, log_sigmoid(a.value()), sigmoid(-a.value()));
}

}  // namespace tropigrad
