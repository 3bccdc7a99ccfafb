#include <tropigrad/ad/eigen.hpp>
#include <tropigrad/ad/scalar_lse.hpp>
#include <tropigrad/semiring/bellman_ford.hpp>
#include <tropigrad/semiring/log_sum_exp.hpp>
#include <tropigrad/semiring/min_plus.hpp>

#include <cmath>
#include <limits>

#include "scalar_test_util.hpp"

namespace tg = tropigrad;
using V = tg::Var<double>;
using Vs = std::vector<V>;

namespace {
long double reference_lse(long double eps, std::vector<long double> x) {
  long double m = -INFINITY;
  for (auto v : x) m = std::max(m, v);
  long double s = 0;
  for (auto v : x) s += std::exp((v - m) / eps);
  return m + eps * std::log(s);
}
}  // namespace

TEST_CASE("lse of Vars: value and gradient w.r.t. inputs and eps", "[scalar][lse][gradcheck]") {
  std::mt19937 rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    auto p = test_util::random_point(rng, 4, -3, 3);
    p[3] = 0.05 + std::abs(p[3]);  // eps
    test_util::check_gradient([](const Vs& v) { return tg::lse(v[3], v[0], v[1]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::lse(v[3], Vs{v[0], v[1], v[2]}); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::lse(0.3, v[0], v[2]) * v[1]; }, p);
    const V value = tg::lse(V(p[3]), Vs{V(p[0]), V(p[1]), V(p[2])});
    CHECK(value.value() == Approx(static_cast<double>(reference_lse(p[3], {p[0], p[1], p[2]}))));
  }
}

TEST_CASE("lse gradients near ties and at large magnitude with small eps", "[scalar][lse][gradcheck]") {
  // near-tie: p ~ 1/2 each, gradient w.r.t. eps ~ log 2
  test_util::check_gradient([](const Vs& v) { return tg::lse(v[2], v[0], v[1]); }, {1.0, 1.0 + 1e-7, 0.5});
  // exact tie: d/da = d/db = 1/2, d/deps = log 2
  V a = 2.0, b = 2.0, eps = 0.5;
  tg::lse(eps, a, b).backward();
  CHECK(a.grad() == Approx(0.5));
  CHECK(b.grad() == Approx(0.5));
  CHECK(eps.grad() == Approx(std::log(2.0)));
  // |x| ~ 1e3 at eps = 0.01: values differ by a few eps
  tg::GradcheckOptions options;
  options.step = 1e-9;
  options.rtol = 1e-4;
  test_util::check_gradient([](const Vs& v) { return tg::lse(v[3], Vs{v[0], v[1], v[2]}); },
                            {1000.0, 1000.013, 999.991, 0.01}, options);
  const V big = tg::lse(V(0.01), Vs{V(1e3), V(1e3 + 0.013), V(999.991)});
  CHECK(big.value() == Approx(static_cast<double>(reference_lse(0.01L, {1e3L, 1e3L + 0.013L, 999.991L}))).epsilon(1e-14));
}

TEST_CASE("lse with -inf inputs sends no gradient to them", "[scalar][lse]") {
  const double inf = std::numeric_limits<double>::infinity();
  V a = -inf, b = 1.5, eps = 0.3;
  const V y = tg::lse(eps, a, b);
  y.backward();
  CHECK(y.value() == 1.5);
  CHECK(a.grad() == 0.0);
  CHECK(b.grad() == 1.0);
  CHECK(eps.grad() == 0.0);
}

TEST_CASE("lse rejects a bad eps", "[scalar][lse][misuse]") {
  V a = 1.0, b = 2.0;
  CHECK_THROWS_AS(tg::lse(V(0.0), a, b), std::invalid_argument);
  CHECK_THROWS_WITH(tg::lse(V(-1.0), a, b), Catch::Contains("eps") && Catch::Contains("-1"));
  CHECK_THROWS_AS(tg::lse(std::nan(""), a, b), std::invalid_argument);
}

TEST_CASE("softmax of Vars: sums to one, gradient w.r.t. inputs and eps", "[scalar][softmax][gradcheck]") {
  std::mt19937 rng(8);
  for (int trial = 0; trial < 10; ++trial) {
    auto p = test_util::random_point(rng, 4, -2, 2);
    p[3] = 0.1 + std::abs(p[3]);
    for (int i = 0; i < 3; ++i) {
      test_util::check_gradient(
          [i](const Vs& v) { return tg::softmax(v[3], Vs{v[0], v[1], v[2]})[static_cast<std::size_t>(i)]; }, p);
    }
    const auto s = tg::softmax(V(p[3]), Vs{V(p[0]), V(p[1]), V(p[2])});
    CHECK((s[0] + s[1] + s[2]).value() == Approx(1.0));
  }
}

TEST_CASE("lse is the semiring plus of LogSumExp<Var>, with a learnable eps", "[scalar][semiring]") {
  V eps = 0.7, a = 0.2, b = -0.4;
  tg::LogSumExp<V> ring(eps);
  const V y = ring.plus(a, b);
  CHECK(y.value() == Approx(static_cast<double>(reference_lse(0.7L, {0.2L, -0.4L}))));
  y.backward();
  CHECK(eps.grad() != 0.0);
}

namespace {
// A 5-node DAG: 0 -> {1, 2} -> 3 -> 4, plus 0 -> 3 and 2 -> 4.
struct Edge {
  int from, to;
};
const std::vector<Edge> kEdges = {{0, 1}, {0, 2}, {1, 3}, {2, 3}, {0, 3}, {3, 4}, {2, 4}};

// Soft shortest path 0 -> 4: -LSE_eps over path weights of -cost, through the
// generic Bellman-Ford over the LogSumExp semiring with Var scalars.
V soft_shortest_path(const Vs& v) {
  const V eps = v.back();
  const double inf = std::numeric_limits<double>::infinity();
  Eigen::Matrix<V, Eigen::Dynamic, Eigen::Dynamic> W(5, 5);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) W(i, j) = V::constant(-inf);
  for (std::size_t k = 0; k < kEdges.size(); ++k) W(kEdges[k].from, kEdges[k].to) = -v[k];
  // On a DAG, d[j] ⊕ d[j] over passes would double-count: one pass per depth
  // level from a fresh start is the exact soft path sum, so run n-1 passes
  // of the closure-free relaxation d_new = e_source ⊕ d W instead.
  tg::LogSumExp<V> ring(eps);
  std::vector<V> d(5, V::constant(-inf));
  for (int pass = 0; pass < 4; ++pass) {
    std::vector<V> next(5, V::constant(-inf));
    next[0] = V::constant(0.0);
    for (int j = 0; j < 5; ++j)
      for (int i = 0; i < 5; ++i)
        if (j != 0) next[static_cast<std::size_t>(j)] = ring.plus(next[static_cast<std::size_t>(j)], ring.times(d[static_cast<std::size_t>(i)], W(i, j)));
    d = next;
  }
  return -d[4];
}
}  // namespace

TEST_CASE("soft shortest path: gradients w.r.t. every edge weight and eps match finite differences",
          "[scalar][semiring][gradcheck]") {
  const std::vector<double> point = {1.0, 2.0, 1.5, 0.3, 3.0, 1.0, 2.5, 0.5};  // 7 costs + eps
  test_util::check_gradient(soft_shortest_path, point);
}

TEST_CASE("soft shortest path: gradient is the expected edge usage, the hard path as eps -> 0",
          "[scalar][semiring]") {
  // Paths 0->4: 0-1-3-4 = 3.5, 0-2-3-4 = 3.3, 0-3-4 = 4, 0-2-4 = 4.5; the best is 0-2-3-4.
  std::vector<double> point = {1.0, 2.0, 1.5, 0.3, 3.0, 1.0, 2.5, 1e-3};
  Vs v(point.begin(), point.end());
  const V cost = soft_shortest_path(v);
  cost.backward();
  CHECK(cost.value() == Approx(3.3).epsilon(1e-3));
  const std::vector<double> usage = {0, 1, 0, 1, 0, 1, 0};
  for (std::size_t k = 0; k < usage.size(); ++k) CHECK(v[k].grad() == Approx(usage[k]).margin(1e-6));

  // At eps = 1, the usages are path probabilities: they sum to one out of the source.
  point.back() = 1.0;
  Vs w(point.begin(), point.end());
  soft_shortest_path(w).backward();
  CHECK(w[0].grad() + w[1].grad() + w[4].grad() == Approx(1.0));
  CHECK(w[5].grad() + w[6].grad() == Approx(1.0));
}

TEST_CASE("the generic Bellman-Ford runs on Var in the MinPlus semiring", "[scalar][semiring]") {
  const double inf = std::numeric_limits<double>::infinity();
  Eigen::Matrix<V, 3, 3> W;
  W << V::constant(inf), V(1.0), V(4.0), V::constant(inf), V::constant(inf), V(2.0), V::constant(inf),
      V::constant(inf), V::constant(inf);
  const auto d = tg::bellman_ford(tg::MinPlus{}, W, 0);
  CHECK(d[2].value() == 3.0);
  d[2].backward();
  CHECK(W(0, 1).grad() == 1.0);
  CHECK(W(1, 2).grad() == 1.0);
  CHECK(W(0, 2).grad() == 0.0);
}
