// Soft sorting and ranking (soft/sort.hpp) and sorting networks
// (soft/sorting_network.hpp), forward plus backward, in double, batch 1 unless
// named. Inputs: x uniform in [0, n) (gaps ~1, so that strength 1 gives PAV
// blocks of many sizes), strength 1, fixed seeds.
// Counters:
//   ns_per_call       : soft op value + gradient (incl. zero_grad and tape reset), ns per call
//   std_sort_ns       : std::sort on a copy of the same row (copy included), ns per call
//   ratio_to_std_sort : ns_per_call / std_sort_ns, both measured in this run
//   ns_per_row        : (batch benchmarks) ns_per_call / batch
// Times are the minimum over 7 trials of the mean thread-CPU time (bench/timing.hpp).

#include <benchmark/benchmark.h>

#include "timing.hpp"

#include <algorithm>
#include <random>
#include <vector>

#include "tropigrad/ad/tensor_arithmetic.hpp"
#include "tropigrad/ad/tensor_sum.hpp"
#include "tropigrad/soft/sort.hpp"
#include "tropigrad/soft/sorting_network.hpp"

namespace tg = tropigrad;

namespace {

using RowArrayD = tg::RowArray<double>;

RowArrayD uniform(Eigen::Index rows, Eigen::Index cols, double hi, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, hi);
  RowArrayD a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

int calls_for(Eigen::Index work) { return static_cast<int>(std::clamp<Eigen::Index>(2000000 / (work + 1), 1, 2000)); }

/// soft op + backward of sum(w * y), w fixed random, so every output gets a distinct gradient.
/// Successive calls cycle through a pool of different inputs (about 2^20 values in all, at
/// most 256), and std::sort sees the same sequence: on one repeated row the branch
/// predictor learns std::sort's comparisons (n = 1000: 7 ns per element instead of 28).
template <class Op>
void soft_op_bench(benchmark::State& state, Eigen::Index batch, Eigen::Index n, Op op, bool ratio) {
  const Eigen::Index pool = std::clamp<Eigen::Index>((Eigen::Index(1) << 20) / (batch * n), 1, 256);
  std::vector<tg::Tensor<double>> xs;
  std::vector<RowArrayD> values;
  for (Eigen::Index p = 0; p < pool; ++p) {
    values.push_back(uniform(batch, n, static_cast<double>(n), 1 + static_cast<unsigned>(p)));
    xs.emplace_back(values.back(), true);
  }
  const tg::Tensor<double> w(uniform(batch, n, 1.0, 1000));
  std::size_t k = 0;
  auto step = [&] {
    tg::Tensor<double>& x = xs[k++ % xs.size()];
    x.zero_grad();
    const auto y = op(x);
    tg::sum(y * w).backward();
    benchmark::DoNotOptimize(x.grad().data());
    tg::tape<double>().reset();
  };
  tg::tape<double>().reset();
  for (int i = 0; i < 3; ++i) step();
  for (auto _ : state) step();
  const int calls = calls_for(batch * n);
  const double ns = bench::min_ns_per_call(step, calls);
  state.counters["ns_per_call"] = ns;
  if (batch > 1) state.counters["ns_per_row"] = ns / static_cast<double>(batch);
  if (ratio) {
    std::vector<double> copy(static_cast<std::size_t>(n));
    auto sort_copy = [&] {
      const RowArrayD& x = values[k++ % values.size()];
      std::copy(x.data(), x.data() + n, copy.begin());
      std::sort(copy.begin(), copy.end());
      benchmark::DoNotOptimize(copy.data());
    };
    const double sort_ns = bench::min_ns_per_call(sort_copy, calls);
    state.counters["std_sort_ns"] = sort_ns;
    state.counters["ratio_to_std_sort"] = ns / sort_ns;
  }
}

void BM_soft_rank_l2(benchmark::State& state) {
  soft_op_bench(state, 1, state.range(0), [](const auto& x) { return tg::soft_rank(x, {1.0, tg::Regularization::l2}); }, true);
}
void BM_soft_sort_kl(benchmark::State& state) {
  soft_op_bench(state, 1, state.range(0), [](const auto& x) { return tg::soft_sort(x, {1.0, tg::Regularization::kl}); }, true);
}
void BM_soft_rank_l2_batch(benchmark::State& state) {
  soft_op_bench(state, state.range(0), 100, [](const auto& x) { return tg::soft_rank(x, {1.0, tg::Regularization::l2}); }, false);
}
void BM_sorting_network_oddeven(benchmark::State& state) {
  tg::SortingNetworkOptions o;
  o.network = tg::SortingNetwork::odd_even;
  o.eps = 1.0;
  soft_op_bench(state, 1, state.range(0), [o](const auto& x) { return tg::sorting_network_sort(x, o).values; }, true);
}
void BM_sorting_network_bitonic(benchmark::State& state) {
  tg::SortingNetworkOptions o;
  o.network = tg::SortingNetwork::bitonic;
  o.eps = 1.0;
  soft_op_bench(state, 1, state.range(0), [o](const auto& x) { return tg::sorting_network_sort(x, o).values; }, true);
}

}  // namespace

BENCHMARK(BM_soft_rank_l2)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_soft_sort_kl)->Arg(100)->Arg(1000)->Arg(10000)->Arg(100000)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_soft_rank_l2_batch)->Arg(256)->Arg(4096)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sorting_network_oddeven)->Arg(16)->Arg(64)->Arg(256)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sorting_network_bitonic)->Arg(16)->Arg(64)->Arg(256)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
