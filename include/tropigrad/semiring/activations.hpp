// tropigrad/semiring/activations.hpp
//
// Stable elementwise functions related to LSE:
//   softplus(x)    = log(1 + exp(x)) = lse(1, x, 0)
//   log_sigmoid(x) = log(sigmoid(x)) = -softplus(-x)
//   sigmoid(x)     = 1 / (1 + exp(-x))
// None of them overflows for any finite or infinite x. A NaN argument gives
// NaN (these are elementwise hot-path functions; they do not throw).
#pragma once

#include <cmath>
#include <concepts>

#include <Eigen/Core>

namespace tropigrad {

/// log(1 + exp(x)), computed as max(x, 0) + log1p(exp(-|x|)).
/// softplus(+inf) = +inf, softplus(-inf) = 0.
template <std::floating_point T>
T softplus(T x) noexcept {
  const T positive_part = (x > T(0)) ? x : T(0);
  return positive_part + std::log1p(std::exp(-std::abs(x)));
}

/// log(sigmoid(x)) = -softplus(-x); <= 0, and ~ x for very negative x.
template <std::floating_point T>
T log_sigmoid(T x) noexcept {
  return -softplus(-x);
}

/// 1 / (1 + exp(-x)) in [0, 1], evaluated so that exp never overflows:
/// x >= 0: 1 / (1 + exp(-x)); x < 0: exp(x) / (1 + exp(x)).
template <std::floating_point T>
T sigmoid(T x) noexcept {
  if (x >= T(0)) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}

// Eigen array forms of the three functions above: the same formulas, written
// with array operations so they vectorise (no branch per element). They
// return lazy expressions that refer to `x`; evaluate them while x lives.

/// Elementwise softplus: max(x, 0) + log1p(exp(-|x|)).
template <class Derived>
  requires std::floating_point<typename Derived::Scalar>
auto softplus(const Eigen::ArrayBase<Derived>& x) {
  using T = typename Derived::Scalar;
  return x.derived().max(T(0)) + (-x.derived().abs()).exp().log1p();
}

/// Elementwise log_sigmoid: min(x, 0) - log1p(exp(-|x|)) (= -softplus(-x)).
template <class Derived>
  requires std::floating_point<typename Derived::Scalar>
auto log_sigmoid(const Eigen::ArrayBase<Derived>& x) {
  using T = typename Derived::Scalar;
  return x.derived().min(T(0)) - (-x.derived().abs()).exp().log1p();
}

/// Elementwise sigmoid: exp(min(x, 0)) / (1 + exp(-|x|)), which is the scalar
/// sigmoid's two branches in one formula (x >= 0: 1 / (1 + exp(-x));
/// x < 0: exp(x) / (1 + exp(x))).
template <class Derived>
  requires std::floating_point<typename Derived::Scalar>
auto sigmoid(const Eigen::ArrayBase<Derived>& x) {
  using T = typename Derived::Scalar;
  return x.derived().min(T(0)).exp() / (T(1) + (-x.derived().abs()).exp());
}

}  // namespace tropigrad
