// tropigrad/semiring/dot.hpp
//
// Semiring inner product: dot(s, a, b) = ⊕_i a_i ⊗ b_i  (zero for empty input).
//   dot(MaxPlus{}, a, b)    = max_i (a_i + b_i)
//   dot(SumProduct{}, a, b) = sum_i a_i * b_i
// Written with s.plus / s.times / zero only, so it works for any scalar type.
#pragma once

#include <cstddef>
#include <ranges>
#include <string>

#include "tropigrad/semiring/concept.hpp"
#include "tropigrad/semiring/errors.hpp"

namespace tropigrad {

/// ⊕_i a[i] ⊗ b[i] over two random-access ranges of equal size
/// (std::vector, std::span, std::array, ...). Throws std::invalid_argument if
/// the sizes differ.
template <class S, std::ranges::random_access_range A, std::ranges::random_access_range B>
  requires std::ranges::sized_range<A> && std::ranges::sized_range<B> &&
           std::same_as<std::ranges::range_value_t<A>, std::ranges::range_value_t<B>> &&
           Semiring<S, std::ranges::range_value_t<A>>
std::ranges::range_value_t<A> dot(const S& s, const A& a, const B& b) {
  using T = std::ranges::range_value_t<A>;
  const auto n = static_cast<std::size_t>(std::ranges::size(a));
  const auto m = static_cast<std::size_t>(std::ranges::size(b));
  if (n != m) {
    throw_invalid("tropigrad::dot", "a has size " + std::to_string(n) + " but b has size " + std::to_string(m) +
                                        "; they must be equal");
  }
  if (n == 0) return s.template zero<T>();
  auto ia = std::ranges::begin(a);
  auto ib = std::ranges::begin(b);
  T acc = s.times(ia[0], ib[0]);
  for (std::size_t i = 1; i < n; ++i) {
    acc = s.plus(acc, s.times(ia[static_cast<std::ptrdiff_t>(i)], ib[static_cast<std::ptrdiff_t>(i)]));
  }
  return acc;
}

}  // namespace tropigrad
