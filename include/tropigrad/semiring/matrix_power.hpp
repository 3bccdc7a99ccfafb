// tropigrad/semiring/matrix_power.hpp
//
// matrix_power(s, A, k) = A ⊗ A ⊗ ... ⊗ A (k factors), identity for k = 0,
// by repeated squaring: O(log k) semiring matrix products. Exact for every
// semiring (only associativity of ⊗ on matrices is used).
#pragma once

#include <string>

#include <Eigen/Core>

#include "tropigrad/semiring/concept.hpp"
#include "tropigrad/semiring/errors.hpp"
#include "tropigrad/semiring/matmul.hpp"

namespace tropigrad {

/// A^k in semiring s for a square A and k >= 0; throws std::invalid_argument
/// otherwise.
template <class S, class Derived>
  requires Semiring<S, typename Derived::Scalar>
SemiringMatrix<typename Derived::Scalar> matrix_power(const S& s, const Eigen::DenseBase<Derived>& A, long long k) {
  using T = typename Derived::Scalar;
  constexpr std::string_view where = "tropigrad::matrix_power";
  detail::check_square(A, where, "A");
  if (k < 0) throw_invalid(where, "k must be >= 0, got " + std::to_string(k));
  if (k == 0) return identity<T>(s, A.rows());
  SemiringMatrix<T> base = A.derived();
  SemiringMatrix<T> result;
  bool have_result = false;
  while (true) {
    if (k & 1) {
      if (have_result) {
        result = matmul(s, result, base);
      } else {
        result = base;
        have_result = true;
      }
    }
    k >>= 1;
    if (k == 0) break;
    base = matmul(s, base, base);
  }
  return result;
}

}  // namespace tropigrad
