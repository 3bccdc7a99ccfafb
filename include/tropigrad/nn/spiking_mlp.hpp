#pragma once
// SpikingMLP: the UltraLIF paper's architecture,
//   fc(in -> hidden) -> neuron -> ... -> fc(hidden -> classes),
// with logits = the readout averaged over the T time steps. The neuron type
// is chosen by a factory, so the same network runs every neuron model.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "../ad/scalar_arithmetic.hpp"
#include "../ad/tensor_sum.hpp"
#include "linear.hpp"
#include "spiking.hpp"

namespace tropigrad::nn {

/// Averages a time-major stacked (timesteps * batch) x features tensor over
/// time, giving batch x features. One tape node.
template <class T>
Tensor<T> mean_over_time(const Tensor<T>& x, Index timesteps) {
  using namespace tropigrad::detail;
  if (timesteps <= 0 || x.rows() % timesteps != 0)
    throw std::invalid_argument("tropigrad::nn::mean_over_time: " + std::to_string(x.rows()) +
                                " rows is not timesteps * batch for timesteps = " + std::to_string(timesteps));
  TensorData<T>* in = &x.data();
  const Index batch = in->rows / timesteps;
  Tensor<T> out = new_result<T>(batch, in->cols, in->requires_grad);
  auto o = value_map(out.data());
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  const T scale = T(1) / static_cast<T>(timesteps);
  o = v.topRows(batch);
  for (Index t = 1; t < timesteps; ++t) o += v.middleRows(t * batch, batch);
  o *= scale;
  record_backward("mean_over_time", out, [x, in, timesteps, scale](const auto& g) {
    accumulate_grad(*in, (g * scale).replicate(timesteps, 1));
  });
  return out;
}

template <class T = float>
class SpikingMLP : public Module<T> {
public:
  using NeuronFactory = std::function<std::shared_ptr<SpikingLayer<T>>(Index features)>;

  /// hidden.size() hidden layers, each a Linear followed by a neuron made by `make_neuron`.
  SpikingMLP(Index inputs, const std::vector<Index>& hidden, Index classes, const NeuronFactory& make_neuron,
             std::uint64_t seed = 0) {
    if (hidden.empty()) throw std::invalid_argument("tropigrad::nn::SpikingMLP: needs at least one hidden layer");
    Index previous = inputs;
    for (std::size_t k = 0; k < hidden.size(); ++k) {
      fcs_.push_back(this->register_module("fc" + std::to_string(k + 1),
                                           std::make_shared<Linear<T>>(previous, hidden[k], seed + 101 * k)));
      neurons_.push_back(this->register_module("neuron" + std::to_string(k + 1), make_neuron(hidden[k])));
      previous = hidden[k];
    }
    readout_ = this->register_module("readout", std::make_shared<Linear<T>>(previous, classes, seed + 7919));
  }

  /// input: (timesteps * batch) x inputs, time-major (see encoding.hpp).
  /// Returns the logits, batch x classes.
  Tensor<T> forward(const Tensor<T>& input, Index timesteps) {
    Tensor<T> x = input;
    last_spikes_.clear();
    for (std::size_t k = 0; k < fcs_.size(); ++k) {
      x = neurons_[k]->forward(fcs_[k]->forward(x), timesteps);
      last_spikes_.push_back(x);
    }
    return mean_over_time(readout_->forward(x), timesteps);
  }

  /// Mean spike rate of the last forward over every neuron layer, as a Var,
  /// differentiable in training: the sparsity penalty is lambda * this.
  Var<T> spike_rate_penalty() const {
    if (last_spikes_.empty())
      throw std::logic_error("tropigrad::nn::SpikingMLP::spike_rate_penalty: call forward() first");
    Var<T> total = mean(last_spikes_[0]);
    for (std::size_t k = 1; k < last_spikes_.size(); ++k) total = total + mean(last_spikes_[k]);
    return total / static_cast<T>(last_spikes_.size());
  }

  /// Mean spike rate of each neuron layer in the last forward.
  std::vector<double> spike_rates() const {
    std::vector<double> rates;
    for (auto& n : neurons_) rates.push_back(n->spike_rate());
    return rates;
  }
  double spike_rate() const {
    double sum = 0;
    for (double r : spike_rates()) sum += r;
    return sum / static_cast<double>(neurons_.size());
  }

  const std::vector<std::shared_ptr<SpikingLayer<T>>>& neurons() const { return neurons_; }
  const std::vector<std::shared_ptr<Linear<T>>>& hidden_layers() const { return fcs_; }
  const std::shared_ptr<Linear<T>>& readout() const { return readout_; }

private:
  std::vector<std::shared_ptr<Linear<T>>> fcs_;
  std::vector<std::shared_ptr<SpikingLayer<T>>> neurons_;
  std::shared_ptr<Linear<T>> readout_;
  std::vector<Tensor<T>> last_spikes_;
};

}  // namespace tropigrad::nn
