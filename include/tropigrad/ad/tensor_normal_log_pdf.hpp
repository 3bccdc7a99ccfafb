#pragma once
// normal_log_pdf(x, mu, sigma): the log density of independent normals,
// summed over all elements (Stan's normal_lpdf, torch Normal(mu, sigma).log_prob(x).sum()):
//
//   sum_i [ -0.5 ((x_i - mu_i) / sigma_i)^2 - log(sigma_i) - 0.5 log(2 pi) ]
//
// x is a Tensor; mu and sigma are each a Tensor broadcastable with it (same
// shape, a row or column vector, 1x1), a scalar Var, or a number. Gradients
// w.r.t. all three (with z = (x - mu) / sigma):
//   d/dx = -z / sigma,   d/dmu = z / sigma,   d/dsigma = (z^2 - 1) / sigma.
// ONE tape node. With scalar mu and sigma (the common case) the forward pass
// is one read of x, computing sum(x - mu) and sum((x - mu)^2) together, and
// the backward pass is one write of x's gradient; the gradients w.r.t. mu and
// sigma come from those two sums. sigma must be positive (else
// std::invalid_argument naming it).

#include <cmath>
#include <numbers>
#include <tuple>
#include <stdexcept>
#include <string>

#include "tensor_elementwise.hpp"

namespace tropigrad {
namespace detail {

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // Eigen's packet types as template arguments
#endif
/// One vectorised pass: s1 = sum(x - m), s2 = sum((x - m)^2).
template <class T>
void centered_sums(const T* x, Index n, T m, T& s1, T& s2) {
  using Packet = typename Eigen::internal::packet_traits<T>::type;
  constexpr Index P = Eigen::internal::packet_traits<T>::size;
  const Packet pm = Eigen::internal::pset1<Packet>(m);
  Packet a0 = Eigen::internal::pset1<Packet>(T(0)), a1 = a0, b0 = a0, b1 = a0;
  Index i = 0;
  for (; i + 2 * P <= n; i += 2 * P) {
    const Packet d0 = Eigen::internal::psub(Eigen::internal::ploadu<Packet>(x + i), pm);
    const Packet d1 = Eigen::internal::psub(Eigen::internal::ploadu<Packet>(x + i + P), pm);
    a0 = Eigen::internal::padd(a0, d0);
    a1 = Eigen::internal::padd(a1, d1);
    b0 = Eigen::internal::pmadd(d0, d0, b0);
    b1 = Eigen::internal::pmadd(d1, d1, b1);
  }
  T t1 = Eigen::internal::predux(Eigen::internal::padd(a0, a1));
  T t2 = Eigen::internal::predux(Eigen::internal::padd(b0, b1));
  for (; i < n; ++i) {
    const T d = x[i] - m;
    t1 += d;
    t2 += d * d;
  }
  s1 = t1;
  s2 = t2;
}
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

template <class T>
T operand_scalar(const Operand<T>& o) {
  return o.tensor != nullptr ? o.tensor->value[0] : o.scalar.value();
}

template <class T>
Var<T> normal_log_pdf_impl(const Tensor<T>& x_tensor, const Operand<T>& mu, const Operand<T>& sigma) {
  const Operand<T> x(x_tensor);
  // Plain variables, not a structured binding: lambdas capture them below (Clang < 16 cannot capture bindings).
  Index rows = 0, cols = 0;
  std::tie(rows, cols) = broadcast_shape("normal_log_pdf", x.rows(), x.cols(), mu.rows(), mu.cols());
  std::tie(rows, cols) = broadcast_shape("normal_log_pdf", rows, cols, sigma.rows(), sigma.cols());
  const T n = static_cast<T>(rows * cols);
  const T half_log_2pi = T(0.5) * std::log(T(2) * std::numbers::pi_v<T>);
  const bool requires_grad = x.requires_grad() || mu.requires_grad() || sigma.requires_grad();
  const bool scalar_params = mu.rows() * mu.cols() == 1 && sigma.rows() * sigma.cols() == 1 &&
                             x.rows() == rows && x.cols() == cols;

  if (scalar_params) {
    const T m = operand_scalar(mu);
    const T s = operand_scalar(sigma);
    if (!(s > T(0)))
      throw std::invalid_argument("tropigrad::normal_log_pdf: argument 'sigma' must be positive, got " +
                                  std::to_string(s));
    T s1 = 0, s2 = 0;
    centered_sums(x.tensor->value, x.tensor->size(), m, s1, s2);
    // (v * inv_s) * inv_s, not v / s^2: s^2 underflows (float, s = 1e-30) and 0 * inf would be NaN.
    const T inv_s = T(1) / s;
    const T log_s = std::log(s);
    const T value = T(-0.5) * (s2 * inv_s) * inv_s - n * (log_s + half_log_2pi);
    return scalar_result<T>("normal_log_pdf", value, requires_grad, [x, mu, sigma, m, s1, s2, n, inv_s](T g) {
      if (x.requires_grad()) {
        const auto xv = value_map(static_cast<const TensorData<T>&>(*x.tensor));
        accumulate_grad(*x.tensor, ((xv - m) * inv_s) * (-g * inv_s));
      }
      if (mu.requires_grad()) mu.accumulate(RowArray<T>::Constant(1, 1, g * (s1 * inv_s) * inv_s));
      if (sigma.requires_grad()) sigma.accumulate(RowArray<T>::Constant(1, 1, g * ((s2 * inv_s) * inv_s - n) * inv_s));
    });
  }

  // General broadcasting path: z = (x - mu) / sigma over the broadcast shape.
  RowArray<T> mu_b(rows, cols), sigma_b(rows, cols), x_b(rows, cols);
  x.visit(rows, cols, [&](const auto& v) { x_b = v; });
  mu.visit(rows, cols, [&](const auto& v) { mu_b = v; });
  sigma.visit(rows, cols, [&](const auto& v) { sigma_b = v; });
  if (!(sigma_b > T(0)).all()) {
    Index i = 0;
    while (sigma_b.data()[i] > T(0)) ++i;
    throw std::invalid_argument("tropigrad::normal_log_pdf: argument 'sigma' must be positive everywhere, got " +
                                std::to_string(sigma_b.data()[i]) + " at flat index " + std::to_string(i));
  }
  const T value = (T(-0.5) * ((x_b - mu_b) / sigma_b).square() - sigma_b.log()).sum() - n * half_log_2pi;
  return scalar_result<T>("normal_log_pdf", value, requires_grad, [x, mu, sigma, rows, cols](T g) {
    RowArray<T> xb(rows, cols), mb(rows, cols), sb(rows, cols);
    x.visit(rows, cols, [&](const auto& v) { xb = v; });
    mu.visit(rows, cols, [&](const auto& v) { mb = v; });
    sigma.visit(rows, cols, [&](const auto& v) { sb = v; });
    const RowArray<T> inv_s = sb.inverse();
    const RowArray<T> z = (xb - mb) * inv_s;
    const RowArray<T> gz = g * z * inv_s;  // = -d/dx = d/dmu
    x.accumulate(-gz);
    mu.accumulate(gz);
    sigma.accumulate(g * (z.square() - T(1)) * inv_s);
  });
}

}  // namespace detail

/// sum over elements of log N(x | mu, sigma). mu, sigma: Tensor (broadcastable), Var or number.
template <class T, class M, class S>
  requires detail::ElementwiseOperand<M, T> && detail::ElementwiseOperand<S, T>
Var<T> normal_log_pdf(const Tensor<T>& x, const M& mu, const S& sigma) {
  return detail::normal_log_pdf_impl<T>(x, detail::make_operand<T>(mu), detail::make_operand<T>(sigma));
}

}  // namespace tropigrad
