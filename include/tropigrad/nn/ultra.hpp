#pragma once
// The Ultra neuron layers: UltraLIF, UltraPLIF (learnable tau), UltraDLIF
// (diffusive) and UltraDPLIF (diffusive, learnable tau). They share their
// parameters and differ in the fused kernel (ultra_lif.hpp, ultra_dlif.hpp):
//   log_eps   1x1, or 1 x features with eps_per_neuron; eps = clamp(exp(log_eps))
//   log_tau   1x1 or 1 x features; a parameter only in the P variants

#include <cmath>
#include <string>

#include "ultra_dlif.hpp"
#include "ultra_lif.hpp"

namespace tropigrad::nn {

struct UltraLayerOptions {
  double tau = 0.9;
  double threshold = 0;
  double eps_init = 1.0;
  bool eps_per_neuron = false;
  double eps_min = 0.1, eps_max = 20;
  bool state_form = false;  ///< UltraDLIF/UltraDPLIF: the paper's state form (see ultra_dlif.hpp)
};

namespace detail {
template <class T>
class UltraLayer : public SpikingLayer<T> {
public:
  UltraLayer(const char* name, Index features, UltraLayerOptions options, bool learn_tau, bool diffusive)
      : features_(features), options_(options), diffusive_(diffusive) {
    const std::string where = std::string("tropigrad::nn::") + name;
    if (features <= 0) throw std::invalid_argument(where + ": features must be > 0, got " + std::to_string(features));
    if (!(options.tau > 0)) throw std::invalid_argument(where + ": tau must be > 0, got " + std::to_string(options.tau));
    if (!(options.eps_init > 0))
      throw std::invalid_argument(where + ": eps_init must be > 0, got " + std::to_string(options.eps_init));
    const Index cols = options.eps_per_neuron ? features : 1;
    log_eps = this->register_parameter(
        "log_eps", Tensor<T>(RowArray<T>::Constant(1, cols, static_cast<T>(std::log(options.eps_init)))));
    const Tensor<T> initial_log_tau(RowArray<T>::Constant(1, cols, static_cast<T>(std::log(options.tau))));
    log_tau = learn_tau ? this->register_parameter("log_tau", initial_log_tau) : initial_log_tau;
  }

  Index features() const override { return features_; }
  /// The temperature(s) in use: exp(log_eps) clamped to [eps_min, eps_max].
  RowArray<T> eps() const { return log_eps.value().exp().max(T(options_.eps_min)).min(T(options_.eps_max)); }
  RowArray<T> tau() const { return log_tau.value().exp(); }
  const UltraLayerOptions& options() const { return options_; }

  Tensor<T> log_eps;
  Tensor<T> log_tau;

protected:
  Tensor<T> run(const Tensor<T>& currents, Index timesteps, bool binary) override {
    const UltraOptions kernel{options_.threshold, options_.eps_min, options_.eps_max, binary, options_.state_form};
    return diffusive_ ? ultra_dlif(currents, timesteps, log_eps, log_tau, kernel)
                      : ultra_lif(currents, timesteps, log_eps, log_tau, kernel);
  }

private:
  Index features_;
  UltraLayerOptions options_;
  bool diffusive_;
};
}  // namespace detail

/// UltraLIF: V = LSE_eps(V + log tau, I); learnable eps, fixed tau.
template <class T = float>
class UltraLIF : public detail::UltraLayer<T> {
public:
  explicit UltraLIF(Index features, UltraLayerOptions options = {})
      : detail::UltraLayer<T>("UltraLIF", features, options, false, false) {}
};

/// UltraPLIF: UltraLIF with learnable tau.
template <class T = float>
class UltraPLIF : public detail::UltraLayer<T> {
public:
  explicit UltraPLIF(Index features, UltraLayerOptions options = {})
      : detail::UltraLayer<T>("UltraPLIF", features, options, true, false) {}
};

/// UltraDLIF: V = tau V + I, M = LSE_eps over periodic neighbours; learnable eps.
template <class T = float>
class UltraDLIF : public detail::UltraLayer<T> {
public:
  explicit UltraDLIF(Index features, UltraLayerOptions options = {})
      : detail::UltraLayer<T>("UltraDLIF", features, options, false, true) {}
};

/// UltraDPLIF: UltraDLIF with learnable tau.
template <class T = float>
class UltraDPLIF : public detail::UltraLayer<T> {
public:
  explicit UltraDPLIF(Index features, UltraLayerOptions options = {})
      : detail::UltraLayer<T>("UltraDPLIF", features, options, true, true) {}
};

}  // namespace tropigrad::nn
