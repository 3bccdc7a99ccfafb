#pragma once
// Input encoders for spiking networks. Each turns a batch x features input
// into the time-major stacked layout of spiking.hpp: a (timesteps * batch) x
// features Tensor whose rows [t * batch, (t + 1) * batch) are step t.
//
// Rate and latency coding read x as intensities in [0, 1]: pass the RAW
// pixel intensities (e.g. Fashion-MNIST / 255), not mean/std-normalised
// values. Values outside [0, 1] are clamped to [0, 1] by these encoders (so a
// normalised negative value becomes 0, i.e. silence).
//
//   poisson_encode(x, T, gain, rng)  spike_t ~ Bernoulli(clamp(gain * clamp(x, 0, 1), 0, 1)),
//                                    independent per step and element (snnTorch spikegen.rate).
//                                    Uniforms come from the 53 high bits of rng() (std::mt19937_64),
//                                    so a seed gives the same spikes on every platform. gain = 0.5 by default.
//   direct_encode(x, T)              x repeated T times (any real x; differentiable w.r.t. x).
//   latency_encode(x, T, options)    one spike per input element, at step
//                                    round((1 - clamp(x, 0, 1)) * (T - 1)):
//                                    x = 1 fires at step 0, x = 0 at step T - 1
//                                    (snnTorch spikegen.latency with linear=True, normalize=True).
//                                    With options.clip, inputs below options.threshold emit no spike.
// poisson and latency outputs are constants (no gradient).

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>

#include "../ad/tensor_op.hpp"

namespace tropigrad::nn {

namespace detail {
inline void check_timesteps(const char* op, Index timesteps) {
  if (timesteps <= 0)
    throw std::invalid_argument(std::string("tropigrad::nn::") + op + ": argument 'timesteps' must be > 0, got " +
                                std::to_string(timesteps));
}
/// A uniform double in [0, 1) from the 53 high bits of one draw (platform independent).
inline double uniform01(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }
}  // namespace detail

/// Poisson (Bernoulli-per-step) rate coding; see the top of this file.
template <class T>
Tensor<T> poisson_encode(const Tensor<T>& x, Index timesteps, double gain, std::mt19937_64& rng) {
  detail::check_timesteps("poisson_encode", timesteps);
  if (!(gain >= 0) || !std::isfinite(gain))
    throw std::invalid_argument("tropigrad::nn::poisson_encode: argument 'gain' must be finite and >= 0, got " +
                                std::to_string(gain));
  const Index batch = x.rows(), features = x.cols(), n = batch * features;
  const T* v = x.value().data();  // row-major: element (b, f) is v[b * features + f]
  // Written in place into the result leaf: no temporary (fresh pages are costly on VMs).
  Tensor<T> out = Tensor<T>::zeros(timesteps * batch, features);
  T* o = out.value_mut().data();  // element (t * batch + b, f) is o[t * n + b * features + f]
  // uniform01(rng) < p  <=>  (rng() >> 11) < p * 2^53, exactly (both sides are scaled
  // by a power of two): the same spikes as comparing uniform01(rng) with p. Work in
  // chunks: the thresholds and the uniforms first, then a compare the compiler vectorises.
  constexpr Index chunk = 256;
  double limit[chunk], draws[chunk];
  for (Index t = 0; t < timesteps; ++t, o += n)
    for (Index lo = 0; lo < n; lo += chunk) {
      const Index len = std::min(chunk, n - lo);
      for (Index i = 0; i < len; ++i) {  // clamp(gain * clamp(x, 0, 1), 0, 1), NaN passing through as std::clamp
        double p = static_cast<double>(v[lo + i]);
        p = p < 0.0 ? 0.0 : (1.0 < p ? 1.0 : p);
        p *= gain;
        p = p < 0.0 ? 0.0 : (1.0 < p ? 1.0 : p);
        limit[i] = p * 0x1.0p53;
      }
      for (Index i = 0; i < len; ++i) draws[i] = static_cast<double>(rng() >> 11);
      T* out_chunk = o + lo;
      for (Index i = 0; i < len; ++i) out_chunk[i] = draws[i] < limit[i] ? T(1) : T(0);
    }
  return out;
}

/// As above with gain = 0.5.
template <class T>
Tensor<T> poisson_encode(const Tensor<T>& x, Index timesteps, std::mt19937_64& rng) {
  return poisson_encode(x, timesteps, 0.5, rng);
}

/// Direct coding: x repeated timesteps times. Differentiable: the gradient
/// w.r.t. x is the sum of the gradients of the T copies.
template <class T>
Tensor<T> direct_encode(const Tensor<T>& x, Index timesteps) {
  using namespace tropigrad::detail;
  detail::check_timesteps("direct_encode", timesteps);
  TensorData<T>* in = &x.data();
  const Index batch = in->rows;
  Tensor<T> out = new_result<T>(timesteps * batch, in->cols, in->requires_grad);
  value_map(out.data()) = value_map(static_cast<const TensorData<T>&>(*in)).replicate(timesteps, 1);
  record_backward("direct_encode", out, [x, in, batch, timesteps](const auto& g) {
    RowArray<T> sum = g.topRows(batch);
    for (Index t = 1; t < timesteps; ++t) sum += g.middleRows(t * batch, batch);
    accumulate_grad(*in, sum);
  });
  return out;
}

struct LatencyOptions {
  bool clip = false;       ///< if true, inputs below `threshold` emit no spike
  double threshold = 0.01;
};

/// Latency coding: one spike per element, earlier for larger x; see the top of this file.
template <class T>
Tensor<T> latency_encode(const Tensor<T>& x, Index timesteps, const LatencyOptions& options = {}) {
  detail::check_timesteps("latency_encode", timesteps);
  if (!std::isfinite(options.threshold))
    throw std::invalid_argument("tropigrad::nn::latency_encode: option 'threshold' must be finite");
  const Index batch = x.rows(), features = x.cols();
  const auto v = x.value();
  RowArray<T> out = RowArray<T>::Zero(timesteps * batch, features);
  for (Index b = 0; b < batch; ++b)
    for (Index f = 0; f < features; ++f) {
      const double raw = static_cast<double>(v(b, f));
      if (options.clip && raw < options.threshold) continue;
      const double xi = std::clamp(std::isnan(raw) ? 0.0 : raw, 0.0, 1.0);
      const auto step = static_cast<Index>(std::lround((1 - xi) * static_cast<double>(timesteps - 1)));
      out(std::clamp<Index>(step, 0, timesteps - 1) * batch + b, f) = T(1);
    }
  return Tensor<T>(std::move(out));
}

}  // namespace tropigrad::nn
