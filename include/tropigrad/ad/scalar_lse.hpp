#pragma once
// Smooth max LSE_eps and softmax for Var, with gradients with respect to the
// inputs AND the temperature eps:
//   d LSE / d x_i = p_i = softmax(x / eps)_i
//   d LSE / d eps = (LSE - sum_i p_i x_i) / eps
//   d p_i / d x_j = p_i (delta_ij - p_j) / eps
//   d p_i / d eps = -p_i (x_i - sum_j p_j x_j) / eps^2
// Values come from the stable kernels of semiring/, which also validate eps
// and reject NaN.

#include <cmath>
#include <span>
#include <vector>

#include "../semiring/activations.hpp"
#include "../semiring/lse.hpp"
#include "../semiring/softmax.hpp"
#include "var.hpp"

namespace tropigrad {
namespace detail {
/// LSE of two values and its partials. With d = |a - b|, p_max = sigmoid(d/eps):
/// LSE - sum p x = correction + p_min * d, which stays finite when one input is -inf.
template <class T>
struct Lse2 {
  T value, da, db, deps;
};
template <class T>
Lse2<T> lse2(T eps, T a, T b) {
  const T value = lse(eps, a, b);
  const T d = std::abs(a - b);
  if (!std::isfinite(d)) {  // an infinite input: the larger one takes it all
    const bool first = !(b > a);
    return {value, T(first), T(!first), T(0)};
  }
  const T p_min = sigmoid(-d / eps);
  const T p_a = a >= b ? T(1) - p_min : p_min;
  return {value, p_a, T(1) - p_a, ((value - std::max(a, b)) + p_min * d) / eps};
}

template <class T>
T sum_p_times_x(std::span<const T> p, std::span<const T> x) {
  T s = 0;
  for (std::size_t i = 0; i < x.size(); ++i)
    if (p[i] != T(0)) s += p[i] * x[i];  // -inf entries carry p = 0
  return s;
}
}  // namespace detail

template <class T>
Var<T> lse(const Var<T>& eps, const Var<T>& a, const Var<T>& b) {
  const auto r = detail::lse2(eps.value(), a.value(), b.value());
  return detail::ternary_result(a, b, eps, r.value, r.da, r.db, r.deps);
}

template <class T, Arithmetic E>
Var<T> lse(E eps, const Var<T>& a, const Var<T>& b) {
  const auto r = detail::lse2(static_cast<T>(eps), a.value(), b.value());
  return detail::binary_result(a, b, r.value, r.da, r.db);
}

/// n-ary LSE_eps over a range of Vars. eps is a Var (learnable) or a number.
template <class T, class E>
Var<T> lse(const E& eps, std::span<const Var<T>> x) {
  Tape<T>& t = tape<T>();
  const T e = static_cast<T>(value_of(eps));
  std::vector<T> values(x.size()), p(x.size());
  bool all_constant = true;
  for (std::size_t i = 0; i < x.size(); ++i) {
    t.check(x[i].generation(), "an input Var of lse");
    values[i] = x[i].value();
    all_constant = all_constant && x[i].is_constant();
  }
  const T out = lse(e, values);
  if constexpr (!std::is_arithmetic_v<E>) {
    t.check(eps.generation(), "the eps Var of lse");
    all_constant = all_constant && eps.is_constant();
  }
  if (!t.recording() || all_constant || !std::isfinite(out)) return Var<T>::constant(out);
  softmax(e, values, p);
  for (std::size_t i = 0; i < x.size(); ++i) t.push_operand(x[i].index(), p[i]);
  if constexpr (!std::is_arithmetic_v<E>)
    t.push_operand(eps.index(), (out - detail::sum_p_times_x<T>(p, values)) / e);
  return Var<T>(out, t.finish_statement(), t.generation());
}
template <class T, class E>
Var<T> lse(const E& eps, const std::vector<Var<T>>& x) {
  return lse(eps, std::span<const Var<T>>(x));
}

/// softmax(x / eps) of a range of Vars; each output depends on every input and eps.
/// Its tape cost is O(n^2): for long vectors use the Tensor softmax.
template <class T, class E>
std::vector<Var<T>> softmax(const E& eps, std::span<const Var<T>> x) {
  Tape<T>& t = tape<T>();
  const T e = static_cast<T>(value_of(eps));
  const std::size_t n = x.size();
  std::vector<T> values(n), p(n);
  for (std::size_t i = 0; i < n; ++i) {
    t.check(x[i].generation(), "an input Var of softmax");
    values[i] = x[i].value();
  }
  softmax(e, values, p);
  std::vector<Var<T>> out;
  out.reserve(n);
  if (!t.recording()) {
    for (std::size_t i = 0; i < n; ++i) out.push_back(Var<T>::constant(p[i]));
    return out;
  }
  const T mean_x = detail::sum_p_times_x<T>(p, values);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < n; ++j) t.push_operand(x[j].index(), p[i] * (T(i == j) - p[j]) / e);
    if constexpr (!std::is_arithmetic_v<E>) {
      t.check(eps.generation(), "the eps Var of softmax");
      // With +inf entries p is constant in eps (uniform over them): no inf - inf.
      const T dx = p[i] == T(0) || !std::isfinite(mean_x) ? T(0) : values[i] - mean_x;
      t.push_operand(eps.index(), -p[i] * dx / e / e);  // e * e underflows in float for e = 1e-30
    }
    out.push_back(Var<T>(p[i], t.finish_statement(), t.generation()));
  }
  return out;
}
template <class T, class E>
std::vector<Var<T>> softmax(const E& eps, const std::vector<Var<T>>& x) {
  return softmax(eps, std::span<const Var<T>>(x));
}

}  // namespace tropigrad
