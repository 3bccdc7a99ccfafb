#pragma once
// Semiring matrix products on Tensors, one tape node each, running the fast
// kernels of semiring/gemm.hpp:
//   tropical_matmul(MaxPlus{}, A, B)   C(i, j) = max_k A(i, k) + B(k, j)
//   tropical_matmul(MinPlus{}, A, B)   the same with min
//   tropical_matmul(LogSumExp<double>(eps), A, B)   eps * log sum_k exp((A(i, k) + B(k, j)) / eps)
//   tropical_matmul(SumProduct{}, A, B)             the ordinary product (= matmul)
//   lse_matmul(eps, A, B)              LogSumExp with eps a Var, a 1x1 Tensor or a number
// Backward:
//  - MaxPlus/MinPlus: the forward records the winning k of each output (ties:
//    the lowest k) and the backward routes G(i, j) to A(i, k*) and B(k*, j),
//    O(output). Infinite outputs pass no gradient.
//  - LogSumExp: dC(i, j)/dA(i, k) = P(i, j, k) = exp((A(i, k) + B(k, j) - C(i, j)) / eps).
//    With the forward's shifts a_i, b_j and sums S = Ea Eb (see gemm_lse.hpp),
//    P = Ea(i, k) Eb(k, j) / S(i, j), so dA = Ea ∘ ((G / S) Eb^T) and
//    dB = Eb ∘ (Ea^T (G / S)): two GEMMs, never the m x n x k weights (memory
//    O(output) beyond the inputs' own size). Outputs the forward computed by the
//    exact fallback are differentiated exactly, one at a time.
//    d/deps = sum G(i, j) (C(i, j) - sum_k P x_k) / eps, x_k = A(i, k) + B(k, j), formed
//    from shifted quantities (x_k - a_i - b_j) so that large |x| do not cancel.
// Errors: as gemm (shapes, NaN, inf + -inf pairs), and eps as for lse.

#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "../semiring/gemm.hpp"
#include "tensor_grad_access.hpp"
#include "tensor_lse.hpp"
#include "tensor_matmul.hpp"

namespace tropigrad {
namespace detail {

template <class T>
using ConstRowMap = Eigen::Map<const RowMatrix<T>>;

template <class S, class T>
Tensor<T> hard_tropical_matmul(const S& s, const Tensor<T>& A, const Tensor<T>& B) {
  constexpr const char* where = "tropigrad::tropical_matmul";
  TensorData<T>* a = &A.data();
  TensorData<T>* b = &B.data();
  const ConstRowMap<T> Am(a->value, a->rows, a->cols), Bm(b->value, b->rows, b->cols);
  check_gemm_inputs<S>(Am, Bm, where);
  if (a->cols > (Index{1} << std::numeric_limits<T>::digits))
    throw std::invalid_argument(std::string(where) + ": the inner dimension " + std::to_string(a->cols) +
                                " is too large to record winning indices in this scalar type");
  const Index m = a->rows, n = b->cols;
  Tensor<T> out = new_result<T>(m, n, a->requires_grad || b->requires_grad);
  T* c = out.data().value;
  if (!out.requires_grad()) {
    gemm_row_major(s, Am, Bm, c, n, GemmOptions{});
    record_backward("tropical_matmul", out, [](const auto&) {});
    return out;
  }
  auto* argk = tape<T>().arena().template allocate_array<std::int32_t>(static_cast<std::size_t>(m * n));
  gemm_row_major(s, Am, Bm, c, n, GemmOptions{}, argk);
  record_backward("tropical_matmul", out, [A, B, a, b, c, argk, m, n](const auto& g) {
    auto route = [&](TensorData<T>& target, bool to_a) {
      scatter_grad(target, [&](auto d) {
        for (Index i = 0; i < m; ++i)
          for (Index j = 0; j < n; ++j) {
            if (!std::isfinite(c[i * n + j])) continue;
            const Index k = argk[i * n + j];
            if (to_a) d(i, k) += g(i, j);
            else d(k, j) += g(i, j);
          }
      });
    };
    route(*a, true);
    route(*b, false);
  });
  return out;
}

// `where` names the public function in error messages (tropical_matmul or lse_matmul).
template <class T>
Tensor<T> lse_tropical_matmul(const Operand<T>& eps_operand, const Tensor<T>& A, const Tensor<T>& B, const char* where) {
  TensorData<T>* a = &A.data();
  TensorData<T>* b = &B.data();
  const Temperature<T> eps(eps_operand, where, *a);
  const ConstRowMap<T> Am(a->value, a->rows, a->cols), Bm(b->value, b->rows, b->cols);
  check_gemm_inputs<LogSumExp<T>>(Am, Bm, where);
  const Index m = a->rows, n = b->cols;
  Tensor<T> out = new_result<T>(m, n, a->requires_grad || b->requires_grad || eps.requires_grad());
  T* c = out.data().value;
  gemm_lse::Parts<T> parts;
  gemm_row_major(LogSumExp<T>(eps.value), Am, Bm, c, n, GemmOptions{}, nullptr, &parts);
  record_backward("tropical_matmul", out, [A, B, a, b, c, eps, m, n, parts = std::move(parts)](const auto& g) {
    using gemm_lse::exp_or_zero;
    const T e = eps.value;
    const Index k = a->cols;
    const ConstRowMap<T> Av(a->value, m, k), Bv(b->value, k, n);
    const ConstRowMap<T> C(c, m, n);
    const ConstRowMap<T> G(g.data(), m, n);
    RowMatrix<T> Ea, EbT;
    gemm_lse::exp_rows(e, Av, parts.row_max, Ea);
    gemm_lse::exp_rows(e, Bv.transpose(), parts.col_max, EbT);
    const RowMatrix<T> H = (parts.sum.array() > T(0)).select(G.array() / parts.sum.array(), T(0)).matrix();
    RowMatrix<T> dA = Ea.cwiseProduct(H * EbT);
    RowMatrix<T> dBT = EbT.cwiseProduct(H.transpose() * Ea);
    // sum over outputs of G * sum_k P (x_k - C), the eps term, fast outputs first.
    T spread = 0;
    if (eps.requires_grad()) {
      for (Index i = 0; i < m; ++i) {
        if (!std::isfinite(parts.row_max(i))) continue;
        spread += (Ea.row(i).array() > T(0)).select((Av.row(i).array() - parts.row_max(i)) * dA.row(i).array(), T(0)).sum();
      }
      for (Index j = 0; j < n; ++j) {
        if (!std::isfinite(parts.col_max(j))) continue;
        spread += (EbT.row(j).array() > T(0))
                      .select((Bv.col(j).transpose().array() - parts.col_max(j)) * dBT.row(j).array(), T(0))
                      .sum();
      }
      for (Index i = 0; i < m; ++i)
        for (Index j = 0; j < n; ++j)
          if (parts.sum(i, j) > T(0)) spread += G(i, j) * (parts.row_max(i) + parts.col_max(j) - C(i, j));
    }
    // Outputs computed by the exact fallback (S = 0 but C finite).
    for (Index i = 0; i < m; ++i)
      for (Index j = 0; j < n; ++j) {
        if (parts.sum(i, j) > T(0) || !std::isfinite(C(i, j)) || G(i, j) == T(0)) continue;
        const auto x = (Av.row(i).array() + Bv.col(j).transpose().array()).eval();
        const auto shifted = ((x - C(i, j)) * (T(1) / e)).eval();
        const auto p = exp_or_zero(shifted).eval();
        dA.row(i).array() += G(i, j) * p;
        dBT.row(j).array() += G(i, j) * p;
        if (eps.requires_grad()) spread += G(i, j) * e * (p > T(0)).select(p * shifted, T(0)).sum();
      }
    update_grad(*a, [&](auto dst, bool fresh) {
      if (fresh) dst = dA;
      else dst += dA;
    });
    update_grad(*b, [&](auto dst, bool fresh) {
      if (fresh) dst = dBT.transpose();
      else dst += dBT.transpose();
    });
    if (eps.requires_grad()) eps.accumulate(-spread / e);
  });
  return out;
}

}  // namespace detail

/// A ⊗ B over MaxPlus, MinPlus, LogSumExp(eps) (eps a number: no eps gradient)
/// or SumProduct, as one tape node. Throws std::invalid_argument as gemm.
template <class S, class T>
  requires detail::gemm_semiring<S>
Tensor<T> tropical_matmul(const S& s, const Tensor<T>& A, const Tensor<T>& B) {
  if constexpr (detail::gemm_traits<S>::hard) {
    return detail::hard_tropical_matmul(s, A, B);
  } else if constexpr (std::is_same_v<S, SumProduct>) {
    detail::check_gemm_inputs<S>(detail::ConstRowMap<T>(A.data().value, A.rows(), A.cols()),
                                 detail::ConstRowMap<T>(B.data().value, B.rows(), B.cols()),
                                 "tropigrad::tropical_matmul");
    return matmul(A, B);
  } else {
    return detail::lse_tropical_matmul<T>(Var<T>::constant(static_cast<T>(s.eps)), A, B, "tropigrad::tropical_matmul");
  }
}

/// A ⊗ B over LogSumExp(eps) with a learnable eps (a Var).
template <class T>
Tensor<T> lse_matmul(const Var<T>& eps, const Tensor<T>& A, const Tensor<T>& B) {
  return detail::lse_tropical_matmul<T>(eps, A, B, "tropigrad::lse_matmul");
}
/// As above, eps a 1x1 tensor (e.g. a learnable parameter).
template <class T>
Tensor<T> lse_matmul(const Tensor<T>& eps, const Tensor<T>& A, const Tensor<T>& B) {
  return detail::lse_tropical_matmul<T>(eps, A, B, "tropigrad::lse_matmul");
}
/// As above, eps a plain number.
template <class T, Arithmetic U>
Tensor<T> lse_matmul(U eps, const Tensor<T>& A, const Tensor<T>& B) {
  return detail::lse_tropical_matmul<T>(Var<T>::constant(static_cast<T>(eps)), A, B, "tropigrad::lse_matmul");
}

}  // namespace tropigrad
