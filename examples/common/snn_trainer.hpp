#pragma once
// Training and evaluation of a SpikingMLP on a classification data set, with
// the batch split across worker threads. Each worker owns a replica of the
// model (so its tape, spikes and gradients are its own); the replicas'
// gradients are summed in a fixed order, so a run is deterministic for a
// given seed and thread count.

#include <tropigrad/data.hpp>
#include <tropigrad/nn.hpp>
#include <tropigrad/nn/encoding.hpp>
#include <tropigrad/nn/neurons.hpp>
#include <tropigrad/nn/spiking_mlp.hpp>
#include <tropigrad/ad.hpp>

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "worker_pool.hpp"

namespace examples {

namespace tg = tropigrad;
using Model = tg::nn::SpikingMLP<float>;

struct TrainConfig {
  std::string neuron = "ultra-plif";
  tg::Index hidden = 64;
  int layers = 1;
  tg::Index timesteps = 1;
  int epochs = 1;
  int batch = 128;
  double lr = 1e-3;
  std::uint64_t seed = 42;
  std::string encoding = "poisson";  ///< poisson | direct | latency (ignored for temporal data)
  double gain = 0.5;
  double sparsity = 0;               ///< lambda of the spike-rate penalty
  int threads = 1;
};

struct EpochResult {
  int epoch = 0;
  double train_loss = 0, test_accuracy_soft = 0, test_accuracy_binary = 0, spike_rate = 0;
  double eps = std::numeric_limits<double>::quiet_NaN(), tau = std::numeric_limits<double>::quiet_NaN();
  double samples_per_second = 0, seconds = 0;
};

inline std::unique_ptr<Model> make_model(const TrainConfig& config, tg::Index inputs, tg::Index classes) {
  std::vector<tg::Index> hidden(static_cast<std::size_t>(config.layers), config.hidden);
  const std::string neuron = config.neuron;
  return std::make_unique<Model>(inputs, hidden, classes,
                                 [neuron](tg::Index features) { return tg::nn::make_neuron<float>(neuron, features); },
                                 config.seed);
}

/// The learned temperature and leak of the first layer, where the model has them.
inline void read_eps_tau(const Model& model, EpochResult& result) {
  if (auto ultra = std::dynamic_pointer_cast<tg::nn::detail::UltraLayer<float>>(model.neurons().front())) {
    result.eps = ultra->eps().mean();
    result.tau = ultra->tau().mean();
  }
}

class Trainer {
public:
  /// `inputs_per_step`: features per time step (784 for images; channels for
  /// temporal data, whose rows hold T steps).
  Trainer(TrainConfig config, const tg::Dataset& train, const tg::Dataset& test)
      : config_(std::move(config)), train_(train), test_(test), pool_(config_.threads) {
    temporal_ = train.time_steps > 1;
    if (temporal_) config_.timesteps = train.time_steps;
    inputs_ = train.channels();
    model_ = make_model(config_, inputs_, train.classes);
    for (int w = 0; w < (pool_.size() > 1 ? pool_.size() : 0); ++w)
      replicas_.push_back(make_model(config_, inputs_, train.classes));
    optimizer_ = std::make_unique<tg::nn::Adam<float>>(model_->parameters(), tg::nn::AdamOptions{.lr = config_.lr});
    schedule_ = std::make_unique<tg::nn::CosineAnnealingLR<float>>(*optimizer_, std::max(1, config_.epochs));
  }

  Model& model() { return *model_; }

  /// One epoch of training, then evaluation with soft and with binary spikes.
  EpochResult epoch(int e, const std::function<void(std::size_t done, std::size_t total, double seconds)>& progress = {}) {
    EpochResult result;
    result.epoch = e;
    model_->train();
    for (auto& r : replicas_) r->train();
    tg::BatchSampler sampler(train_.size(), static_cast<std::size_t>(config_.batch), {.seed = config_.seed});
    sampler.set_epoch(static_cast<std::uint64_t>(e));
    const auto start = std::chrono::steady_clock::now();
    double loss_sum = 0;
    std::size_t done = 0;
    const auto params = model_->parameters();
    for (std::size_t b = 0; b < sampler.batches_per_epoch(); ++b) {
      const auto indices = sampler.batch(b);
      const std::size_t n = indices.size();
      std::vector<double> worker_loss(static_cast<std::size_t>(pool_.size()), 0.0);
      if (replicas_.empty()) {
        model_->zero_grad();
        worker_loss[0] = train_step(*model_, indices, 0, n, n, e, b, 0);
      } else {
        pool_.run([&](int w) {
          const std::size_t lo = n * static_cast<std::size_t>(w) / static_cast<std::size_t>(pool_.size());
          const std::size_t hi = n * static_cast<std::size_t>(w + 1) / static_cast<std::size_t>(pool_.size());
          Model& replica = *replicas_[static_cast<std::size_t>(w)];
          auto replica_params = replica.parameters();
          for (std::size_t k = 0; k < params.size(); ++k) replica_params[k].value_mut() = params[k].value();
          replica.zero_grad();
          worker_loss[static_cast<std::size_t>(w)] = train_step(replica, indices, lo, hi, n, e, b, w);
        });
        for (std::size_t k = 0; k < params.size(); ++k) {
          auto grad = tg::Tensor<float>(params[k]).grad_mut();
          grad.setZero();
          for (auto& r : replicas_) grad += r->parameters()[k].grad();
        }
      }
      optimizer_->step();
      for (double l : worker_loss) loss_sum += l * static_cast<double>(n);
      done += n;
      if (progress) progress(done, train_.size(), seconds_since(start));
    }
    result.seconds = seconds_since(start);
    result.samples_per_second = static_cast<double>(done) / result.seconds;
    result.train_loss = loss_sum / static_cast<double>(done);
    schedule_->step();
    result.test_accuracy_soft = evaluate(false, &result.spike_rate);
    result.test_accuracy_binary = evaluate(true, nullptr);
    read_eps_tau(*model_, result);
    return result;
  }

  /// Test accuracy with soft spikes (binary = false) or hard spikes.
  double evaluate(bool binary, double* spike_rate) {
    model_->eval();
    for (auto& n : model_->neurons()) n->eval_binary = binary;
    tg::NoGrad<float> no_grad;
    std::size_t correct = 0;
    double rate_sum = 0;
    std::size_t batches = 0;
    const std::size_t chunk = 500;
    std::vector<std::size_t> indices;
    for (std::size_t lo = 0; lo < test_.size(); lo += chunk) {
      const std::size_t hi = std::min(test_.size(), lo + chunk);
      indices.resize(hi - lo);
      for (std::size_t i = lo; i < hi; ++i) indices[i - lo] = i;
      std::mt19937_64 rng(config_.seed * 7919 + lo);  // the same spikes for every model
      const auto input = encode(test_, indices, 0, indices.size(), rng);
      const auto logits = model_->forward(input, config_.timesteps).value();
      for (std::size_t i = 0; i < indices.size(); ++i) {
        Eigen::Index predicted = 0;
        logits.row(static_cast<Eigen::Index>(i)).maxCoeff(&predicted);
        correct += predicted == test_.labels[indices[i]];
      }
      rate_sum += model_->spike_rate();
      ++batches;
      tg::tape<float>().reset();
    }
    if (spike_rate) *spike_rate = rate_sum / static_cast<double>(batches);
    return static_cast<double>(correct) / static_cast<double>(test_.size());
  }

private:
  static double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  }

  /// Forward and backward of rows [lo, hi) of a batch of n; returns the loss of those rows.
  double train_step(Model& model, std::span<const std::size_t> indices, std::size_t lo, std::size_t hi, std::size_t n,
                    int epoch, std::size_t batch, int worker) {
    tg::tape<float>().reset();
    if (hi <= lo) return 0;
    std::mt19937_64 rng(config_.seed ^ (0x9e3779b97f4a7c15ULL * (static_cast<std::uint64_t>(epoch) * 1000003 + batch * 64 +
                                                                 static_cast<std::uint64_t>(worker) + 1)));
    const auto input = encode(train_, indices, lo, hi, rng);
    std::vector<int> labels;
    for (std::size_t i = lo; i < hi; ++i) labels.push_back(train_.labels[indices[i]]);
    const auto logits = model.forward(input, config_.timesteps);
    const float share = static_cast<float>(hi - lo) / static_cast<float>(n);
    tg::Var<float> loss = tg::cross_entropy(logits, labels);
    if (config_.sparsity > 0) loss = loss + static_cast<float>(config_.sparsity) * model.spike_rate_penalty();
    (loss * share).backward();
    return loss.value() * share;
  }

  /// The time-major (T * rows) x inputs network input of samples indices[lo, hi).
  tg::Tensor<float> encode(const tg::Dataset& data, std::span<const std::size_t> indices, std::size_t lo, std::size_t hi,
                           std::mt19937_64& rng) const {
    const auto rows = static_cast<tg::Index>(hi - lo);
    if (temporal_) {
      // A spike raster: row t of sample i is step t.
      tg::RowArray<float> input(config_.timesteps * rows, inputs_);
      for (tg::Index i = 0; i < rows; ++i) {
        const auto raster = tg::spike_raster(data, indices[lo + static_cast<std::size_t>(i)]);
        for (tg::Index t = 0; t < config_.timesteps; ++t) input.row(t * rows + i) = raster.row(t).array();
      }
      return tg::Tensor<float>(std::move(input));
    }
    tg::RowArray<float> x(rows, inputs_);
    for (tg::Index i = 0; i < rows; ++i) x.row(i) = data.inputs.row(static_cast<tg::Index>(indices[lo + static_cast<std::size_t>(i)])).array();
    const tg::Tensor<float> images(std::move(x));
    if (config_.encoding == "poisson") return tg::nn::poisson_encode(images, config_.timesteps, config_.gain, rng);
    if (config_.encoding == "latency") return tg::nn::latency_encode(images, config_.timesteps);
    return tg::nn::direct_encode(images, config_.timesteps);
  }

  TrainConfig config_;
  const tg::Dataset& train_;
  const tg::Dataset& test_;
  WorkerPool pool_;
  bool temporal_ = false;
  tg::Index inputs_ = 0;
  std::unique_ptr<Model> model_;
  std::vector<std::unique_ptr<Model>> replicas_;
  std::unique_ptr<tg::nn::Adam<float>> optimizer_;
  std::unique_ptr<tg::nn::CosineAnnealingLR<float>> schedule_;
};

}  // namespace examples
