#pragma once
// LIF: the surrogate-gradient leaky integrate-and-fire neuron (snnTorch
// Leaky / SpikingJelly LIFNode conventions), and PLIF (learnable beta).
//
// Per time step t, with the membrane V (zero before the first step):
//   H_t = beta * V_{t-1} + I_t               charge
//   s_t = H(H_t - threshold)                 fire: 1 if H_t > threshold, else 0 (snnTorch's strict >)
//   V_t = H_t - s_t * threshold              reset "subtract" (default)
//       = H_t * (1 - s_t)                    reset "zero"
//       = H_t                                reset "none"
// Backward: dH/dx is replaced by the surrogate derivative spike_grad(H_t - threshold)
// (surrogate.hpp). The reset term is DETACHED from the graph, as in snnTorch
// (its default) and SpikingJelly with detach_reset = true: no gradient flows
// through the s_t in the reset, so dV_t/dH_t = 1 (subtract, none) or 1 - s_t (zero).
//
// The whole T-step recurrence is one tape node: lif(currents, timesteps, beta, options).
// The pre-reset membrane H_t of every step is kept in the tape arena for the
// reverse-time backward pass:
//   gH_t      = gs_t * spike_grad(H_t - threshold) + gV_t * r_t      (r_t = 1 or 1 - s_t)
//   gI_t      = gH_t,   gV_{t-1} = beta * gH_t,   g_beta += sum gH_t * V_{t-1}
//
// The layer LIF<T> wraps it. Learnable beta (PLIF, Fang et al. 2021) is stored
// as the parameter "beta_logit", one per layer, with beta = sigmoid(beta_logit),
// which keeps beta in (0, 1) (SpikingJelly's ParametricLIFNode parameterisation).

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>

#include "../ad/tensor_activations.hpp"
#include "spiking.hpp"
#include "surrogate.hpp"

namespace tropigrad::nn {

enum class Reset { subtract, zero, none };

inline Reset reset_from_name(std::string_view name) {
  if (name == "subtract") return Reset::subtract;
  if (name == "zero") return Reset::zero;
  if (name == "none") return Reset::none;
  throw std::invalid_argument("tropigrad::nn: unknown reset '" + std::string(name) +
                              "'; valid resets: subtract, zero, none");
}

inline std::string reset_name(Reset r) {
  switch (r) {
    case Reset::subtract: return "subtract";
    case Reset::zero: return "zero";
    case Reset::none: return "none";
  }
  return "unknown";
}

/// Options of the fused lif() op.
struct LIFOpOptions {
  double threshold = 1;
  Reset reset = Reset::subtract;
  Surrogate spike_grad = Surrogate::fast_sigmoid();
};

namespace detail {

template <class T>
using FlatMap = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
template <class T>
using ConstFlatMap = Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>;

/// Checks the time-major layout of a fused neuron op's input; returns the batch size.
template <class T>
Index check_fused_layout(const char* op, const Tensor<T>& currents, Index timesteps) {
  if (timesteps <= 0)
    throw std::invalid_argument(std::string("tropigrad::nn::") + op + ": argument 'timesteps' must be > 0, got " +
                                std::to_string(timesteps));
  if (currents.rows() % timesteps != 0)
    throw std::invalid_argument(std::string("tropigrad::nn::") + op + ": argument 'currents' has " +
                                std::to_string(currents.rows()) + " rows, not a multiple of timesteps = " +
                                std::to_string(timesteps) + " (expected (timesteps * batch) x features)");
  return currents.rows() / timesteps;
}

/// The fused LIF kernel shared by lif() and dspike_lif(). With `temperature`
/// given (a 1x1 Tensor b), the surrogate is DSpike with that temperature,
/// clamped to [b_min, b_max], and b receives the gradient
/// sum_t sum gs_t * d f_b / d b (H_t - threshold) (zero when clamped).
template <class T>
Tensor<T> lif_kernel(const char* op, const Tensor<T>& currents, Index timesteps, const Tensor<T>& beta,
                     const LIFOpOptions& options, const Tensor<T>* temperature, double b_min, double b_max) {
  using namespace tropigrad::detail;  // the op toolkit (tensor_op.hpp)
  const Index batch = check_fused_layout(op, currents, timesteps);
  const Index features = currents.cols();
  const Index n = batch * features;
  if (!std::isfinite(options.threshold))
    throw std::invalid_argument(std::string("tropigrad::nn::") + op + ": option 'threshold' must be finite");
  TensorData<T>* in = &currents.data();
  TensorData<T>* bd = &beta.data();
  T* beta_buffer = nn::detail::arena_array<T>(batch, features);
  nn::detail::expand_parameter("beta", *bd, batch, features, Eigen::Map<RowArray<T>>(beta_buffer, batch, features));

  Surrogate sg = options.spike_grad;
  TensorData<T>* td = nullptr;
  bool temperature_grad = false;
  if (temperature != nullptr) {
    td = &temperature->data();
    if (td->rows != 1 || td->cols != 1)
      throw std::invalid_argument(std::string("tropigrad::nn::") + op + ": argument 'temperature' must be 1x1, got " +
                                  shape_string(td->rows, td->cols));
    const double raw = static_cast<double>(td->value[0]);
    if (!std::isfinite(raw))
      throw std::invalid_argument(std::string("tropigrad::nn::") + op + ": argument 'temperature' is not finite");
    sg = Surrogate{Surrogate::Kind::dspike, std::clamp(raw, b_min, b_max)};
    temperature_grad = td->requires_grad && raw >= b_min && raw <= b_max;
  }
  const bool needs_grad = in->requires_grad || bd->requires_grad || temperature_grad;
  Tensor<T> out = new_result<T>(currents.rows(), features, needs_grad);
  TensorData<T>* o = &out.data();
  const bool keep = o->requires_grad;
  const T threshold = static_cast<T>(options.threshold);
  const Reset reset = options.reset;

  T* h_buffer = keep ? nn::detail::arena_array<T>(currents.rows(), features) : nullptr;
  T* v_buffer = nn::detail::arena_array<T>(1, n);
  {
    FlatMap<T> v(v_buffer, n);
    v.setZero();
    const ConstFlatMap<T> b(beta_buffer, n);
    for (Index t = 0; t < timesteps; ++t) {
      const ConstFlatMap<T> current(in->value + t * n, n);
      FlatMap<T> s(o->value + t * n, n);
      v = b * v + current;  // v holds H_t
      if (keep) FlatMap<T>(h_buffer + t * n, n) = v;
      s = (v > threshold).template cast<T>();
      switch (reset) {
        case Reset::subtract: v -= s * threshold; break;
        // s is 0 or 1: a spike sets V to 0 (v * (1 - s) would make an infinite H NaN, which the next
        // comparison with the threshold would hide).
        case Reset::zero: v = (s == T(1)).select(T(0), v); break;
        case Reset::none: break;
      }
    }
  }
  if (!keep) return out;

  record_backward(op, out,
                  [currents, beta, in, bd, td, o, h_buffer, beta_buffer, batch, features, n, timesteps, sg, threshold,
                   reset, temperature_grad, temperature_handle = temperature ? *temperature : Tensor<T>()](
                      const auto& g) {
                    using namespace tropigrad::detail;
                    Tape<T>& tp = tape<T>();
                    T* gv_buffer = tp.arena().template allocate_array<T>(static_cast<std::size_t>(n));
                    T* d_buffer = tp.arena().template allocate_array<T>(static_cast<std::size_t>(n));
                    T* gh_all = tp.arena().template allocate_array<T>(static_cast<std::size_t>(timesteps * n));
                    T* gbeta_buffer = bd->requires_grad ? tp.arena().template allocate_array<T>(
                                                              static_cast<std::size_t>(n))
                                                        : nullptr;
                    FlatMap<T> gv(gv_buffer, n), d(d_buffer, n);
                    gv.setZero();
                    if (gbeta_buffer) FlatMap<T>(gbeta_buffer, n).setZero();
                    const ConstFlatMap<T> b(beta_buffer, n);
                    const double temperature_value = sg.parameter;
                    double gb = 0;
                    for (Index t = timesteps; t-- > 0;) {
                      const ConstFlatMap<T> h(h_buffer + t * n, n);
                      const ConstFlatMap<T> s(o->value + t * n, n);
                      const ConstFlatMap<T> gs(g.data() + t * n, n);
                      FlatMap<T> gh(gh_all + t * n, n);
                      sg.derivative_to(h - threshold, d);
                      if (reset == Reset::zero) {
                        gh = gs * d + gv * (T(1) - s);
                      } else {
                        gh = gs * d + gv;
                      }
                      if (temperature_grad) {
                        surrogate::dspike_temperature_derivative_to(h - threshold, temperature_value, d);
                        gb += static_cast<double>((gs * d).sum());
                      }
                      if (gbeta_buffer && t > 0) {
                        const ConstFlatMap<T> hp(h_buffer + (t - 1) * n, n);
                        const ConstFlatMap<T> sp(o->value + (t - 1) * n, n);
                        FlatMap<T> gbeta(gbeta_buffer, n);
                        // A step with no gradient (gh = 0, e.g. a saturated surrogate at an infinite potential)
                        // adds 0 even where V_{t-1} is infinite (not 0 * inf).
                        switch (reset) {
                          case Reset::subtract: gbeta += (gh == T(0)).select(T(0), gh * (hp - sp * threshold)); break;
                          case Reset::zero:
                            gbeta += (gh == T(0) || sp == T(1)).select(T(0), gh * hp * (T(1) - sp));
                            break;
                          case Reset::none: gbeta += (gh == T(0)).select(T(0), gh * hp); break;
                        }
                      }
                      gv = b * gh;
                    }
                    accumulate_grad(*in, Eigen::Map<const RowArray<T>>(gh_all, timesteps * batch, features));
                    if (gbeta_buffer)
                      nn::detail::reduce_into_parameter(
                          *bd, Eigen::Map<const RowArray<T>>(gbeta_buffer, batch, features));
                    if (temperature_grad) accumulate_grad_constant(*td, static_cast<T>(gb));
                  });
  return out;
}

}  // namespace detail

/// The fused LIF recurrence over all time steps (see the top of this file).
/// currents: (timesteps * batch) x features, time-major. beta: a 1x1 (per
/// layer) or 1 x features (per neuron) Tensor; it receives a gradient if it
/// requires one. Returns the spikes (0/1), same shape as currents.
template <class T>
Tensor<T> lif(const Tensor<T>& currents, Index timesteps, const Tensor<T>& beta, const LIFOpOptions& options = {}) {
  if (!(options.spike_grad.parameter > 0) || !std::isfinite(options.spike_grad.parameter))
    throw std::invalid_argument("tropigrad::nn::lif: option 'spike_grad' needs a finite parameter > 0");
  return detail::lif_kernel<T>("lif", currents, timesteps, beta, options, nullptr, 0, 0);
}

/// Options of the LIF layer.
struct LIFOptions {
  double beta = 0.9;        ///< membrane decay, in (0, 1]; the initial value if learn_beta
  /// If > 0, the time constant instead of beta (SpikingJelly's convention,
  /// V += (I - V) / tau up to input scaling): beta = 1 - 1/tau. Needs tau > 1
  /// (tau = 1 is no memory: beta = 0, which LIF rejects).
  double tau = 0;
  double threshold = 1;     ///< firing threshold
  Reset reset = Reset::subtract;
  Surrogate spike_grad = Surrogate::fast_sigmoid();
  bool learn_beta = false;  ///< PLIF: beta = sigmoid(beta_logit), beta_logit a per-layer parameter
};

/// Surrogate-gradient LIF layer (PLIF with learn_beta). Spikes are binary in
/// training and evaluation alike, so eval_binary changes nothing here.
template <class T = float>
class LIF : public SpikingLayer<T> {
public:
  explicit LIF(Index features, LIFOptions options = {}) : features_(features), options_(with_tau(options)) {
    options = options_;
    if (features <= 0)
      throw std::invalid_argument("tropigrad::nn::LIF: argument 'features' must be > 0, got " +
                                  std::to_string(features));
    const bool beta_ok = options.learn_beta ? (options.beta > 0 && options.beta < 1)
                                            : (options.beta > 0 && options.beta <= 1);
    if (!beta_ok)
      throw std::invalid_argument("tropigrad::nn::LIF: option 'beta' must be in (0, 1" +
                                  std::string(options.learn_beta ? ")" : "]") + ", got " +
                                  std::to_string(options.beta));
    if (!std::isfinite(options.threshold))
      throw std::invalid_argument("tropigrad::nn::LIF: option 'threshold' must be finite");
    if (options.learn_beta) {
      beta_logit = this->register_parameter(
          "beta_logit", Tensor<T>(static_cast<T>(std::log(options.beta / (1 - options.beta)))));
    } else {
      beta_constant_ = Tensor<T>(static_cast<T>(options.beta));
    }
  }

  Index features() const override { return features_; }
  const LIFOptions& options() const { return options_; }

  /// The current beta (sigmoid(beta_logit) when learnable).
  double beta() const {
    if (!options_.learn_beta) return options_.beta;
    return 1 / (1 + std::exp(-static_cast<double>(beta_logit.item())));
  }

  /// The learnable raw parameter (undefined unless learn_beta).
  Tensor<T> beta_logit;

protected:
  Tensor<T> run(const Tensor<T>& currents, Index timesteps, bool /*binary*/) override {
    const Tensor<T> b = options_.learn_beta ? tropigrad::sigmoid(beta_logit) : beta_constant_;
    return lif(currents, timesteps, b, LIFOpOptions{options_.threshold, options_.reset, options_.spike_grad});
  }

private:
  static LIFOptions with_tau(LIFOptions options) {
    if (options.tau != 0) {
      if (!(options.tau > 1) || !std::isfinite(options.tau))
        throw std::invalid_argument("tropigrad::nn::LIF: option 'tau' must be a finite number > 1 (beta = 1 - 1/tau), got " +
                                    std::to_string(options.tau));
      options.beta = 1 - 1 / options.tau;
    }
    return options;
  }

  Index features_;
  LIFOptions options_;
  Tensor<T> beta_constant_;
};

}  // namespace tropigrad::nn
