#pragma once
// Differentiable soft k-means (DKM, Cho et al. 2022), memory-light.
//
//   auto out = tg::soft_kmeans(X, init_centroids, {eps, 50, tg::SoftKMeansBackward::implicit});
//   out.centroids    k x d, the last iterate mu_T
//   out.assignments  n x k, r_ik = softmax_k(-||x_i - mu_T,k||^2 / eps) (rows sum to 1)
//
// Starting at mu_0 = init_centroids (k x d), each of `iterations` steps does
//   r_ik = softmax_k(-||x_i - mu_k||^2 / eps)    (the semiring's stable softmax kernel)
//   mu_k <- sum_i r_ik x_i / sum_i r_ik           (a cluster of total weight ~0 keeps mu_k)
// Gradients flow to X, init_centroids and eps (a number, a Var or a 1x1 Tensor).
//
// backward = unrolled: one tape node per iteration (storing that iteration's
//   n x k assignments), so memory grows linearly with `iterations`; the gradient
//   is the exact derivative of the T-step map.
// backward = implicit: one tape node in all, whose backward differentiates the
//   fixed point mu* = F(mu*, X, eps) by the implicit-function theorem and solves
//   the adjoint system iteratively (soft_kmeans_implicit.hpp); memory does not
//   depend on `iterations`. Exact at convergence, so run enough iterations (or
//   set `tolerance`); the gradient w.r.t. init_centroids is zero (the fixed point
//   does not depend on where the iteration started). If the adjoint iteration
//   does not converge, backward throws std::runtime_error.
//
// As eps -> 0 the assignments become one-hot and soft_kmeans is Lloyd's hard
// k-means (kmeans.hpp) from the same initialisation, empty clusters included.
// An exact tie is split evenly here, while kmeans gives it to the lower index.
// eps has units of squared distance: scale it to the data (e.g. a fraction of
// the mean squared distance of the points to their mean).
//
// Bad input (std::invalid_argument naming the argument): k < 1, k > n, init
// columns != d, non-finite X or init, eps <= 0 or NaN, iterations < 1,
// tolerance < 0, adjoint_iterations < 1.

#include <string>

#include "../ad/tensor_grad_access.hpp"
#include "../ad/tensor_lse.hpp"
#include "kmeans.hpp"
#include "soft_kmeans_implicit.hpp"

namespace tropigrad {

enum class SoftKMeansBackward { unrolled, implicit };

/// The temperature of soft_kmeans: a plain number (no gradient), a Var, or a
/// 1x1 Tensor (e.g. a learnable parameter).
template <class T>
struct SoftKMeansTemperature {
  detail::Operand<T> operand;
  SoftKMeansTemperature(double eps) : operand(Var<T>::constant(static_cast<T>(eps))) {}  // NOLINT
  SoftKMeansTemperature(const Var<T>& eps) : operand(eps) {}                             // NOLINT
  SoftKMeansTemperature(const Tensor<T>& eps) : operand(eps) {}                          // NOLINT
};

template <class T>
struct SoftKMeansOptions {
  SoftKMeansTemperature<T> eps = 1.0;  ///< > 0, in units of squared distance
  int iterations = 50;                 ///< >= 1
  SoftKMeansBackward backward = SoftKMeansBackward::unrolled;
  /// Stop early once no centroid coordinate moves by more than this (0: always run `iterations`).
  double tolerance = 0;
  /// implicit: at most this many adjoint iterations (each costs one forward iteration).
  int adjoint_iterations = 1000;
  /// implicit: stop when the adjoint changes by <= this times its max magnitude (0: 1000 x machine epsilon).
  double adjoint_tolerance = 0;
};

template <class T>
struct SoftKMeansResult {
  Tensor<T> centroids;    ///< k x d
  Tensor<T> assignments;  ///< n x k, rows sum to 1
  int iterations = 0;     ///< iterations run (fewer than asked if `tolerance` stopped them)
};

namespace detail {

/// One unrolled step mu_new = F(mu, X, eps) as one tape node (keeps its n x k assignments).
template <class T>
Tensor<T> soft_kmeans_step(const Tensor<T>& X, const Tensor<T>& mu, const Temperature<T>& eps, const char* where) {
  TensorData<T>* x = &X.data();
  TensorData<T>* m = &mu.data();
  const Index n = x->rows, d = x->cols, k = m->rows;
  Tensor<T> out = new_result<T>(k, d, x->requires_grad || m->requires_grad || eps.requires_grad());
  const bool record = out.data().requires_grad;
  Arena& arena = tape<T>().arena();
  T* r = record ? arena.allocate_array<T>(static_cast<std::size_t>(n * k)) : kmeans_scratch<T>(KMeansScratch::assign, n * k);
  T* weight = record ? arena.allocate_array<T>(static_cast<std::size_t>(k)) : kmeans_scratch<T>(KMeansScratch::weight, k);
  const ConstMatrixMap<T> Xm(x->value, n, d);
  const ConstMatrixMap<T> mu_old(m->value, k, d);
  soft_assign<T>(eps.value, Xm, mu_old, {r, n, k}, where);
  weighted_means<T>({r, n, k}, Xm, mu_old, {out.data().value, k, d}, weight);
  TensorData<T>* o = &out.data();
  record_backward("soft_kmeans_step", out, [X, mu, eps, x, m, o, r, weight, n, d, k](const auto& g) {
    const ConstMatrixMap<T> Xm(x->value, n, d);
    const ConstMatrixMap<T> R(r, n, k);
    MatrixMap<T> dR(kmeans_scratch<T>(KMeansScratch::assign, n * k), n, k);
    MatrixMap<T> W(kmeans_scratch<T>(KMeansScratch::w, k * d), k, d);
    T deps = 0;
    with_grad_matrix(*m, [&](MatrixMap<T>* dmu) {
      with_grad_matrix(*x, [&](MatrixMap<T>* dX) {
        weighted_means_vjp<T>(R, Xm, {o->value, k, d}, weight, {g.data(), k, d}, W, dR, dmu, dX);
        deps = soft_assign_vjp<T>(eps.value, R, Xm, {m->value, k, d}, dR, dmu, dX, eps.requires_grad());
      });
    });
    eps.accumulate(deps);
  });
  return out;
}

/// R = softmax_k(-||x_i - mu_k||^2 / eps) as one tape node.
template <class T>
Tensor<T> soft_assign_op(const Tensor<T>& X, const Tensor<T>& mu, const Temperature<T>& eps, const char* where) {
  TensorData<T>* x = &X.data();
  TensorData<T>* m = &mu.data();
  const Index n = x->rows, d = x->cols, k = m->rows;
  Tensor<T> out = new_result<T>(n, k, x->requires_grad || m->requires_grad || eps.requires_grad());
  TensorData<T>* o = &out.data();
  soft_assign<T>(eps.value, ConstMatrixMap<T>(x->value, n, d), ConstMatrixMap<T>(m->value, k, d), {o->value, n, k}, where);
  record_backward("soft_kmeans_assign", out, [X, mu, eps, x, m, o, n, d, k](const auto& g) {
    MatrixMap<T> dR(kmeans_scratch<T>(KMeansScratch::assign, n * k), n, k);
    dR = ConstMatrixMap<T>(g.data(), n, k);
    T deps = 0;
    with_grad_matrix(*m, [&](MatrixMap<T>* dmu) {
      with_grad_matrix(*x, [&](MatrixMap<T>* dX) {
        deps = soft_assign_vjp<T>(eps.value, {o->value, n, k}, {x->value, n, d}, {m->value, k, d}, dR, dmu, dX,
                                  eps.requires_grad());
      });
    });
    eps.accumulate(deps);
  });
  return out;
}

}  // namespace detail

/// Soft k-means of the points X (n x d) from init_centroids (k x d); see the top of this file.
template <class T>
SoftKMeansResult<T> soft_kmeans(const Tensor<T>& X, const Tensor<T>& init_centroids, const SoftKMeansOptions<T>& options = {}) {
  constexpr const char* where = "tropigrad::soft_kmeans";
  detail::check_kmeans_inputs(where, X.value(), init_centroids.value());
  detail::check_iterations(where, options.iterations);
  if (!(options.tolerance >= 0))
    throw_invalid(where, "tolerance must be >= 0, got " + format_number(options.tolerance));
  if (options.adjoint_iterations < 1)
    throw_invalid(where, "adjoint_iterations must be >= 1, got " + std::to_string(options.adjoint_iterations));
  if (!(options.adjoint_tolerance >= 0))
    throw_invalid(where, "adjoint_tolerance must be >= 0, got " + format_number(options.adjoint_tolerance));
  const detail::Temperature<T> eps(options.eps.operand, where, X.data());
  SoftKMeansResult<T> result;
  if (options.backward == SoftKMeansBackward::implicit) {
    auto [c, r] = detail::soft_kmeans_implicit<T>(
        X, init_centroids, eps,
        {options.iterations, options.tolerance, options.adjoint_iterations, options.adjoint_tolerance}, result.iterations);
    result.centroids = c;
    result.assignments = r;
    return result;
  }
  Tensor<T> mu = init_centroids;
  for (int t = 0; t < options.iterations; ++t) {
    Tensor<T> next = detail::soft_kmeans_step<T>(X, mu, eps, where);
    ++result.iterations;
    const T change = options.tolerance > 0 ? (next.value() - mu.value()).abs().maxCoeff() : T(0);
    mu = next;
    if (options.tolerance > 0 && static_cast<double>(change) <= options.tolerance) break;
  }
  result.centroids = mu;
  result.assignments = detail::soft_assign_op<T>(X, mu, eps, where);
  return result;
}

}  // namespace tropigrad
