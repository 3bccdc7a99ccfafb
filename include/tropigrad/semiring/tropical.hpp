// tropigrad/semiring/tropical.hpp
//
// Tropical<S, T>: a value of scalar type T tagged with its semiring S, so that
// ordinary operators mean semiring operations:
//   a + b  ->  S::plus(a, b)      a * b  ->  S::times(a, b)
//
//   Tropical<MaxPlus, double> a{3.0}, b{5.0};
//   (a + b).value == 5.0;  (a * b).value == 8.0;
//   Tropical<LogSumExp<>, double> c{1.0, LogSumExp<>{0.5}};  // ring carries eps
//
// The ring object is stored with [[no_unique_address]], so for the stateless
// semirings sizeof(Tropical<S, T>) == sizeof(T). The result of a binary
// operator carries the left operand's ring. If S is equality comparable (e.g.
// LogSumExp<double>), combining values from different rings (different eps)
// throws std::invalid_argument.
#pragma once

#include <concepts>
#include <ostream>
#include <string_view>

#include "tropigrad/semiring/concept.hpp"
#include "tropigrad/semiring/errors.hpp"

namespace tropigrad {

template <class S, class T>
  requires Semiring<S, T>
struct Tropical {
  T value;
  /// The semiring; may be omitted when S is default-constructible:
  /// Tropical<MaxPlus, double>{3.0}.
  [[no_unique_address]] S ring = S();

  /// The additive identity (needs a default-constructible S).
  static Tropical zero()
    requires std::default_initializable<S>
  {
    const S s{};
    return Tropical{s.template zero<T>(), s};
  }
  /// The multiplicative identity (needs a default-constructible S).
  static Tropical one()
    requires std::default_initializable<S>
  {
    const S s{};
    return Tropical{s.template one<T>(), s};
  }
  /// The additive identity of a given ring (e.g. a LogSumExp with its eps).
  static Tropical zero(const S& s) { return Tropical{s.template zero<T>(), s}; }
  /// The multiplicative identity of a given ring.
  static Tropical one(const S& s) { return Tropical{s.template one<T>(), s}; }

  friend Tropical operator+(const Tropical& a, const Tropical& b) {
    check_same_ring(a, b, "tropigrad::Tropical::operator+");
    return Tropical{a.ring.plus(a.value, b.value), a.ring};
  }
  friend Tropical operator*(const Tropical& a, const Tropical& b) {
    check_same_ring(a, b, "tropigrad::Tropical::operator*");
    return Tropical{a.ring.times(a.value, b.value), a.ring};
  }
  Tropical& operator+=(const Tropical& other) {
    check_same_ring(*this, other, "tropigrad::Tropical::operator+=");
    value = ring.plus(value, other.value);
    return *this;
  }
  Tropical& operator*=(const Tropical& other) {
    check_same_ring(*this, other, "tropigrad::Tropical::operator*=");
    value = ring.times(value, other.value);
    return *this;
  }

  /// Compares the values (the rings are not compared).
  friend bool operator==(const Tropical& a, const Tropical& b)
    requires requires(const T& x, const T& y) { { x == y } -> std::convertible_to<bool>; }
  {
    return static_cast<bool>(a.value == b.value);
  }

  /// Writes the value only.
  friend std::ostream& operator<<(std::ostream& os, const Tropical& t)
    requires requires(std::ostream& o, const T& x) { o << x; }
  {
    return os << t.value;
  }

 private:
  static void check_same_ring(const Tropical& a, const Tropical& b, std::string_view where) {
    if constexpr (std::equality_comparable<S>) {
      if (!(a.ring == b.ring)) {
        throw_invalid(where,
                      "the operands carry different semirings (e.g. LogSumExp with different eps); "
                      "combine only values of one semiring");
      }
    }
  }
};

}  // namespace tropigrad
