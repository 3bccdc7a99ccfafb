// Soft confusion-matrix losses (AnyLoss), float32: one training-step's loss and
// backward for a batch of N binary logits, including zero_grad and tape reset.
//   BM_soft_confusion/<N>  soft_confusion (L = 73) + f1_loss + backward
//   BM_soft_confusion_multiclass/<N>  10 classes, softmax one-vs-rest + macro f1_loss + backward
//   BM_bce/<N>             binary_cross_entropy + backward (the baseline's cost)
// Counters:
//   ns_per_sample : the minimum over 7 trials of the mean thread-CPU time of one
//                   call, divided by N (the machine is shared; see timing.hpp).
// The target is linear cost: ns_per_sample flat in N.

#include <benchmark/benchmark.h>

#include <random>

#include "timing.hpp"
#include "tropigrad/ad/tensor.hpp"
#include "tropigrad/loss.hpp"

namespace tg = tropigrad;

namespace {

struct Batch {
  tg::Tensor<float> logits;
  tg::RowArray<float> targets;
  std::vector<int> labels;
};

Batch make_batch(tg::Index n, tg::Index classes) {
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 2.0f);
  tg::RowArray<float> z(n, classes);
  for (tg::Index i = 0; i < z.size(); ++i) z.data()[i] = normal(rng);
  Batch b{tg::Tensor<float>(z, true), tg::RowArray<float>(n, 1), std::vector<int>(static_cast<std::size_t>(n))};
  for (tg::Index i = 0; i < n; ++i) {
    b.targets(i, 0) = rng() % 10 == 0 ? 1.0f : 0.0f;  // 10% positives
    b.labels[static_cast<std::size_t>(i)] = static_cast<int>(rng() % static_cast<unsigned>(classes));
  }
  return b;
}

template <class Step>
void run(benchmark::State& state, Step step) {
  const auto n = static_cast<double>(state.range(0));
  for (auto _ : state) step();
  const int calls = static_cast<int>(std::max(1.0, 4e6 / n));
  state.counters["ns_per_sample"] = bench::min_ns_per_call(step, calls) / n;
}

void BM_soft_confusion(benchmark::State& state) {
  Batch b = make_batch(state.range(0), 1);
  run(state, [&] {
    b.logits.zero_grad();
    tg::f1_loss(tg::soft_confusion(b.logits, b.targets)).backward();
    benchmark::DoNotOptimize(b.logits.grad().data());
    tg::tape<float>().reset();
  });
}

void BM_soft_confusion_multiclass(benchmark::State& state) {
  Batch b = make_batch(state.range(0), 10);
  run(state, [&] {
    b.logits.zero_grad();
    tg::f1_loss(tg::soft_confusion_multiclass(b.logits, b.labels)).backward();
    benchmark::DoNotOptimize(b.logits.grad().data());
    tg::tape<float>().reset();
  });
}

void BM_bce(benchmark::State& state) {
  Batch b = make_batch(state.range(0), 1);
  run(state, [&] {
    b.logits.zero_grad();
    tg::binary_cross_entropy(b.logits, b.targets).backward();
    benchmark::DoNotOptimize(b.logits.grad().data());
    tg::tape<float>().reset();
  });
}

}  // namespace

BENCHMARK(BM_soft_confusion)->Arg(128)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_soft_confusion_multiclass)->Arg(128)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_bce)->Arg(128)->Arg(4096)->Arg(65536)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
