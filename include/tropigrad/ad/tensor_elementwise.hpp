#pragma once
// Helpers shared by the elementwise Tensor ops (exp, sigmoid, max, where, ...):
//  - elementwise_unary: one tape node for out = f(x), dx += df(g, x, out);
//  - ElementwiseOperand / tensor_scalar_t / make_operand: let an op take a
//    Tensor, a Var or a plain number in any operand position, as + - * / do.

#include <concepts>
#include <type_traits>

#include "tensor_op.hpp"

namespace tropigrad {
namespace detail {

template <class X>
struct is_tensor : std::false_type {};
template <class T>
struct is_tensor<Tensor<T>> : std::true_type {};
template <class X>
inline constexpr bool is_tensor_v = is_tensor<std::remove_cvref_t<X>>::value;

/// The scalar type of the first Tensor among Xs.
template <class... Xs>
struct first_tensor_scalar {};
template <class X, class... Xs>
struct first_tensor_scalar<X, Xs...> : first_tensor_scalar<Xs...> {};
template <class T, class... Xs>
struct first_tensor_scalar<Tensor<T>, Xs...> {
  using type = T;
};
template <class... Xs>
using tensor_scalar_t = typename first_tensor_scalar<std::remove_cvref_t<Xs>...>::type;

/// A Tensor<T>, a Var<T>, or a plain number: anything that can be an elementwise operand.
template <class X, class T>
concept ElementwiseOperand =
    std::same_as<std::remove_cvref_t<X>, Tensor<T>> || std::same_as<std::remove_cvref_t<X>, Var<T>> ||
    Arithmetic<std::remove_cvref_t<X>>;

/// Converts an ElementwiseOperand to an Operand; numbers become constants.
template <class T, class X>
Operand<T> make_operand(const X& x) {
  if constexpr (Arithmetic<X>) {
    return Operand<T>(Var<T>::constant(static_cast<T>(x)));
  } else {
    return Operand<T>(x);
  }
}

/// A unary elementwise op as one tape node. `forward(x)` returns the output
/// as an array expression of x (a const map of x's values); `backward(g, x, y)`
/// returns dL/dx as an array expression of the output gradient g, the input x
/// and the output y. backward runs only if x requires grad.
template <class T, class Forward, class Backward>
Tensor<T> elementwise_unary(const char* name, const Tensor<T>& x, Forward forward, Backward backward) {
  TensorData<T>* in = &x.data();
  Tensor<T> out = new_result<T>(in->rows, in->cols, in->requires_grad);
  TensorData<T>* o = &out.data();
  value_map(*o) = forward(value_map(static_cast<const TensorData<T>&>(*in)));
  record_backward(name, out, [x, in, o, backward](const auto& g) {
    accumulate_grad(*in, backward(g, value_map(static_cast<const TensorData<T>&>(*in)),
                                  value_map(static_cast<const TensorData<T>&>(*o))));
  });
  return out;
}

}  // namespace detail
}  // namespace tropigrad
