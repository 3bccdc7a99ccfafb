#pragma once
// The implicit-function backward of soft k-means (used by soft_kmeans with
// backward = implicit; see cluster.hpp for the public API).
//
// The forward pass iterates mu <- F(mu, X, eps) = weighted_means(soft_assign(mu))
// without recording anything and returns mu* (its last iterate) and
// R* = soft_assign(mu*). ONE tape node covers both outputs. At a fixed point
// mu* = F(mu*, X, eps), the implicit-function theorem gives, for a loss L with
// g = dL/dmu*,
//   dL/dX = F_X^T v,  dL/deps = F_eps^T v,  where  v = g + F_mu^T v,
// i.e. (I - F_mu)^T v = g. The backward solves that adjoint system by the
// fixed-point iteration v <- g + F_mu^T v (each step is two GEMMs, the cost of
// one forward iteration), with vector-Jacobian products written by hand in
// kmeans.hpp. It converges at the rate of the forward iteration (the spectral
// radius of F_mu at mu*), so a forward that converged has an adjoint that does.
//
// Memory: the node keeps R* (n x k), mu*, F(mu*) (k x d) and k weights,
// whatever the number of iterations; the backward's work buffers are
// thread-local scratch reused across calls.
//
// The initial centroids get a zero gradient: the fixed point satisfies
// mu* = F(mu*, X, eps), an equation in which the initialisation does not
// appear, so (for a fixed point that is locally unique) mu* does not change
// when init moves slightly. The unrolled gradient w.r.t. init is F_mu^T applied
// T times and also goes to 0 as T grows.

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

#include "../ad/tensor_grad_access.hpp"
#include "../ad/tensor_lse.hpp"
#include "kmeans.hpp"

namespace tropigrad::detail {

/// Calls f with a pointer to d's gradient as a matrix map (zero-filled on first
/// touch), or with nullptr if d needs no gradient.
template <class T, class F>
void with_grad_matrix(TensorData<T>& d, F&& f) {
  if (!d.requires_grad) {
    f(static_cast<MatrixMap<T>*>(nullptr));
    return;
  }
  update_grad(d, [&](MatrixMap<T> g, bool fresh) {
    if (fresh) g.setZero();
    f(&g);
  });
}

struct ImplicitOptions {
  int iterations;
  double tolerance;
  int adjoint_iterations;
  double adjoint_tolerance;
};

/// Returns (mu*, R*) and the number of forward iterations run.
template <class T>
std::pair<Tensor<T>, Tensor<T>> soft_kmeans_implicit(const Tensor<T>& X, const Tensor<T>& init, const Temperature<T>& eps,
                                                     const ImplicitOptions& opt, int& iterations_run) {
  constexpr const char* where = "tropigrad::soft_kmeans";
  TensorData<T>* x = &X.data();
  TensorData<T>* m0 = &init.data();
  const Index n = x->rows, d = x->cols, k = m0->rows;
  const bool grad = x->requires_grad || m0->requires_grad || eps.requires_grad();
  Tensor<T> centroids = new_result<T>(k, d, grad);
  Tensor<T> assignments = new_result<T>(n, k, grad);
  const bool record = centroids.data().requires_grad;
  Arena& arena = tape<T>().arena();
  T* weight = record ? arena.allocate_array<T>(static_cast<std::size_t>(k)) : kmeans_scratch<T>(KMeansScratch::weight, k);
  const ConstMatrixMap<T> Xm(x->value, n, d);
  MatrixMap<T> R(assignments.data().value, n, k);
  // mu <- F(mu) `iterations` times, ping-ponging between two scratch buffers.
  T* mu = kmeans_scratch<T>(KMeansScratch::a, k * d);
  T* next = kmeans_scratch<T>(KMeansScratch::b, k * d);
  MatrixMap<T>(mu, k, d) = ConstMatrixMap<T>(m0->value, k, d);
  iterations_run = 0;
  for (int t = 0; t < opt.iterations; ++t) {
    soft_assign<T>(eps.value, Xm, {mu, k, d}, R, where);
    weighted_means<T>(const_map(R), Xm, {mu, k, d}, {next, k, d}, weight);
    ++iterations_run;
    const T change = (MatrixMap<T>(next, k, d) - MatrixMap<T>(mu, k, d)).cwiseAbs().maxCoeff();
    std::swap(mu, next);
    if (opt.tolerance > 0 && static_cast<double>(change) <= opt.tolerance) break;
  }
  value_map(centroids.data()) = Eigen::Map<RowArray<T>>(mu, k, d);
  const ConstMatrixMap<T> mu_star(centroids.data().value, k, d);
  soft_assign<T>(eps.value, Xm, mu_star, R, where);
  if (!record) return {centroids, assignments};
  // F(mu*) and its weights, for the Jacobian at mu*.
  T* mu_next = arena.allocate_array<T>(static_cast<std::size_t>(k * d));
  weighted_means<T>(const_map(R), Xm, mu_star, {mu_next, k, d}, weight);
  if (detect_anomaly()) [[unlikely]] {
    check_finite("soft_kmeans_implicit", "forward", centroids.data().value, k, d);
    check_finite("soft_kmeans_implicit", "forward", assignments.data().value, n, k);
  }
  TensorData<T>* c_out = &centroids.data();
  TensorData<T>* r_out = &assignments.data();
  tape<T>().record_node("soft_kmeans_implicit", [X, init, eps, x, m0, c_out, r_out, weight, mu_next, n, d, k, opt]() {
    if (!c_out->grad_ready && !r_out->grad_ready) return;
    const BackwardOpName op("soft_kmeans_implicit");
    const ConstMatrixMap<T> Xm(x->value, n, d);
    const ConstMatrixMap<T> R(r_out->value, n, k);
    const ConstMatrixMap<T> mu(c_out->value, k, d);
    const ConstMatrixMap<T> mu_new(mu_next, k, d);
    MatrixMap<T> dR(kmeans_scratch<T>(KMeansScratch::assign, n * k), n, k);
    MatrixMap<T> W(kmeans_scratch<T>(KMeansScratch::w, k * d), k, d);
    MatrixMap<T> G(kmeans_scratch<T>(KMeansScratch::a, k * d), k, d);
    MatrixMap<T> V(kmeans_scratch<T>(KMeansScratch::b, k * d), k, d);
    MatrixMap<T> U(kmeans_scratch<T>(KMeansScratch::c, k * d), k, d);
    const bool want_eps = eps.requires_grad();
    T deps = 0;
    if (c_out->grad_ready) G = ConstMatrixMap<T>(c_out->grad, k, d);
    else G.setZero();
    with_grad_matrix(*x, [&](MatrixMap<T>* dX) {
      // The assignments' gradient: directly to X and eps, and through mu* (into G).
      if (r_out->grad_ready) {
        dR = ConstMatrixMap<T>(r_out->grad, n, k);
        deps += soft_assign_vjp<T>(eps.value, R, Xm, mu, dR, &G, dX, want_eps);
      }
      // Adjoint system v = G + F_mu^T v.
      V = G;
      const T tolerance = opt.adjoint_tolerance > 0 ? static_cast<T>(opt.adjoint_tolerance)
                                                    : T(1000) * std::numeric_limits<T>::epsilon();
      T residual = 0;
      bool converged = false;
      for (int j = 0; j < opt.adjoint_iterations && !converged; ++j) {
        U = G;
        weighted_means_vjp<T>(R, Xm, mu_new, weight, const_map(V), W, dR, &U, nullptr);
        soft_assign_vjp<T>(eps.value, R, Xm, mu, dR, &U, nullptr, false);
        residual = (U - V).cwiseAbs().maxCoeff();
        const T scale = U.cwiseAbs().maxCoeff();
        V.swap(U);
        if (!std::isfinite(residual)) break;
        converged = residual <= tolerance * scale;
      }
      if (!converged)
        throw std::runtime_error(
            std::string(where) + " (backward = implicit): the adjoint iteration v = g + (dF/dmu)^T v did not converge in " +
            std::to_string(opt.adjoint_iterations) + " iterations (last change " + format_number(static_cast<double>(residual)) +
            ", relative tolerance " + format_number(static_cast<double>(tolerance)) +
            "). The fixed point is poorly conditioned: the spectral radius of dF/dmu is near or above 1, which happens when "
            "eps is large relative to the squared distances or the forward pass has not converged. Run more iterations, "
            "lower eps, raise adjoint_iterations, or use backward = unrolled");
      // Pull v back to X and eps.
      if (dX || want_eps) {
        weighted_means_vjp<T>(R, Xm, mu_new, weight, const_map(V), W, dR, nullptr, dX);
        deps += soft_assign_vjp<T>(eps.value, R, Xm, mu, dR, nullptr, dX, want_eps);
      }
    });
    eps.accumulate(deps);
    if (m0->requires_grad) accumulate_grad(*m0, RowArray<T>::Zero(k, d));  // see the top of this file
    c_out->grad_ready = false;
    r_out->grad_ready = false;
  });
  return {centroids, assignments};
}

}  // namespace tropigrad::detail
