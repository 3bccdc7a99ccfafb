#pragma once
// fma(a, b, c) = a * b + c elementwise, as ONE tape node (torch.addcmul, and
// the Tensor form of the scalar tg::fma). Each operand is a Tensor, a Var or a
// number (at least one a Tensor), broadcasting as + - * / do. Written
// `a * b + c` it is two nodes, two passes forward and three backward (the
// sum's gradient is copied into the product's first); fused it is one pass
// forward and one per operand that needs a gradient:
//   d/da = g * b,   d/db = g * a,   d/dc = g   (summed over broadcast dimensions).
// A typical use is an affine map with scalar parameters, x * scale + shift.

#include <tuple>

#include "tensor_elementwise.hpp"

namespace tropigrad {
namespace detail {

template <class T>
Tensor<T> fma_impl(const Operand<T>& a, const Operand<T>& b, const Operand<T>& c) {
  Index rows = 0, cols = 0;
  std::tie(rows, cols) = broadcast_shape("fma", a.rows(), a.cols(), b.rows(), b.cols());
  std::tie(rows, cols) = broadcast_shape("fma", rows, cols, c.rows(), c.cols());
  Tensor<T> out = new_result<T>(rows, cols, a.requires_grad() || b.requires_grad() || c.requires_grad());
  auto o = value_map(out.data());
  a.visit(rows, cols, [&](const auto& av) {
    b.visit(rows, cols, [&](const auto& bv) { c.visit(rows, cols, [&](const auto& cv) { o = av * bv + cv; }); });
  });
  record_backward("fma", out, [a, b, c, rows, cols](const auto& g) {
    if (a.requires_grad()) b.visit(rows, cols, [&](const auto& bv) { a.accumulate(g * bv); });
    if (b.requires_grad()) a.visit(rows, cols, [&](const auto& av) { b.accumulate(g * av); });
    c.accumulate(g);
  });
  return out;
}

}  // namespace detail

/// a * b + c elementwise as one node; a, b, c: Tensor, Var or number, at least one a Tensor.
template <class A, class B, class C, class T = detail::tensor_scalar_t<A, B, C>>
  requires detail::ElementwiseOperand<A, T> && detail::ElementwiseOperand<B, T> && detail::ElementwiseOperand<C, T>
Tensor<T> fma(const A& a, const B& b, const C& c) {
  return detail::fma_impl<T>(detail::make_operand<T>(a), detail::make_operand<T>(b), detail::make_operand<T>(c));
}

}  // namespace tropigrad
