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

#include <string>

#include "tensor_op.hpp"

namespace tropigrad {
namespace detail {

template <class T>
Tensor<T> linear_recurrence_impl(const Tensor<T>& u, const Operand<T>& a) {
  if (a.tensor != nullptr && a.tensor->size() != 1)
    throw std::invalid_argument("tropigrad::linear_recurrence: argument 'a' must be a scalar (a Var, a number or a "
                                "1x1 Tensor), got a Tensor of shape " +
                                shape_string(a.tensor->rows, a.tensor->cols));
  TensorData<T>* in = &u.data();
  const Index steps = in->rows;
  const Index features = in->cols;
  const T decay = a.tensor != nullptr ? a.tensor->value[0] : a.scalar.value();

  Tensor<T> out = new_result<T>(steps, features, in->requires_grad || a.requires_grad());
  TensorData<T>* o = &out.data();
  {
    const auto uv = value_map(static_cast<const TensorData<T>&>(*in));
    auto h = value_map(*o);
    if (steps > 0) h.row(0) = uv.row(0);
    for (Index t = 1; t < steps; ++t) h.row(t) = uv.row(t) + decay * h.row(t - 1);
  }

  record_backward("linear_recurrence", out, [u, in, a, o, decay, steps, features](const auto& g) {
    if (steps == 0) return;
    // The reverse scan g_u; written into the arena, then accumulated.
    T* buffer = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(steps * features));
    Eigen::Map<RowArray<T>> gu(buffer, steps, features);
    gu.row(steps - 1) = g.row(steps - 1);
    for (Index t = steps - 1; t-- > 0;) gu.row(t) = g.row(t) + decay * gu.row(t + 1);
    if (a.requires_grad() && steps > 1) {
      const auto h = value_map(static_cast<const TensorData<T>&>(*o));
      const T ga = (gu.bottomRows(steps - 1) * h.topRows(steps - 1)).sum();
      a.accumulate(RowArray<T>::Constant(1, 1, ga));
    }
    accumulate_grad(*in, gu);
  });
  return out;
}

}  // namespace detail

/// h[0] = u[0], h[t] = u[t] + a * h[t-1], along rows (time), per column.
template <class T>
Tensor<T> linear_recurrence(const Tensor<T>& u, const Var<T>& a) {
  return detail::linear_recurrence_impl<T>(u, detail::Operand<T>(a));
}

/// As above, with the decay a 1x1 Tensor (e.g. a learnable parameter).
template <class T>
Tensor<T> linear_recurrence(const Tensor<T>& u, const Tensor<T>& a) {
  return detail::linear_recurrence_impl<T>(u, detail::Operand<T>(a));
}

/// As above, with a constant decay.
template <class T, Arithmetic U>
Tensor<T> linear_recurrence(const Tensor<T>& u, U a) {
  return detail::linear_recurrence_impl<T>(u, detail::Operand<T>(Var<T>::constant(static_cast<T>(a))));
}

}  // namespace tropigrad
