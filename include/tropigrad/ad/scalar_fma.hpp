#pragma once
// fma(a, b, c) = a * b + c for Var, as ONE tape statement (C's fma, Stan's fma).
//
// Written `a * b + c` with Vars it is two statements (a product, then a sum
// reading the product's adjoint); as one statement the backward sweep touches
// each operand once: d/da = b, d/db = a, d/dc = 1. Any of the three may be a
// plain number (it then takes no tape operand). The value is std::fma's (one
// rounding). With all three plain floating-point numbers it is std::fma, so
// one template `using std::fma; fma(a, b, c)` serves T = double and T = Var.

#include <cmath>
#include <concepts>
#include <type_traits>

#include "var.hpp"

namespace tropigrad {
namespace detail {
template <class A>
struct fma_var_scalar {
  using type = void;
};
template <class T>
struct fma_var_scalar<Var<T>> {
  using type = T;
};

/// The T of the Var operands of fma, or void when they disagree or there are none.
template <class A, class B, class C>
struct fma_scalar {
  using Ta = typename fma_var_scalar<A>::type;
  using Tb = typename fma_var_scalar<B>::type;
  using Tc = typename fma_var_scalar<C>::type;
  using first = std::conditional_t<!std::is_void_v<Ta>, Ta, std::conditional_t<!std::is_void_v<Tb>, Tb, Tc>>;
  template <class X>
  static constexpr bool agrees = std::is_void_v<X> || std::is_same_v<X, first>;
  using type = std::conditional_t<agrees<Ta> && agrees<Tb> && agrees<Tc>, first, void>;
};

template <class T, class A>
T fma_value(const A& a) {
  if constexpr (Arithmetic<A>)
    return static_cast<T>(a);
  else
    return a.value();
}
}  // namespace detail

/// Var operands of fma: each a Var<T> or a plain number, at least one a Var, all Vars of the same T.
template <class A, class B, class C>
concept FmaVarOperands = (Arithmetic<A> || !std::is_void_v<typename detail::fma_var_scalar<A>::type>) &&
                         (Arithmetic<B> || !std::is_void_v<typename detail::fma_var_scalar<B>::type>) &&
                         (Arithmetic<C> || !std::is_void_v<typename detail::fma_var_scalar<C>::type>) &&
                         !std::is_void_v<typename detail::fma_scalar<A, B, C>::type>;

/// a * b + c as one tape statement; a, b, c are Vars or numbers (at least one a Var).
template <class A, class B, class C>
  requires FmaVarOperands<A, B, C>
inline auto fma(const A& a, const B& b, const C& c) {
  using T = typename detail::fma_scalar<A, B, C>::type;
  const T av = detail::fma_value<T>(a), bv = detail::fma_value<T>(b), cv = detail::fma_value<T>(c);
  const T value = std::fma(av, bv, cv);
  constexpr bool va = !Arithmetic<A>, vb = !Arithmetic<B>, vc = !Arithmetic<C>;
  // Plain numbers take no operand slot, so the statement has 1-3 operands.
  if constexpr (va && vb && vc)
    return detail::ternary_result<T>(a, b, c, value, bv, av, T(1));
  else if constexpr (va && vb)
    return detail::binary_result<T>(a, b, value, bv, av);
  else if constexpr (va && vc)
    return detail::binary_result<T>(a, c, value, bv, T(1));
  else if constexpr (vb && vc)
    return detail::binary_result<T>(b, c, value, av, T(1));
  else if constexpr (va)
    return detail::unary_result<T>(a, value, bv);
  else if constexpr (vb)
    return detail::unary_result<T>(b, value, av);
  else
    return detail::unary_result<T>(c, value, T(1));
}

/// Plain numbers: std::fma, so generic code can call tg::fma for T = double too.
template <std::floating_point T>
T fma(T a, T b, T c) {
  return std::fma(a, b, c);
}

}  // namespace tropigrad
