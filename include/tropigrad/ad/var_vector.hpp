#pragma once
// Vectors of leaf Vars in one call, and their gradients in one call:
//
//   tg::make_vars(values, vars);   // vars[i] = Var(values[i]), one tape reservation
//   ... loss.backward();
//   tg::grads(vars, g);            // g[i] = vars[i].grad()
//
// Element by element, each Var(x) and each grad() looks up this thread's tape
// and checks it; for the parameter vectors of a model (the 16384 latent states
// of a stochastic-volatility model, a network's inputs) that per-element
// bookkeeping costs more than the arithmetic. These do it once per call: the
// leaves take consecutive tape indices, and the gradients are read after one
// check of the whole vector. Both write into caller-owned storage (no
// allocation); the returning overloads allocate the result.

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "../semiring/errors.hpp"
#include "var.hpp"

namespace tropigrad {

/// vars[i] = Var(values[i]) for every i: leaf variables (constants under NoGrad).
template <std::floating_point T>
void make_vars(std::span<const T> values, std::span<Var<T>> vars) {
  check_same_length("tropigrad::make_vars", "values", values.size(), "vars", vars.size());
  Tape<T>& t = tape<T>();
  const std::uint32_t g = t.live_generation();
  const std::size_t n = values.size();
  if (g == Tape<T>::kNotRecording) {
    for (std::size_t i = 0; i < n; ++i) vars[i] = Var<T>::constant(values[i]);
    return;
  }
  const typename Tape<T>::Index first = t.new_variables(n);
  for (std::size_t i = 0; i < n; ++i)
    vars[i] = Var<T>(values[i], first + static_cast<typename Tape<T>::Index>(i), g);
}
template <std::floating_point T>
void make_vars(const std::vector<T>& values, std::vector<Var<T>>& vars) {
  make_vars(std::span<const T>(values), std::span<Var<T>>(vars));
}
/// A new vector of leaf variables with the given values.
template <std::floating_point T>
std::vector<Var<T>> make_vars(std::span<const T> values) {
  std::vector<Var<T>> vars(values.size(), Var<T>::constant(T(0)));
  make_vars(values, std::span<Var<T>>(vars));
  return vars;
}
template <std::floating_point T>
std::vector<Var<T>> make_vars(const std::vector<T>& values) {
  return make_vars(std::span<const T>(values));
}

/// out[i] = vars[i].grad() for every i. Throws TapeError, as grad() does, for
/// a Var that does not belong to this thread's tape as it is now.
template <std::floating_point T>
void grads(std::span<const Var<T>> vars, std::span<T> out) {
  check_same_length("tropigrad::grads", "vars", vars.size(), "out", out.size());
  Tape<T>& t = tape<T>();
  const std::uint32_t g = t.generation();
  // One pass with the adjoint array and its size read once; the generations
  // are checked on the way and, if any is not this tape's current one, again
  // one by one (outer-scope Vars pass; others throw).
  const T* adjoints = t.adjoint_data();
  const std::size_t count = t.adjoint_count();
  std::uint32_t foreign = 0;
  for (std::size_t i = 0; i < vars.size(); ++i) {
    foreign |= vars[i].generation() ^ g;
    out[i] = Tape<T>::adjoint_or_zero(adjoints, count, vars[i].index());
  }
  if (foreign != 0)
    for (const Var<T>& v : vars) t.check(v.generation(), "tropigrad::grads: an element of 'vars'");
}
template <std::floating_point T>
void grads(const std::vector<Var<T>>& vars, std::vector<T>& out) {
  grads(std::span<const Var<T>>(vars), std::span<T>(out));
}
/// A new vector of the gradients of `vars`.
template <std::floating_point T>
std::vector<T> grads(std::span<const Var<T>> vars) {
  std::vector<T> out(vars.size());
  grads(vars, std::span<T>(out));
  return out;
}
template <std::floating_point T>
std::vector<T> grads(const std::vector<Var<T>>& vars) {
  return grads(std::span<const Var<T>>(vars));
}

}  // namespace tropigrad
