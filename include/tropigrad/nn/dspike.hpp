#pragma once
// DSpike: the "Differentiable Spike" neuron of Li et al. (NeurIPS 2021): a
// LIF membrane with a Heaviside spike forward, and the DSpike function as the
// surrogate in the backward pass, with a learnable temperature b.
//
// Membrane (as LIF in lif.hpp, reset subtract by default, reset detached):
//   H_t = beta V_{t-1} + I_t,   s_t = H(H_t - threshold),   V_t = reset(H_t, s_t)
// The DSpike function, on x = H_t - threshold (the membrane shifted so that
// x + 1/2 is DSpike's normalised membrane in [0, 1], centred on the threshold):
//   f_b(x) = 1/2 + tanh(b x) / (2 tanh(b/2))   for |x| <= 1/2;  0 below, 1 above
// i.e. Li et al.'s (tanh(b (x_n - 1/2)) + tanh(b/2)) / (2 tanh(b/2)) with x_n = x + 1/2.
// Backward (see surrogate.hpp):
//   ds/dx := f_b'(x) = b / (2 tanh(b/2)) (1 - tanh^2(b x))   for |x| <= 1/2, else 0
//   ds/db := d f_b(x) / d b                                   (the temperature's gradient)
// That is, the backward pass is the exact gradient of the network in which
// each spike is f_b(H_t - threshold) (and the reset still uses the binary,
// detached s_t), evaluated at the binary forward trajectory. Li et al. tune b
// with a finite-difference search instead; here b is an ordinary parameter
// learnt by gradient descent ("temperature", one per layer, init 3), clamped
// to [0.1, 20] in the forward pass (no gradient when it lies outside).

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "lif.hpp"

namespace tropigrad::nn {

inline constexpr double dspike_min_temperature = 0.1;
inline constexpr double dspike_max_temperature = 20;

struct DSpikeOpOptions {
  double threshold = 1;
  Reset reset = Reset::subtract;
};

/// The fused DSpike-LIF recurrence: currents (timesteps * batch) x features,
/// time-major; beta 1x1 or 1 x features; temperature 1x1. Gradients flow to
/// currents, beta and temperature (as documented above).
template <class T>
Tensor<T> dspike_lif(const Tensor<T>& currents, Index timesteps, const Tensor<T>& beta, const Tensor<T>& temperature,
                     const DSpikeOpOptions& options = {}) {
  return detail::lif_kernel<T>("dspike_lif", currents, timesteps, beta,
                               LIFOpOptions{options.threshold, options.reset, Surrogate::dspike()}, &temperature,
                               dspike_min_temperature, dspike_max_temperature);
}

struct DSpikeOptions {
  double beta = 0.9;
  double threshold = 1;
  Reset reset = Reset::subtract;
  double temperature = 3;         ///< initial b
  bool learn_temperature = true;  ///< b is the parameter "temperature"
  bool learn_beta = false;        ///< as LIF's PLIF: beta = sigmoid(beta_logit)
};

/// DSpike layer. Spikes are binary in training and evaluation alike.
template <class T = float>
class DSpike : public SpikingLayer<T> {
public:
  explicit DSpike(Index features, DSpikeOptions options = {}) : features_(features), options_(options) {
    if (features <= 0)
      throw std::invalid_argument("tropigrad::nn::DSpike: argument 'features' must be > 0, got " +
                                  std::to_string(features));
    const bool beta_ok = options.learn_beta ? (options.beta > 0 && options.beta < 1)
                                            : (options.beta > 0 && options.beta <= 1);
    if (!beta_ok)
      throw std::invalid_argument("tropigrad::nn::DSpike: option 'beta' must be in (0, 1" +
                                  std::string(options.learn_beta ? ")" : "]") + ", got " +
                                  std::to_string(options.beta));
    if (!(options.temperature >= dspike_min_temperature && options.temperature <= dspike_max_temperature))
      throw std::invalid_argument("tropigrad::nn::DSpike: option 'temperature' must be in [0.1, 20], got " +
                                  std::to_string(options.temperature));
    if (!std::isfinite(options.threshold))
      throw std::invalid_argument("tropigrad::nn::DSpike: option 'threshold' must be finite");
    if (options.learn_temperature) {
      temperature = this->register_parameter("temperature", Tensor<T>(static_cast<T>(options.temperature)));
    } else {
      temperature = Tensor<T>(static_cast<T>(options.temperature));
    }
    if (options.learn_beta) {
      beta_logit = this->register_parameter(
          "beta_logit", Tensor<T>(static_cast<T>(std::log(options.beta / (1 - options.beta)))));
    } else {
      beta_constant_ = Tensor<T>(static_cast<T>(options.beta));
    }
  }

  Index features() const override { return features_; }
  const DSpikeOptions& options() const { return options_; }

  double beta() const {
    if (!options_.learn_beta) return options_.beta;
    return 1 / (1 + std::exp(-static_cast<double>(beta_logit.item())));
  }
  /// The temperature b in use (clamped to [0.1, 20]).
  double temperature_value() const {
    return std::clamp(static_cast<double>(temperature.item()), dspike_min_temperature, dspike_max_temperature);
  }

  Tensor<T> temperature;  ///< b (a registered parameter if learn_temperature)
  Tensor<T> beta_logit;   ///< defined if learn_beta

protected:
  Tensor<T> run(const Tensor<T>& currents, Index timesteps, bool /*binary*/) override {
    const Tensor<T> b = options_.learn_beta ? tropigrad::sigmoid(beta_logit) : beta_constant_;
    return dspike_lif(currents, timesteps, b, temperature, DSpikeOpOptions{options_.threshold, options_.reset});
  }

private:
  Index features_;
  DSpikeOptions options_;
  Tensor<T> beta_constant_;
};

}  // namespace tropigrad::nn
