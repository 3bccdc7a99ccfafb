#pragma once
// smooth_max / smooth_min on Tensors: the LogSumExp semiring's plus, elementwise.
//   smooth_max(eps, a, b) = eps * log(exp(a/eps) + exp(b/eps))
//                         = max(a, b) + eps * log1p(exp(-|a - b| / eps))
//   smooth_min(eps, a, b) = -smooth_max(eps, -a, -b)
// exp(a/eps) is never formed, so |a|, |b| up to ~1e30 and eps down to 1e-6
// (and smaller) are fine. a and b are Tensors (broadcast as in + - * /), or one
// of them a Var or a number; eps is a Var, a 1x1 Tensor or a number, and is
// differentiable (a learnable temperature):
//   d/da = p = sigmoid((a - b)/eps),  d/db = 1 - p,
//   d/deps = (out - p a - (1 - p) b) / eps, computed as (c + p_min |a-b|) / eps
//   with c = out - max(a, b) and p_min = sigmoid(-|a - b|/eps): no cancellation.
// As scalar lse: an infinite input makes the correction 0 and the larger input
// takes the whole gradient (the first on a tie). eps must be finite and > 0
// (std::invalid_argument naming eps otherwise); a NaN in a or b throws too.

#include <stdexcept>
#include <string>

#include "../semiring/activations.hpp"
#include "../semiring/errors.hpp"
#include "tensor_arithmetic.hpp"
#include "tensor_elementwise.hpp"

namespace tropigrad {
namespace detail {

template <class T>
T checked_eps(const char* op, const Operand<T>& eps) {
  if (eps.tensor && eps.tensor->size() != 1)
    throw std::invalid_argument(std::string("tropigrad::") + op + ": eps must be a scalar (a Var, a number or a 1x1 Tensor), got a tensor of shape " +
                                shape_string(eps.tensor->rows, eps.tensor->cols));
  const T e = eps.tensor ? eps.tensor->value[0] : eps.scalar.value();
  check_eps(e, std::string("tropigrad::") + op);
  return e;
}

/// Where the hard max (Sign > 0) or min selects its first argument (ties too).
template <int Sign, class A, class B>
auto selects_first(const A& a, const B& b) {
  if constexpr (Sign > 0) {
    return !(b > a);
  } else {
    return !(b < a);
  }
}

/// Sign = +1: smooth max; -1: smooth min (= -smooth_max(-a, -b)).
template <int Sign, class T>
Tensor<T> smooth_max_min(const Operand<T>& eps_op, const Operand<T>& a, const Operand<T>& b) {
  const char* name = Sign > 0 ? "smooth_max" : "smooth_min";
  const T eps = checked_eps(name, eps_op);
  // Plain variables, not a structured binding: lambdas capture them below (Clang < 16 cannot capture bindings).
  const auto shape = broadcast_shape(name, a.rows(), a.cols(), b.rows(), b.cols());
  const Index rows = shape.first, cols = shape.second;
  Tensor<T> out = new_result<T>(rows, cols, a.requires_grad() || b.requires_grad() || eps_op.requires_grad());
  auto o = value_map(out.data());
  a.visit(rows, cols, [&](const auto& av) {
    b.visit(rows, cols, [&](const auto& bv) {
      const auto finite = av.isFinite() && bv.isFinite();
      const auto correction = (-(av - bv).abs() / eps).exp().log1p() * eps;
      if constexpr (Sign > 0) {
        o = av.max(bv) + finite.select(correction, T(0));
      } else {
        o = av.min(bv) - finite.select(correction, T(0));
      }
      if (av.hasNaN()) throw_nan(std::string("tropigrad::") + name, "argument a");
      if (bv.hasNaN()) throw_nan(std::string("tropigrad::") + name, "argument b");
    });
  });
  record_backward(name, out, [eps_op, a, b, rows, cols, eps, o](const auto& g) {
    a.visit(rows, cols, [&](const auto& av) {
      b.visit(rows, cols, [&](const auto& bv) {
        const auto d = (av - bv).abs();
        const auto finite = d.isFinite();  // false if a or b is infinite
        // p_a = d/d(a) for the max: sigmoid((a - b)/eps); for the min: sigmoid((b - a)/eps).
        // With an infinite input, the selected one (first on a tie) takes it all.
        const auto z = (av - bv) * T(Sign) / eps;
        const auto hard_first = selects_first<Sign>(av, bv);
        if (a.requires_grad()) a.accumulate(g * finite.select(sigmoid(z), hard_first.template cast<T>()));
        if (b.requires_grad()) b.accumulate(g * finite.select(sigmoid(-z), (!hard_first).template cast<T>()));
        if (eps_op.requires_grad()) {
          // d out / d eps = Sign * (correction + p_min d) / eps = Sign * (c + p_min t).
          const auto t = d / eps;
          const auto c = (-t).exp().log1p();  // correction / eps
          const auto p_min = sigmoid(-t);
          const T total = (g * finite.select(c + p_min * t, T(0))).sum() * T(Sign);
          if (eps_op.tensor) {
            accumulate_grad_constant(*eps_op.tensor, total);
          } else {
            accumulate_grad(eps_op.scalar, total);
          }
        }
      });
    });
  });
  return out;
}

template <class E, class A, class B>
concept SmoothMaxOperands = (is_tensor_v<A> || is_tensor_v<B>) && ElementwiseOperand<E, tensor_scalar_t<A, B>> &&
                            ElementwiseOperand<A, tensor_scalar_t<A, B>> &&
                            ElementwiseOperand<B, tensor_scalar_t<A, B>>;
}  // namespace detail

/// eps * log(exp(a/eps) + exp(b/eps)), elementwise and stable.
template <class E, class A, class B>
  requires detail::SmoothMaxOperands<E, A, B>
Tensor<detail::tensor_scalar_t<A, B>> smooth_max(const E& eps, const A& a, const B& b) {
  using T = detail::tensor_scalar_t<A, B>;
  return detail::smooth_max_min<1, T>(detail::make_operand<T>(eps), detail::make_operand<T>(a),
                                      detail::make_operand<T>(b));
}

/// -eps * log(exp(-a/eps) + exp(-b/eps)) = -smooth_max(eps, -a, -b), elementwise and stable.
template <class E, class A, class B>
  requires detail::SmoothMaxOperands<E, A, B>
Tensor<detail::tensor_scalar_t<A, B>> smooth_min(const E& eps, const A& a, const B& b) {
  using T = detail::tensor_scalar_t<A, B>;
  return detail::smooth_max_min<-1, T>(detail::make_operand<T>(eps), detail::make_operand<T>(a),
                                       detail::make_operand<T>(b));
}

}  // namespace tropigrad
