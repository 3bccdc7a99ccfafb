#pragma once
// exp, log, log1p on Tensors, elementwise. log of a negative number is NaN and
// log(0) = -inf, as in std::log (turn on detect_anomaly() to catch them).

#include "tensor_elementwise.hpp"

namespace tropigrad {

/// exp(x); d/dx = exp(x).
template <class T>
Tensor<T> exp(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "exp", x, [](const auto& v) { return v.exp(); },
      [](const auto& g, const auto&, const auto& y) { return g * y; });
}

/// Natural log; d/dx = 1 / x.
template <class T>
Tensor<T> log(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "log", x, [](const auto& v) { return v.log(); },
      [](const auto& g, const auto& v, const auto&) { return g / v; });
}

/// log(1 + x), accurate for small |x|; d/dx = 1 / (1 + x).
template <class T>
Tensor<T> log1p(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "log1p", x, [](const auto& v) { return v.log1p(); },
      [](const auto& g, const auto& v, const auto&) { return g / (T(1) + v); });
}

}  // namespace tropigrad
