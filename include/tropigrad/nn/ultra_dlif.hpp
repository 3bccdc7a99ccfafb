#pragma once
// UltraDLIF and UltraDPLIF: UltraLIF with gap-junction diffusion along the
// feature axis (periodic neighbours). Per step t:
//   V = tau V + I_t
//   M_i = LSE_eps(V_{i-1}, V_i, V_{i+1})
//   s = sigmoid((M - theta) / eps),  V = V (1 - s)
// eps = clamp(exp(log_eps)) is learnable; UltraDPLIF also learns tau
// (parametrised as log tau, so tau stays positive). One tape node for all
// steps. The layers (UltraDLIF, UltraDPLIF) are in ultra.hpp.
// Option state_form: the paper's state form instead,
//   V_i = LSE_eps(V_{i-1}, V_i, V_{i+1}) + I_t,i,  s = sigmoid((V - theta)/eps),  V = V (1 - s)
// with the neighbours taken from the previous step; tau plays no part.

#include <cmath>
#include <string>

#include "ultra_lif.hpp"

namespace tropigrad::nn {

namespace detail {
/// dst_i = src_{i - shift} along columns, periodic (shift = +1: left neighbour).
template <class Src, class Dst>
void roll_columns(const Src& src, Index shift, Dst& dst) {
  const Index n = src.cols();
  const Index k = ((shift % n) + n) % n;
  if (k == 0) {
    dst = src;
    return;
  }
  dst.rightCols(n - k) = src.leftCols(n - k);
  dst.leftCols(k) = src.rightCols(k);
}
}  // namespace detail

/// The fused UltraDLIF recurrence; layout and parameters as ultra_lif().
template <class T>
Tensor<T> ultra_dlif(const Tensor<T>& currents, Index timesteps, const Tensor<T>& log_eps, const Tensor<T>& log_tau,
                     const UltraOptions& options = {}) {
  using namespace detail;
  using Map = Eigen::Map<RowArray<T>>;
  check_clamp(options, "ultra_dlif");
  TensorData<T>* in = &currents.data();
  TensorData<T>* le = &log_eps.data();
  TensorData<T>* lt = &log_tau.data();
  const Index steps = timesteps, batch = in->rows / steps, features = in->cols;
  const T theta = static_cast<T>(options.threshold);

  Map eps(arena_array<T>(batch, features), batch, features);
  Map inside(arena_array<T>(batch, features), batch, features);
  temperature(*le, options, batch, features, eps, inside);
  Map tau(arena_array<T>(batch, features), batch, features);
  expand_parameter("log_tau", *lt, batch, features, tau);
  tau = tau.exp();

  const bool needs_grad = !options.binary && (in->requires_grad || le->requires_grad || lt->requires_grad);
  Tensor<T> out = new_result<T>(in->rows, features, needs_grad);
  TensorData<T>* o = &out.data();
  Map Vsave(arena_array<T>(in->rows, features), in->rows, features);  // V before reset
  Map Msave(arena_array<T>(in->rows, features), in->rows, features);
  Map Vr(arena_array<T>(batch, features), batch, features);
  Map L(arena_array<T>(batch, features), batch, features);
  Map R(arena_array<T>(batch, features), batch, features);
  Map m(arena_array<T>(batch, features), batch, features);
  Map X(arena_array<T>(batch, features), batch, features);
  Vr.setZero();
  const auto I = value_map(static_cast<const TensorData<T>&>(*in));
  auto S = value_map(*o);
  const bool state_form = options.state_form;
  for (Index t = 0; t < steps; ++t) {
    auto Vt = Vsave.middleRows(t * batch, batch);
    auto Mt = Msave.middleRows(t * batch, batch);
    auto St = S.middleRows(t * batch, batch);
    // X: what the smooth max runs over, the leaked state (coupling form) or
    // the previous state (state form).
    if (!state_form) {
      Vt = tau * Vr + I.middleRows(t * batch, batch);
      X = Vt;
    } else {
      X = Vr;
    }
    roll_columns(X, 1, L);
    roll_columns(X, -1, R);
    m = L.max(X).max(R);
    // An infinite max is the smooth max itself (the shifted terms would be inf - inf).
    Mt = m.isFinite().select(m + eps * (((L - m) / eps).exp() + ((X - m) / eps).exp() + ((R - m) / eps).exp()).log(), m);
    if (state_form) Vt = Mt + I.middleRows(t * batch, batch);
    ultra_spike(state_form ? Vt : Mt, theta, eps, options.binary, St);
    // A saturated spike resets to 0 even an infinite V (not inf * 0).
    Vr = (St == T(1)).select(T(0), Vt * (T(1) - St));
  }

  record_backward("ultra_dlif", out, [=](const auto& g) {
    Map gVr(arena_array<T>(batch, features), batch, features);
    Map gI(arena_array<T>(steps * batch, features), steps * batch, features);
    Map g_eps(arena_array<T>(batch, features), batch, features);
    Map g_tau(arena_array<T>(batch, features), batch, features);
    Map Lb(arena_array<T>(batch, features), batch, features);
    Map Rb(arena_array<T>(batch, features), batch, features);
    Map gM(arena_array<T>(batch, features), batch, features);
    Map gV(arena_array<T>(batch, features), batch, features);
    Map shifted(arena_array<T>(batch, features), batch, features);
    Map Xb(arena_array<T>(batch, features), batch, features);
    Map gX(arena_array<T>(batch, features), batch, features);
    gVr.setZero();
    g_eps.setZero();
    g_tau.setZero();
    const auto Sv = value_map(static_cast<const TensorData<T>&>(*o));
    for (Index t = steps; t-- > 0;) {
      const auto Vt = Vsave.middleRows(t * batch, batch);
      const auto Mt = Msave.middleRows(t * batch, batch);
      const auto St = Sv.middleRows(t * batch, batch);
      if (!state_form) {
        Xb = Vt;
      } else if (t == 0) {
        Xb.setZero();
      } else {
        const auto Sp = Sv.middleRows((t - 1) * batch, batch);
        Xb = (Sp == T(1)).select(T(0), Vsave.middleRows((t - 1) * batch, batch) * (T(1) - Sp));
      }
      const auto ds = St * (T(1) - St);
      // dL/ds (the reset V (1 - s)); no gradient into V adds nothing, even for an infinite V.
      const auto g_spike = g.middleRows(t * batch, batch) - (gVr == T(0)).select(T(0), gVr * Vt);
      const auto potential = state_form ? Vt : Mt;
      // A saturated spike (ds = 0, e.g. an infinite potential) passes no gradient through s.
      gM = (ds == T(0)).select(T(0), g_spike * ds / eps);  // dL/d potential
      g_eps -= (ds == T(0)).select(T(0), g_spike * ds * (potential - theta) / (eps * eps));
      gV = gVr * (T(1) - St);  // dL/dV_t through the reset
      if (state_form) {
        gV += gM;  // the potential is V_t = M + I
        gM = gV;
      }
      // M = LSE_eps(X_{i-1}, X_i, X_{i+1}); q are its softmax weights.
      roll_columns(Xb, 1, Lb);
      roll_columns(Xb, -1, Rb);
      // At an infinite M no gradient arrives (gM = 0 above); its weights are set to 0 rather than inf - inf,
      // and a weight of 0 (an infinitely smaller neighbour) adds no eps term (not 0 * inf).
      const auto finite_m = Mt.isFinite();
      const auto qL = finite_m.select(((Lb - Mt) / eps).exp(), T(0));
      const auto qC = finite_m.select(((Xb - Mt) / eps).exp(), T(0));
      const auto qR = finite_m.select(((Rb - Mt) / eps).exp(), T(0));
      const auto spread = [&](const auto& q, const auto& x) { return (q == T(0)).select(T(0), q * (Mt - x)); };
      g_eps += (gM == T(0)).select(T(0), gM * (spread(qL, Lb) + spread(qC, Xb) + spread(qR, Rb)) / eps);
      gX = gM * qC;
      shifted = gM * qL;  // M_i uses X_{i-1}: flows to X_j from M_{j+1}
      roll_columns(shifted, -1, Lb);
      gX += Lb;
      shifted = gM * qR;  // M_i uses X_{i+1}: flows to X_j from M_{j-1}
      roll_columns(shifted, 1, Rb);
      gX += Rb;
      if (!state_form) {
        gV += gX;  // X = V_t = tau V_{t-1} + I_t
        gI.middleRows(t * batch, batch) = gV;
        if (t > 0) {  // V_{t-1} after its reset (0 after a saturated spike); no gradient adds nothing
          const auto Sp = Sv.middleRows((t - 1) * batch, batch);
          g_tau += (gV == T(0) || Sp == T(1)).select(T(0), gV * Vsave.middleRows((t - 1) * batch, batch) * (T(1) - Sp));
        }
        gVr = gV * tau;
      } else {
        gI.middleRows(t * batch, batch) = gV;  // V_t = M + I_t
        gVr = gX;                              // X = the previous state
      }
    }
    accumulate_grad(*in, gI);
    if (le->requires_grad) reduce_into_parameter(*le, g_eps * eps * inside);
    if (lt->requires_grad) reduce_into_parameter(*lt, g_tau * tau);  // d tau / d log tau = tau
    (void)currents, (void)log_eps, (void)log_tau;
  });
  return out;
}

}  // namespace tropigrad::nn
