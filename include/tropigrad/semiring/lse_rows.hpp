// tropigrad/semiring/lse_rows.hpp
//
// Row-wise (and column-wise) stable smooth-max kernels over 2-D Eigen objects,
// the vectorised counterparts of lse.hpp and softmax.hpp. Each row is one
// LSE_eps / softmax_eps problem, computed with Eigen array expressions:
//
//   lse_rows_parts(eps, in, max, log_sum): the same split as max_r + eps * log_sum_r
//   lse_rows(eps, in, out):          out(r) = m_r + eps * log(sum_j exp((in(r, j) - m_r) / eps))
//   softmax_rows(eps, in, out):      out(r, j) = exp((in(r, j) - m_r) / eps) / sum_k exp((in(r, k) - m_r) / eps)
//   log_softmax_rows(eps, in, out):  out(r, j) = (in(r, j) - m_r) / eps - log(sum_k exp((in(r, k) - m_r) / eps))
//
// with m_r the row max, so every exponent is <= 0 and nothing overflows; exp(x / eps)
// is never formed. The *_cols variants do the same along columns by running the
// row code on transpose views (strided, so slower than the row variants).
//
// `in` is any Eigen dense object (a row-major Map is the fast case); `out` is a
// writable Eigen object (a Map, Block or Transpose) of size in.rows() for lse,
// and of in's shape for (log_)softmax. out may alias in for (log_)softmax.
//
// Conventions, as in lse.hpp / softmax.hpp:
//  - -inf entries contribute nothing (weight 0; log_softmax gives -inf there);
//  - a row of only -inf (or an empty row): lse = -inf, (log_)softmax throws
//    std::invalid_argument naming the row;
//  - +inf entries: lse = +inf; softmax is uniform over the +inf entries;
//    log_softmax is log of that;
//  - NaN anywhere: std::invalid_argument naming the row and column (the scan
//    only runs when a result comes out NaN, so it is cheap);
//  - eps must be a finite number > 0 (std::invalid_argument naming eps and its value).
#pragma once

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include <Eigen/Core>

#include "tropigrad/semiring/errors.hpp"

namespace tropigrad {

namespace detail {

/// Row r of x as an array expression (x a matrix or an array, const or writable).
template <class X>
auto array_row(X&& x, Eigen::Index r) {
  using D = std::remove_cvref_t<X>;
  if constexpr (std::is_base_of_v<Eigen::ArrayBase<D>, D>) {
    return x.row(r);
  } else {
    return x.row(r).array();
  }
}

/// Throws naming the first NaN of row `r` of `in` (no-op if there is none).
template <class In>
void check_row_no_nan(const Eigen::DenseBase<In>& in, Eigen::Index r, std::string_view where,
                      std::string_view line) {
  for (Eigen::Index c = 0; c < in.cols(); ++c) {
    const auto x = in(r, c);
    if (x != x) {
      throw_invalid(where, std::string("the input is NaN in ") + std::string(line) + " " + std::to_string(r) +
                               " at position " + std::to_string(c) + "; inputs must not contain NaN");
    }
  }
}

/// Exponents below this give exp() = 0 in the kernels. Eigen's vectorised exp
/// clamps its argument, so exp(-inf) would come out as ~1e-308 (float: ~1e-38)
/// instead of 0; selecting 0 below the cutoff keeps -inf entries at weight
/// exactly 0 (what they would round to anyway is smaller than the smallest
/// normal number).
template <class T>
T exp_underflow_cutoff() {
  return std::log(std::numeric_limits<T>::min());
}

[[noreturn]] inline void throw_all_minus_inf(std::string_view where, std::string_view line, Eigen::Index r,
                                             Eigen::Index n) {
  throw_invalid(where, std::string("all ") + std::to_string(n) + " entries of " + std::string(line) + " " +
                           std::to_string(r) +
                           " are -inf (or it is empty), so softmax is undefined (0/0); "
                           "at least one entry per " + std::string(line) + " must be > -inf");
}

/// Writes the uniform distribution over the +inf entries of `row` into `out_row`.
template <class Row, class OutRow>
void softmax_plus_inf_row(const Row& row, OutRow&& out_row, bool log_space) {
  using T = typename std::remove_cvref_t<Row>::Scalar;
  constexpr T inf = std::numeric_limits<T>::infinity();
  const T count = static_cast<T>((row.array() == inf).count());
  const T share = log_space ? -std::log(count) : T(1) / count;
  const T rest = log_space ? -inf : T(0);
  for (Eigen::Index c = 0; c < row.size(); ++c) out_row(c) = row(c) == inf ? share : rest;
}

}  // namespace detail

/// The two parts of LSE_eps(in.row(r)) = max_out(r) + eps * log_sum_out(r):
/// the row max and log(sum_j exp((in(r, j) - max) / eps)) in [0, log n]. Keeping
/// them apart keeps all digits where the sum would round away, e.g. for
/// (x - LSE) / eps = (x - max) / eps - log_sum at |x| ~ 1e30. A row that is
/// empty or all -inf gives max -inf, one with +inf gives +inf; log_sum is 0 then.
template <class In, class MaxOut, class LogSumOut>
void lse_rows_parts(typename In::Scalar eps, const Eigen::DenseBase<In>& in, MaxOut&& max_out,
                    LogSumOut&& log_sum_out, std::string_view where = "tropigrad::lse_rows",
                    std::string_view line = "row") {
  using T = typename In::Scalar;
  check_eps(eps, where);
  if (max_out.size() != in.rows() || log_sum_out.size() != in.rows()) {
    throw_invalid(where, "the outputs have sizes " + std::to_string(max_out.size()) + " and " +
                             std::to_string(log_sum_out.size()) + " but the input has " +
                             std::to_string(in.rows()) + " " + std::string(line) + "s; they must be equal");
  }
  const T inv_eps = T(1) / eps;
  for (Eigen::Index r = 0; r < in.rows(); ++r) {
    const auto row = detail::array_row(in.derived(), r);
    const T m = row.size() == 0 ? -std::numeric_limits<T>::infinity() : row.maxCoeff();
    if (!std::isfinite(m)) {
      // Empty or all -inf: -inf. Some +inf: +inf. NaN: throw.
      detail::check_row_no_nan(in, r, where, line);
      max_out(r) = m;
      log_sum_out(r) = T(0);
      continue;
    }
    const T log_sum = std::log(((row - m) * inv_eps).exp().sum());  // each term in [0, 1], the max gives 1
    if (log_sum != log_sum) detail::check_row_no_nan(in, r, where, line);
    max_out(r) = m;
    log_sum_out(r) = log_sum;
  }
}

/// out(r) = LSE_eps(in.row(r)). `line` names a row in error messages.
template <class In, class Out>
void lse_rows(typename In::Scalar eps, const Eigen::DenseBase<In>& in, Out&& out,
              std::string_view where = "tropigrad::lse_rows", std::string_view line = "row") {
  using T = typename In::Scalar;
  check_eps(eps, where);
  if (out.size() != in.rows()) {
    throw_invalid(where, "out has size " + std::to_string(out.size()) + " but the input has " +
                             std::to_string(in.rows()) + " " + std::string(line) + "s; they must be equal");
  }
  const T inv_eps = T(1) / eps;
  for (Eigen::Index r = 0; r < in.rows(); ++r) {
    const auto row = detail::array_row(in.derived(), r);
    const T m = row.size() == 0 ? -std::numeric_limits<T>::infinity() : row.maxCoeff();
    if (!std::isfinite(m)) {
      detail::check_row_no_nan(in, r, where, line);
      out(r) = m;
      continue;
    }
    const T value = m + eps * std::log(((row - m) * inv_eps).exp().sum());
    if (value != value) detail::check_row_no_nan(in, r, where, line);
    out(r) = value;
  }
}

/// out(r, :) = softmax_eps(in.row(r)). out may be the same memory as in.
template <class In, class Out>
void softmax_rows(typename In::Scalar eps, const Eigen::DenseBase<In>& in, Out&& out,
                  std::string_view where = "tropigrad::softmax_rows", std::string_view line = "row") {
  using T = typename In::Scalar;
  constexpr T inf = std::numeric_limits<T>::infinity();
  check_eps(eps, where);
  if (out.rows() != in.rows() || out.cols() != in.cols()) {
    throw_invalid(where, "out has shape " + std::to_string(out.rows()) + "x" + std::to_string(out.cols()) +
                             " but the input has shape " + std::to_string(in.rows()) + "x" +
                             std::to_string(in.cols()) + "; they must be equal");
  }
  const T inv_eps = T(1) / eps;
  const T cutoff = detail::exp_underflow_cutoff<T>();
  for (Eigen::Index r = 0; r < in.rows(); ++r) {
    const auto row = detail::array_row(in.derived(), r);
    const T m = row.size() == 0 ? -inf : row.maxCoeff();
    if (m == -inf || m == inf || m != m) {
      detail::check_row_no_nan(in, r, where, line);
      if (m == inf) {
        detail::softmax_plus_inf_row(row, out.row(r), false);
        continue;
      }
      if (m == -inf) detail::throw_all_minus_inf(where, line, r, in.cols());
    }
    auto out_row = detail::array_row(out, r);
    const auto z = (row - m) * inv_eps;
    out_row = (z < cutoff).select(T(0), z.exp());  // read before write: aliasing is elementwise
    const T sum = out_row.sum();            // >= 1 unless NaN
    if (sum != sum) detail::check_row_no_nan(out, r, where, line);
    out_row *= T(1) / sum;
  }
}

/// out(r, :) = log softmax_eps(in.row(r)) = (in(r, :) - LSE_eps(in.row(r))) / eps,
/// computed as (in - m) / eps - log(sum) to keep all digits.
template <class In, class Out>
void log_softmax_rows(typename In::Scalar eps, const Eigen::DenseBase<In>& in, Out&& out,
                      std::string_view where = "tropigrad::log_softmax_rows", std::string_view line = "row") {
  using T = typename In::Scalar;
  constexpr T inf = std::numeric_limits<T>::infinity();
  check_eps(eps, where);
  if (out.rows() != in.rows() || out.cols() != in.cols()) {
    throw_invalid(where, "out has shape " + std::to_string(out.rows()) + "x" + std::to_string(out.cols()) +
                             " but the input has shape " + std::to_string(in.rows()) + "x" +
                             std::to_string(in.cols()) + "; they must be equal");
  }
  const T inv_eps = T(1) / eps;
  for (Eigen::Index r = 0; r < in.rows(); ++r) {
    const auto row = detail::array_row(in.derived(), r);
    const T m = row.size() == 0 ? -inf : row.maxCoeff();
    if (m == -inf || m == inf || m != m) {
      detail::check_row_no_nan(in, r, where, line);
      if (m == inf) {
        detail::softmax_plus_inf_row(row, out.row(r), true);
        continue;
      }
      if (m == -inf) detail::throw_all_minus_inf(where, line, r, in.cols());
    }
    const T log_sum = std::log(((row - m) * inv_eps).exp().sum());
    if (log_sum != log_sum) detail::check_row_no_nan(in, r, where, line);
    detail::array_row(out, r) = (row - m) * inv_eps - log_sum;
  }
}

/// Column version of lse_rows_parts.
template <class In, class MaxOut, class LogSumOut>
void lse_cols_parts(typename In::Scalar eps, const Eigen::DenseBase<In>& in, MaxOut&& max_out,
                    LogSumOut&& log_sum_out, std::string_view where = "tropigrad::lse_cols") {
  lse_rows_parts(eps, in.derived().transpose(), max_out.transpose(), log_sum_out.transpose(), where, "column");
}

/// out(c) = LSE_eps(in.col(c)).
template <class In, class Out>
void lse_cols(typename In::Scalar eps, const Eigen::DenseBase<In>& in, Out&& out,
              std::string_view where = "tropigrad::lse_cols") {
  lse_rows(eps, in.derived().transpose(), out.transpose(), where, "column");
}

/// out(:, c) = softmax_eps(in.col(c)).
template <class In, class Out>
void softmax_cols(typename In::Scalar eps, const Eigen::DenseBase<In>& in, Out&& out,
                  std::string_view where = "tropigrad::softmax_cols") {
  softmax_rows(eps, in.derived().transpose(), out.transpose(), where, "column");
}

/// out(:, c) = log softmax_eps(in.col(c)).
template <class In, class Out>
void log_softmax_cols(typename In::Scalar eps, const Eigen::DenseBase<In>& in, Out&& out,
                      std::string_view where = "tropigrad::log_softmax_cols") {
  log_softmax_rows(eps, in.derived().transpose(), out.transpose(), where, "column");
}

}  // namespace tropigrad
