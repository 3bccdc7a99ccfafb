// tropigrad/semiring/concept.hpp
//
// The Semiring concept. A semiring type S is NOT templated on the scalar: its
// operations are member function templates, so one semiring object serves
// float, double and a differentiable scalar (tropigrad::Var) alike.
//
//   s.plus(a, b)          ⊕   (associative, commutative, identity zero)
//   s.times(a, b)         ⊗   (associative, identity one, distributes over ⊕)
//   s.template zero<T>()  additive identity
//   s.template one<T>()   multiplicative identity
//
// Generic algorithms (dot, matmul, closure, bellman_ford) use only these four
// operations plus copy/assignment of T.
#pragma once

#include <concepts>

namespace tropigrad {

/// S is a semiring over the scalar type T.
template <class S, class T>
concept Semiring = std::copyable<T> && requires(const S& s, const T& a, const T& b) {
  { s.plus(a, b) } -> std::convertible_to<T>;
  { s.times(a, b) } -> std::convertible_to<T>;
  { s.template zero<T>() } -> std::convertible_to<T>;
  { s.template one<T>() } -> std::convertible_to<T>;
};

/// The additive identity of s as a T: zero<double>(MaxPlus{}) == -inf.
template <class T, class S>
  requires Semiring<S, T>
T zero(const S& s) {
  return s.template zero<T>();
}

/// The multiplicative identity of s as a T: one<double>(SumProduct{}) == 1.
template <class T, class S>
  requires Semiring<S, T>
T one(const S& s) {
  return s.template one<T>();
}

}  // namespace tropigrad
