// tropigrad/semiring/gemm.hpp
//
// Fast semiring matrix products C(i, j) = ⊕_k A(i, k) ⊗ B(k, j) for float and
// double, the fast counterpart of matmul() (matmul.hpp stays the reference):
//
//   gemm(MaxPlus{}, A, B, C);             // packed, register-tiled max-plus kernel
//   gemm(MinPlus{}, A, B, C);             // the same with min
//   gemm(LogSumExp<double>(0.1), A, B, C);// exp-domain GEMM + exact fallback
//   gemm(SumProduct{}, A, B, C);          // Eigen's GEMM
//   auto C = gemm(MaxPlus{}, A, B);       // returns a column-major matrix
//   gemm_argmax(MaxPlus{}, A, B, C, K);   // also K(i, j) = the winning k
//
// A and B are any Eigen dense objects (matrices, arrays, maps, blocks,
// expressions) of the same scalar type; C is a writable Eigen object (resized
// if it is a plain matrix, else it must be m x n already). Options: threads > 1
// splits the rows of C over std::threads; the result is reproducible (the
// MaxPlus/MinPlus result is bitwise independent of the thread count). Default 1.
//
// Errors (std::invalid_argument naming tropigrad::gemm, the argument and the
// position): shapes that do not fit; a NaN in A or B; a pair A(i, k), B(k, j)
// whose ⊗ is undefined (inf + -inf for the additive semirings, 0 * inf for
// SumProduct) — the reference loop would silently give NaN there. An empty
// inner dimension gives the semiring zero everywhere.
//
// Argmax (MaxPlus/MinPlus): K(i, j) is the smallest k with A(i, k) + B(k, j)
// == C(i, j) (ties go to the lowest k), 0 if all terms are the semiring zero.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <Eigen/Core>

#include "tropigrad/semiring/errors.hpp"
#include "tropigrad/semiring/gemm_kernel.hpp"
#include "tropigrad/semiring/gemm_lse.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/matmul.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"

namespace tropigrad {

struct GemmOptions {
  int threads = 1;  ///< std::threads over row blocks of C; 1 = this thread only
};

namespace detail {

template <class S>
struct gemm_traits {
  static constexpr bool supported = false;
};
template <>
struct gemm_traits<MaxPlus> {
  static constexpr bool supported = true, additive = true, hard = true;
};
template <>
struct gemm_traits<MinPlus> {
  static constexpr bool supported = true, additive = true, hard = true;
};
template <class Eps>
  requires std::is_arithmetic_v<Eps>
struct gemm_traits<LogSumExp<Eps>> {
  static constexpr bool supported = true, additive = true, hard = false;
};
template <>
struct gemm_traits<SumProduct> {
  static constexpr bool supported = true, additive = false, hard = false;
};

/// MaxPlus, MinPlus, LogSumExp(eps) with an arithmetic eps, or SumProduct.
template <class S>
concept gemm_semiring = gemm_traits<S>::supported;
template <class S>
concept hard_gemm_semiring = gemm_semiring<S> && gemm_traits<S>::hard;

inline std::string position_text(Eigen::Index r, Eigen::Index c) {
  // snprintf, not operator+ on std::string: GCC 12 at -O3 reports a false
  // -Wstringop-overflow inside the inlined string concatenation here.
  char text[48];
  std::snprintf(text, sizeof text, "(%lld, %lld)", static_cast<long long>(r), static_cast<long long>(c));
  return text;
}

/// Shapes, NaN, and pairs whose ⊗ is undefined. Each check is O(mk + kn).
template <class S, class DA, class DB>
void check_gemm_inputs(const DA& A, const DB& B, std::string_view where) {
  using T = typename DA::Scalar;
  if (A.cols() != B.rows()) {
    throw_invalid(where, "A is " + shape_text(A.rows(), A.cols()) + " but B is " + shape_text(B.rows(), B.cols()) +
                             "; A.cols() must equal B.rows()");
  }
  // Vectorised reductions first; positions are only searched on failure.
  // x * 0 is 0 for finite x and NaN otherwise; a sum is a vectorised reduction.
  if (!std::isnan((A.array() * T(0)).sum()) && !std::isnan((B.array() * T(0)).sum())) return;
  if (A.hasNaN()) {
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      for (Eigen::Index k = 0; k < A.cols(); ++k)
        if (std::isnan(A.coeff(i, k))) throw_invalid(where, "A is NaN at " + position_text(i, k) + "; inputs must not contain NaN");
  }
  if (B.hasNaN()) {
    for (Eigen::Index k = 0; k < B.rows(); ++k)
      for (Eigen::Index j = 0; j < B.cols(); ++j)
        if (std::isnan(B.coeff(k, j))) throw_invalid(where, "B is NaN at " + position_text(k, j) + "; inputs must not contain NaN");
  }
  // A pair (A(i, k), B(k, j)) is undefined when column k of A holds one kind of
  // special value and row k of B the other; find the first such pair.
  constexpr T inf = std::numeric_limits<T>::infinity();
  auto is_inf = [](T x) { return std::isinf(x); };
  auto is_zero = [](T x) { return x == T(0); };
  auto first_in_col = [&](Eigen::Index k, auto pred) {
    for (Eigen::Index i = 0; i < A.rows(); ++i)
      if (pred(A.coeff(i, k))) return i;
    return Eigen::Index(-1);
  };
  auto first_in_row = [&](Eigen::Index k, auto pred) {
    for (Eigen::Index j = 0; j < B.cols(); ++j)
      if (pred(B.coeff(k, j))) return j;
    return Eigen::Index(-1);
  };
  auto fail = [&](Eigen::Index i, Eigen::Index k, Eigen::Index j, std::string_view what) {
    throw_invalid(where, "A" + position_text(i, k) + " = " + format_number(static_cast<double>(A.coeff(i, k))) +
                             " and B" + position_text(k, j) + " = " +
                             format_number(static_cast<double>(B.coeff(k, j))) + ": their product " +
                             std::string(what) + " is undefined (NaN)");
  };
  // Per inner index k: which special values column k of A and row k of B hold.
  const auto Aa = A.array();
  const auto Ba = B.array();
  const Eigen::Array<bool, 1, Eigen::Dynamic> a_pos = (Aa == inf).colwise().any(), a_neg = (Aa == -inf).colwise().any(),
                                             a_zero = (Aa == T(0)).colwise().any();
  const Eigen::Array<bool, Eigen::Dynamic, 1> b_pos = (Ba == inf).rowwise().any(), b_neg = (Ba == -inf).rowwise().any(),
                                             b_zero = (Ba == T(0)).rowwise().any();
  for (Eigen::Index k = 0; k < A.cols(); ++k) {
    if constexpr (gemm_traits<S>::additive) {
      if (a_pos(k) && b_neg(k)) fail(first_in_col(k, [](T x) { return x == inf; }), k, first_in_row(k, [](T x) { return x == -inf; }), "inf + -inf");
      if (a_neg(k) && b_pos(k)) fail(first_in_col(k, [](T x) { return x == -inf; }), k, first_in_row(k, [](T x) { return x == inf; }), "inf + -inf");
    } else {
      if ((a_pos(k) || a_neg(k)) && b_zero(k)) fail(first_in_col(k, is_inf), k, first_in_row(k, is_zero), "0 * inf");
      if (a_zero(k) && (b_pos(k) || b_neg(k))) fail(first_in_col(k, is_zero), k, first_in_row(k, is_inf), "0 * inf");
    }
  }
}

template <class T>
using RowMap = Eigen::Map<Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>, 0,
                          Eigen::OuterStride<>>;

/// Core: C (row-major m x n at c, row stride ldc) = A ⊗ B.
template <class S, class DA, class DB, class T = typename DA::Scalar>
void gemm_row_major(const S& s, const DA& A, const DB& B, T* c, Eigen::Index ldc, const GemmOptions& opt,
                    std::int32_t* argk = nullptr, gemm_lse::Parts<T>* lse_parts = nullptr) {
  using namespace gemm_kernel;
  const Eigen::Index m = A.rows(), n = B.cols(), k = A.cols();
  RowMap<T> C(c, m, n, Eigen::OuterStride<>(ldc));
  if (k == 0) {
    C.setConstant(s.template zero<T>());
    if (argk != nullptr)
      for (Eigen::Index i = 0; i < m; ++i) std::fill(argk + i * ldc, argk + i * ldc + n, 0);
    if (lse_parts != nullptr) {
      lse_parts->row_max.setConstant(m, -std::numeric_limits<T>::infinity());
      lse_parts->col_max.setConstant(n, -std::numeric_limits<T>::infinity());
      lse_parts->sum.setZero(m, n);
    }
    return;
  }
  if constexpr (std::same_as<S, MaxPlus> || std::same_as<S, MinPlus>) {
    using Op = std::conditional_t<std::same_as<S, MaxPlus>, MaxCombine, MinCombine>;
    if (argk == nullptr) {
      for_row_blocks<T>(m, opt.threads, [&](Eigen::Index r0, Eigen::Index rows) {
        tropical_gemm_serial<T, Op, false>(A.middleRows(r0, rows), B, c + r0 * ldc, ldc, nullptr);
      });
    } else {
      std::vector<T> chunks(static_cast<std::size_t>(m * ldc));
      for_row_blocks<T>(m, opt.threads, [&](Eigen::Index r0, Eigen::Index rows) {
        tropical_gemm_serial<T, Op, true>(A.middleRows(r0, rows), B, c + r0 * ldc, ldc, chunks.data() + r0 * ldc);
        resolve_argmax(A.middleRows(r0, rows), B, c + r0 * ldc, ldc, chunks.data() + r0 * ldc, argk + r0 * ldc, ldc);
      });
    }
  } else if constexpr (std::same_as<S, SumProduct>) {
    for_row_blocks<T>(m, opt.threads, [&](Eigen::Index r0, Eigen::Index rows) {
      C.middleRows(r0, rows).noalias() = A.middleRows(r0, rows).matrix() * B.matrix();
    });
    if (C.hasNaN()) {
      for (Eigen::Index i = 0; i < m; ++i)
        for (Eigen::Index j = 0; j < n; ++j)
          if (std::isnan(C(i, j)))
            throw_invalid("tropigrad::gemm", "C" + position_text(i, j) +
                                                 " is inf - inf (A has terms of both infinite signs in row " +
                                                 std::to_string(i) + " against column " + std::to_string(j) +
                                                 " of B), which is undefined");
    }
  } else {
    const T eps = static_cast<T>(s.eps);
    gemm_lse::Parts<T> local;
    gemm_lse::Parts<T>& parts = lse_parts != nullptr ? *lse_parts : local;
    if (opt.threads <= 1) {
      gemm_lse::lse_gemm(eps, A, B, C, parts);
    } else {
      // Each row block gets its own parts, then they are stitched together.
      parts.row_max.resize(m);
      parts.sum.resize(m, n);
      std::vector<gemm_lse::Parts<T>> blocks(static_cast<std::size_t>(m));
      for_row_blocks<T>(m, opt.threads, [&](Eigen::Index r0, Eigen::Index rows) {
        auto block = C.middleRows(r0, rows);
        gemm_lse::lse_gemm(eps, A.middleRows(r0, rows), B, block, blocks[static_cast<std::size_t>(r0)]);
      });
      for (Eigen::Index r0 = 0; r0 < m; ++r0) {
        auto& b = blocks[static_cast<std::size_t>(r0)];
        if (b.row_max.size() == 0) continue;
        parts.row_max.segment(r0, b.row_max.size()) = b.row_max;
        parts.sum.middleRows(r0, b.sum.rows()) = b.sum;
        parts.col_max = b.col_max;
      }
    }
  }
}

template <class D>
constexpr bool writable_in_place =
    requires(D& d) {
      d.data();
      d.innerStride();
      d.outerStride();
    } && bool(std::remove_cvref_t<D>::Flags & Eigen::LvalueBit);

template <class S, class DA, class DB, class DC, class DK>
void gemm_dispatch(const S& s, const DA& A, const DB& B, DC& C, DK* K, const GemmOptions& opt,
                   std::string_view where) {
  using T = typename DA::Scalar;
  check_gemm_inputs<S>(A, B, where);
  const Eigen::Index m = A.rows(), n = B.cols();
  using CPlain = std::remove_cvref_t<DC>;
  if constexpr (std::is_base_of_v<Eigen::PlainObjectBase<CPlain>, CPlain>) C.resize(m, n);
  if constexpr (!std::is_same_v<DK, void>) {
    if constexpr (std::is_base_of_v<Eigen::PlainObjectBase<DK>, DK>) K->resize(m, n);
  }
  if (C.rows() != m || C.cols() != n)
    throw_invalid(where, "C is " + shape_text(C.rows(), C.cols()) + " but A ⊗ B is " + shape_text(m, n));
  if constexpr (!std::is_same_v<DK, void>) {
    if (K->rows() != m || K->cols() != n)
      throw_invalid(where, "K is " + shape_text(K->rows(), K->cols()) + " but A ⊗ B is " + shape_text(m, n));
  }
  // Work in a row-major buffer unless C (and K) can be written in place with
  // the right orientation; a column-major C is C^T = B^T ⊗ A^T in row-major.
  // With K, only plain C and K of one orientation share a row stride.
  constexpr bool direct =
      writable_in_place<CPlain> &&
      (std::is_same_v<DK, void> ||
       (std::is_base_of_v<Eigen::PlainObjectBase<CPlain>, CPlain> &&
        std::is_same_v<DK, Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic,
                                         CPlain::IsRowMajor ? Eigen::RowMajor : Eigen::ColMajor>>));
  if constexpr (direct) {
    if (C.innerStride() == 1 && m > 0 && n > 0) {
      std::int32_t* kp = nullptr;
      if constexpr (!std::is_same_v<DK, void>) kp = K->data();
      if constexpr (CPlain::IsRowMajor) {
        gemm_row_major(s, A, B, C.data(), C.outerStride(), opt, kp);
      } else {
        gemm_row_major(s, B.transpose(), A.transpose(), C.data(), C.outerStride(), opt, kp);
      }
      return;
    }
  }
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> buffer(m, n);
  Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> kbuffer;
  if constexpr (!std::is_same_v<DK, void>) kbuffer.resize(m, n);
  gemm_row_major(s, A, B, buffer.data(), n, opt, std::is_same_v<DK, void> ? nullptr : kbuffer.data());
  C = buffer;
  if constexpr (!std::is_same_v<DK, void>) *K = kbuffer;
}

}  // namespace detail

/// C = A ⊗ B over s. See the file comment.
template <class S, class DA, class DB, class DC>
  requires detail::gemm_semiring<S> && std::same_as<typename DA::Scalar, typename DB::Scalar> &&
           std::floating_point<typename DA::Scalar> && detail::eigen_object<DC>
void gemm(const S& s, const Eigen::DenseBase<DA>& A, const Eigen::DenseBase<DB>& B, DC&& C,
          const GemmOptions& options = {}) {
  detail::gemm_dispatch<S, DA, DB, std::remove_reference_t<DC>, void>(s, A.derived(), B.derived(), C, nullptr,
                                                                      options, "tropigrad::gemm");
}

/// A ⊗ B over s as a new column-major matrix.
template <class S, class DA, class DB>
  requires detail::gemm_semiring<S> && std::same_as<typename DA::Scalar, typename DB::Scalar> &&
           std::floating_point<typename DA::Scalar>
SemiringMatrix<typename DA::Scalar> gemm(const S& s, const Eigen::DenseBase<DA>& A, const Eigen::DenseBase<DB>& B,
                                         const GemmOptions& options = {}) {
  SemiringMatrix<typename DA::Scalar> C;
  gemm(s, A, B, C, options);
  return C;
}

/// C = A ⊗ B over MaxPlus or MinPlus, and K(i, j) = the smallest winning k.
/// K is an Eigen matrix of std::int32_t (resized if plain).
template <class S, class DA, class DB, class DC, class DK>
  requires detail::hard_gemm_semiring<S> && std::same_as<typename DA::Scalar, typename DB::Scalar> &&
           std::floating_point<typename DA::Scalar> && detail::eigen_object<DC> &&
           std::same_as<typename std::remove_cvref_t<DK>::Scalar, std::int32_t>
void gemm_argmax(const S& s, const Eigen::DenseBase<DA>& A, const Eigen::DenseBase<DB>& B, DC&& C, DK&& K,
                 const GemmOptions& options = {}) {
  using T = typename DA::Scalar;
  if (A.cols() > (std::int64_t{1} << std::numeric_limits<T>::digits))
    throw_invalid("tropigrad::gemm_argmax", "the inner dimension " + std::to_string(A.cols()) +
                                                " is too large to record indices exactly in this scalar type");
  detail::gemm_dispatch<S, DA, DB, std::remove_reference_t<DC>, std::remove_reference_t<DK>>(
      s, A.derived(), B.derived(), C, &K, options, "tropigrad::gemm_argmax");
}

}  // namespace tropigrad
