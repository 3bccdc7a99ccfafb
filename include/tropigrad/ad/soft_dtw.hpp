#pragma once
// Soft dynamic time warping (Cuturi & Blondel, "Soft-DTW", ICML 2017):
//   soft_dtw(C, gamma) = R(n, m),
//   R(i, j) = C(i, j) + softmin_gamma(R(i-1, j-1), R(i-1, j), R(i, j-1)),
//   softmin_gamma(x) = -gamma log sum_k exp(-x_k / gamma), R(0, 0) = 0, other borders +inf,
// i.e. -gamma log sum over monotone alignment paths of exp(-cost / gamma);
// gamma = 0 is hard DTW (the MinPlus DP). One tape node, O(nm) forward and
// backward. The gradient dR(n, m)/dC is the expected alignment matrix (the
// E-matrix of the paper), propagated backwards with the alignment
// probabilities exp(-(R(pred) - softmin) / gamma) <= 1, never exponentiating
// an unbounded quantity. At gamma = 0 it is the indicator of the best path
// (ties: diagonal, then up, then left).
//
// squared_euclidean_cost(X, Y): C(i, j) = |x_i - y_j|^2 for X n x d, Y m x d,
// one tape node, so soft_dtw(squared_euclidean_cost(X, Y), gamma) is
// differentiable w.r.t. the two time series.

#include <cmath>
#include <limits>
#include <string>

#include "semiring_dp.hpp"

namespace tropigrad {

/// Soft-DTW value of a cost matrix (n x m, finite, n, m >= 1) with smoothing
/// gamma >= 0 (0: hard DTW). Throws std::invalid_argument for a bad gamma, an
/// empty or non-finite cost matrix.
template <class T>
Var<T> soft_dtw(const Tensor<T>& cost_matrix, T gamma) {
  constexpr const char* where = "tropigrad::soft_dtw";
  if (!(gamma >= T(0)) || !std::isfinite(gamma))
    throw_invalid(where, "gamma must be a finite number >= 0, got " + format_number(static_cast<double>(gamma)));
  const Index n = cost_matrix.rows(), m = cost_matrix.cols();
  if (n == 0 || m == 0) throw_invalid(where, "cost_matrix must not be empty, got " + detail::shape_string(n, m));
  const auto C = cost_matrix.value();
  for (Index i = 0; i < C.size(); ++i) {
    const T c = cost_matrix.data().value[i];
    if (c != c) throw_nan_at(where, "cost_matrix", static_cast<std::size_t>(i));
    if (!std::isfinite(c))
      throw_invalid(where, "cost_matrix must be finite, got " + format_number(static_cast<double>(c)) + " at index " +
                               std::to_string(i));
  }
  // Max form on negated costs: R' = -R, softmin = -(⊕ of -x).
  const detail::DpPlus<T> plus{gamma};
  const T ninf = -std::numeric_limits<T>::infinity();
  RowArray<T> R = RowArray<T>::Constant(n + 1, m + 1, ninf);
  R(0, 0) = 0;
  for (Index i = 1; i <= n; ++i)
    for (Index j = 1; j <= m; ++j) {
      const T x[3] = {R(i - 1, j - 1), R(i - 1, j), R(i, j - 1)};
      R(i, j) = plus.reduce(x, 3) - C(i - 1, j - 1);
    }
  const T value = -R(n, m);  // before R moves into the backward closure
  return detail::scalar_result<T>(
      "soft_dtw", value, cost_matrix.requires_grad(), [plus, c_t = cost_matrix, R = std::move(R), n, m](T g) {
        RowArray<T> E = RowArray<T>::Zero(n + 1, m + 1);
        E(n, m) = g;
        for (Index i = n; i >= 1; --i)
          for (Index j = m; j >= 1; --j) {
            const T e = E(i, j);
            if (e == T(0)) continue;
            const T x[3] = {R(i - 1, j - 1), R(i - 1, j), R(i, j - 1)};
            T w[3];
            plus.weights(x, 3, plus.reduce(x, 3), w);
            E(i - 1, j - 1) += e * w[0];
            E(i - 1, j) += e * w[1];
            E(i, j - 1) += e * w[2];
          }
        // d(-R'(n, m)) / dC(i, j) = dR'(n, m) / dR'(i, j): the E-matrix itself.
        accumulate_grad(c_t.data(), E.block(1, 1, n, m));
      });
}

/// Soft-DTW with a number of another arithmetic type as gamma.
template <class T, Arithmetic U>
  requires(!std::is_same_v<T, U>)
Var<T> soft_dtw(const Tensor<T>& cost_matrix, U gamma) {
  return soft_dtw(cost_matrix, static_cast<T>(gamma));
}

/// C(i, j) = sum_d (X(i, d) - Y(j, d))^2 as one tape node (n x m from X n x d
/// and Y m x d). Formed from differences, not |x|^2 + |y|^2 - 2 x.y, so that
/// nearby points of large magnitude do not cancel.
template <class T>
Tensor<T> squared_euclidean_cost(const Tensor<T>& X, const Tensor<T>& Y) {
  constexpr const char* where = "tropigrad::squared_euclidean_cost";
  if (X.cols() != Y.cols() || X.rows() == 0 || Y.rows() == 0 || X.cols() == 0)
    throw_invalid(where, "X (n x d) and Y (m x d) must be non-empty with the same number of columns, got " +
                             detail::shape_string(X.rows(), X.cols()) + " and " + detail::shape_string(Y.rows(), Y.cols()));
  const Index n = X.rows(), m = Y.rows();
  Tensor<T> out = detail::new_result<T>(n, m, X.requires_grad() || Y.requires_grad());
  Eigen::Map<RowArray<T>> D(out.data().value, n, m);
  const auto Xv = X.value();
  const auto Yv = Y.value();
  for (Index i = 0; i < n; ++i) D.row(i) = (Yv.rowwise() - Xv.row(i)).square().rowwise().sum().transpose();
  detail::record_backward("squared_euclidean_cost", out, [X, Y](const auto& G) {
    const auto Xv = X.value();
    const auto Yv = Y.value();
    const auto Gm = G.matrix();
    // dC(i, j)/dx_i = 2 (x_i - y_j), dC(i, j)/dy_j = -2 (x_i - y_j).
    if (X.requires_grad()) {
      const RowArray<T> dX =
          T(2) * (Xv.colwise() * G.rowwise().sum() - (Gm * Yv.matrix()).array());
      accumulate_grad(X.data(), dX);
    }
    if (Y.requires_grad()) {
      const RowArray<T> dY =
          T(2) * (Yv.colwise() * G.colwise().sum().transpose() - (Gm.transpose() * Xv.matrix()).array());
      accumulate_grad(Y.data(), dY);
    }
  });
  return out;
}

}  // namespace tropigrad
