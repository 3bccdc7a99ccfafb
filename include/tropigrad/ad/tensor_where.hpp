#pragma once
// where(mask, a, b): a where mask is true, else b, elementwise, like
// torch.where. mask is an Eigen array/matrix of bool, or a Tensor (nonzero =
// true; it gets no gradient). a and b are Tensors, Vars or numbers. mask, a
// and b broadcast together (each dimension equal or 1). The gradient flows to
// a where mask is true and to b elsewhere.

#include <type_traits>

#include "tensor_arithmetic.hpp"
#include "tensor_elementwise.hpp"

namespace tropigrad {
namespace detail {

template <class T>
Tensor<T> where_op(const Operand<T>& mask, const Operand<T>& a, const Operand<T>& b) {
  // Plain variables, not structured bindings: lambdas capture them below (Clang < 16 cannot capture bindings).
  const auto shape_ab = broadcast_shape("where", a.rows(), a.cols(), b.rows(), b.cols());
  const auto shape = broadcast_shape("where", mask.rows(), mask.cols(), shape_ab.first, shape_ab.second);
  const Index rows = shape.first, cols = shape.second;
  Tensor<T> out = new_result<T>(rows, cols, a.requires_grad() || b.requires_grad());
  auto o = value_map(out.data());
  mask.visit(rows, cols, [&](const auto& m) {
    a.visit(rows, cols, [&](const auto& av) { b.visit(rows, cols, [&](const auto& bv) { o = (m != T(0)).select(av, bv); }); });
  });
  record_backward("where", out, [mask, a, b, rows, cols](const auto& g) {
    mask.visit(rows, cols, [&](const auto& m) {
      a.accumulate((m != T(0)).select(g, T(0)));
      b.accumulate((m != T(0)).select(T(0), g));
    });
  });
  return out;
}

/// A bool mask copied into the arena as a constant 0/1 tensor (the caller's
/// array need not outlive the backward pass).
template <class T, class Derived>
Tensor<T> mask_tensor(const Eigen::DenseBase<Derived>& mask) {
  Tensor<T> m = new_result<T>(mask.rows(), mask.cols(), false);
  value_map(m.data()) = mask.derived().array().template cast<T>();
  return m;
}

template <class A, class B>
concept WhereOperands = (is_tensor_v<A> || is_tensor_v<B>) && ElementwiseOperand<A, tensor_scalar_t<A, B>> &&
                        ElementwiseOperand<B, tensor_scalar_t<A, B>>;
}  // namespace detail

/// where with a bool Eigen mask; at least one of a, b is a Tensor.
template <class Derived, class A, class B>
  requires std::same_as<typename Derived::Scalar, bool> && detail::WhereOperands<A, B>
Tensor<detail::tensor_scalar_t<A, B>> where(const Eigen::DenseBase<Derived>& mask, const A& a, const B& b) {
  using T = detail::tensor_scalar_t<A, B>;
  return detail::where_op<T>(detail::mask_tensor<T>(mask), detail::make_operand<T>(a), detail::make_operand<T>(b));
}

/// where with a Tensor mask (nonzero = true); a and b may both be numbers or Vars.
template <class T, class A, class B>
  requires detail::ElementwiseOperand<A, T> && detail::ElementwiseOperand<B, T>
Tensor<T> where(const Tensor<T>& mask, const A& a, const B& b) {
  return detail::where_op<T>(detail::Operand<T>(mask), detail::make_operand<T>(a), detail::make_operand<T>(b));
}

}  // namespace tropigrad
