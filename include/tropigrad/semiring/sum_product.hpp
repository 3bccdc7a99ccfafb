// tropigrad/semiring/sum_product.hpp
//
// The ordinary (probability) semiring: ⊕ = +, ⊗ = *, zero = 0, one = 1.
// Under x = exp(X / eps) it is the image of LogSumExp(eps).
#pragma once

#include <concepts>

namespace tropigrad {

struct SumProduct {
  template <class T>
    requires requires(const T& a, const T& b) { { a + b } -> std::convertible_to<T>; }
  static T plus(const T& a, const T& b) {
    return a + b;
  }

  template <class T>
    requires requires(const T& a, const T& b) { { a * b } -> std::convertible_to<T>; }
  static T times(const T& a, const T& b) {
    return a * b;
  }

  template <class T>
    requires std::constructible_from<T, double>
  static T zero() {
    return T(0.0);
  }

  template <class T>
    requires std::constructible_from<T, double>
  static T one() {
    return T(1.0);
  }

  friend constexpr bool operator==(const SumProduct&, const SumProduct&) noexcept { return true; }
};

}  // namespace tropigrad
