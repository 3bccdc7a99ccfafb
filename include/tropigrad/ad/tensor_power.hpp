#pragma once
// sqrt, square and pow on Tensors, elementwise. pow takes a fixed number as
// exponent, or a Tensor / Var exponent (broadcast as in + - * /), with
// gradients for both base and exponent.

#include <limits>

#include "tensor_arithmetic.hpp"
#include "tensor_elementwise.hpp"

namespace tropigrad {

/// sqrt(x); d/dx = 1 / (2 sqrt(x)) (inf at 0, as in PyTorch).
template <class T>
Tensor<T> sqrt(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      // Eigen's vectorised sqrt (x * rsqrt(x)) gives NaN at +inf: keep +inf exact.
      "sqrt", x, [](const auto& v) { return (v == std::numeric_limits<T>::infinity()).select(v, v.sqrt()); },
      [](const auto& g, const auto&, const auto& y) { return g * T(0.5) / y; });
}

/// x * x; d/dx = 2x.
template <class T>
Tensor<T> square(const Tensor<T>& x) {
  return detail::elementwise_unary<T>(
      "square", x, [](const auto& v) { return v.square(); },
      [](const auto& g, const auto& v, const auto&) { return g * T(2) * v; });
}

/// x^p for a fixed exponent p; d/dx = p x^(p-1) (0 for p = 0, also at x = 0).
template <class T, Arithmetic U>
Tensor<T> pow(const Tensor<T>& x, U exponent) {
  const T p = static_cast<T>(exponent);
  return detail::elementwise_unary<T>(
      // x^0 = 1, but a NaN x stays NaN (std::pow(NaN, 0) = 1 would hide it from anomaly mode).
      "pow", x, [p](const auto& v) { return (v != v).select(v, v.pow(p)); },
      [p](const auto& g, const auto& v, const auto&) {
        // p = 0: the derivative is 0 everywhere (p * x^-1 would be 0 * inf at x = 0, and 0 * x at x = inf).
        return p == T(0) ? RowArray<T>(RowArray<T>::Zero(g.rows(), g.cols())) : RowArray<T>(g * p * v.pow(p - T(1)));
      });
}

namespace detail {
/// x^e with e a tensor: d/dx = e x^(e-1), d/de = x^e log(x) (0 where x^e = 0,
/// the limit from x > 0, as PyTorch does).
template <class T>
Tensor<T> pow_tensor(const Operand<T>& base, const Operand<T>& exponent) {
  return elementwise_binary<T>(
      "pow", base, exponent, [](const auto& x, const auto& e) { return Eigen::pow(x, e); },
      [](const auto& g, const auto& x, const auto& e, const auto& out, const auto& gx, const auto& ge) {
        // e x^(e-1) is 0 where e = 0 (not 0 * inf at x = 0) or x^(e-1) = 0 (not inf * 0 for e = inf, x < 1).
        const auto power = Eigen::pow(x, e - T(1));
        gx.accumulate((e == T(0) || power == T(0)).select(T(0), g * e * power));
        ge.accumulate((out == T(0)).select(T(0), g * out * x.log()));
      });
}
}  // namespace detail

/// x^e elementwise with a tensor (or Var) exponent, broadcasting either side;
/// at least one of x and e is a Tensor, the other may be a Var or a number.
template <class X, class E, class T = detail::tensor_scalar_t<X, E>>
  requires(detail::ElementwiseOperand<X, T> && detail::ElementwiseOperand<E, T> &&
           !(detail::is_tensor_v<X> && Arithmetic<E>))
Tensor<T> pow(const X& x, const E& exponent) {
  return detail::pow_tensor<T>(detail::make_operand<T>(x), detail::make_operand<T>(exponent));
}

}  // namespace tropigrad
