#pragma once
// Smooth max along an axis: lse(eps, x, axis) = LSE_eps of each row (axis 1,
// giving rows x 1) or of each column (axis 0, giving 1 x cols), as one tape node.
// eps is a Var, a 1x1 Tensor or a plain number; gradients flow to x and eps:
//   d LSE / d x_i = p_i = softmax(x / eps)_i
//   d LSE / d eps = (LSE - sum_i p_i x_i) / eps = -sum_i p_i log p_i (the entropy of p),
// computed in the entropy form so that it stays exact for large |x| and -inf entries.
// Values come from the vectorised kernels of semiring/lse_rows.hpp: stable for
// any finite x and eps; -inf entries have weight 0; a line of only -inf gives
// -inf (and no gradient), a +inf entry gives +inf (and no gradient).
// Throws std::invalid_argument for eps <= 0 or NaN (naming eps and its value),
// an eps tensor that is not 1x1, an axis other than 0 or 1, or a NaN in x.

#include <string>

#include "../semiring/lse_rows.hpp"
#include "tensor_grad_access.hpp"
#include "tensor_sum.hpp"

namespace tropigrad {
namespace detail {

/// The temperature argument of lse / softmax / log_softmax.
template <class T>
struct Temperature {
  Operand<T> operand;
  T value;

  Temperature(const Operand<T>& op, const char* where, const TensorData<T>& x) : operand(op), value(op.scalar.value()) {
    if (op.tensor) {
      if (op.tensor->size() != 1)
        throw std::invalid_argument(std::string(where) + ": eps must be a scalar (a Var, a number or a 1x1 tensor), got a tensor of shape " +
                                    shape_string(op.tensor->rows, op.tensor->cols) + " (x has shape " +
                                    shape_string(x.rows, x.cols) + ")");
      value = op.tensor->value[0];
    }
    check_eps(value, where);
  }
  bool requires_grad() const { return operand.requires_grad(); }
  void accumulate(T g) const {
    if (requires_grad()) operand.accumulate(RowArray<T>::Constant(1, 1, g));
  }
};

template <class T>
Tensor<T> lse_impl(const Operand<T>& eps_operand, const Tensor<T>& x, int axis) {
  constexpr const char* where = "tropigrad::lse";
  check_axis("lse", axis);
  TensorData<T>* in = &x.data();
  const Temperature<T> eps(eps_operand, where, *in);
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  const Index lines = axis == 1 ? in->rows : in->cols;
  Tensor<T> out = axis == 1 ? new_result<T>(lines, 1, in->requires_grad || eps.requires_grad())
                            : new_result<T>(1, lines, in->requires_grad || eps.requires_grad());
  T* o = out.data().value;
  // The max and log-sum parts are kept for the backward pass: p = exp((x - max) / eps - log_sum)
  // keeps all digits where max + eps * log_sum rounds (|x| ~ 1e30).
  T* line_max = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(lines));
  T* log_sum = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(lines));
  using Line = Eigen::Map<Eigen::Array<T, Eigen::Dynamic, 1>>;
  if (axis == 1) {
    lse_rows_parts(eps.value, v, Line(line_max, lines), Line(log_sum, lines), where, "row");
  } else {
    lse_cols_parts(eps.value, v, Line(line_max, lines), Line(log_sum, lines), where);
  }
  for (Index r = 0; r < lines; ++r) o[r] = line_max[r] + eps.value * log_sum[r];
  record_backward("lse", out, [x, in, eps, axis, line_max, log_sum](const auto& g) {
    const T e = eps.value;
    const T inv_eps = T(1) / e;
    const T cutoff = exp_underflow_cutoff<T>();
    const auto X = value_map(static_cast<const TensorData<T>&>(*in));
    const T* gl = g.data();
    // d/dx: each line of the gradient gets g_r * p.
    scatter_grad(*in, [&](auto dx) {
      with_lines(axis, X, [&](const auto& xl) {
        with_lines(axis, dx, [&](auto&& dl) {
          for (Index r = 0; r < xl.rows(); ++r) {
            if (!std::isfinite(line_max[r]) || gl[r] == T(0)) continue;
            const auto log_p = (xl.row(r) - line_max[r]) * inv_eps - log_sum[r];
            dl.row(r) += gl[r] * (log_p < cutoff).select(T(0), log_p.exp());
          }
        });
      });
    });
    // d/deps: g_r times the entropy of p on each line.
    if (eps.requires_grad()) {
      T total = 0;
      with_lines(axis, X, [&](const auto& xl) {
        for (Index r = 0; r < xl.rows(); ++r) {
          if (!std::isfinite(line_max[r]) || gl[r] == T(0)) continue;
          const auto log_p = (xl.row(r) - line_max[r]) * inv_eps - log_sum[r];
          total -= gl[r] * (log_p < cutoff).select(T(0), log_p.exp() * log_p).sum();
        }
      });
      eps.accumulate(total);
    }
  });
  return out;
}

}  // namespace detail

/// LSE_eps along `axis` (1: each row -> rows x 1; 0: each column -> 1 x cols), eps a Var.
template <class T>
Tensor<T> lse(const Var<T>& eps, const Tensor<T>& x, int axis) {
  return detail::lse_impl<T>(eps, x, axis);
}
/// As above, eps a 1x1 tensor (e.g. a learnable parameter).
template <class T>
Tensor<T> lse(const Tensor<T>& eps, const Tensor<T>& x, int axis) {
  return detail::lse_impl<T>(eps, x, axis);
}
/// As above, eps a plain number (no gradient for eps).
template <class T, Arithmetic U>
Tensor<T> lse(U eps, const Tensor<T>& x, int axis) {
  return detail::lse_impl<T>(Var<T>::constant(static_cast<T>(eps)), x, axis);
}

}  // namespace tropigrad
