// Shared helpers for the tests in tests/semiring/ (not a public header).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/semiring/lse.hpp"
#include "tropigrad/semiring/min_max.hpp"

namespace tg_test {

inline constexpr double inf = std::numeric_limits<double>::infinity();

/// A minimal user scalar type standing in for a differentiable Var: it is
/// constructible from double (explicitly), and its max/min/lse/value_of live in
/// its own namespace, so semiring code can only reach them by argument-dependent
/// lookup. Counters record that those overloads were actually used.
struct Num {
  double v = 0.0;
  Num() = default;
  explicit Num(double x) : v(x) {}
  friend Num operator+(const Num& a, const Num& b) { return Num(a.v + b.v); }
  friend Num operator*(const Num& a, const Num& b) { return Num(a.v * b.v); }
  friend bool operator==(const Num& a, const Num& b) { return a.v == b.v; }
};

struct Calls {
  int max = 0;
  int min = 0;
  int lse = 0;
};
inline Calls& calls() {
  static Calls c;
  return c;
}

inline Num max(const Num& a, const Num& b) {
  ++calls().max;
  return Num(a.v < b.v ? b.v : a.v);
}
inline Num min(const Num& a, const Num& b) {
  ++calls().min;
  return Num(b.v < a.v ? b.v : a.v);
}
inline Num lse(const Num& eps, const Num& a, const Num& b) {
  ++calls().lse;
  return Num(tropigrad::lse(eps.v, a.v, b.v));
}
inline double value_of(const Num& x) { return x.v; }

/// Independent reference: eps * log(sum_i exp(x_i / eps)) in long double,
/// written the textbook way (with the max shifted out only to stay in range).
inline long double reference_lse(long double eps, const std::vector<long double>& x) {
  long double m = -std::numeric_limits<long double>::infinity();
  for (long double v : x) m = v > m ? v : m;
  if (std::isinf(m)) return m;
  long double s = 0;
  for (long double v : x) s += std::exp((v - m) / eps);
  return m + eps * std::log(s);
}

/// |a - b| <= tol * max(1, |a|, |b|), with equal infinities accepted.
inline bool close(double a, double b, double tol) {
  if (a == b) return true;
  if (std::isnan(a) || std::isnan(b) || std::isinf(a) || std::isinf(b)) return false;
  const double scale = std::max({1.0, std::abs(a), std::abs(b)});
  return std::abs(a - b) <= tol * scale;
}

inline std::vector<double> random_vector(std::mt19937& rng, std::size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> dist(lo, hi);
  std::vector<double> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

/// Checks the semiring axioms of s on `samples` random triples drawn from
/// [lo, hi] (rounded to integers if `integers`), with relative tolerance tol
/// (0 = exact).
template <class S>
void check_semiring_axioms(const S& s, double lo, double hi, double tol, bool integers = false,
                           int samples = 1000, unsigned seed = 12345) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  const double zero = s.template zero<double>();
  const double one = s.template one<double>();
  int failures = 0;
  for (int i = 0; i < samples && failures < 5; ++i) {
    auto draw = [&] { return integers ? std::round(dist(rng)) : dist(rng); };
    const double a = draw(), b = draw(), c = draw();
    const bool ok_plus_assoc = close(s.plus(s.plus(a, b), c), s.plus(a, s.plus(b, c)), tol);
    const bool ok_plus_comm = close(s.plus(a, b), s.plus(b, a), tol);
    const bool ok_times_assoc = close(s.times(s.times(a, b), c), s.times(a, s.times(b, c)), tol);
    const bool ok_left_distrib = close(s.times(a, s.plus(b, c)), s.plus(s.times(a, b), s.times(a, c)), tol);
    const bool ok_right_distrib = close(s.times(s.plus(a, b), c), s.plus(s.times(a, c), s.times(b, c)), tol);
    const bool ok_plus_identity = s.plus(zero, a) == a && s.plus(a, zero) == a;
    const bool ok_times_identity = s.times(one, a) == a && s.times(a, one) == a;
    const bool ok_annihilate = s.times(zero, a) == zero && s.times(a, zero) == zero;
    const bool ok = ok_plus_assoc && ok_plus_comm && ok_times_assoc && ok_left_distrib && ok_right_distrib &&
                    ok_plus_identity && ok_times_identity && ok_annihilate;
    if (!ok) {
      ++failures;
      INFO("a=" << a << " b=" << b << " c=" << c);
      CHECK(ok_plus_assoc);
      CHECK(ok_plus_comm);
      CHECK(ok_times_assoc);
      CHECK(ok_left_distrib);
      CHECK(ok_right_distrib);
      CHECK(ok_plus_identity);
      CHECK(ok_times_identity);
      CHECK(ok_annihilate);
    }
  }
  CHECK(failures == 0);
}

}  // namespace tg_test
