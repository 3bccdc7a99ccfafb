// tropigrad/semiring/gemm_lse.hpp
//
// Internal: the LogSumExp(eps) matrix product
//   C(i, j) = eps * log sum_k exp((A(i, k) + B(k, j)) / eps)
// through a real GEMM in the exp domain. With row maxima a_i of A and column
// maxima b_j of B,
//   Ea(i, k) = exp((A(i, k) - a_i) / eps) in [0, 1],  Eb(k, j) likewise,
//   S = Ea Eb (Eigen's GEMM),  C(i, j) = a_i + b_j + eps * log S(i, j).
// Nothing overflows (every exponent is <= 0). Terms below the smallest normal
// number are dropped (set to exactly 0: Eigen's vectorised exp clamps, so
// exp(-inf) would otherwise be ~1e-38), which costs at most k * 2^-126 (float)
// absolutely in S. Where S(i, j) < tau = 2^(digits + 20) * smallest normal,
// that loss could matter (or S underflowed to 0), and the output is
// recomputed exactly by a streaming log-sum-exp over k with its own max.
//
// Rows of A or columns of B whose max is not finite give +inf (a +inf entry)
// or -inf (no entry > -inf) directly; the caller has rejected NaN and
// +inf + -inf pairs.
#pragma once

#include <cmath>
#include <limits>

#include <Eigen/Core>

namespace tropigrad::detail::gemm_lse {

using Index = Eigen::Index;

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

/// S below this may have lost digits to dropped terms: recompute exactly.
template <class T>
T underflow_threshold() {
  return std::ldexp(T(1), std::numeric_limits<T>::min_exponent - 1 + std::numeric_limits<T>::digits + 20);
}

/// exp(z) with exponents below the smallest normal's log set to exactly 0.
template <class Z>
auto exp_or_zero(const Z& z) {
  using T = typename Z::Scalar;
  const T cutoff = std::log(std::numeric_limits<T>::min());
  return (z < cutoff).select(T(0), z.exp());
}

/// Ea = exp((A - a) / eps) row by row (a = row maxima; rows with a non-finite
/// max are all 0). A is m x k.
template <class T, class MA>
void exp_rows(T eps, const MA& A, const Vector<T>& row_max, RowMatrix<T>& Ea) {
  Ea.resize(A.rows(), A.cols());
  const T inv_eps = T(1) / eps;
  for (Index i = 0; i < A.rows(); ++i) {
    if (!std::isfinite(row_max(i))) {
      Ea.row(i).setZero();
      continue;
    }
    Ea.row(i).array() = exp_or_zero(((A.row(i).array() - row_max(i)) * inv_eps).eval());
  }
}

/// Row maxima of A (m x k, k > 0).
template <class T, class MA>
Vector<T> row_maxima(const MA& A) {
  Vector<T> out(A.rows());
  for (Index i = 0; i < A.rows(); ++i) out(i) = A.row(i).maxCoeff();
  return out;
}

/// What the backward pass needs from the forward: the shifts and the sums.
template <class T>
struct Parts {
  Vector<T> row_max;  // a_i
  Vector<T> col_max;  // b_j
  RowMatrix<T> sum;   // S; 0 where the output was computed otherwise (fallback or infinite)
};

/// Exact streaming LSE of A.row(i) + B.col(j) (with its own max).
template <class T, class MA, class MB>
T exact_output(T eps, const MA& A, const MB& B, Index i, Index j) {
  const auto x = (A.row(i).transpose().array() + B.col(j).array()).eval();
  const T m = x.maxCoeff();
  if (!std::isfinite(m)) return m;
  return m + eps * std::log(exp_or_zero(((x - m) * (T(1) / eps)).eval()).sum());
}

/// C = A ⊗ B over LogSumExp(eps), k = A.cols() > 0. C is a row-major m x n
/// map. Fills parts for the backward pass.
template <class T, class MA, class MB, class MC>
void lse_gemm(T eps, const MA& A, const MB& B, MC& C, Parts<T>& parts) {
  const Index m = A.rows(), n = B.cols();
  parts.row_max = row_maxima<T>(A);
  parts.col_max = row_maxima<T>(B.transpose());
  RowMatrix<T> Ea, EbT;
  exp_rows(eps, A, parts.row_max, Ea);
  exp_rows(eps, B.transpose(), parts.col_max, EbT);
  parts.sum.resize(m, n);
  parts.sum.noalias() = Ea * EbT.transpose();
  const T tau = underflow_threshold<T>();
  constexpr T inf = std::numeric_limits<T>::infinity();
  for (Index i = 0; i < m; ++i) {
    const T a = parts.row_max(i);
    for (Index j = 0; j < n; ++j) {
      const T b = parts.col_max(j);
      T& s = parts.sum(i, j);
      if (!std::isfinite(a) || !std::isfinite(b)) {
        C(i, j) = (a == inf || b == inf) ? inf : -inf;
        s = T(0);
      } else if (s >= tau) {
        C(i, j) = a + b + eps * std::log(s);
      } else {
        C(i, j) = exact_output(eps, A, B, i, j);
        s = T(0);
      }
    }
  }
}

}  // namespace tropigrad::detail::gemm_lse
