// tropigrad/semiring/closure.hpp
//
// Kleene star / all-pairs best paths: closure(s, A) = I ⊕ A ⊕ A² ⊕ ... ⊕ A^(n-1),
// computed as (I ⊕ A)^(2^m) by m = ceil(log2(n - 1)) squarings (m = 0 for
// n <= 2), for an n x n matrix A of edge weights (zero = "no edge").
//
// Meant for semirings where this converges, i.e. where longer walks never
// beat paths of at most n-1 edges:
//  - MaxPlus: no positive cycles (e.g. a DAG) -> longest-path weights;
//  - MinPlus: no negative cycles -> shortest-path weights (Floyd-Warshall);
//  - SumProduct: (I + A)^(2^m), a truncated walk-sum (not (I - A)^-1);
//  - LogSumExp(eps): the smooth version, (I ⊕ A)^(2^m): an eps-soft maximum over
//    all walks of at most 2^m edges (counted with multiplicity). On a DAG it
//    tends to the MaxPlus closure as eps -> 0.
// Since ⊕ is idempotent for MaxPlus/MinPlus, extra walk lengths beyond n-1 do
// not change the result there.
#pragma once

#include <Eigen/Core>

#include "tropigrad/semiring/concept.hpp"
#include "tropigrad/semiring/matmul.hpp"

namespace tropigrad {

/// Number of squarings closure() performs for an n x n matrix: the smallest m
/// with 2^m >= n - 1.
inline int closure_squarings(Eigen::Index n) noexcept {
  int m = 0;
  Eigen::Index reach = 1;
  while (reach < n - 1) {
    reach *= 2;
    ++m;
  }
  return m;
}

/// (I ⊕ A)^(2^m), m = closure_squarings(n). Throws if A is not square.
template <class S, class Derived>
  requires Semiring<S, typename Derived::Scalar>
SemiringMatrix<typename Derived::Scalar> closure(const S& s, const Eigen::DenseBase<Derived>& A) {
  using T = typename Derived::Scalar;
  detail::check_square(A, "tropigrad::closure", "A");
  const Eigen::Index n = A.rows();
  SemiringMatrix<T> result = A.derived();
  // I ⊕ A: off the diagonal zero ⊕ a = a, so only the diagonal changes.
  const T one_value = s.template one<T>();
  for (Eigen::Index i = 0; i < n; ++i) result(i, i) = s.plus(one_value, result(i, i));
  const int squarings = closure_squarings(n);
  for (int step = 0; step < squarings; ++step) result = matmul(s, result, result);
  return result;
}

}  // namespace tropigrad
