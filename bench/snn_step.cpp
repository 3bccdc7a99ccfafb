// One training step of the UltraLIF paper's spiking MLP, for every neuron model:
//   BM_snn_step/<neuron>/T:<T>    784-64-10 (tg::nn::SpikingMLP<float>), batch 128, T = 1 and T = 10
// One step = zero_grad + forward + cross_entropy + backward + Adam(1e-3) step + tape reset.
// The Poisson-encoded input (gain 0.5) is prepared once, outside the timed loop
// (bench/pytorch_reference.py and scripts/compare_speed time whole epochs,
// encoding included).
//
// Counters:
//   samples_per_s              128 / (time of one step)
//   ratio_to_lif_fast_sigmoid  time of one step / the lif-fast-sigmoid step at the same T
//   step_us                    time of one step, microseconds
// Both times are measured inside the same benchmark, interleaved (neuron trial,
// reference trial, neuron trial, ...), as the minimum over kTrials trials of
// the mean thread-CPU time of a batch of steps. The machine is shared, so CPU
// time and the minimum are the least noisy estimates; interleaving keeps the
// ratio honest when the load changes during the run. The Google Benchmark time
// column is the plain (wall-clock) time of the neuron's steps.
//
//   ./build/release/bench/snn_step                               all neurons
//   ./build/release/bench/snn_step --benchmark_filter='ultra|lif-fast'

#include <benchmark/benchmark.h>

#include "timing.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "tropigrad/ad.hpp"
#include "tropigrad/nn.hpp"

namespace tg = tropigrad;

namespace {

constexpr tg::Index kInputs = 784, kHidden = 64, kClasses = 10, kBatch = 128;
constexpr int kTrials = 7;
const std::string kReference = "lif-fast-sigmoid";

using bench::thread_cpu_ns;

/// A model, its optimiser and a fixed encoded batch: one training step per call.
class Stepper {
public:
  Stepper(const std::string& neuron, tg::Index timesteps) : timesteps_(timesteps) {
    model_ = std::make_unique<tg::nn::SpikingMLP<float>>(
        kInputs, std::vector<tg::Index>{kHidden}, kClasses,
        [neuron](tg::Index features) { return tg::nn::make_neuron<float>(neuron, features); }, 42);
    optimizer_ = std::make_unique<tg::nn::Adam<float>>(model_->parameters(), tg::nn::AdamOptions{.lr = 1e-3});
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<float> pixel(0.0F, 1.0F);
    tg::RowArray<float> images(kBatch, kInputs);
    for (tg::Index i = 0; i < images.size(); ++i) images.data()[i] = pixel(rng);
    input_ = tg::nn::poisson_encode(tg::Tensor<float>(std::move(images)), timesteps, 0.5, rng);
    for (tg::Index i = 0; i < kBatch; ++i) labels_.push_back(static_cast<int>(rng() % kClasses));
  }

  void step() {
    tg::tape<float>().reset();
    model_->zero_grad();
    const auto logits = model_->forward(input_, timesteps_);
    tg::Var<float> loss = tg::cross_entropy(logits, labels_);
    loss.backward();
    optimizer_->step();
    benchmark::DoNotOptimize(loss.value());
  }

private:
  tg::Index timesteps_;
  std::unique_ptr<tg::nn::SpikingMLP<float>> model_;
  std::unique_ptr<tg::nn::Adam<float>> optimizer_;
  tg::Tensor<float> input_;
  std::vector<int> labels_;
};

/// Thread-CPU ns of `steps` steps.
double time_steps(Stepper& s, int steps) {
  const double start = thread_cpu_ns();
  for (int k = 0; k < steps; ++k) s.step();
  return (thread_cpu_ns() - start) / steps;
}

void BM_snn_step(benchmark::State& state, const std::string& neuron, tg::Index timesteps) {
  Stepper subject(neuron, timesteps);
  Stepper reference(kReference, timesteps);
  subject.step();  // warm up: arena growth, first-touch
  reference.step();
  // Steps per trial: about 20 ms of work per trial.
  const double first = std::max(1.0, time_steps(subject, 1));
  const int steps = std::clamp(static_cast<int>(2e7 / first), 2, 200);
  double best = 1e300, best_reference = 1e300;
  for (int trial = 0; trial < kTrials; ++trial) {
    best = std::min(best, time_steps(subject, steps));
    best_reference = std::min(best_reference, time_steps(reference, steps));
  }
  for (auto _ : state) subject.step();
  state.counters["samples_per_s"] = static_cast<double>(kBatch) / (best * 1e-9);
  state.counters["ratio_to_lif_fast_sigmoid"] = best / best_reference;
  state.counters["step_us"] = best * 1e-3;
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) * kBatch);
}

}  // namespace

int main(int argc, char** argv) {
  for (const tg::Index timesteps : {1, 10})
    for (const auto& neuron : tg::nn::neuron_names())
      benchmark::RegisterBenchmark(("BM_snn_step/" + neuron + "/T:" + std::to_string(timesteps)).c_str(),
                                   [neuron, timesteps](benchmark::State& state) {
                                     BM_snn_step(state, neuron, timesteps);
                                   })
          ->Unit(benchmark::kMicrosecond)
          ->MinTime(0.05);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
