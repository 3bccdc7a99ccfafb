#pragma once
// SigmoidLIF: the UltraLIF paper's sigmoid-LIF baseline, a LIF neuron whose
// spike is a sigmoid, trained with its exact gradient (no surrogate).
//
// Per time step t, with V = 0 before the first step:
//   H_t = tau * V_{t-1} + I_t
//   s_t = sigmoid(k (H_t - threshold))        k = 10, threshold = 0.5, tau = 0.9 by default
//   V_t = H_t (1 - s_t)                       soft reset, NOT detached
// Binary (eval) mode: s_t = H(H_t - threshold) (1 if H_t > threshold), same
// reset; it records no gradient.
//
// One tape node for the T steps: sigmoid_lif(currents, timesteps, tau, options).
// The pre-reset membrane H_t of every step stays in the arena; the backward
// pass is the exact reverse-time recurrence, with s' = k s (1 - s):
//   gH_t = gs_t s'_t + gV_t ((1 - s_t) - H_t s'_t)
//   gI_t = gH_t,   gV_{t-1} = tau gH_t,   g_tau += sum gH_t V_{t-1}

#include <cmath>
#include <stdexcept>
#include <string>

#include "lif.hpp"
#include "spiking.hpp"

namespace tropigrad::nn {

struct SigmoidLIFOpOptions {
  double sharpness = 10;   ///< k
  double threshold = 0.5;  ///< the sigmoid's centre (and the binary threshold)
  bool binary = false;     ///< Heaviside spikes (no gradient)
};

/// The fused SigmoidLIF recurrence. currents: (timesteps * batch) x features,
/// time-major; tau: 1x1 or 1 x features (receives a gradient if it requires one).
template <class T>
Tensor<T> sigmoid_lif(const Tensor<T>& currents, Index timesteps, const Tensor<T>& tau,
                      const SigmoidLIFOpOptions& options = {}) {
  using namespace tropigrad::detail;
  const Index batch = nn::detail::check_fused_layout("sigmoid_lif", currents, timesteps);
  const Index features = currents.cols();
  const Index n = batch * features;
  if (!(options.sharpness > 0) || !std::isfinite(options.sharpness))
    throw std::invalid_argument("tropigrad::nn::sigmoid_lif: option 'sharpness' must be finite and > 0");
  if (!std::isfinite(options.threshold))
    throw std::invalid_argument("tropigrad::nn::sigmoid_lif: option 'threshold' must be finite");
  TensorData<T>* in = &currents.data();
  TensorData<T>* taud = &tau.data();
  T* tau_buffer = nn::detail::arena_array<T>(batch, features);
  nn::detail::expand_parameter("tau", *taud, batch, features, Eigen::Map<RowArray<T>>(tau_buffer, batch, features));

  Tensor<T> out = new_result<T>(currents.rows(), features,
                                !options.binary && (in->requires_grad || taud->requires_grad));
  TensorData<T>* o = &out.data();
  const bool keep = o->requires_grad;
  const T k = static_cast<T>(options.sharpness);
  const T threshold = static_cast<T>(options.threshold);
  T* h_buffer = keep ? nn::detail::arena_array<T>(currents.rows(), features) : nullptr;
  {
    nn::detail::FlatMap<T> v(nn::detail::arena_array<T>(1, n), n);
    v.setZero();
    const nn::detail::ConstFlatMap<T> a(tau_buffer, n);
    for (Index t = 0; t < timesteps; ++t) {
      const nn::detail::ConstFlatMap<T> current(in->value + t * n, n);
      nn::detail::FlatMap<T> s(o->value + t * n, n);
      v = a * v + current;
      if (keep) nn::detail::FlatMap<T>(h_buffer + t * n, n) = v;
      if (options.binary) {
        s = (v > threshold).template cast<T>();
      } else {
        s = T(0.5) * ((T(0.5) * k) * (v - threshold)).tanh() + T(0.5);  // sigmoid(k (v - threshold)), stable
      }
      // H (1 - s) -> 0 as H -> +inf (s saturates to 1): an infinite potential resets to 0, not inf * 0.
      v = (s == T(1)).select(T(0), v * (T(1) - s));
    }
  }
  if (!keep) return out;

  record_backward("sigmoid_lif", out,
                  [currents, tau, in, taud, o, h_buffer, tau_buffer, batch, features, n, timesteps, k](const auto& g) {
                    using namespace tropigrad::detail;
                    Tape<T>& tp = tape<T>();
                    T* gh_all = tp.arena().template allocate_array<T>(static_cast<std::size_t>(timesteps * n));
                    nn::detail::FlatMap<T> gv(tp.arena().template allocate_array<T>(static_cast<std::size_t>(n)), n);
                    nn::detail::FlatMap<T> ds(tp.arena().template allocate_array<T>(static_cast<std::size_t>(n)), n);
                    T* gtau_buffer =
                        taud->requires_grad ? tp.arena().template allocate_array<T>(static_cast<std::size_t>(n)) : nullptr;
                    gv.setZero();
                    if (gtau_buffer) nn::detail::FlatMap<T>(gtau_buffer, n).setZero();
                    const nn::detail::ConstFlatMap<T> a(tau_buffer, n);
                    for (Index t = timesteps; t-- > 0;) {
                      const nn::detail::ConstFlatMap<T> h(h_buffer + t * n, n);
                      const nn::detail::ConstFlatMap<T> s(o->value + t * n, n);
                      const nn::detail::ConstFlatMap<T> gs(g.data() + t * n, n);
                      nn::detail::FlatMap<T> gh(gh_all + t * n, n);
                      ds = k * s * (T(1) - s);
                      // A saturated spike (ds = 0, e.g. H = +-inf) passes no gradient through s (not 0 * inf).
                      gh = gs * ds + gv * ((T(1) - s) - (ds == T(0)).select(T(0), h * ds));
                      if (gtau_buffer && t > 0) {
                        const nn::detail::ConstFlatMap<T> hp(h_buffer + (t - 1) * n, n);
                        const nn::detail::ConstFlatMap<T> sp(o->value + (t - 1) * n, n);
                        // V_{t-1} = H (1 - s), 0 after a saturated spike; a step with gh = 0 adds 0.
                        nn::detail::FlatMap<T>(gtau_buffer, n) +=
                            (gh == T(0) || sp == T(1)).select(T(0), gh * hp * (T(1) - sp));
                      }
                      gv = a * gh;
                    }
                    accumulate_grad(*in, Eigen::Map<const RowArray<T>>(gh_all, timesteps * batch, features));
                    if (gtau_buffer)
                      nn::detail::reduce_into_parameter(*taud,
                                                        Eigen::Map<const RowArray<T>>(gtau_buffer, batch, features));
                  });
  return out;
}

struct SigmoidLIFOptions {
  double tau = 0.9;
  double sharpness = 10;   ///< k
  double threshold = 0.5;
};

/// The paper's sigmoid-LIF baseline layer (fixed tau). Soft spikes in
/// training; Heaviside spikes in eval mode when eval_binary (the default).
template <class T = float>
class SigmoidLIF : public SpikingLayer<T> {
public:
  explicit SigmoidLIF(Index features, SigmoidLIFOptions options = {}) : features_(features), options_(options) {
    if (features <= 0)
      throw std::invalid_argument("tropigrad::nn::SigmoidLIF: argument 'features' must be > 0, got " +
                                  std::to_string(features));
    if (!(options.tau > 0 && options.tau <= 1))
      throw std::invalid_argument("tropigrad::nn::SigmoidLIF: option 'tau' must be in (0, 1], got " +
                                  std::to_string(options.tau));
    if (!(options.sharpness > 0) || !std::isfinite(options.sharpness))
      throw std::invalid_argument("tropigrad::nn::SigmoidLIF: option 'sharpness' must be finite and > 0");
    if (!std::isfinite(options.threshold))
      throw std::invalid_argument("tropigrad::nn::SigmoidLIF: option 'threshold' must be finite");
    tau_ = Tensor<T>(static_cast<T>(options.tau));
  }

  Index features() const override { return features_; }
  const SigmoidLIFOptions& options() const { return options_; }

protected:
  Tensor<T> run(const Tensor<T>& currents, Index timesteps, bool binary) override {
    return sigmoid_lif(currents, timesteps, tau_, SigmoidLIFOpOptions{options_.sharpness, options_.threshold, binary});
  }

private:
  Index features_;
  SigmoidLIFOptions options_;
  Tensor<T> tau_;
};

}  // namespace tropigrad::nn
