// Soft k-means (tropigrad::soft_kmeans), forward plus backward, per iteration,
// against one iteration of hard Lloyd k-means (tropigrad::kmeans) in the same run.
// n points in d = 64 dimensions, k = 16 clusters, float; 16 Gaussian blobs,
// eps = 0.1 x the mean squared distance of the points to their mean.
//
//   BM_soft_kmeans_iter/<n>           backward = unrolled
//   BM_soft_kmeans_iter_implicit/<n>  backward = implicit
//
// Counters:
//   iter_ns         forward + backward cost of one more iteration:
//                   (t(50 iterations) - t(10 iterations)) / 40, each t the full
//                   soft_kmeans + loss + backward + tape reset
//   lloyd_iter_ns   one hard Lloyd iteration (assign + update):
//                   (t(kmeans, 11) - t(kmeans, 1)) / (iterations run difference)
//   ratio_to_lloyd  iter_ns / lloyd_iter_ns
//   tape_bytes      arena bytes in use after forward + backward at 50 iterations
//                   (Tape::arena().bytes_used(): op results, stored assignments,
//                   gradients of intermediates)
// Times are the minimum over trials of thread-CPU time (bench/timing.hpp).
// The benchmark's own time is one 50-iteration forward + backward.

#include <benchmark/benchmark.h>

#include "timing.hpp"

#include <random>

#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/tensor_arithmetic.hpp"
#include "tropigrad/ad/tensor_sum.hpp"
#include "tropigrad/soft/cluster.hpp"

namespace tg = tropigrad;

namespace {

using bench::min_ns_per_call;
using ArrayF = tg::RowArray<float>;
constexpr Eigen::Index kD = 64, kK = 16;
constexpr int kIterations = 50;

struct Data {
  ArrayF x, init, w_centroids;
  float eps;
};

Data make_data(Eigen::Index n) {
  std::mt19937_64 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  ArrayF centres(kK, kD);
  for (Eigen::Index i = 0; i < centres.size(); ++i) centres.data()[i] = normal(rng);
  Data data;
  data.x.resize(n, kD);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index c = 0; c < kD; ++c) data.x(i, c) = centres(i % kK, c) + 0.7f * normal(rng);
  data.init.resize(kK, kD);
  for (Eigen::Index j = 0; j < kK; ++j) data.init.row(j) = data.x.row((j * 7919) % n);  // spread-out rows
  const ArrayF centred = data.x.rowwise() - data.x.colwise().mean();
  data.eps = 0.1f * static_cast<float>(centred.square().rowwise().sum().mean());
  data.w_centroids = ArrayF::Random(kK, kD);
  return data;
}

void run(benchmark::State& state, tg::SoftKMeansBackward mode) {
  const Eigen::Index n = state.range(0);
  const Data data = make_data(n);
  tg::Tensor<float> X(data.x, true), init(data.init, true), eps(data.eps, true), w(data.w_centroids);
  auto& tape = tg::tape<float>();
  tape.reset();
  std::size_t tape_bytes = 0;
  auto grad_step = [&](int iterations) {
    X.zero_grad();
    init.zero_grad();
    eps.zero_grad();
    const auto r = tg::soft_kmeans(X, init, {eps, iterations, mode});
    const auto loss = tg::sum(r.centroids * w) + tg::sum(r.assignments);
    loss.backward();
    tape_bytes = tape.arena().bytes_used();
    benchmark::DoNotOptimize(X.grad().data());
    tape.reset();
  };
  for (int i = 0; i < 2; ++i) grad_step(kIterations);  // warm up: arena and scratch reach their size
  for (auto _ : state) grad_step(kIterations);
  grad_step(kIterations);
  state.counters["tape_bytes"] = static_cast<double>(tape_bytes);

  const int trials = n >= 10000 ? 3 : 5;
  const double t_long = min_ns_per_call([&] { grad_step(kIterations); }, 1, trials);
  const double t_short = min_ns_per_call([&] { grad_step(10); }, 1, trials);
  const double iter_ns = (t_long - t_short) / (kIterations - 10);

  const auto short_run = tg::kmeans(data.x, data.init, 1);
  const auto long_run = tg::kmeans(data.x, data.init, 11);
  const double lloyd_long = min_ns_per_call([&] { benchmark::DoNotOptimize(tg::kmeans(data.x, data.init, 11)); }, 1, trials + 2);
  const double lloyd_short = min_ns_per_call([&] { benchmark::DoNotOptimize(tg::kmeans(data.x, data.init, 1)); }, 1, trials + 2);
  const double lloyd_iter_ns = (lloyd_long - lloyd_short) / (long_run.iterations - short_run.iterations);

  state.counters["iter_ns"] = iter_ns;
  state.counters["lloyd_iter_ns"] = lloyd_iter_ns;
  state.counters["ratio_to_lloyd"] = iter_ns / lloyd_iter_ns;
  state.counters["lloyd_iterations"] = long_run.iterations - short_run.iterations;
}

void BM_soft_kmeans_iter(benchmark::State& state) { run(state, tg::SoftKMeansBackward::unrolled); }
void BM_soft_kmeans_iter_implicit(benchmark::State& state) { run(state, tg::SoftKMeansBackward::implicit); }

}  // namespace

BENCHMARK(BM_soft_kmeans_iter)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);
BENCHMARK(BM_soft_kmeans_iter_implicit)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK_MAIN();
