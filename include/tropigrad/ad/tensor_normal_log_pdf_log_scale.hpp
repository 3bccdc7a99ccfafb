#pragma once
// normal_log_pdf_log_scale(x, mu, log_sigma): the normal log density with the
// scale on the log scale, summed over all elements:
//
//   sum_i [ -0.5 (x_i - mu_i)^2 exp(-2 log_sigma_i) - log_sigma_i - 0.5 log(2 pi) ]
//
// as stochastic-volatility models (log_sigma = h / 2), heteroscedastic
// regression and VAE decoders parameterise it: composed as
// normal_log_pdf(x, mu, exp(log_sigma)) it costs an exp node, a log inside the
// density and an extra pass; here it is ONE tape node, no exp-then-log, and
// no sigma that underflows to 0. x is a Tensor; mu and log_sigma are each a
// Tensor broadcastable with it, a scalar Var or a number. With
// w = (x - mu) exp(-2 log_sigma) = z / sigma:
//   d/dx = -w,   d/dmu = w,   d/dlog_sigma = z^2 - 1 = (x - mu) w - 1.
// Forward: one vectorised pass. Backward: one pass for w (or straight to the
// log_sigma gradient when only it is needed). Limits are kept where the plain
// formula gives NaN: x = mu with sigma underflowed (exp(-log_sigma) = inf)
// contributes z = 0; z^2 = inf with log_sigma = -inf gives -inf, not inf - inf.

#include <cmath>
#include <limits>
#include <numbers>
#include <tuple>

#include "tensor_elementwise.hpp"

namespace tropigrad {
namespace detail {

/// One element, with the limits the vectorised formula misses (the slow path).
template <class T>
T normal_log_scale_term(T d, T ls, T& w, T& gls) {
  const T inv = std::exp(-ls);
  const T z = d == T(0) ? T(0) : d * inv;
  const T z2 = z * z;
  w = d == T(0) ? T(0) : z * inv;
  gls = z2 - T(1);
  return z2 == std::numeric_limits<T>::infinity() ? -std::numeric_limits<T>::infinity() : T(-0.5) * z2 - ls;
}

template <class T>
Var<T> normal_log_pdf_log_scale_impl(const Operand<T>& x, const Operand<T>& mu, const Operand<T>& ls) {
  Index rows = 0, cols = 0;
  std::tie(rows, cols) = broadcast_shape("normal_log_pdf_log_scale", x.rows(), x.cols(), mu.rows(), mu.cols());
  std::tie(rows, cols) = broadcast_shape("normal_log_pdf_log_scale", rows, cols, ls.rows(), ls.cols());
  const T n = static_cast<T>(rows * cols);
  const T half_log_2pi = T(0.5) * std::log(T(2) * std::numbers::pi_v<T>);
  const bool requires_grad = x.requires_grad() || mu.requires_grad() || ls.requires_grad();

  // Fast path: the plain vectorised formula. It is exact whenever its total is
  // finite (a 0 * inf would have made it NaN); otherwise redo the sum element
  // by element with the limits, and remember to do so in the backward pass.
  T total = 0;
  x.visit(rows, cols, [&](const auto& xv) {
    mu.visit(rows, cols, [&](const auto& mv) {
      ls.visit(rows, cols, [&](const auto& lv) {
        total = (T(-0.5) * ((xv - mv) * (-lv).exp()).square() - lv).sum();
      });
    });
  });
  const bool careful = !std::isfinite(total);
  auto careful_loop = [rows, cols](const Operand<T>& xo, const Operand<T>& mo, const Operand<T>& lo, auto&& each) {
    RowArray<T> xb(rows, cols), mb(rows, cols), lb(rows, cols);
    xo.visit(rows, cols, [&](const auto& v) { xb = v; });
    mo.visit(rows, cols, [&](const auto& v) { mb = v; });
    lo.visit(rows, cols, [&](const auto& v) { lb = v; });
    for (Index i = 0; i < xb.size(); ++i) each(i, xb.data()[i] - mb.data()[i], lb.data()[i]);
  };
  if (careful) {
    total = 0;
    careful_loop(x, mu, ls, [&](Index, T d, T l) {
      T w, g;
      total += normal_log_scale_term(d, l, w, g);
    });
  }
  const T value = total - n * half_log_2pi;

  return scalar_result<T>("normal_log_pdf_log_scale", value, requires_grad,
                          [x, mu, ls, rows, cols, careful, careful_loop](T g) {
    if (careful) {
      RowArray<T> w(rows, cols), gl(rows, cols);
      careful_loop(x, mu, ls, [&](Index i, T d, T l) { normal_log_scale_term(d, l, w.data()[i], gl.data()[i]); });
      x.accumulate(-g * w);
      mu.accumulate(g * w);
      ls.accumulate(g * gl);
      return;
    }
    x.visit(rows, cols, [&](const auto& xv) {
      mu.visit(rows, cols, [&](const auto& mv) {
        ls.visit(rows, cols, [&](const auto& lv) {
          if (!x.requires_grad() && !mu.requires_grad()) {
            // Only log_sigma: g (z^2 - 1) in one pass, no buffer.
            ls.accumulate(g * (((xv - mv) * (-lv).exp()).square() - T(1)));
            return;
          }
          T* buffer = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(rows * cols));
          Eigen::Map<RowArray<T>> w(buffer, rows, cols);
          // g * z / sigma as (d / sigma) / sigma: exp(-2 log_sigma) alone may overflow.
          w = g * (((xv - mv) * (-lv).exp()) * (-lv).exp());
          x.accumulate(-w);
          mu.accumulate(w);
          ls.accumulate((xv - mv) * w - g);
        });
      });
    });
  });
}

}  // namespace detail

/// sum over elements of log N(x | mu, exp(log_sigma)). mu, log_sigma: Tensor (broadcastable), Var or number.
template <class T, class M, class S>
  requires detail::ElementwiseOperand<M, T> && detail::ElementwiseOperand<S, T>
Var<T> normal_log_pdf_log_scale(const Tensor<T>& x, const M& mu, const S& log_sigma) {
  return detail::normal_log_pdf_log_scale_impl<T>(detail::Operand<T>(x), detail::make_operand<T>(mu),
                                                  detail::make_operand<T>(log_sigma));
}

}  // namespace tropigrad
