#pragma once
// Activation-style elementwise ops on Tensors: abs, relu, clamp, tanh, and the
// numerically stable sigmoid, log_sigmoid and softplus (whose formulas live in
// semiring/activations.hpp; these use its vectorised Eigen forms). None of
// them overflows for large |x|.

#include <cmath>
#include <stdexcept>
#include <string>

#include "../semiring/activations.hpp"
#include "../semiring/errors.hpp"
#include "tensor_elementwise.hpp"

namespace tropigrad {

/// |x|; subgradient sign(x), 0 at x = 0 (as scalar abs(Var)).
template <class T>
Tensor<T> abs(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "abs", x, [](const auto& v) { return v.abs(); },
      [](const auto& g, const auto& v, const auto&) { return g * v.sign(); });
}

/// max(x, 0); subgradient 1 for x > 0, else 0.
template <class T>
Tensor<T> relu(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "relu", x, [](const auto& v) { return v.max(T(0)); },
      [](const auto& g, const auto& v, const auto&) { return (v > T(0)).select(g, T(0)); });
}

/// x clamped to [lo, hi]; the gradient passes through inside [lo, hi] (ends
/// included) and is 0 outside. Throws std::invalid_argument unless lo <= hi.
template <class T, Arithmetic L, Arithmetic H>
Tensor<T> clamp(const Tensor<T>& x, L lo, H hi) {
  const T l = static_cast<T>(lo), h = static_cast<T>(hi);
  if (!(l <= h))
    throw_invalid("tropigrad::clamp", "needs lo <= hi, got lo = " + format_number(static_cast<double>(l)) +
                                          " and hi = " + format_number(static_cast<double>(h)));
  return detail::elementwise_unary<T>(
      "clamp", x, [l, h](const auto& v) { return v.max(l).min(h); },
      [l, h](const auto& g, const auto& v, const auto&) { return (v >= l && v <= h).select(g, T(0)); });
}

/// tanh(x); d/dx = 1 - tanh(x)^2.
template <class T>
Tensor<T> tanh(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "tanh", x, [](const auto& v) { return v.tanh(); },
      [](const auto& g, const auto&, const auto& y) { return g * (T(1) - y.square()); });
}

/// 1 / (1 + exp(-x)); d/dx = s (1 - s).
template <class T>
Tensor<T> sigmoid(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "sigmoid", x, [](const auto& v) { return sigmoid(v); },
      [](const auto& g, const auto&, const auto& y) { return g * y * (T(1) - y); });
}

/// log(sigmoid(x)) = -softplus(-x); d/dx = sigmoid(-x) (accurate for x >> 0).
template <class T>
Tensor<T> log_sigmoid(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "log_sigmoid", x, [](const auto& v) { return log_sigmoid(v); },
      [](const auto& g, const auto& v, const auto&) { return g * sigmoid(-v); });
}

/// log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)); d/dx = sigmoid(x).
template <class T>
Tensor<T> softplus(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "softplus", x, [](const auto& v) { return softplus(v); },
      [](const auto& g, const auto& v, const auto&) { return g * sigmoid(v); });
}

}  // namespace tropigrad
