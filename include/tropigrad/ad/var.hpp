#pragma once
// Scalar reverse-mode variable. A Var is 16 bytes (for double): its value, its
// index on this thread's tape, and the tape generation that made it. Vars are
// cheap to copy; the tape, not the Var, holds the graph.

#include <concepts>
#include <cstdint>
#include <ostream>
#include <type_traits>

#include "tape.hpp"

namespace tropigrad {

template <class U>
concept Arithmetic = std::is_arithmetic_v<U>;

template <std::floating_point T = double>
class Var {
public:
  using value_type = T;
  using Index = typename Tape<T>::Index;

  /// A leaf variable with value 0.
  Var() : Var(T(0)) {}

  /// A leaf variable: backward() accumulates its gradient, read with grad().
  /// Under NoGrad it is a constant instead.
  Var(T value) : value_(value) {  // NOLINT(google-explicit-constructor): reads as math
    Tape<T>& t = tape<T>();
    const std::uint32_t g = t.live_generation();
    if (g != Tape<T>::kNotRecording) [[likely]] {
      index_ = t.new_variable();
      generation_ = g;
    }
  }
  template <Arithmetic U>
    requires(!std::same_as<U, T>)
  Var(U value) : Var(static_cast<T>(value)) {}  // NOLINT(google-explicit-constructor)

  /// A value that takes no part in differentiation. It is valid on every tape.
  static Var constant(T value) { return Var(value, Tape<T>::kConstantIndex, Tape<T>::kConstantGeneration); }

  /// Internal: a variable already recorded on the tape.
  Var(T value, Index index, std::uint32_t generation)
      : value_(value), index_(index), generation_(generation) {}

  T value() const { return value_; }
  explicit operator T() const { return value_; }

  /// The gradient accumulated by backward passes so far. For intermediate
  /// results the adjoint is consumed during backward, as in PyTorch (ask for
  /// the gradient of a leaf).
  T grad() const {
    Tape<T>& t = tape<T>();
    t.check(generation_, "Var::grad(): this Var");
    return t.adjoint_or_zero(index_);
  }

  /// Propagates d(this)/d(x) into every leaf x recorded before it.
  void backward() const {
    Tape<T>& t = tape<T>();
    t.check(generation_, "Var::backward(): this Var");
    if (index_ == Tape<T>::kConstantIndex)
      throw TapeError(
          "tropigrad: Var::backward() on a constant: it was computed under NoGrad or from "
          "constants only, so no gradient can flow. Compute it with recording on.");
    t.backward(index_);
  }

  void zero_grad() {
    Tape<T>& t = tape<T>();
    t.check(generation_, "Var::zero_grad(): this Var");
    if (index_ != Tape<T>::kConstantIndex && index_ < t.num_variables()) t.adjoint(index_) = T(0);
  }

  bool is_constant() const { return index_ == Tape<T>::kConstantIndex; }
  Index index() const { return index_; }
  std::uint32_t generation() const { return generation_; }

  Var& operator+=(const Var& b);
  Var& operator-=(const Var& b);
  Var& operator*=(const Var& b);
  Var& operator/=(const Var& b);

private:
  T value_;
  Index index_ = Tape<T>::kConstantIndex;
  std::uint32_t generation_ = Tape<T>::kConstantGeneration;
};

Var(double) -> Var<double>;
Var(float) -> Var<float>;
Var(int) -> Var<double>;

template <class T>
T value_of(const Var<T>& v) {
  return v.value();
}
template <Arithmetic T>
T value_of(T v) {
  return v;
}

template <class T>
std::ostream& operator<<(std::ostream& os, const Var<T>& v) {
  return os << v.value();
}

namespace detail {
// The recording primitives every scalar op is written with. A result whose
// operands are all constants is itself a constant and costs no tape space.
//
// Fast path: every operand carries the tape's live generation (so it is valid
// on this tape, not a constant, and recording is on): record straight away.
// Anything else goes through the out-of-line checked path, which throws on
// misuse and handles constants, outer-scope variables and NoGrad.
template <class T>
[[gnu::noinline]] Var<T> unary_result_checked(const Var<T>& a, T value, T da) {
  Tape<T>& t = tape<T>();
  t.check(a.generation(), "an operand Var");
  if (!t.recording() || a.is_constant()) return Var<T>::constant(value);
  return Var<T>(value, t.record(a.index(), da), t.generation());
}

template <class T>
[[gnu::noinline]] Var<T> binary_result_checked(const Var<T>& a, const Var<T>& b, T value, T da, T db) {
  Tape<T>& t = tape<T>();
  t.check(a.generation(), "the first operand Var");
  t.check(b.generation(), "the second operand Var");
  if (!t.recording() || (a.is_constant() && b.is_constant())) return Var<T>::constant(value);
  return Var<T>(value, t.record(a.index(), da, b.index(), db), t.generation());
}

template <class T>
[[gnu::noinline]] Var<T> ternary_result_checked(const Var<T>& a, const Var<T>& b, const Var<T>& c, T value, T da,
                                                T db, T dc) {
  Tape<T>& t = tape<T>();
  t.check(a.generation(), "the first operand Var");
  t.check(b.generation(), "the second operand Var");
  t.check(c.generation(), "the third operand Var");
  if (!t.recording() || (a.is_constant() && b.is_constant() && c.is_constant()))
    return Var<T>::constant(value);
  return Var<T>(value, t.record(a.index(), da, b.index(), db, c.index(), dc), t.generation());
}

template <class T>
inline Var<T> unary_result(const Var<T>& a, T value, T da) {
  Tape<T>& t = tape<T>();
  const std::uint32_t g = t.live_generation();
  if (a.generation() == g) [[likely]]
    return Var<T>(value, t.record(a.index(), da), g);
  return unary_result_checked(a, value, da);
}

template <class T>
inline Var<T> binary_result(const Var<T>& a, const Var<T>& b, T value, T da, T db) {
  Tape<T>& t = tape<T>();
  const std::uint32_t g = t.live_generation();
  if (((a.generation() ^ g) | (b.generation() ^ g)) == 0) [[likely]]
    return Var<T>(value, t.record(a.index(), da, b.index(), db), g);
  return binary_result_checked(a, b, value, da, db);
}

template <class T>
inline Var<T> ternary_result(const Var<T>& a, const Var<T>& b, const Var<T>& c, T value, T da, T db, T dc) {
  Tape<T>& t = tape<T>();
  const std::uint32_t g = t.live_generation();
  if (((a.generation() ^ g) | (b.generation() ^ g) | (c.generation() ^ g)) == 0) [[likely]]
    return Var<T>(value, t.record(a.index(), da, b.index(), db, c.index(), dc), g);
  return ternary_result_checked(a, b, c, value, da, db, dc);
}
}  // namespace detail

}  // namespace tropigrad
