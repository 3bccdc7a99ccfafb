// tropigrad/data/random.hpp
//
// Portable seeded random numbers for data/: the same seed gives the same
// numbers with every compiler and standard library. std::mt19937_64 is fully
// specified by the standard, but std::uniform_int_distribution,
// std::normal_distribution and std::shuffle are not, so data/ draws through
// these helpers instead.
//
//   derive_seed(seed, a, b)  independent stream seeds (splitmix64 mixing)
//   uniform01(engine)        double in [0, 1), 53 random bits
//   uniform_index(engine, n) unbiased integer in [0, n) (rejection sampling)
//   standard_normal(engine)  N(0, 1) by Box-Muller
//   shuffle_in_place(span, engine)  Fisher-Yates
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <span>
#include <utility>

namespace tropigrad {

/// The engine every seeded generator of data/ uses.
using DataRng = std::mt19937_64;

/// splitmix64 finaliser: a bijective mix of 64 bits.
constexpr std::uint64_t mix64(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

/// Seed of an independent stream, e.g. derive_seed(seed, epoch) or
/// derive_seed(seed, class_index, spike_index).
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t a,
                                    std::uint64_t b = 0) noexcept {
  return mix64(mix64(mix64(seed) ^ a) ^ (b * 0xD1B54A32D192ED03ULL));
}

/// Uniform double in [0, 1) from the top 53 bits of one draw.
inline double uniform01(DataRng& engine) {
  return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

/// Unbiased uniform integer in [0, n); n must be > 0 (returns 0 for n == 0).
inline std::uint64_t uniform_index(DataRng& engine, std::uint64_t n) {
  if (n <= 1) return 0;
  // Reject the top partial range so every residue is equally likely.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % n);
  std::uint64_t r = engine();
  while (r >= limit) r = engine();
  return r % n;
}

/// Standard normal sample (Box-Muller, one of the pair).
inline double standard_normal(DataRng& engine) {
  const double u1 = 1.0 - uniform01(engine);  // (0, 1]: log is finite
  const double u2 = uniform01(engine);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

/// Fisher-Yates shuffle, portable across standard libraries.
template <class T>
void shuffle_in_place(std::span<T> values, DataRng& engine) {
  for (std::size_t i = values.size(); i > 1; --i) {
    const auto j = static_cast<std::size_t>(uniform_index(engine, i));
    using std::swap;
    swap(values[i - 1], values[j]);
  }
}

}  // namespace tropigrad
