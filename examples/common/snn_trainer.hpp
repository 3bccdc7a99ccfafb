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
  double fixed_eps = 0;              ///< > 0: Ultra neurons keep eps at this value (not learned)
  int trace_points = 0;              ///< per epoch: points of the learned-eps / gradient-norm trace (0 = none)
};

/// One point of the training trace: the mean over the steps since the previous point.
struct TracePoint {
  double epoch = 0;                 ///< fractional epoch at the end of the interval
  double eps = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> grad_norms;   ///< Frobenius norm of each hidden layer's weight gradient, then the readout's
};

struct EpochResult {
  int epoch = 0;
  double train_loss = 0, test_accuracy_soft = 0, test_accuracy_binary = 0, spike_rate = 0;
  double eps = std::numeric_limits<double>::quiet_NaN(), tau = std::numeric_limits<double>::quiet_NaN();
  double samples_per_second = 0, seconds = 0;
  /// Binary-spike evaluation: mean spike rate and synaptic operations per
  /// sample (input events and spikes, each times its fan-out, summed over T).
  double spike_rate_binary = 0, synops = 0;
  std::vector<TracePoint> trace;
};

inline std::unique_ptr<Model> make_model(const TrainConfig& config, tg::Index inputs, tg::Index classes) {
  std::vector<tg::Index> hidden(static_cast<std::size_t>(config.layers), config.hidden);
  const std::string neuron = config.neuron;
  return std::make_unique<Model>(inputs, hidden, classes,
                                 [neuron](tg::Index features) { return tg::nn::make_neuron<float>(neuron, features); },
                                 config.seed);
}

/// The first hidden layer as an Ultra layer, or null for the other neurons.
inline std::shared_ptr<tg::nn::detail::UltraLayer<float>> first_ultra_layer(const Model& model) {
  return std::dynamic_pointer_cast<tg::nn::detail::UltraLayer<float>>(model.neurons().front());
}

/// The learned temperature of the first layer (NaN for a neuron without eps).
inline double first_layer_eps(const Model& model) {
  const auto ultra = first_ultra_layer(model);
  return ultra ? ultra->eps().mean() : std::numeric_limits<double>::quiet_NaN();
}

/// The learned temperature and leak of the first layer, where the model has them.
inline void read_eps_tau(const Model& model, EpochResult& result) {
  if (const auto ultra = first_ultra_layer(model)) {
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
    // Parameter lists are fixed for a model's life: gathered once, not per step.
    params_ = model_->parameters();
    for (auto& r : replicas_) replica_params_.push_back(r->parameters());
    optimizer_ = std::make_unique<tg::nn::Adam<float>>(trained_parameters(), tg::nn::AdamOptions{.lr = config_.lr});
    schedule_ = std::make_unique<tg::nn::CosineAnnealingLR<float>>(*optimizer_, std::max(1, config_.epochs));
  }

  Model& model() { return *model_; }

  /// The parameters the optimiser updates: all, except eps when it is fixed
  /// (then set to `fixed_eps` here, once).
  std::vector<tg::Tensor<float>> trained_parameters() {
    if (!(config_.fixed_eps > 0)) return model_->parameters();
    std::vector<tg::Tensor<float>> trained;
    bool any_eps = false;
    for (auto& [name, p] : model_->named_parameters()) {
      if (name.size() >= 8 && name.compare(name.size() - 8, 8, ".log_eps") == 0) {
        tg::Tensor<float>(p).value_mut().setConstant(static_cast<float>(std::log(config_.fixed_eps)));
        any_eps = true;
      } else {
        trained.push_back(p);
      }
    }
    if (!any_eps)
      throw std::invalid_argument("a fixed eps needs an Ultra neuron (it has no eps to fix): neuron '" + config_.neuron +
                                  "'");
    return trained;
  }

  /// One epoch of training, then evaluation with soft and with binary spikes.
  EpochResult epoch(int e, const std::function<void(std::size_t done, std::size_t total, double seconds)>& progress = {}) {
    EpochResult result;
    result.epoch = e;
    model_->train();
    for (auto& r : replicas_) r->train();
    tg::BatchSampler sampler(train_.size(), static_cast<std::size_t>(config_.batch), {.seed = config_.seed});
    sampler.set_epoch(static_cast<std::uint64_t>(e));
    double loss_sum = 0;
    std::size_t done = 0;
    const std::size_t batches = sampler.batches_per_epoch();
    const std::size_t trace_every =
        config_.trace_points > 0 ? std::max<std::size_t>(1, batches / static_cast<std::size_t>(config_.trace_points)) : 0;
    std::vector<double> norm_sum;
    std::size_t norm_steps = 0;
    std::vector<double> worker_loss(static_cast<std::size_t>(pool_.size()), 0.0);
    // Warm-up, untimed: the first step of a run grows the tape arenas and starts
    // the workers; without it the first epoch's samples/s is understated. Its
    // gradients are overwritten by the first real step, and every step seeds
    // its own random numbers, so training is unchanged.
    if (!warmed_up_ && batches > 0) {
      gradient_step(sampler.batch(0), e, 0, worker_loss);
      warmed_up_ = true;
    }
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t b = 0; b < batches; ++b) {
      const auto indices = sampler.batch(b);
      const std::size_t n = indices.size();
      gradient_step(indices, e, b, worker_loss);
      if (trace_every > 0) {
        accumulate_grad_norms(norm_sum);
        ++norm_steps;
        if ((b + 1) % trace_every == 0 || b + 1 == batches) {
          TracePoint point;
          point.epoch = e + static_cast<double>(b + 1) / static_cast<double>(batches);
          for (double s : norm_sum) point.grad_norms.push_back(s / static_cast<double>(norm_steps));
          point.eps = first_layer_eps(*model_);
          result.trace.push_back(std::move(point));
          norm_sum.assign(norm_sum.size(), 0.0);
          norm_steps = 0;
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
    result.test_accuracy_binary = evaluate(true, &result.spike_rate_binary, &result.synops);
    read_eps_tau(*model_, result);
    return result;
  }

  /// Test accuracy with soft spikes (binary = false) or hard spikes; the mean
  /// spike rate and synaptic operations per sample on request.
  double evaluate(bool binary, double* spike_rate, double* synops = nullptr) {
    model_->eval();
    for (auto& n : model_->neurons()) n->eval_binary = binary;
    tg::NoGrad<float> no_grad;
    std::size_t correct = 0;
    double rate_sum = 0;
    double synops_sum = 0;
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
      if (synops) synops_sum += synaptic_operations(input);
      ++batches;
      tg::tape<float>().reset();
    }
    if (spike_rate) *spike_rate = rate_sum / static_cast<double>(batches);
    if (synops) *synops = synops_sum / static_cast<double>(test_.size());
    return static_cast<double>(correct) / static_cast<double>(test_.size());
  }

private:
  /// Gradients of one batch into the model's parameters (split over the
  /// workers' replicas and summed in a fixed order); the loss of each worker's share.
  void gradient_step(std::span<const std::size_t> indices, int e, std::size_t b, std::vector<double>& worker_loss) {
    const std::size_t n = indices.size();
    std::fill(worker_loss.begin(), worker_loss.end(), 0.0);
    if (replicas_.empty()) {
      model_->zero_grad();
      worker_loss[0] = train_step(*model_, indices, 0, n, n, e, b, 0);
      return;
    }
    pool_.run([&](int w) {
      const auto worker = static_cast<std::size_t>(w);
      const std::size_t lo = n * worker / static_cast<std::size_t>(pool_.size());
      const std::size_t hi = n * (worker + 1) / static_cast<std::size_t>(pool_.size());
      auto& replica_params = replica_params_[worker];
      for (std::size_t k = 0; k < params_.size(); ++k) replica_params[k].value_mut() = params_[k].value();
      replicas_[worker]->zero_grad();
      worker_loss[worker] = train_step(*replicas_[worker], indices, lo, hi, n, e, b, w);
    });
    for (std::size_t k = 0; k < params_.size(); ++k) {
      auto grad = params_[k].grad_mut();
      grad.setZero();
      for (const auto& replica_params : replica_params_) grad += replica_params[k].grad();
    }
  }

  /// Synaptic operations of the last forward, summed over its samples: every
  /// non-zero input and every spike (a binary spike counts 1, a soft one its
  /// value) costs one operation per outgoing synapse, at every time step.
  double synaptic_operations(const tg::Tensor<float>& input) const {
    const auto& layers = model_->hidden_layers();
    double ops = static_cast<double>((input.value() != 0.0f).count()) * static_cast<double>(layers.front()->weight.rows());
    const auto rates = model_->spike_rates();
    const double rows = static_cast<double>(input.rows());  // T * batch
    for (std::size_t k = 0; k < layers.size(); ++k) {
      const double fan_out =
          static_cast<double>(k + 1 < layers.size() ? layers[k + 1]->weight.rows() : model_->readout()->weight.rows());
      ops += rates[k] * rows * static_cast<double>(layers[k]->weight.rows()) * fan_out;
    }
    return ops;
  }

  /// Adds the Frobenius norm of each hidden layer's and the readout's weight gradient.
  void accumulate_grad_norms(std::vector<double>& sums) const {
    const auto& layers = model_->hidden_layers();
    sums.resize(layers.size() + 1, 0.0);
    for (std::size_t k = 0; k < layers.size(); ++k) sums[k] += layers[k]->weight.grad().matrix().norm();
    sums.back() += model_->readout()->weight.grad().matrix().norm();
  }

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
  bool warmed_up_ = false;
  tg::Index inputs_ = 0;
  std::unique_ptr<Model> model_;
  std::vector<std::unique_ptr<Model>> replicas_;
  std::vector<tg::Tensor<float>> params_;                       ///< model_'s parameters
  std::vector<std::vector<tg::Tensor<float>>> replica_params_;  ///< each replica's, in the same order
  std::unique_ptr<tg::nn::Adam<float>> optimizer_;
  std::unique_ptr<tg::nn::CosineAnnealingLR<float>> schedule_;
};

}  // namespace examples
