// tropigrad/semiring/matmul.hpp
//
// Semiring matrices and the semiring matrix product
//   C(i, j) = ⊕_k A(i, k) ⊗ B(k, j).
// Eigen is used only as a container (index loops, any scalar type): this is
// the plain triple-loop reference implementation. For MaxPlus it is the
// max-plus product, for MinPlus the distance product, for SumProduct the
// ordinary product, for LogSumExp(eps) its smooth version.
#pragma once

#include <string>

#include <Eigen/Core>

#include "tropigrad/semiring/concept.hpp"
#include "tropigrad/semiring/errors.hpp"

namespace tropigrad {

/// Dynamic-size, column-major matrix of any scalar type.
template <class T>
using SemiringMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;

namespace detail {
inline std::string shape_text(Eigen::Index rows, Eigen::Index cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}

/// Throws unless m is square; `what` names the argument ("A", "W").
template <class Derived>
void check_square(const Eigen::DenseBase<Derived>& m, std::string_view where, std::string_view what) {
  if (m.rows() != m.cols()) {
    std::string message;
    message.append(what).append(" is ").append(shape_text(m.rows(), m.cols())).append(" but must be square");
    throw_invalid(where, message);
  }
}
}  // namespace detail

/// n x n semiring identity: one on the diagonal, zero elsewhere.
/// Usage: identity<double>(MaxPlus{}, 3). Throws if n < 0.
template <class T, class S>
  requires Semiring<S, T>
SemiringMatrix<T> identity(const S& s, Eigen::Index n) {
  if (n < 0) throw_invalid("tropigrad::identity", "n must be >= 0, got " + std::to_string(n));
  const T zero_value = s.template zero<T>();
  const T one_value = s.template one<T>();
  SemiringMatrix<T> result(n, n);
  for (Eigen::Index j = 0; j < n; ++j) {
    for (Eigen::Index i = 0; i < n; ++i) result(i, j) = (i == j) ? one_value : zero_value;
  }
  return result;
}

/// Semiring matrix product of any two Eigen dense objects with the same
/// scalar type. Throws std::invalid_argument, e.g.
/// "tropigrad::matmul: A is 3x4 but B is 5x2; A.cols() must equal B.rows()".
/// An empty inner dimension gives a matrix of zeros.
template <class S, class DA, class DB>
  requires std::same_as<typename DA::Scalar, typename DB::Scalar> && Semiring<S, typename DA::Scalar>
SemiringMatrix<typename DA::Scalar> matmul(const S& s, const Eigen::DenseBase<DA>& A_in,
                                           const Eigen::DenseBase<DB>& B_in) {
  using T = typename DA::Scalar;
  const DA& A = A_in.derived();
  const DB& B = B_in.derived();
  if (A.cols() != B.rows()) {
    throw_invalid("tropigrad::matmul", "A is " + detail::shape_text(A.rows(), A.cols()) + " but B is " +
                                           detail::shape_text(B.rows(), B.cols()) +
                                           "; A.cols() must equal B.rows()");
  }
  const Eigen::Index rows = A.rows();
  const Eigen::Index cols = B.cols();
  const Eigen::Index inner = A.cols();
  SemiringMatrix<T> C(rows, cols);
  if (inner == 0) {
    const T zero_value = s.template zero<T>();
    for (Eigen::Index j = 0; j < cols; ++j)
      for (Eigen::Index i = 0; i < rows; ++i) C(i, j) = zero_value;
    return C;
  }
  for (Eigen::Index j = 0; j < cols; ++j) {
    for (Eigen::Index i = 0; i < rows; ++i) {
      T acc = s.times(A(i, 0), B(0, j));
      for (Eigen::Index k = 1; k < inner; ++k) acc = s.plus(acc, s.times(A(i, k), B(k, j)));
      C(i, j) = acc;
    }
  }
  return C;
}

}  // namespace tropigrad
