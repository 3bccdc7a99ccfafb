#pragma once
// softmax and log_softmax with temperature along an axis (1: each row, 0: each
// column), one tape node each, with gradients w.r.t. x and eps:
//   y = softmax(x / eps):      dx = y * (g - sum(g y)) / eps
//                              deps = -(1/eps) sum_i g_i y_i (log y_i + H),  H = -sum_j y_j log y_j
//   z = log softmax(x / eps):  dx = (g - y * sum(g)) / eps,  y = exp(z)
//                              deps = -(1/eps) sum_i g_i (z_i + H)   (over entries with z_i > -inf)
// (from d log y_i / d eps = -(x_i - sum_j y_j x_j) / eps^2 = -(log y_i + H) / eps).
// eps is a Var, a 1x1 Tensor or a plain number; softmax(x, axis) and
// log_softmax(x, axis) use eps = 1. Values come from semiring/lse_rows.hpp:
// stable for any finite x and eps, -inf entries get weight 0, a line of only
// -inf throws std::invalid_argument naming it, as do eps <= 0 or NaN (naming
// eps and its value) and a NaN in x.

#include "tensor_lse.hpp"

namespace tropigrad {
namespace detail {

template <class T>
Tensor<T> softmax_impl(const Operand<T>& eps_operand, const Tensor<T>& x, int axis, bool log_space) {
  const char* where = log_space ? "tropigrad::log_softmax" : "tropigrad::softmax";
  check_axis(log_space ? "log_softmax" : "softmax", axis);
  TensorData<T>* in = &x.data();
  const Temperature<T> eps(eps_operand, where, *in);
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  Tensor<T> out = new_result<T>(in->rows, in->cols, in->requires_grad || eps.requires_grad());
  auto o = value_map(out.data());
  if (log_space) {
    if (axis == 1) log_softmax_rows(eps.value, v, o, where, "row");
    else log_softmax_cols(eps.value, v, o, where);
  } else {
    if (axis == 1) softmax_rows(eps.value, v, o, where, "row");
    else softmax_cols(eps.value, v, o, where);
  }
  const Eigen::Map<const RowArray<T>> y_all(o.data(), o.rows(), o.cols());
  record_backward(log_space ? "log_softmax" : "softmax", out, [x, in, eps, axis, y_all, log_space](const auto& g) {
    const T inv_eps = T(1) / eps.value;
    // Summed in double: a float line term may overflow (eps = 1e-30) and +inf + -inf would be NaN.
    double eps_total = 0;
    // One pass over the lines; dx is written only if x needs it.
    auto run = [&](auto* dx_lines_ptr) {
      with_lines(axis, y_all, [&](const auto& yl) {
        with_lines(axis, g, [&](const auto& gl) {
          for (Index r = 0; r < yl.rows(); ++r) {
            const auto gr = gl.row(r);
            if (!log_space) {
              const auto y = yl.row(r);
              const T s = (gr * y).sum();
              if (dx_lines_ptr) dx_lines_ptr->row(r) += y * (gr - s) * inv_eps;
              if (eps.requires_grad()) {
                const auto y_log_y = (y > T(0)).select(y * y.log(), T(0));
                const T entropy = -y_log_y.sum();
                eps_total -= static_cast<double>(inv_eps) * ((gr * y_log_y).sum() + entropy * s);
              }
            } else {
              const auto z = yl.row(r);
              const auto y = z.exp();
              const T s = gr.sum();
              if (dx_lines_ptr) dx_lines_ptr->row(r) += (gr - y * s) * inv_eps;
              if (eps.requires_grad()) {
                const auto finite = z > -std::numeric_limits<T>::infinity();
                const T entropy = -finite.select(y * z, T(0)).sum();
                eps_total -= static_cast<double>(inv_eps) * finite.select(gr * (z + entropy), T(0)).sum();
              }
            }
          }
        });
      });
    };
    if (in->requires_grad) {
      scatter_grad(*in, [&](auto dx) {
        if (axis == 1) {
          run(&dx);
        } else {
          auto dxt = dx.transpose();
          run(&dxt);
        }
      });
    } else if (eps.requires_grad()) {
      run(static_cast<Eigen::Map<RowArray<T>>*>(nullptr));
    }
    eps.accumulate(static_cast<T>(eps_total));
  });
  return out;
}

}  // namespace detail

/// softmax(x / eps) along `axis` (1: each row sums to 1; 0: each column), eps a Var.
template <class T>
Tensor<T> softmax(const Var<T>& eps, const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(eps, x, axis, false);
}
/// As above, eps a 1x1 tensor.
template <class T>
Tensor<T> softmax(const Tensor<T>& eps, const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(eps, x, axis, false);
}
/// As above, eps a plain number.
template <class T, Arithmetic U>
Tensor<T> softmax(U eps, const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(Var<T>::constant(static_cast<T>(eps)), x, axis, false);
}
/// softmax(x) along `axis` (eps = 1).
template <class T>
Tensor<T> softmax(const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(Var<T>::constant(T(1)), x, axis, false);
}

/// log softmax(x / eps) = (x - LSE_eps(x)) / eps along `axis`, eps a Var.
template <class T>
Tensor<T> log_softmax(const Var<T>& eps, const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(eps, x, axis, true);
}
/// As above, eps a 1x1 tensor.
template <class T>
Tensor<T> log_softmax(const Tensor<T>& eps, const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(eps, x, axis, true);
}
/// As above, eps a plain number.
template <class T, Arithmetic U>
Tensor<T> log_softmax(U eps, const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(Var<T>::constant(static_cast<T>(eps)), x, axis, true);
}
/// log softmax(x) along `axis` (eps = 1).
template <class T>
Tensor<T> log_softmax(const Tensor<T>& x, int axis) {
  return detail::softmax_impl<T>(Var<T>::constant(T(1)), x, axis, true);
}

}  // namespace tropigrad
