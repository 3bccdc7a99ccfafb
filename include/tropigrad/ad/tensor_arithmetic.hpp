#pragma once
// Elementwise + - * / on Tensors, broadcasting a scalar, a row vector
// (1 x cols) or a column vector (rows x 1); a Var or a plain number may stand
// on either side. Also unary minus.

#include "tensor_op.hpp"

namespace tropigrad {
namespace detail {

template <class T, class Forward, class Backward>
Tensor<T> elementwise_binary(const char* name, const Operand<T>& a, const Operand<T>& b, Forward forward,
                             Backward backward) {
  // Plain variables, not a structured binding: lambdas capture them below (Clang < 16 cannot capture bindings).
  const auto shape = broadcast_shape(name, a.rows(), a.cols(), b.rows(), b.cols());
  const Index rows = shape.first, cols = shape.second;
  Tensor<T> out = new_result<T>(rows, cols, a.requires_grad() || b.requires_grad());
  auto o = value_map(out.data());
  a.visit(rows, cols, [&](const auto& av) { b.visit(rows, cols, [&](const auto& bv) { o = forward(av, bv); }); });
  record_backward(name, out, [a, b, rows, cols, backward, o](const auto& g) {
    a.visit(rows, cols, [&](const auto& av) {
      b.visit(rows, cols, [&](const auto& bv) { backward(g, av, bv, o, a, b); });
    });
  });
  return out;
}

template <class T>
Tensor<T> add(const Operand<T>& a, const Operand<T>& b) {
  return elementwise_binary<T>(
      "add", a, b, [](const auto& x, const auto& y) { return x + y; },
      [](const auto& g, const auto&, const auto&, const auto&, const auto& ga, const auto& gb) {
        ga.accumulate(g);
        gb.accumulate(g);
      });
}

template <class T>
Tensor<T> subtract(const Operand<T>& a, const Operand<T>& b) {
  return elementwise_binary<T>(
      "subtract", a, b, [](const auto& x, const auto& y) { return x - y; },
      [](const auto& g, const auto&, const auto&, const auto&, const auto& ga, const auto& gb) {
        ga.accumulate(g);
        gb.accumulate(-g);
      });
}

template <class T>
Tensor<T> multiply(const Operand<T>& a, const Operand<T>& b) {
  return elementwise_binary<T>(
      "multiply", a, b, [](const auto& x, const auto& y) { return x * y; },
      [](const auto& g, const auto& x, const auto& y, const auto&, const auto& ga, const auto& gb) {
        ga.accumulate(g * y);
        gb.accumulate(g * x);
      });
}

template <class T>
Tensor<T> divide(const Operand<T>& a, const Operand<T>& b) {
  return elementwise_binary<T>(
      "divide", a, b, [](const auto& x, const auto& y) { return x / y; },
      [](const auto& g, const auto&, const auto& y, const auto& out, const auto& ga, const auto& gb) {
        ga.accumulate(g / y);
        gb.accumulate(-g * out / y);
      });
}

}  // namespace detail

#define TROPIGRAD_TENSOR_BINARY_OPERATOR(op, fn)                                                             \
  template <class T>                                                                                       \
  Tensor<T> operator op(const Tensor<T>& a, const Tensor<T>& b) { return detail::fn<T>(a, b); }          \
  template <class T>                                                                                       \
  Tensor<T> operator op(const Tensor<T>& a, const Var<T>& b) { return detail::fn<T>(a, b); }             \
  template <class T>                                                                                       \
  Tensor<T> operator op(const Var<T>& a, const Tensor<T>& b) { return detail::fn<T>(a, b); }             \
  template <class T, Arithmetic U>                                                                         \
  Tensor<T> operator op(const Tensor<T>& a, U b) {                                                         \
    return detail::fn<T>(a, Var<T>::constant(static_cast<T>(b)));                                          \
  }                                                                                                        \
  template <class T, Arithmetic U>                                                                         \
  Tensor<T> operator op(U a, const Tensor<T>& b) {                                                         \
    return detail::fn<T>(Var<T>::constant(static_cast<T>(a)), b);                                          \
  }

TROPIGRAD_TENSOR_BINARY_OPERATOR(+, add)
TROPIGRAD_TENSOR_BINARY_OPERATOR(-, subtract)
TROPIGRAD_TENSOR_BINARY_OPERATOR(*, multiply)
TROPIGRAD_TENSOR_BINARY_OPERATOR(/, divide)

#undef TROPIGRAD_TENSOR_BINARY_OPERATOR

template <class T>
Tensor<T> operator-(const Tensor<T>& a) {
  return detail::multiply<T>(a, Var<T>::constant(T(-1)));
}

}  // namespace tropigrad
