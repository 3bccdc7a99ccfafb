#pragma once
// UltraLIF and UltraPLIF (ultradiscretized LIF, arXiv 2602.11206). Per step t:
//   U = LSE_eps(V + log tau, I_t)          smooth max: leak vs input
//   s = sigmoid((U - theta) / eps)         soft spike
//   V = U (1 - s)                          soft reset
// eps = clamp(exp(log_eps), eps_min, eps_max) is learnable (init 1), per
// layer or per neuron. UltraPLIF also learns log tau (init log 0.9). As
// eps -> 0 the step becomes V = max(V + log tau, I), s = H(V - theta): a hard
// max-plus LIF. The whole T-step recurrence is one tape node; its backward
// runs the recurrence in reverse with hand-written derivatives. The layers
// (UltraLIF, UltraPLIF) are in ultra.hpp.

#include <cmath>
#include <limits>
#include <string>

#include "spiking.hpp"

namespace tropigrad::nn {

struct UltraOptions {
  double threshold = 0;  ///< theta
  double eps_min = 0.1;  ///< clamp of exp(log_eps)
  double eps_max = 20;
  bool binary = false;  ///< hard spikes H(U - theta), no gradient (inference)
  /// ultra_dlif only: the paper's state form V_i = LSE_eps(V_{i-1}, V_i, V_{i+1}) + I_i
  /// (no tau), instead of the coupling form V = tau V + I, M = LSE_eps(neighbours of V).
  bool state_form = false;
};

namespace detail {
using tropigrad::detail::accumulate_grad;
using tropigrad::detail::new_result;
using tropigrad::detail::record_backward;
using tropigrad::detail::TensorData;
using tropigrad::detail::value_map;

inline void check_clamp(const UltraOptions& o, const char* where) {
  if (!(o.eps_min > 0) || !(o.eps_max >= o.eps_min))
    throw std::invalid_argument(std::string("tropigrad::nn::") + where + ": need 0 < eps_min <= eps_max, got eps_min = " +
                                std::to_string(o.eps_min) + ", eps_max = " + std::to_string(o.eps_max));
}

/// The Ultra spike of a membrane potential: sigmoid((v - theta)/eps), or H(v - theta) in binary mode.
template <class T, class Potential, class Eps, class Spikes>
void ultra_spike(const Potential& v, T theta, const Eps& eps, bool binary, Spikes&& s) {
  if (binary) {
    s = (v > theta).template cast<T>();
  } else {
    s = T(1) / (T(1) + (-(v - theta) / eps).exp());
  }
}

/// eps = clamp(exp(log_eps)) as a batch x features array, and the mask of
/// entries inside the clamp (where d eps / d log_eps = eps, else 0).
template <class T>
void temperature(const TensorData<T>& log_eps, const UltraOptions& o, Index batch, Index features,
                 Eigen::Map<RowArray<T>> eps, Eigen::Map<RowArray<T>> inside) {
  expand_parameter("log_eps", log_eps, batch, features, eps);
  if (!eps.allFinite())
    throw std::invalid_argument("tropigrad::nn: log_eps holds a NaN or Inf; eps must be a finite number > 0");
  eps = eps.exp();
  inside = ((eps >= T(o.eps_min)) && (eps <= T(o.eps_max))).template cast<T>();
  eps = eps.max(T(o.eps_min)).min(T(o.eps_max));
}
}  // namespace detail

/// The fused UltraLIF recurrence. currents: (timesteps*batch) x features,
/// time-major; log_eps, log_tau: 1x1 or 1 x features. Returns the spikes.
template <class T>
Tensor<T> ultra_lif(const Tensor<T>& currents, Index timesteps, const Tensor<T>& log_eps, const Tensor<T>& log_tau,
                    const UltraOptions& options = {}) {
  using namespace detail;
  using Map = Eigen::Map<RowArray<T>>;
  check_clamp(options, "ultra_lif");
  TensorData<T>* in = &currents.data();
  TensorData<T>* le = &log_eps.data();
  TensorData<T>* lt = &log_tau.data();
  const Index steps = timesteps, batch = in->rows / steps, features = in->cols;
  const T theta = static_cast<T>(options.threshold);

  Map eps(arena_array<T>(batch, features), batch, features);
  Map inside(arena_array<T>(batch, features), batch, features);
  temperature(*le, options, batch, features, eps, inside);
  Map log_tau_full(arena_array<T>(batch, features), batch, features);
  expand_parameter("log_tau", *lt, batch, features, log_tau_full);

  const bool needs_grad = !options.binary && (in->requires_grad || le->requires_grad || lt->requires_grad);
  Tensor<T> out = new_result<T>(in->rows, features, needs_grad);
  TensorData<T>* o = &out.data();
  // Saved for the backward pass: U and the smooth max's weight p on V + log tau.
  Map U(arena_array<T>(in->rows, features), in->rows, features);
  Map P(arena_array<T>(in->rows, features), in->rows, features);
  Map V(arena_array<T>(batch, features), batch, features);
  Map a(arena_array<T>(batch, features), batch, features);
  V.setZero();
  const auto I = value_map(static_cast<const TensorData<T>&>(*in));
  auto S = value_map(*o);
  for (Index t = 0; t < steps; ++t) {
    const auto It = I.middleRows(t * batch, batch);
    auto Ut = U.middleRows(t * batch, batch);
    auto Pt = P.middleRows(t * batch, batch);
    auto St = S.middleRows(t * batch, batch);
    a = V + log_tau_full;
    // LSE_eps(a, I) = max + eps log1p(exp(-|a - I| / eps)); p_min = the smaller one's weight.
    Pt = (-(a - It).abs() / eps).exp();  // exp(-d/eps), in [0, 1]
    Ut = a.max(It) + eps * Pt.log1p();
    Pt = Pt / (T(1) + Pt);  // p_min
    Pt = (a >= It).select(T(1) - Pt, Pt);
    ultra_spike(Ut, theta, eps, options.binary, St);
    // U (1 - s) -> 0 as U -> +inf (s saturates to 1 exponentially): an infinite current resets to 0, not inf * 0.
    V = (St == T(1)).select(T(0), Ut * (T(1) - St));
  }

  record_backward("ultra_lif", out, [=](const auto& g) {
    Map gV(arena_array<T>(batch, features), batch, features);
    Map gI(arena_array<T>(steps * batch, features), steps * batch, features);
    Map g_eps(arena_array<T>(batch, features), batch, features);
    Map g_log_tau(arena_array<T>(batch, features), batch, features);
    Map Vprev(arena_array<T>(batch, features), batch, features);
    Map a_t(arena_array<T>(batch, features), batch, features);
    Map g_total(arena_array<T>(batch, features), batch, features);
    Map gU(arena_array<T>(batch, features), batch, features);
    gV.setZero();
    g_eps.setZero();
    g_log_tau.setZero();
    const auto Iv = value_map(static_cast<const TensorData<T>&>(*in));
    const auto Sv = value_map(static_cast<const TensorData<T>&>(*o));
    for (Index t = steps; t-- > 0;) {
      const auto Ut = U.middleRows(t * batch, batch);
      const auto Pt = P.middleRows(t * batch, batch);
      const auto St = Sv.middleRows(t * batch, batch);
      const auto It = Iv.middleRows(t * batch, batch);
      if (t == 0) {
        Vprev.setZero();
      } else {
        const auto Sp = Sv.middleRows((t - 1) * batch, batch);
        Vprev = (Sp == T(1)).select(T(0), U.middleRows((t - 1) * batch, batch) * (T(1) - Sp));
      }
      a_t = Vprev + log_tau_full;
      // V_t = U (1 - s): dL/ds gets -U gV; s = sigmoid((U - theta)/eps).
      // A saturated spike (ds = 0, e.g. U = +inf) passes no gradient through s: its terms are 0, not 0 * inf.
      g_total = g.middleRows(t * batch, batch) - gV * Ut;
      const auto ds = St * (T(1) - St);
      gU = gV * (T(1) - St) + (ds == T(0)).select(T(0), g_total * ds / eps);
      g_eps -= (ds == T(0)).select(T(0), g_total * ds * (Ut - theta) / (eps * eps));
      // U = LSE(a, I): weights p, 1 - p; d/deps = (U - max + p_min d) / eps.
      const auto d = (a_t - It).abs();
      const auto p_min = (a_t >= It).select(T(1) - Pt, Pt);
      // An infinite current (d = inf) leaves U = max(a, I) exactly: no eps term (not inf - inf).
      g_eps += (d == std::numeric_limits<T>::infinity()).select(T(0), gU * (Ut - a_t.max(It) + p_min * d) / eps);
      gI.middleRows(t * batch, batch) = gU * (T(1) - Pt);
      gV = gU * Pt;
      g_log_tau += gV;
    }
    accumulate_grad(*in, gI);
    if (le->requires_grad) reduce_into_parameter(*le, g_eps * eps * inside);
    if (lt->requires_grad) reduce_into_parameter(*lt, g_log_tau);
    (void)currents, (void)log_eps, (void)log_tau;  // captured to keep leaves alive
  });
  return out;
}

}  // namespace tropigrad::nn
