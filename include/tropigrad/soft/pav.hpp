#pragma once
// Pool-adjacent-violators (PAV) for the decreasing isotonic problems behind
// soft sorting and ranking (Blondel et al. 2020, "Fast Differentiable Sorting
// and Ranking"). Plain math, no autodiff: both solvers only return the block
// partition of the solution; the callers turn blocks into values and gradients.
//
// l2:  argmin_{v_1 >= ... >= v_n} 1/2 ||v - y||^2.  A block's value is the mean of y on it.
// kl:  argmin_{v_1 >= ... >= v_n} <exp((a - v) / eps), 1> + <exp(b), v / eps>, written with
//      temperatures so that nothing is divided by a small eps: a block's value is
//      LSE_eps(a_B) - eps * LSE_1(b_B), an entry with b = -inf (weight 0) gives +inf and so
//      pools with its left neighbour. The merges use the LogSumExp semiring's
//      two-term kernel lse_correction() from semiring/lse.hpp.
//
// Both run in O(n) with a stack of blocks; scratch arrays are the caller's, so
// that a batch of rows allocates nothing.

#include <cstdint>
#include <limits>

#include "../semiring/lse.hpp"

namespace tropigrad::detail {

/// Blocks of the decreasing l2 isotonic regression of y[0..n): block k covers
/// [ends[k-1], ends[k]) (ends[-1] = 0). Returns the number of blocks.
/// `sums` is scratch of size n. Equal neighbouring means are pooled.
template <class Acc>
std::int32_t isotonic_l2_blocks(const Acc* y, std::int32_t n, std::int32_t* ends, Acc* sums) {
  std::int32_t k = 0;  // blocks on the stack
  for (std::int32_t i = 0; i < n; ++i) {
    Acc sum = y[i];
    std::int32_t start = i;
    // Pool while the previous block's mean is <= this one's (a violation of v decreasing).
    while (k > 0) {
      const std::int32_t prev_start = k > 1 ? ends[k - 2] : 0;
      const Acc prev_count = static_cast<Acc>(start - prev_start);
      const Acc count = static_cast<Acc>(i + 1 - start);
      if (sums[k - 1] * count > sum * prev_count) break;  // prev mean > this mean: no violation
      sum += sums[k - 1];
      start = prev_start;
      --k;
    }
    sums[k] = sum;
    ends[k] = i + 1;
    ++k;
  }
  return k;
}

/// LSE_eps(a, b) on two terms via the semiring kernel (-inf terms contribute nothing).
template <class Acc>
Acc pav_lse2(Acc eps, Acc a, Acc b) {
  const Acc m = a > b ? a : b;
  if (m == -std::numeric_limits<Acc>::infinity()) return m;
  return m + lse_correction<Acc>(eps, a, b);
}

/// Blocks of the decreasing kl isotonic problem with a block value of
/// LSE_eps(a_B) - eps * LSE_1(b_B). Same output convention as isotonic_l2_blocks.
/// `lse_a`, `lse_b` are scratch of size n. a must be finite; b may hold -inf.
template <class Acc>
std::int32_t isotonic_kl_blocks(const Acc* a, const Acc* b, Acc eps, std::int32_t n, std::int32_t* ends, Acc* lse_a,
                                Acc* lse_b) {
  constexpr Acc inf = std::numeric_limits<Acc>::infinity();
  auto value = [eps](Acc la, Acc lb) { return lb == -inf ? inf : la - eps * lb; };
  std::int32_t k = 0;
  for (std::int32_t i = 0; i < n; ++i) {
    Acc la = a[i], lb = b[i];
    Acc v = value(la, lb);
    while (k > 0) {
      const Acc prev = value(lse_a[k - 1], lse_b[k - 1]);
      if (prev > v) break;
      la = pav_lse2(eps, lse_a[k - 1], la);
      lb = pav_lse2(Acc(1), lse_b[k - 1], lb);
      v = value(la, lb);
      --k;
    }
    lse_a[k] = la;
    lse_b[k] = lb;
    ends[k] = i + 1;
    ++k;
  }
  return k;
}

}  // namespace tropigrad::detail
