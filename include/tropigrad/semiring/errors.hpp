// tropigrad/semiring/errors.hpp
//
// Tiny helpers that throw std::invalid_argument with a message that names the
// function, the argument, the expected range and the value received. Used
// project-wide; they depend on the standard library only.
#pragma once

#include <charconv>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

namespace tropigrad {

/// Throws std::invalid_argument("<where>: <what>").
/// `where` is the public function name, e.g. "tropigrad::lse".
[[noreturn]] inline void throw_invalid(std::string_view where, std::string_view what) {
  std::string message;
  message.reserve(where.size() + what.size() + 2);
  message.append(where).append(": ").append(what);
  throw std::invalid_argument(message);
}

/// Shortest round-trip text of a number: "-1", "0.1", "nan", "inf", "1e+30".
inline std::string format_number(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof(buffer), value);
  return std::string(buffer, result.ptr);
}

namespace detail {

/// The double value of an eps that may be a float, a double or a user scalar
/// (e.g. a differentiable Var). For non-arithmetic T, `value_of(eps)` is found
/// by argument-dependent lookup in the namespace of T.
template <class T>
double eps_as_double(const T& eps) {
  if constexpr (std::is_arithmetic_v<T>) {
    return static_cast<double>(eps);
  } else {
    return static_cast<double>(value_of(eps));
  }
}

}  // namespace detail

/// True when `eps` is a usable temperature: a finite number > 0.
inline bool is_valid_eps(double eps) noexcept { return std::isfinite(eps) && eps > 0.0; }

/// Validates a temperature. Throws std::invalid_argument, e.g.
/// "tropigrad::lse: eps must be a finite number > 0, got -1 (pass a positive
/// temperature, e.g. eps = 0.1)".
/// `name` is the argument name as the user sees it (default "eps").
template <class T>
void check_eps(const T& eps, std::string_view where, std::string_view name = "eps") {
  const double value = detail::eps_as_double(eps);
  if (is_valid_eps(value)) return;
  std::string what;
  what.append(name)
      .append(" must be a finite number > 0, got ")
      .append(format_number(value))
      .append(" (pass a positive temperature, e.g. ")
      .append(name)
      .append(" = 0.1)");
  throw_invalid(where, what);
}

/// Throws "<where>: <name> is NaN at index <index>; inputs must not contain NaN".
[[noreturn]] inline void throw_nan_at(std::string_view where, std::string_view name,
                                      std::size_t index) {
  std::string what;
  what.append(name)
      .append(" is NaN at index ")
      .append(std::to_string(index))
      .append("; inputs must not contain NaN");
  throw_invalid(where, what);
}

/// Throws "<where>: arguments '<a>' and '<b>' must have the same length, got <na> and <nb>"
/// unless na == nb.
inline void check_same_length(std::string_view where, std::string_view a, std::size_t na, std::string_view b,
                              std::size_t nb) {
  if (na == nb) return;
  std::string what;
  what.append("arguments '")
      .append(a)
      .append("' and '")
      .append(b)
      .append("' must have the same length, got ")
      .append(std::to_string(na))
      .append(" and ")
      .append(std::to_string(nb));
  throw_invalid(where, what);
}

/// Throws "<where>: <name> is NaN; inputs must not contain NaN".
[[noreturn]] inline void throw_nan(std::string_view where, std::string_view name) {
  std::string what;
  what.append(name).append(" is NaN; inputs must not contain NaN");
  throw_invalid(where, what);
}

}  // namespace tropigrad
