#pragma once
// linear_recurrence(u, a): the first-order linear scan along axis 0 (rows are
// time steps, columns are independent features)
//
//   h[0] = u[0],   h[t] = u[t] + a * h[t-1]
//
// with a shared decay `a` (a scalar Var, a 1x1 Tensor, or a plain number).
// It is a leaky integrator (LIF membrane V_t = beta V_{t-1} + I_t) and an
// AR(1) state (stochastic volatility). One tape node, O(T * F) forward and
// backward. The backward pass is the reverse scan
//
//   g_u[T-1] = g_h[T-1],   g_u[t] = g_h[t] + a * g_u[t+1],
//   g_a = sum_{t >= 1} sum_f g_u[t, f] * h[t-1, f].
//
// RecurrenceStart::stationary starts the scan at the stationary distribution
// of the AR(1) process instead of at zero:
//
//   h[0] = u[0] / sqrt(1 - a^2)      (|a| < 1, else std::invalid_argument)
//
// (the Stan stochastic-volatility model's h[1] = h_std[1] * sigma / sqrt(1 - phi^2)):
// with u[t] ~ N(0, s^2) iid, every h[t] then has the same variance s^2 / (1 - a^2).
// Backward: g_u[0] = c * (reverse scan)[0] with c = 1 / sqrt(1 - a^2), and
// g_a gains (reverse scan)[0] * h[0] * a / (1 - a^2).

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "../semiring/errors.hpp"
#include "tensor_op.hpp"

namespace tropigrad {

/// Where linear_recurrence starts: h[0] = u[0] (zero), or h[0] = u[0] / sqrt(1 - a^2) (stationary).
enum class RecurrenceStart { zero, stationary };

namespace detail {

/// One chain out[j] = in[j] + a out[j-1], out[0] = first * in[0], over j = 0..n-1
/// at in + j * stride (stride -1 runs a reverse scan from the last element).
/// A plain loop waits one multiply-add latency per step; this splits the chain
/// into kLanes = 4 blocks scanned side by side from a zero state (independent
/// chains, so the core overlaps them), then adds each block's carry-in H as
/// a^(i+1) H, which is the same sum regrouped.
template <Index stride, class T>
void linear_scan(const T* in, T* out, Index n, T a, T first) {
  constexpr Index kLanes = 4;  // 8 measured slower (GCC 12 turns the lanes into gathers)
  auto sequential = [&] {
    T state = first * in[0];
    out[0] = state;
    for (Index j = 1; j < n; ++j) out[j * stride] = state = in[j * stride] + a * state;
  };
  if (n < 8 * kLanes) return sequential();
  const Index len = (n + kLanes - 1) / kLanes;   // block b covers [b len, b len + its length)
  const Index last_len = n - (kLanes - 1) * len;  // the last block's length, 1..len (n >= 8 kLanes)
  T state[kLanes];
  for (Index b = 0; b < kLanes; ++b) out[(b * len) * stride] = state[b] = in[(b * len) * stride];
  out[0] = state[0] = first * in[0];
  for (Index i = 1; i < last_len; ++i)
    for (Index b = 0; b < kLanes; ++b) out[(b * len + i) * stride] = state[b] = in[(b * len + i) * stride] + a * state[b];
  for (Index i = last_len; i < len; ++i)
    for (Index b = 0; b < kLanes - 1; ++b)
      out[(b * len + i) * stride] = state[b] = in[(b * len + i) * stride] + a * state[b];
  // Carry-in of each block: the true value of the element before it.
  T carry[kLanes];
  carry[0] = T(0);
  const T a_len = std::pow(a, static_cast<T>(len));
  T largest = T(0);
  bool finite = std::isfinite(a_len);
  for (Index b = 1; b < kLanes; ++b) {
    carry[b] = out[(b * len - 1) * stride] + (b > 1 ? a_len * carry[b - 1] : T(0));
    largest = std::max(largest, std::abs(carry[b]));
    finite = finite && std::isfinite(carry[b]);
  }
  // An inf or NaN carry must reach every later element as in the plain loop.
  if (!finite) return sequential();
  // out[b len + i] += a^(i+1) carry[b]. The powers advance eight at a time (a
  // short multiply chain); stop once the added terms are below the smallest
  // normal number (they cannot change a normal result; no denormal powers).
  T power[8];
  power[0] = a;
  for (int k = 1; k < 8; ++k) power[k] = power[k - 1] * a;
  const T a8 = power[7];
  for (Index i0 = 0; i0 < len; i0 += 8) {
    if (!(std::abs(power[0]) * largest >= std::numeric_limits<T>::min())) break;
    const Index m = std::min<Index>(8, len - i0);
    for (Index b = 1; b < kLanes; ++b) {
      const Index base = b * len + i0;
      const Index mm = std::min<Index>(m, n - base);
      for (Index k = 0; k < mm; ++k) out[(base + k) * stride] += power[k] * carry[b];
    }
    for (int k = 0; k < 8; ++k) power[k] *= a8;
  }
}

template <class T>
Tensor<T> linear_recurrence_impl(const Tensor<T>& u, const Operand<T>& a, RecurrenceStart start) {
  if (a.tensor != nullptr && a.tensor->size() != 1)
    throw std::invalid_argument("tropigrad::linear_recurrence: argument 'a' must be a scalar (a Var, a number or a "
                                "1x1 Tensor), got a Tensor of shape " +
                                shape_string(a.tensor->rows, a.tensor->cols));
  TensorData<T>* in = &u.data();
  const Index steps = in->rows;
  const Index features = in->cols;
  const T decay = a.tensor != nullptr ? a.tensor->value[0] : a.scalar.value();
  const bool stationary = start == RecurrenceStart::stationary;
  if (stationary && !(std::abs(decay) < T(1)))
    throw_invalid("tropigrad::linear_recurrence",
                  "argument 'a' must satisfy |a| < 1 for RecurrenceStart::stationary (the AR(1) process has no "
                  "stationary distribution otherwise), got " +
                      format_number(static_cast<double>(decay)));
  // h[0] = c u[0]; c = 1 for the zero start.
  const T c = stationary ? T(1) / std::sqrt((T(1) - decay) * (T(1) + decay)) : T(1);

  Tensor<T> out = new_result<T>(steps, features, in->requires_grad || a.requires_grad());
  TensorData<T>* o = &out.data();
  {
    // Plain loops: the inner loop over features vectorises; a single feature
    // (a scalar AR(1) chain) is split into independent blocks (linear_scan).
    const T* uv = in->value;
    T* h = o->value;
    if (features == 1 && steps > 0) {
      linear_scan<1>(uv, h, steps, decay, c);
    } else if (steps > 0) {
      for (Index f = 0; f < features; ++f) h[f] = c * uv[f];
      for (Index t = 1; t < steps; ++t) {
        const T* prev = h + (t - 1) * features;
        for (Index f = 0; f < features; ++f) h[t * features + f] = uv[t * features + f] + decay * prev[f];
      }
    }
  }

  record_backward("linear_recurrence", out, [u, in, a, o, decay, c, stationary, steps, features](const auto& g) {
    if (steps == 0) return;
    // The reverse scan g_u; written into the arena, then accumulated.
    T* gu = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(steps * features));
    const T* gv = g.data();
    const Index last = (steps - 1) * features;
    if (features == 1) {
      linear_scan<-1>(gv + last, gu + last, steps, decay, T(1));
    } else {
      for (Index f = 0; f < features; ++f) gu[last + f] = gv[last + f];
      for (Index t = steps - 1; t-- > 0;) {
        const T* next = gu + (t + 1) * features;
        for (Index f = 0; f < features; ++f) gu[t * features + f] = gv[t * features + f] + decay * next[f];
      }
    }
    const Eigen::Map<RowArray<T>> gu_map(gu, steps, features);
    if (a.requires_grad()) {
      const auto h = value_map(static_cast<const TensorData<T>&>(*o));
      T ga = steps > 1 ? (gu_map.bottomRows(steps - 1) * h.topRows(steps - 1)).sum() : T(0);
      // d h[0] / d a = u[0] a / (1 - a^2)^(3/2) = h[0] a / (1 - a^2).
      if (stationary) ga += (gu_map.row(0) * h.row(0)).sum() * (decay * c * c);
      a.accumulate(RowArray<T>::Constant(1, 1, ga));
    }
    if (stationary)
      for (Index f = 0; f < features; ++f) gu[f] *= c;
    accumulate_grad(*in, gu_map);
  });
  return out;
}

}  // namespace detail

/// h[0] = u[0], h[t] = u[t] + a * h[t-1], along rows (time), per column.
/// With RecurrenceStart::stationary, h[0] = u[0] / sqrt(1 - a^2) (|a| < 1).
template <class T>
Tensor<T> linear_recurrence(const Tensor<T>& u, const Var<T>& a, RecurrenceStart start = RecurrenceStart::zero) {
  return detail::linear_recurrence_impl<T>(u, detail::Operand<T>(a), start);
}

/// As above, with the decay a 1x1 Tensor (e.g. a learnable parameter).
template <class T>
Tensor<T> linear_recurrence(const Tensor<T>& u, const Tensor<T>& a, RecurrenceStart start = RecurrenceStart::zero) {
  return detail::linear_recurrence_impl<T>(u, detail::Operand<T>(a), start);
}

/// As above, with a constant decay.
template <class T, Arithmetic U>
Tensor<T> linear_recurrence(const Tensor<T>& u, U a, RecurrenceStart start = RecurrenceStart::zero) {
  return detail::linear_recurrence_impl<T>(u, detail::Operand<T>(Var<T>::constant(static_cast<T>(a))), start);
}

}  // namespace tropigrad
