#pragma once
// n-ary reductions of scalar Vars, each recorded as ONE tape statement:
//
//   sum(x)            = sum_i x_i              d/dx_i = 1
//   squared_norm(x)   = sum_i x_i^2            d/dx_i = 2 x_i
//   dot(a, x)         = sum_i a_i x_i          d/dx_i = a_i, d/da_i = x_i (a: Vars or numbers)
//
// A loop `s = s + x[i]` records one statement per element; these record one
// statement with one operand per element, which halves the tape work of a
// reduction (Stan's sum/dot_product, Adept's sum do the same). Overloads for
// plain floating-point ranges let one generic function serve T = double and
// T = Var. Ranges are std::span or std::vector.

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "../semiring/errors.hpp"
#include "var.hpp"

namespace tropigrad {
namespace detail {
/// One statement whose operands are x[i] with partial(i), plus optionally y[i]
/// with partial_y(i). Constants point at the sink, so they need no branch.
template <class T, class PartialX>
Var<T> nary_result(std::span<const Var<T>> x, T value, PartialX partial_x, const char* what) {
  Tape<T>& t = tape<T>();
  const std::uint32_t g = t.live_generation();
  bool all_live = true;
  for (const Var<T>& v : x) all_live &= v.generation() == g;
  if (!all_live) {
    bool any_variable = false;
    for (const Var<T>& v : x) {
      t.check(v.generation(), what);
      any_variable |= !v.is_constant();
    }
    if (!t.recording() || !any_variable) return Var<T>::constant(value);
  }
  const std::size_t n = x.size();
  typename Tape<T>::Operand* o = t.begin_statement(n);
  for (std::size_t i = 0; i < n; ++i) o[i] = {partial_x(i), x[i].index()};
  return Var<T>(value, t.commit_statement(n), t.generation());
}
}  // namespace detail

// ---- sum ---------------------------------------------------------------------
template <class T>
Var<T> sum(std::span<const Var<T>> x) {
  T s = 0;
  for (const Var<T>& v : x) s += v.value();
  return detail::nary_result<T>(x, s, [](std::size_t) { return T(1); }, "an input Var of sum");
}
template <class T>
Var<T> sum(const std::vector<Var<T>>& x) {
  return sum(std::span<const Var<T>>(x));
}
template <std::floating_point T>
T sum(std::span<const T> x) {
  T s = 0;
  for (const T v : x) s += v;
  return s;
}
template <std::floating_point T>
T sum(const std::vector<T>& x) {
  return sum(std::span<const T>(x));
}

// ---- squared_norm ------------------------------------------------------------
template <class T>
Var<T> squared_norm(std::span<const Var<T>> x) {
  T s = 0;
  for (const Var<T>& v : x) s += v.value() * v.value();
  return detail::nary_result<T>(x, s, [&](std::size_t i) { return T(2) * x[i].value(); },
                                "an input Var of squared_norm");
}
template <class T>
Var<T> squared_norm(const std::vector<Var<T>>& x) {
  return squared_norm(std::span<const Var<T>>(x));
}
template <std::floating_point T>
T squared_norm(std::span<const T> x) {
  T s = 0;
  for (const T v : x) s += v * v;
  return s;
}
template <std::floating_point T>
T squared_norm(const std::vector<T>& x) {
  return squared_norm(std::span<const T>(x));
}

// ---- dot -----------------------------------------------------------------------
/// dot of constant coefficients and Vars.
template <class T>
Var<T> dot(std::span<const T> a, std::span<const Var<T>> x) {
  check_same_length("tropigrad::dot", "a", a.size(), "x", x.size());
  T s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += a[i] * x[i].value();
  return detail::nary_result<T>(x, s, [&](std::size_t i) { return a[i]; }, "an input Var of dot");
}
template <class T>
Var<T> dot(const std::vector<T>& a, const std::vector<Var<T>>& x) {
  return dot(std::span<const T>(a), std::span<const Var<T>>(x));
}

/// dot of two ranges of Vars: one statement with 2n operands.
template <class T>
Var<T> dot(std::span<const Var<T>> a, std::span<const Var<T>> x) {
  check_same_length("tropigrad::dot", "a", a.size(), "x", x.size());
  const std::size_t n = x.size();
  T s = 0;
  for (std::size_t i = 0; i < n; ++i) s += a[i].value() * x[i].value();
  Tape<T>& t = tape<T>();
  const std::uint32_t g = t.live_generation();
  bool all_live = true;
  for (std::size_t i = 0; i < n; ++i) all_live &= ((a[i].generation() ^ g) | (x[i].generation() ^ g)) == 0;
  if (!all_live) {
    bool any_variable = false;
    for (std::size_t i = 0; i < n; ++i) {
      t.check(a[i].generation(), "an input Var of dot");
      t.check(x[i].generation(), "an input Var of dot");
      any_variable |= !a[i].is_constant() || !x[i].is_constant();
    }
    if (!t.recording() || !any_variable) return Var<T>::constant(s);
  }
  typename Tape<T>::Operand* o = t.begin_statement(2 * n);
  for (std::size_t i = 0; i < n; ++i) {
    o[2 * i] = {x[i].value(), a[i].index()};
    o[2 * i + 1] = {a[i].value(), x[i].index()};
  }
  return Var<T>(s, t.commit_statement(2 * n), t.generation());
}
template <class T>
Var<T> dot(const std::vector<Var<T>>& a, const std::vector<Var<T>>& x) {
  return dot(std::span<const Var<T>>(a), std::span<const Var<T>>(x));
}

template <std::floating_point T>
T dot(std::span<const T> a, std::span<const T> x) {
  check_same_length("tropigrad::dot", "a", a.size(), "x", x.size());
  T s = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s += a[i] * x[i];
  return s;
}
template <std::floating_point T>
T dot(const std::vector<T>& a, const std::vector<T>& x) {
  return dot(std::span<const T>(a), std::span<const T>(x));
}

}  // namespace tropigrad
