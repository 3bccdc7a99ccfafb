// tropigrad/semiring/log_sum_exp.hpp
//
// The log-sum-exp semiring with temperature eps (the ultradiscretization of
// SumProduct under x = exp(X / eps)):
//   ⊕ = LSE_eps(a, b) = eps * log(exp(a/eps) + exp(b/eps)),  ⊗ = +,
//   zero = -inf, one = 0.
// For floating point, plus(a, b) = max(a, b) + lse_correction(eps, a, b), i.e.
// MaxPlus::plus plus a smoothing term in [0, eps*log 2]; drop the term and it
// IS MaxPlus. ⊕ is not idempotent: plus(a, a) = a + eps * log 2.
//
// Eps may be float, double or a differentiable scalar (tropigrad::Var), so
// that eps can be learned. plus calls the UNQUALIFIED name lse(eps, a, b):
// for T = Var, argument-dependent lookup finds tropigrad's Var overload.
#pragma once

#include <concepts>
#include <limits>
#include <type_traits>
#include <utility>

#include "tropigrad/semiring/errors.hpp"
#include "tropigrad/semiring/lse.hpp"

namespace tropigrad {

namespace detail {
/// lse(eps, a, b) is callable as is.
template <class Eps, class T>
concept has_lse = requires(const Eps& eps, const T& a, const T& b) {
  { lse(eps, a, b) } -> std::convertible_to<T>;
};
/// lse(T(eps), a, b) is callable (eps converted to the scalar type first).
template <class Eps, class T>
concept has_lse_after_cast = std::constructible_from<T, const Eps&> && requires(const T& eps, const T& a, const T& b) {
  { lse(eps, a, b) } -> std::convertible_to<T>;
};
}  // namespace detail

template <class Eps = double>
struct LogSumExp {
  /// The temperature, a finite number > 0 (validated by the constructor and
  /// again by the lse kernel on every call).
  Eps eps;

  /// Throws std::invalid_argument if eps is not a finite number > 0.
  explicit LogSumExp(Eps eps_value) : eps(std::move(eps_value)) { check_eps(eps, "tropigrad::LogSumExp"); }

  /// LSE_eps(a, b). Uses lse(eps, a, b) when that is callable (float/double
  /// eps with float/double values, Var eps with Var values), otherwise
  /// lse(T(eps), a, b) (e.g. a double eps with Var values).
  template <class T>
    requires detail::has_lse<Eps, T> || detail::has_lse_after_cast<Eps, T>
  T plus(const T& a, const T& b) const {
    if constexpr (detail::has_lse<Eps, T>) {
      return lse(eps, a, b);
    } else {
      return lse(static_cast<T>(eps), a, b);
    }
  }

  template <class T>
    requires requires(const T& a, const T& b) { { a + b } -> std::convertible_to<T>; }
  static T times(const T& a, const T& b) {
    return a + b;
  }

  template <class T>
    requires std::constructible_from<T, double>
  static T zero() {
    return T(-std::numeric_limits<double>::infinity());
  }

  template <class T>
    requires std::constructible_from<T, double>
  static T one() {
    return T(0.0);
  }

  /// Two LogSumExp semirings are the same semiring iff their eps are equal
  /// (only defined for an arithmetic Eps).
  friend bool operator==(const LogSumExp& a, const LogSumExp& b)
    requires std::is_arithmetic_v<Eps>
  {
    return a.eps == b.eps;
  }
};

}  // namespace tropigrad
