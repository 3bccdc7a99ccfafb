#pragma once
// Timing shared by the benchmark programs. The machine is shared, so they time
// with this thread's CPU time (wall time would count other processes) and take
// the minimum over trials, the least noisy estimate.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <ctime>

namespace bench {

/// This thread's CPU time in ns.
inline double thread_cpu_ns() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

/// Minimum over trials of the mean (thread CPU) time of one call of f, in ns.
template <class F>
double min_ns_per_call(F&& f, int calls_per_trial, int trials = 7) {
  double best = 1e300;
  for (int trial = 0; trial < trials; ++trial) {
    const double start = thread_cpu_ns();
    for (int c = 0; c < calls_per_trial; ++c) {
      benchmark::ClobberMemory();  // the inputs may have changed: no hoisting
      f();
    }
    best = std::min(best, (thread_cpu_ns() - start) / calls_per_trial);
  }
  return best;
}

/// A function and the number of calls in each of its timed batches.
template <class F>
struct Batch {
  F& f;
  int calls;
};
template <class F>
Batch<F> batch(F& f, int calls) {
  return {f, calls};
}

/// For each function, the minimum over `trials` rounds of the mean time per
/// call over a batch (as min_ns_per_call), with the rounds interleaved: each
/// round times one batch of every function in turn. A burst of load from the
/// other jobs on the machine then falls on all of them alike, and a ratio of
/// two of the minima compares times taken minutes, not seconds, apart.
template <class... F>
std::array<double, sizeof...(F)> interleaved_min_ns(int trials, Batch<F>... batches) {
  std::array<double, sizeof...(F)> best;
  best.fill(1e300);
  for (int trial = 0; trial < trials; ++trial) {
    std::size_t i = 0;
    ((best[i] = std::min(best[i], min_ns_per_call(batches.f, batches.calls, 1)), ++i), ...);
  }
  return best;
}

}  // namespace bench
