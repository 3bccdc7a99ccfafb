#pragma once
// Fused normal log densities for scalar Vars (Stan's normal_lpdf), each ONE
// tape statement whatever the number of elements:
//
//   normal_log_pdf(y, mu, sigma)               = sum_i log N(y_i | mu_i, sigma_i)
//   normal_log_pdf_log_scale(y, mu, log_sigma) = sum_i log N(y_i | mu_i, exp(log_sigma_i))
//
// with log N(y | mu, s) = -0.5 ((y - mu) / s)^2 - log(s) - 0.5 log(2 pi).
// Each argument is a number, a Var, or a std::vector / std::span of numbers or
// of Vars; scalars broadcast over the vectors, which must share one length.
// With z = (y - mu) / s:
//   d/dy = -z / s,   d/dmu = z / s,   d/ds = (z^2 - 1) / s,   d/dlog_s = z^2 - 1.
//
// Composed from + - * / exp log, a density costs about five statements per
// element (and sigma = exp(h) pays an exp and a log); fused it is one operand
// per vector-of-Var element plus one per scalar Var, filled in the forward
// pass, so the backward sweep is a single scatter. The log-scale form takes
// sigma on the log scale, as stochastic volatility, VAEs and heteroscedastic
// regression parameterise it: no exp-then-log, and no sigma that underflows.
// With no Var among the arguments the result is a plain number, so one
// template serves T = double and T = Var. sigma must be > 0 (else
// std::invalid_argument naming the function, the argument and the index).

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../semiring/errors.hpp"
#include "var.hpp"

namespace tropigrad {
namespace detail {

enum class DensityArgKind { number, var, values, vars };

/// How a density argument is read: its kind and its scalar type (void for a plain number).
template <class A>
struct density_arg {
  static constexpr bool ok = false;
};
template <Arithmetic U>
struct density_arg<U> {
  static constexpr bool ok = true;
  static constexpr DensityArgKind kind = DensityArgKind::number;
  using scalar = void;
};
template <std::floating_point T>
struct density_arg<Var<T>> {
  static constexpr bool ok = true;
  static constexpr DensityArgKind kind = DensityArgKind::var;
  using scalar = T;
};
template <std::floating_point T>
struct density_values_arg {
  static constexpr bool ok = true;
  static constexpr DensityArgKind kind = DensityArgKind::values;
  using scalar = T;
};
template <std::floating_point T>
struct density_vars_arg {
  static constexpr bool ok = true;
  static constexpr DensityArgKind kind = DensityArgKind::vars;
  using scalar = T;
};
template <std::floating_point T>
struct density_arg<std::vector<T>> : density_values_arg<T> {};
template <std::floating_point T>
struct density_arg<std::span<T>> : density_values_arg<T> {};
template <std::floating_point T>
struct density_arg<std::span<const T>> : density_values_arg<T> {};
template <std::floating_point T>
struct density_arg<std::vector<Var<T>>> : density_vars_arg<T> {};
template <std::floating_point T>
struct density_arg<std::span<Var<T>>> : density_vars_arg<T> {};
template <std::floating_point T>
struct density_arg<std::span<const Var<T>>> : density_vars_arg<T> {};

template <class A>
using density_arg_t = density_arg<std::remove_cvref_t<A>>;

template <class A>
constexpr bool density_is_var = density_arg_t<A>::kind == DensityArgKind::var ||
                                density_arg_t<A>::kind == DensityArgKind::vars;
template <class A>
constexpr bool density_is_vector = density_arg_t<A>::kind == DensityArgKind::values ||
                                   density_arg_t<A>::kind == DensityArgKind::vars;

/// The scalar type of the arguments: the T of their Vars and vectors (which
/// must agree), else the common type of the numbers (double for integers).
template <class Y, class M, class S>
struct density_scalar {
  template <class A>
  using s = typename density_arg_t<A>::scalar;
  using first = std::conditional_t<!std::is_void_v<s<Y>>, s<Y>, std::conditional_t<!std::is_void_v<s<M>>, s<M>, s<S>>>;
  template <class X>
  static constexpr bool agrees = std::is_void_v<X> || std::is_same_v<X, first>;
  static constexpr bool ok = agrees<s<Y>> && agrees<s<M>> && agrees<s<S>>;
  template <class A>  // only used when all three are numbers
  using number = std::conditional_t<std::is_arithmetic_v<std::remove_cvref_t<A>>, std::remove_cvref_t<A>, char>;
  using numbers = std::common_type_t<number<Y>, number<M>, number<S>>;
  using type = std::conditional_t<!std::is_void_v<first>, first,
                                  std::conditional_t<std::is_floating_point_v<numbers>, numbers, double>>;
};

/// Uniform element access to one argument (a view; the argument outlives it).
template <class T, class A, DensityArgKind K = density_arg_t<A>::kind>
struct DensityView;
template <class T, class A>
struct DensityView<T, A, DensityArgKind::number> {
  T v;
  explicit DensityView(const A& a) : v(static_cast<T>(a)) {}
  std::size_t size() const { return 1; }
  T value(std::size_t) const { return v; }
};
template <class T, class A>
struct DensityView<T, A, DensityArgKind::var> {
  const Var<T>& v;
  explicit DensityView(const A& a) : v(a) {}
  std::size_t size() const { return 1; }
  T value(std::size_t) const { return v.value(); }
};
template <class T, class A>
struct DensityView<T, A, DensityArgKind::values> {
  std::span<const T> s;
  explicit DensityView(const A& a) : s(a) {}
  std::size_t size() const { return s.size(); }
  T value(std::size_t i) const { return s[i]; }
};
template <class T, class A>
struct DensityView<T, A, DensityArgKind::vars> {
  std::span<const Var<T>> s;
  explicit DensityView(const A& a) : s(a) {}
  std::size_t size() const { return s.size(); }
  T value(std::size_t i) const { return s[i].value(); }
};

/// Throws unless a Var argument (or every element of a vector of Vars) is on this tape.
/// Returns whether it holds at least one non-constant.
template <class T, class V>
bool density_check_vars(const Tape<T>& t, const V& v, const char* what) {
  if constexpr (requires { v.s[0].generation(); }) {
    bool any = false;
    for (const Var<T>& x : v.s) {
      t.check(x.generation(), what);
      any = any || !x.is_constant();
    }
    return any;
  } else if constexpr (requires { v.v.generation(); }) {
    t.check(v.v.generation(), what);
    return !v.v.is_constant();
  } else {
    return false;
  }
}
template <class T>
struct DensityPartials {
  T dy, dmu, ds;
};

/// The shared kernel. LogScale: the third argument is log(sigma).
template <bool LogScale, class Y, class M, class S>
auto normal_density(const char* fn, const char* s_name, const Y& y_arg, const M& mu_arg, const S& s_arg) {
  using T = typename density_scalar<Y, M, S>::type;
  constexpr bool any_var = density_is_var<Y> || density_is_var<M> || density_is_var<S>;
  using Result = std::conditional_t<any_var, Var<T>, T>;
  const DensityView<T, Y> y(y_arg);
  const DensityView<T, M> mu(mu_arg);
  const DensityView<T, S> s(s_arg);

  // Common length: every vector argument must have it.
  std::size_t n = 1;
  const char* n_name = nullptr;
  auto take_length = [&](std::size_t len, bool is_vector, const char* name) {
    if (!is_vector) return;
    if (n_name == nullptr) {
      n = len;
      n_name = name;
    } else {
      check_same_length(std::string("tropigrad::") + fn, n_name, n, name, len);
    }
  };
  take_length(y.size(), density_is_vector<Y>, "y");
  take_length(mu.size(), density_is_vector<M>, "mu");
  take_length(s.size(), density_is_vector<S>, s_name);

  const T half_log_2pi = T(0.5) * std::log(T(2) * std::numbers::pi_v<T>);
  const T inf = std::numeric_limits<T>::infinity();
  // A scalar sigma's exp / log / reciprocal is computed once, not per element.
  const T s0 = s.size() > 0 ? s.value(0) : T(1);
  const T inv0 = LogScale ? std::exp(-s0) : T(1) / s0;
  const T log_s0 = LogScale ? s0 : std::log(s0);
  // One element: its log density (without the constant) and partials.
  auto element = [&](std::size_t i, DensityPartials<T>& p) -> T {
    const T d = y.value(i) - mu.value(i);
    if constexpr (LogScale) {
      const T ls = density_is_vector<S> ? s.value(i) : s0;
      const T inv = density_is_vector<S> ? std::exp(-ls) : inv0;
      // d == 0 with inv == inf (sigma underflowed): z and d/dy are 0, not 0 * inf.
      const T z = d == T(0) ? T(0) : d * inv;
      const T z2 = z * z;
      p.dy = d == T(0) ? T(0) : -z * inv;
      p.dmu = -p.dy;
      p.ds = z2 - T(1);
      // z^2 = inf with log_sigma = -inf: the density is -inf (z^2 wins), not inf - inf.
      return z2 == inf ? -inf : T(-0.5) * z2 - ls;
    } else {
      const T inv = density_is_vector<S> ? T(1) / s.value(i) : inv0;
      const T log_s = density_is_vector<S> ? std::log(s.value(i)) : log_s0;
      const T z = d * inv;
      p.dy = -z * inv;
      p.dmu = z * inv;
      p.ds = (z * z - T(1)) * inv;
      return T(-0.5) * z * z - log_s;
    }
  };
  auto check_sigma = [&]() {
    if constexpr (!LogScale) {
      for (std::size_t i = 0; i < s.size(); ++i)
        if (!(s.value(i) > T(0)))
          throw_invalid(std::string("tropigrad::") + fn,
                        std::string(s_name) + " must be > 0, got " + format_number(static_cast<double>(s.value(i))) +
                            (density_is_vector<S> ? " at index " + std::to_string(i) : std::string()));
    }
  };
  check_sigma();

  const T constant = static_cast<T>(n) * half_log_2pi;
  DensityPartials<T> p{};
  if constexpr (!any_var) {
    T total = 0;
    for (std::size_t i = 0; i < n; ++i) total += element(i, p);
    return Result(total - constant);
  } else {
    Tape<T>& t = tape<T>();
    const std::uint32_t g = t.live_generation();
    // Operand layout: a block of n per vector of Vars, then one per scalar Var.
    constexpr std::size_t vector_vars = (density_arg_t<Y>::kind == DensityArgKind::vars) +
                                        (density_arg_t<M>::kind == DensityArgKind::vars) +
                                        (density_arg_t<S>::kind == DensityArgKind::vars);
    constexpr std::size_t scalar_vars = (density_arg_t<Y>::kind == DensityArgKind::var) +
                                        (density_arg_t<M>::kind == DensityArgKind::var) +
                                        (density_arg_t<S>::kind == DensityArgKind::var);
    const std::size_t m = vector_vars * n + scalar_vars;
    typename Tape<T>::Operand* o = t.begin_statement(m);
    typename Tape<T>::Operand* block = o;
    typename Tape<T>::Operand* oy = nullptr;
    typename Tape<T>::Operand* om = nullptr;
    typename Tape<T>::Operand* os = nullptr;
    if constexpr (density_arg_t<Y>::kind == DensityArgKind::vars) oy = std::exchange(block, block + n);
    if constexpr (density_arg_t<M>::kind == DensityArgKind::vars) om = std::exchange(block, block + n);
    if constexpr (density_arg_t<S>::kind == DensityArgKind::vars) os = std::exchange(block, block + n);
    // The fast test "every Var is this tape's and recording is on" runs in the
    // loop that writes the operands (one pass over the vectors); the operands
    // are committed only after it, or after the checked path below.
    std::uint32_t other = 0;
    if constexpr (density_arg_t<Y>::kind == DensityArgKind::var) other |= y.v.generation() ^ g;
    if constexpr (density_arg_t<M>::kind == DensityArgKind::var) other |= mu.v.generation() ^ g;
    if constexpr (density_arg_t<S>::kind == DensityArgKind::var) other |= s.v.generation() ^ g;
    T total = 0, sum_dy = 0, sum_dmu = 0, sum_ds = 0;
    for (std::size_t i = 0; i < n; ++i) {
      total += element(i, p);
      if constexpr (density_arg_t<Y>::kind == DensityArgKind::vars) {
        oy[i] = {p.dy, y.s[i].index()};
        other |= y.s[i].generation() ^ g;
      }
      if constexpr (density_arg_t<Y>::kind == DensityArgKind::var) sum_dy += p.dy;
      if constexpr (density_arg_t<M>::kind == DensityArgKind::vars) {
        om[i] = {p.dmu, mu.s[i].index()};
        other |= mu.s[i].generation() ^ g;
      }
      if constexpr (density_arg_t<M>::kind == DensityArgKind::var) sum_dmu += p.dmu;
      if constexpr (density_arg_t<S>::kind == DensityArgKind::vars) {
        os[i] = {p.ds, s.s[i].index()};
        other |= s.s[i].generation() ^ g;
      }
      if constexpr (density_arg_t<S>::kind == DensityArgKind::var) sum_ds += p.ds;
    }
    if (other != 0) {
      // Constants (their operands point at the sink), outer-scope Vars, NoGrad,
      // or misuse, which throws here, before anything is recorded.
      const bool vy = density_check_vars<T>(t, y, "a Var argument 'y'");
      const bool vm = density_check_vars<T>(t, mu, "a Var argument 'mu'");
      const bool vs = density_check_vars<T>(t, s, LogScale ? "a Var argument 'log_sigma'" : "a Var argument 'sigma'");
      if (!(t.recording() && (vy || vm || vs))) return Var<T>::constant(total - constant);
    }
    if constexpr (density_arg_t<Y>::kind == DensityArgKind::var) *block++ = {sum_dy, y.v.index()};
    if constexpr (density_arg_t<M>::kind == DensityArgKind::var) *block++ = {sum_dmu, mu.v.index()};
    if constexpr (density_arg_t<S>::kind == DensityArgKind::var) *block++ = {sum_ds, s.v.index()};
    return Var<T>(total - constant, t.commit_statement(m), t.generation());
  }
}

}  // namespace detail

/// Arguments of the fused densities: numbers, Vars, vectors or spans of either; one scalar type.
template <class Y, class M, class S>
concept NormalDensityArgs = detail::density_arg_t<Y>::ok && detail::density_arg_t<M>::ok &&
                            detail::density_arg_t<S>::ok && detail::density_scalar<Y, M, S>::ok;

/// sum_i log N(y_i | mu_i, sigma_i), one tape statement. sigma > 0.
template <class Y, class M, class S>
  requires NormalDensityArgs<Y, M, S>
auto normal_log_pdf(const Y& y, const M& mu, const S& sigma) {
  return detail::normal_density<false>("normal_log_pdf", "sigma", y, mu, sigma);
}

/// sum_i log N(y_i | mu_i, exp(log_sigma_i)), one tape statement; any real log_sigma.
template <class Y, class M, class S>
  requires NormalDensityArgs<Y, M, S>
auto normal_log_pdf_log_scale(const Y& y, const M& mu, const S& log_sigma) {
  return detail::normal_density<true>("normal_log_pdf_log_scale", "log_sigma", y, mu, log_sigma);
}

}  // namespace tropigrad
