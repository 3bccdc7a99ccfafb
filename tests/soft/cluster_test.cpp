#include "tropigrad/soft/cluster.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/tensor_matmul.hpp"

namespace test_soft_cluster_test {

namespace tg = tropigrad;
using A = tg::RowArray<double>;
using TD = tg::Tensor<double>;
using Backward = tg::SoftKMeansBackward;

namespace {

A uniform(Eigen::Index rows, Eigen::Index cols, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  A a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

/// n points around `centres` (k x d), point i in blob i % k, jitter `spread`.
A blobs(const A& centres, Eigen::Index n, double spread, unsigned seed) {
  const A jitter = uniform(n, centres.cols(), seed, -spread, spread);
  A x(n, centres.cols());
  for (Eigen::Index i = 0; i < n; ++i) x.row(i) = centres.row(i % centres.rows()) + jitter.row(i);
  return x;
}

double squared_distance(const A& a, Eigen::Index i, const A& b, Eigen::Index j) {
  double s = 0;
  for (Eigen::Index c = 0; c < a.cols(); ++c) s += (a(i, c) - b(j, c)) * (a(i, c) - b(j, c));
  return s;
}

/// Reference soft k-means: direct distances, softmax in long double, T iterations.
/// Returns the centroids; `assignments` gets softmax(-dist / eps) of the final centroids.
A reference_soft_kmeans(const A& x, A mu, double eps, int iterations, A& assignments) {
  const Eigen::Index n = x.rows(), k = mu.rows();
  auto assign = [&](const A& m) {
    A r(n, k);
    for (Eigen::Index i = 0; i < n; ++i) {
      std::vector<long double> e(static_cast<std::size_t>(k));
      long double best = -1e300L, total = 0;
      for (Eigen::Index j = 0; j < k; ++j) best = std::max(best, -static_cast<long double>(squared_distance(x, i, m, j)) / eps);
      for (Eigen::Index j = 0; j < k; ++j)
        total += e[static_cast<std::size_t>(j)] = std::exp(-static_cast<long double>(squared_distance(x, i, m, j)) / eps - best);
      for (Eigen::Index j = 0; j < k; ++j) r(i, j) = static_cast<double>(e[static_cast<std::size_t>(j)] / total);
    }
    return r;
  };
  for (int t = 0; t < iterations; ++t) {
    const A r = assign(mu);
    for (Eigen::Index j = 0; j < k; ++j) {
      const double w = r.col(j).sum();
      if (w <= 1e-290) continue;  // empty: keep
      for (Eigen::Index c = 0; c < x.cols(); ++c) mu(j, c) = (r.col(j) * x.col(c)).sum() / w;
    }
  }
  assignments = assign(mu);
  return mu;
}

/// Independent Lloyd: brute-force distances, first index on ties, empty cluster keeps its centroid.
A reference_lloyd(const A& x, A mu, int iterations, std::vector<Eigen::Index>& labels) {
  const Eigen::Index n = x.rows(), k = mu.rows(), d = x.cols();
  labels.assign(static_cast<std::size_t>(n), 0);
  auto assign = [&] {
    for (Eigen::Index i = 0; i < n; ++i) {
      Eigen::Index best = 0;
      for (Eigen::Index j = 1; j < k; ++j)
        if (squared_distance(x, i, mu, j) < squared_distance(x, i, mu, best)) best = j;
      labels[static_cast<std::size_t>(i)] = best;
    }
  };
  for (int t = 0; t < iterations; ++t) {
    assign();
    for (Eigen::Index j = 0; j < k; ++j) {
      A sum = A::Zero(1, d);
      int count = 0;
      for (Eigen::Index i = 0; i < n; ++i)
        if (labels[static_cast<std::size_t>(i)] == j) {
          sum += x.row(i);
          ++count;
        }
      if (count > 0) mu.row(j) = sum / count;
    }
  }
  assign();
  return mu;
}

template <class F>
void check_gradient(F f, const std::vector<tg::GradcheckInput>& inputs, const tg::GradcheckOptions& opt = {}) {
  const auto r = tg::gradcheck(f, inputs, opt);
  INFO(r.report);
  CHECK(r.passed);
}

template <class F>
std::string invalid_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(nothing thrown)";
}

tg::SoftKMeansOptions<double> options(tg::SoftKMeansTemperature<double> eps, int iterations, Backward backward) {
  tg::SoftKMeansOptions<double> o;
  o.eps = eps;
  o.iterations = iterations;
  o.backward = backward;
  return o;
}

/// Three well-separated 2-D blobs and an init near (not at) their centres.
struct Problem {
  A centres = (A(3, 2) << -2.0, 0.0, 2.0, 0.5, 0.0, 2.5).finished();
  A x = blobs(centres, 9, 0.6, 11);
  A init = centres + uniform(3, 2, 12, -0.7, 0.7);
};

}  // namespace

TEST_CASE("soft_kmeans: forward equals a direct-distance reference, both modes", "[soft][cluster]") {
  const Problem p;
  for (double eps : {0.3, 1.0, 4.0})
    for (Backward b : {Backward::unrolled, Backward::implicit}) {
      INFO("eps " << eps << " implicit " << (b == Backward::implicit));
      tg::Scope<double> scope;
      A r_ref;
      const A mu_ref = reference_soft_kmeans(p.x, p.init, eps, 6, r_ref);
      const auto out = tg::soft_kmeans(TD(p.x), TD(p.init), options(eps, 6, b));
      CHECK(out.iterations == 6);
      CHECK((out.centroids.value() - mu_ref).abs().maxCoeff() < 1e-12);
      CHECK((out.assignments.value() - r_ref).abs().maxCoeff() < 1e-12);
      CHECK((out.assignments.value().rowwise().sum() - 1.0).abs().maxCoeff() < 1e-14);
    }
}

TEST_CASE("soft_kmeans unrolled: gradcheck w.r.t. X, init centroids and eps", "[soft][cluster]") {
  const Problem p;
  const A eps = A::Constant(1, 1, 0.8);
  for (int output : {0, 1}) {
    INFO("output " << (output == 0 ? "centroids" : "assignments"));
    auto pick = [output](const tg::SoftKMeansResult<double>& r) { return output == 0 ? r.centroids : r.assignments; };
    // eps as a 1x1 Tensor
    check_gradient([&](const auto& in) { return pick(tg::soft_kmeans(in[0], in[1], options(in[2], 4, Backward::unrolled))); },
                   {{"X", p.x}, {"init", p.init}, {"eps", eps}});
    // eps as a Var
    check_gradient([&](const auto& in) { return pick(tg::soft_kmeans(in[0], in[1], options(tg::sum(in[2]), 3, Backward::unrolled))); },
                   {{"X", p.x}, {"init", p.init}, {"eps", eps}});
    // eps a number; only init, only X
    check_gradient([&](const auto& in) { return pick(tg::soft_kmeans(TD(p.x), in[0], options(0.5, 5, Backward::unrolled))); },
                   {{"init", p.init}});
    check_gradient([&](const auto& in) { return pick(tg::soft_kmeans(in[0], TD(p.init), options(0.5, 5, Backward::unrolled))); },
                   {{"X", p.x}});
  }
}

TEST_CASE("soft_kmeans unrolled: gradcheck at near ties and large magnitudes", "[soft][cluster]") {
  // Points close to the bisector of two centroids, with a small eps: weights near 1/2 that move fast.
  A x(6, 2);
  x << 0.001, 0.3, -0.002, -0.5, 0.0005, 1.0, 1.5, 0.1, -1.5, -0.2, 0.003, 0.0;
  const A init = (A(2, 2) << -1.0, 0.0, 1.0, 0.0).finished();
  tg::GradcheckOptions opt;
  opt.step = 1e-7;
  opt.rtol = 1e-4;
  opt.atol = 1e-6;
  for (int output : {0, 1})
    check_gradient([&](const auto& in) {
      const auto r = tg::soft_kmeans(in[0], in[1], options(in[2], 3, Backward::unrolled));
      return output == 0 ? r.centroids : r.assignments;
    }, {{"X", x}, {"init", init}, {"eps", A::Constant(1, 1, 0.05)}}, opt);
  // Shifted by 1000 (distances and the answer's shape unchanged; GEMM-form distances see 1e6 magnitudes).
  const Problem p;
  const A shifted = p.x + 1000.0, init_shifted = p.init + 1000.0;
  opt.step = 1e-6;
  opt.rtol = 1e-4;
  opt.atol = 1e-5;
  check_gradient([&](const auto& in) { return tg::soft_kmeans(in[0], in[1], options(in[2], 3, Backward::unrolled)).centroids; },
                 {{"X", shifted}, {"init", init_shifted}, {"eps", A::Constant(1, 1, 0.8)}}, opt);
  tg::Scope<double> scope;
  A r_ref;
  const A mu_ref = reference_soft_kmeans(p.x, p.init, 0.8, 3, r_ref);
  const auto out = tg::soft_kmeans(TD(shifted), TD(init_shifted), options(0.8, 3, Backward::unrolled));
  CHECK((out.centroids.value() - 1000.0 - mu_ref).abs().maxCoeff() < 1e-9);
  CHECK((out.assignments.value() - r_ref).abs().maxCoeff() < 1e-8);
}

TEST_CASE("soft_kmeans implicit: gradcheck at convergence; init gradient is zero", "[soft][cluster]") {
  const Problem p;
  const A eps = A::Constant(1, 1, 0.8);
  tg::GradcheckOptions opt;
  opt.rtol = 1e-5;
  opt.atol = 1e-7;
  for (int output : {0, 1}) {
    INFO("output " << output);
    check_gradient([&](const auto& in) {
      const auto r = tg::soft_kmeans(in[0], in[1], options(in[2], 200, Backward::implicit));
      return output == 0 ? r.centroids : r.assignments;
    }, {{"X", p.x}, {"init", p.init}, {"eps", eps}}, opt);
    check_gradient([&](const auto& in) {
      const auto r = tg::soft_kmeans(in[0], TD(p.init), options(tg::sum(in[1]), 200, Backward::implicit));
      return output == 0 ? r.centroids : r.assignments;
    }, {{"X", p.x}, {"eps", eps}}, opt);
  }
  tg::Scope<double> scope;
  TD init(p.init, true);
  const auto r = tg::soft_kmeans(TD(p.x, true), init, options(0.8, 200, Backward::implicit));
  tg::sum(r.centroids * r.centroids).backward();
  CHECK(init.grad().abs().maxCoeff() == 0.0);
}

TEST_CASE("soft_kmeans: unrolled and implicit give the same gradient at convergence", "[soft][cluster]") {
  const A centres = (A(4, 3) << -3, 0, 0, 3, 0, 0, 0, 3, 1, 0, -3, -1).finished();
  const A x = blobs(centres, 40, 1.5, 21);
  const A init = centres + uniform(4, 3, 22, -1.0, 1.0);
  const A w_c = uniform(4, 3, 23), w_r = uniform(40, 4, 24);
  struct Grads {
    A x, init, eps;
  };
  auto grads = [&](Backward b) {
    tg::Scope<double> scope;
    TD X(x, true), I(init, true), E(A::Constant(1, 1, 1.5), true);
    const auto r = tg::soft_kmeans(X, I, options(E, 150, b));
    (tg::sum(r.centroids * TD(w_c)) + tg::sum(r.assignments * TD(w_r))).backward();
    return Grads{X.grad(), I.grad(), E.grad()};
  };
  const Grads u = grads(Backward::unrolled), im = grads(Backward::implicit);
  const double scale = u.x.abs().maxCoeff();
  REQUIRE(scale > 1e-3);
  CHECK((u.x - im.x).abs().maxCoeff() < 1e-9 * scale);
  CHECK(std::abs(u.eps(0, 0) - im.eps(0, 0)) < 1e-9 * std::max(1.0, std::abs(u.eps(0, 0))));
  CHECK(u.init.abs().maxCoeff() < 1e-9 * scale);  // F_mu^T applied 150 times has died out
  CHECK(im.init.abs().maxCoeff() == 0.0);
}

TEST_CASE("soft_kmeans implicit: tape memory does not depend on the iteration count", "[soft][cluster]") {
  const Problem p;
  auto measure = [&](Backward b, int iterations) {
    tg::Scope<double> scope;
    auto& tape = tg::tape<double>();
    const std::size_t nodes0 = tape.num_nodes(), bytes0 = tape.arena().bytes_used();
    const auto r = tg::soft_kmeans(TD(p.x, true), TD(p.init), options(0.8, iterations, b));
    tg::sum(r.centroids).backward();
    return std::pair{tape.num_nodes() - nodes0, tape.arena().bytes_used() - bytes0};
  };
  const auto i10 = measure(Backward::implicit, 10), i100 = measure(Backward::implicit, 100);
  CHECK(i10 == i100);
  CHECK(i10.first == 2);  // soft_kmeans' one node and the loss's sum
  const auto u10 = measure(Backward::unrolled, 10), u100 = measure(Backward::unrolled, 100);
  CHECK(u10.first == 12);  // one node per iteration, one for the assignments, the sum
  CHECK(u100.first == 102);
  CHECK(u100.second > 5 * u10.second);
  CHECK(i100.second < u10.second);
}

TEST_CASE("soft_kmeans: eps -> 0 is Lloyd's k-means from the same init (independent loop)", "[soft][cluster]") {
  const A x = uniform(60, 3, 31, -2.0, 2.0);
  const A init = x.topRows(5);  // Forgy-style init from the data
  for (int iterations : {1, 3, 10}) {
    INFO("iterations " << iterations);
    std::vector<Eigen::Index> ref_labels;
    const A mu_ref = reference_lloyd(x, init, iterations, ref_labels);
    const auto hard = tg::kmeans(x, init, iterations);
    CHECK((hard.centroids - mu_ref).abs().maxCoeff() < 1e-12);
    CHECK(hard.labels == ref_labels);
    tg::Scope<double> scope;
    const auto soft = tg::soft_kmeans(TD(x), TD(init), options(1e-5, iterations, Backward::unrolled));
    CHECK((soft.centroids.value() - mu_ref).abs().maxCoeff() < 1e-12);
    for (Eigen::Index i = 0; i < x.rows(); ++i) CHECK(soft.assignments(i, ref_labels[static_cast<std::size_t>(i)]) == 1.0);
  }
  // float too
  const auto hard_f = tg::kmeans(x.cast<float>().eval(), init.cast<float>().eval(), 10);
  std::vector<Eigen::Index> ref_labels;
  const A mu_ref = reference_lloyd(x, init, 10, ref_labels);
  CHECK((hard_f.centroids.cast<double>() - mu_ref).abs().maxCoeff() < 1e-5);
  tg::Scope<float> scope;
  const auto soft_f = tg::soft_kmeans(tg::Tensor<float>(x.cast<float>().eval()), tg::Tensor<float>(init.cast<float>().eval()),
                                      {1e-5, 10, Backward::implicit});
  CHECK((soft_f.centroids.value().cast<double>() - mu_ref).abs().maxCoeff() < 1e-5);
}

TEST_CASE("kmeans: converges and reports it; labels are the nearest final centroids", "[soft][cluster]") {
  const Problem p;
  const auto r = tg::kmeans(p.x, p.init, 100);
  CHECK(r.converged);
  CHECK(r.iterations < 100);
  std::vector<Eigen::Index> ref_labels;
  const A mu_ref = reference_lloyd(p.x, p.init, 100, ref_labels);
  CHECK((r.centroids - mu_ref).abs().maxCoeff() < 1e-12);
  CHECK(r.labels == ref_labels);
  for (Eigen::Index i = 0; i < p.x.rows(); ++i) CHECK(r.labels[static_cast<std::size_t>(i)] == i % 3);
}

TEST_CASE("kmeans, soft_kmeans: an empty cluster keeps its previous centroid", "[soft][cluster]") {
  const Problem p;
  A init = p.init;
  init.row(2) << 50.0, 50.0;  // nobody's nearest centroid
  const auto hard = tg::kmeans(p.x, init, 10);
  CHECK(hard.centroids(2, 0) == 50.0);
  CHECK(hard.centroids(2, 1) == 50.0);
  std::vector<Eigen::Index> ref_labels;
  CHECK((hard.centroids - reference_lloyd(p.x, init, 10, ref_labels)).abs().maxCoeff() < 1e-12);
  for (Backward b : {Backward::unrolled, Backward::implicit}) {
    tg::Scope<double> scope;
    const auto soft = tg::soft_kmeans(TD(p.x), TD(init), options(0.5, 10, b));
    CHECK(soft.centroids(2, 0) == 50.0);
    CHECK(soft.centroids(2, 1) == 50.0);
    const auto sharp = tg::soft_kmeans(TD(p.x), TD(init), options(1e-4, 10, b));
    CHECK((sharp.centroids.value() - hard.centroids).abs().maxCoeff() < 1e-12);
  }
  // The kept centroid passes its gradient straight through (d mu_T / d init = identity on that row).
  check_gradient([&](const auto& in) { return tg::soft_kmeans(in[0], in[1], options(0.5, 4, Backward::unrolled)).centroids; },
                 {{"X", p.x}, {"init", init}});
  tg::Scope<double> scope;
  TD I(init, true);
  tg::sum(tg::soft_kmeans(TD(p.x), I, options(0.5, 4, Backward::unrolled)).centroids).backward();
  CHECK(I.grad()(2, 0) == 1.0);
  CHECK(I.grad()(2, 1) == 1.0);
}

TEST_CASE("soft_kmeans implicit: an adjoint that cannot converge throws", "[soft][cluster]") {
  const Problem p;
  tg::Scope<double> scope;
  auto o = options(0.8, 3, Backward::implicit);  // far from the fixed point
  o.adjoint_iterations = 1;
  const auto r = tg::soft_kmeans(TD(p.x, true), TD(p.init), o);
  try {
    tg::sum(r.centroids).backward();
    FAIL("no exception");
  } catch (const std::runtime_error& e) {
    CHECK_THAT(e.what(), Catch::Contains("did not converge") && Catch::Contains("backward = unrolled"));
  }
}

TEST_CASE("soft_kmeans: early stop at tolerance", "[soft][cluster]") {
  const Problem p;
  tg::Scope<double> scope;
  auto o = options(0.3, 500, Backward::unrolled);
  o.tolerance = 1e-12;
  const auto r = tg::soft_kmeans(TD(p.x), TD(p.init), o);
  CHECK(r.iterations < 500);
  A r_ref;
  CHECK((r.centroids.value() - reference_soft_kmeans(p.x, p.init, 0.3, 500, r_ref)).abs().maxCoeff() < 1e-11);
}

TEST_CASE("kmeans, soft_kmeans: bad input throws naming the argument", "[soft][cluster]") {
  const Problem p;
  tg::Scope<double> scope;
  auto soft = [&](const A& x, const A& init, tg::SoftKMeansOptions<double> o = {}) {
    return invalid_message([&] { tg::soft_kmeans(TD(x), TD(init), o); });
  };
  const A too_many = uniform(10, 2, 41);
  CHECK_THAT(soft(p.x, too_many), Catch::Contains("tropigrad::soft_kmeans") && Catch::Contains("k = 10") && Catch::Contains("n = 9"));
  CHECK_THAT(soft(p.x, A(0, 2)), Catch::Contains("init_centroids") && Catch::Contains("k >= 1") && Catch::Contains("0x2"));
  CHECK_THAT(soft(p.x, uniform(3, 3, 42)), Catch::Contains("init_centroids") && Catch::Contains("d = 2") && Catch::Contains("3x3"));
  A nan_x = p.x;
  nan_x(4, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THAT(soft(nan_x, p.init), Catch::Contains("X must be finite") && Catch::Contains("nan") && Catch::Contains("(4, 1)"));
  A inf_init = p.init;
  inf_init(1, 0) = std::numeric_limits<double>::infinity();
  CHECK_THAT(soft(p.x, inf_init), Catch::Contains("init_centroids must be finite") && Catch::Contains("inf"));
  CHECK_THAT(soft(p.x, p.init, options(0.0, 5, Backward::unrolled)), Catch::Contains("eps") && Catch::Contains("> 0, got 0"));
  CHECK_THAT(soft(p.x, p.init, options(-1.0, 5, Backward::implicit)), Catch::Contains("eps") && Catch::Contains("got -1"));
  CHECK_THAT(soft(p.x, p.init, options(std::nan(""), 5, Backward::unrolled)), Catch::Contains("eps") && Catch::Contains("nan"));
  CHECK_THAT(soft(p.x, p.init, options(TD(A::Constant(2, 1, 1.0)), 5, Backward::unrolled)),
             Catch::Contains("eps must be a scalar") && Catch::Contains("2x1"));
  CHECK_THAT(soft(p.x, p.init, options(1.0, 0, Backward::unrolled)), Catch::Contains("iterations must be >= 1, got 0"));
  auto o = options(1.0, 5, Backward::implicit);
  o.tolerance = -1;
  CHECK_THAT(soft(p.x, p.init, o), Catch::Contains("tolerance must be >= 0, got -1"));
  o.tolerance = 0;
  o.adjoint_iterations = 0;
  CHECK_THAT(soft(p.x, p.init, o), Catch::Contains("adjoint_iterations must be >= 1, got 0"));
  CHECK_THAT(soft(A(0, 2), A(0, 2)), Catch::Contains("init_centroids"));
  // kmeans
  CHECK_THAT(invalid_message([&] { tg::kmeans(p.x, too_many); }), Catch::Contains("tropigrad::kmeans") && Catch::Contains("k = 10"));
  CHECK_THAT(invalid_message([&] { tg::kmeans(nan_x, p.init); }), Catch::Contains("X must be finite"));
  CHECK_THAT(invalid_message([&] { tg::kmeans(p.x, uniform(3, 1, 43)); }), Catch::Contains("d = 2"));
  CHECK_THAT(invalid_message([&] { tg::kmeans(p.x, p.init, 0); }), Catch::Contains("iterations must be >= 1"));
}

}  // namespace test_soft_cluster_test
