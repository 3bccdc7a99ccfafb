#pragma once
// The common ground of spiking layers.
//
// Layout: a spiking layer takes the input currents of ALL time steps at once,
// stacked time-major: a (timesteps * batch) x features Tensor whose rows
// [t * batch, (t + 1) * batch) are step t. So the Linear layer before it runs
// one GEMM for every step, and the neuron's recurrence over time is one tape
// node. The output spikes have the same layout.
//
// Modes: in training, spikes are the neuron's differentiable spikes (soft for
// the Ultra family, Heaviside with a surrogate gradient for LIF). In eval
// mode with eval_binary = true (the default), every neuron emits hard spikes,
// H(V - threshold), and resets with them: the binary inference mode.

#include <cmath>
#include <stdexcept>
#include <string>

#include "../ad/tensor_op.hpp"
#include "module.hpp"

namespace tropigrad::nn {

template <class T = float>
class SpikingLayer : public Module<T> {
public:
  /// currents: (timesteps * batch) x features, time-major. Returns spikes, same shape.
  Tensor<T> forward(const Tensor<T>& currents, Index timesteps) {
    check_layout(currents, timesteps);
    const bool binary = !this->is_training() && eval_binary;
    Tensor<T> spikes = run(currents, timesteps, binary);
    last_spike_rate_ = spikes.size() == 0 ? 0.0 : static_cast<double>(spikes.value().template cast<double>().mean());
    return spikes;
  }
  Tensor<T> operator()(const Tensor<T>& currents, Index timesteps) { return forward(currents, timesteps); }

  /// Mean spike rate (spikes per neuron per step) of the last forward.
  double spike_rate() const { return last_spike_rate_; }

  /// Emit hard spikes in eval mode (default), or the training-mode spikes.
  bool eval_binary = true;

  virtual Index features() const = 0;

protected:
  virtual Tensor<T> run(const Tensor<T>& currents, Index timesteps, bool binary) = 0;

  void check_layout(const Tensor<T>& currents, Index timesteps) const {
    if (timesteps <= 0 || currents.rows() % timesteps != 0)
      throw std::invalid_argument("tropigrad::nn: spiking layer input has " + std::to_string(currents.rows()) +
                                  " rows, which is not timesteps * batch for timesteps = " + std::to_string(timesteps) +
                                  "; stack the steps time-major: rows [t*batch, (t+1)*batch) are step t");
    if (currents.cols() != features())
      throw std::invalid_argument("tropigrad::nn: spiking layer expects " + std::to_string(features()) +
                                  " features, got input of shape " + currents.shape());
  }

private:
  double last_spike_rate_ = 0;
};

namespace detail {
/// A per-layer (1x1) or per-neuron (1 x features) parameter viewed as a
/// batch x features array, for the fused neuron kernels.
template <class T>
void expand_parameter(const char* name, const tropigrad::detail::TensorData<T>& p, Index batch, Index features,
                      Eigen::Map<RowArray<T>> out) {
  const auto v = tropigrad::detail::value_map(p);
  if (p.rows == 1 && p.cols == 1) {
    out.setConstant(v(0, 0));
  } else if (p.rows == 1 && p.cols == features) {
    out = v.replicate(batch, 1);
  } else {
    throw std::invalid_argument(std::string("tropigrad::nn: parameter ") + name + " must be 1x1 or 1x" +
                                std::to_string(features) + ", got " + tropigrad::detail::shape_string(p.rows, p.cols));
  }
}

/// Accumulates a batch x features gradient into a 1x1 or 1 x features parameter.
template <class T, class Expr>
void reduce_into_parameter(tropigrad::detail::TensorData<T>& p, const Expr& g) {
  if (p.rows == 1 && p.cols == 1) {
    tropigrad::detail::accumulate_grad_constant(p, static_cast<T>(g.sum()));
  } else {
    tropigrad::detail::accumulate_grad(p, g.colwise().sum());
  }
}

template <class T>
T* arena_array(Index rows, Index cols) {
  return tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(rows * cols));
}
}  // namespace detail

}  // namespace tropigrad::nn
