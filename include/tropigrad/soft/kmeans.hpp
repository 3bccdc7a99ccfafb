#pragma once
// Hard k-means (Lloyd's algorithm) and the plain-math kernels shared with the
// differentiable soft k-means of cluster.hpp (no autodiff here).
//
//   auto r = tg::kmeans(X, init_centroids, iterations);   // X: n x d, init: k x d
//   r.centroids (k x d), r.labels (n), r.iterations, r.converged
//
// Each Lloyd iteration assigns every point to its nearest centroid (squared
// Euclidean distance; an exact tie goes to the lower index) and moves each
// centroid to the mean of its points. Empty-cluster rule: a centroid that no
// point chose keeps its previous position (no re-seeding, so the result is a
// deterministic function of the initialisation; soft_kmeans follows the same
// rule, which makes it the eps -> 0 limit of soft_kmeans). It stops early
// when no label changes.
//
// Distances are computed as ||mu_k||^2 - 2 x_i . mu_k (the ||x_i||^2 term does
// not change the argmin, nor a softmax over k), one GEMM per iteration.

#include <Eigen/Core>
#include <cstddef>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "../ad/tensor.hpp"
#include "../semiring/errors.hpp"
#include "../semiring/lse_rows.hpp"

namespace tropigrad {

template <class T>
struct KMeansResult {
  RowArray<T> centroids;       ///< k x d
  std::vector<Index> labels;   ///< n labels in [0, k): the nearest final centroid
  int iterations = 0;          ///< Lloyd iterations run
  bool converged = false;      ///< true if an iteration changed no label
};

namespace detail {

template <class T>
using ConstMatrixMap = Eigen::Map<const RowMatrix<T>>;
template <class T>
using MatrixMap = Eigen::Map<RowMatrix<T>>;
template <class T>
ConstMatrixMap<T> const_map(const MatrixMap<T>& m) {
  return {m.data(), m.rows(), m.cols()};
}

/// Validates the points and initial centroids of (soft_)kmeans; `where` names the function.
template <class X, class C>
void check_kmeans_inputs(std::string_view where, const Eigen::DenseBase<X>& points, const Eigen::DenseBase<C>& init) {
  const Index n = points.rows(), d = points.cols(), k = init.rows();
  if (k < 1)
    throw_invalid(where, "init_centroids must have k >= 1 rows (one per cluster), got shape " +
                             shape_string(k, init.cols()));
  if (n < 1 || d < 1)
    throw_invalid(where, "X must be a non-empty n x d matrix (one point per row), got shape " + shape_string(n, d));
  if (init.cols() != d)
    throw_invalid(where, "init_centroids must have as many columns as X (d = " + std::to_string(d) +
                             "), got shape " + shape_string(k, init.cols()) + " for X of shape " + shape_string(n, d));
  if (k > n)
    throw_invalid(where, "the number of clusters k (rows of init_centroids) must be <= the number of points n = " +
                             std::to_string(n) + ", got k = " + std::to_string(k));
  auto first_bad = [&](const auto& m, const char* name) {
    if (m.derived().allFinite()) return;
    for (Index r = 0; r < m.rows(); ++r)
      for (Index c = 0; c < m.cols(); ++c)
        if (!std::isfinite(m(r, c)))
          throw_invalid(where, std::string(name) + " must be finite, got " + format_number(static_cast<double>(m(r, c))) +
                                   " at (" + std::to_string(r) + ", " + std::to_string(c) + ")");
  };
  first_bad(points, "X");
  first_bad(init, "init_centroids");
}

inline void check_iterations(std::string_view where, int iterations) {
  if (iterations < 1) throw_invalid(where, "iterations must be >= 1, got " + std::to_string(iterations));
}

/// Thread-local scratch memory of at least `count` elements, one buffer per
/// slot; it only grows, so a training loop stops allocating after its first call.
/// Callers must not use one slot for two live buffers.
enum class KMeansScratch { assign, w, a, b, c, weight, count_ };
template <class T>
T* kmeans_scratch(KMeansScratch slot, Index count) {
  thread_local std::vector<T> buffers[static_cast<int>(KMeansScratch::count_)];
  auto& b = buffers[static_cast<int>(slot)];
  if (b.size() < static_cast<std::size_t>(count)) b.resize(static_cast<std::size_t>(count));
  return b.data();
}

/// A cluster whose total (soft) weight is at most this is empty: it keeps its
/// previous centroid. Below it the weights are subnormal or zero and the mean
/// would lose its digits; in the hard limit it means "no point chose k".
template <class T>
constexpr T empty_cluster_weight() {
  return std::numeric_limits<T>::min() / std::numeric_limits<T>::epsilon();
}

/// Z = 2 X mu^T - ||mu_k||^2 (n x k): minus the squared distances up to a per-row constant.
template <class T>
void assignment_logits(const ConstMatrixMap<T>& X, const ConstMatrixMap<T>& mu, MatrixMap<T> Z) {
  Z.noalias() = X * mu.transpose();
  Z.array() *= T(2);
  Z.array().rowwise() -= mu.rowwise().squaredNorm().transpose().array();
}

/// R = softmax_k(-||x_i - mu_k||^2 / eps), through the semiring's stable softmax kernel.
template <class T>
void soft_assign(T eps, const ConstMatrixMap<T>& X, const ConstMatrixMap<T>& mu, MatrixMap<T> R, std::string_view where) {
  assignment_logits(X, mu, R);
  softmax_rows(eps, R.array(), R.array(), where, "row of the assignment logits");
}

/// mu_new_k = sum_i R_ik x_i / N_k with N_k = sum_i R_ik; an empty cluster keeps mu_k.
template <class T>
void weighted_means(const ConstMatrixMap<T>& R, const ConstMatrixMap<T>& X, const ConstMatrixMap<T>& mu,
                    MatrixMap<T> mu_new, T* weight) {
  mu_new.noalias() = R.transpose() * X;
  for (Index k = 0; k < mu.rows(); ++k) {
    const T w = R.col(k).sum();
    weight[k] = w;
    if (w > empty_cluster_weight<T>()) mu_new.row(k) /= w;
    else mu_new.row(k) = mu.row(k);
  }
}

/// Backward of mu_new = weighted_means(R, X, mu) for the output gradient G (k x d):
/// writes dR (n x k); adds the gradient of the kept (empty) centroids to dmu
/// (if non-null) and the direct term R W to dX (if non-null). W is k x d scratch.
///   d mu_new_k / d R_ik = (x_i - mu_new_k) / N_k,   d mu_new_k / d x_i = R_ik / N_k.
template <class T>
void weighted_means_vjp(const ConstMatrixMap<T>& R, const ConstMatrixMap<T>& X, const ConstMatrixMap<T>& mu_new,
                        const T* weight, const ConstMatrixMap<T>& G, MatrixMap<T> W, MatrixMap<T> dR, MatrixMap<T>* dmu,
                        MatrixMap<T>* dX) {
  for (Index k = 0; k < G.rows(); ++k) {
    if (weight[k] > empty_cluster_weight<T>()) {
      W.row(k) = G.row(k) / weight[k];
    } else {
      W.row(k).setZero();
      if (dmu) dmu->row(k) += G.row(k);
    }
  }
  dR.noalias() = X * W.transpose();
  // dR_ik -= W_k . mu_new_k
  dR.array().rowwise() -= (W.array() * mu_new.array()).rowwise().sum().transpose();
  if (dX) dX->noalias() += R * W;
}

/// Backward of R = soft_assign(eps, X, mu) for the gradient dR (n x k), which is
/// overwritten with the logit gradient. Adds to dmu, dX (if non-null) and returns
/// the eps gradient (0 unless want_eps). With S = Z / eps:
///   dS = R (dR - rowsum(R dR)),  dX += (2/eps) dS mu,
///   dmu_k += (2/eps) (dS^T X - colsum(dS)_k mu_k),
///   deps = -(1/eps) sum dS_ik S_ik = -(1/eps) sum dS_ik log R_ik   (rows of dS sum to 0).
template <class T>
T soft_assign_vjp(T eps, const ConstMatrixMap<T>& R, const ConstMatrixMap<T>& X, const ConstMatrixMap<T>& mu,
                  MatrixMap<T> dR, MatrixMap<T>* dmu, MatrixMap<T>* dX, bool want_eps) {
  auto r = R.array();
  auto ds = dR.array();
  ds = r * (ds.colwise() - (r * ds).rowwise().sum());
  T deps = 0;
  if (want_eps) deps = -(r > T(0)).select(ds * r.log(), T(0)).sum() / eps;
  const T two_over_eps = T(2) / eps;
  if (dX) dX->noalias() += two_over_eps * (dR * mu);
  if (dmu) {
    dmu->noalias() += two_over_eps * (dR.transpose() * X);
    dmu->array() -= two_over_eps * (dR.colwise().sum().transpose().array().replicate(1, mu.cols()) * mu.array());
  }
  return deps;
}

/// Indices of the nearest centroid (lowest index on exact ties) for each row of X.
template <class T>
void nearest_centroids(const ConstMatrixMap<T>& X, const ConstMatrixMap<T>& mu, MatrixMap<T> Z, std::vector<Index>& labels) {
  assignment_logits(X, mu, Z);
  for (Index i = 0; i < X.rows(); ++i) {
    Index best = 0;
    for (Index c = 1; c < Z.cols(); ++c)
      if (Z(i, c) > Z(i, best)) best = c;  // strict: an exact tie keeps the lower index
    labels[static_cast<std::size_t>(i)] = best;
  }
}

}  // namespace detail

/// Lloyd's hard k-means from the given initial centroids (k x d) on the points
/// X (n x d), for at most `iterations` iterations; see the top of this file.
/// Throws std::invalid_argument for k < 1, k > n, mismatched d, non-finite
/// input or iterations < 1.
template <class DX, class DC>
KMeansResult<typename DX::Scalar> kmeans(const Eigen::DenseBase<DX>& X, const Eigen::DenseBase<DC>& init_centroids,
                                          int iterations = 100) {
  using T = typename DX::Scalar;
  static_assert(std::is_same_v<T, typename DC::Scalar>, "tropigrad::kmeans: X and init_centroids must have the same scalar type");
  constexpr std::string_view where = "tropigrad::kmeans";
  detail::check_kmeans_inputs(where, X, init_centroids);
  detail::check_iterations(where, iterations);
  const Index n = X.rows(), d = X.cols(), k = init_centroids.rows();
  const RowMatrix<T> points = X.derived().template cast<T>();
  RowMatrix<T> mu = init_centroids.derived().template cast<T>();
  RowMatrix<T> Z(n, k);
  KMeansResult<T> result;
  result.labels.assign(static_cast<std::size_t>(n), 0);
  std::vector<Index> labels(static_cast<std::size_t>(n), -1);
  RowMatrix<T> sums(k, d);
  Eigen::Matrix<Index, Eigen::Dynamic, 1> counts(k);
  const detail::ConstMatrixMap<T> Xm(points.data(), n, d);
  for (int it = 0; it < iterations; ++it) {
    detail::nearest_centroids<T>(Xm, {mu.data(), k, d}, {Z.data(), n, k}, result.labels);
    result.iterations = it + 1;
    if (result.labels == labels) {
      result.converged = true;
      break;
    }
    labels = result.labels;
    sums.setZero();
    counts.setZero();
    for (Index i = 0; i < n; ++i) {
      const Index c = labels[static_cast<std::size_t>(i)];
      sums.row(c) += points.row(i);
      ++counts(c);
    }
    for (Index c = 0; c < k; ++c)
      if (counts(c) > 0) mu.row(c) = sums.row(c) / static_cast<T>(counts(c));
  }
  // Labels of the final centroids (the loop may have ended right after a move).
  detail::nearest_centroids<T>(Xm, {mu.data(), k, d}, {Z.data(), n, k}, result.labels);
  result.centroids = mu.array();
  return result;
}

}  // namespace tropigrad
