// Tests of the differentiable dynamic programs: soft_dtw, squared_euclidean_cost,
// hmm_forward / viterbi_path and soft_shortest_path. References are brute-force
// enumerations (alignment paths, state sequences, DAG paths) written here.
#include "tropigrad/ad/semiring_dp.hpp"
#include "tropigrad/ad/soft_dtw.hpp"
#include "tropigrad/ad/soft_shortest_path.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/semiring/bellman_ford.hpp"

namespace tg = tropigrad;
using tg_ops_test::invalid_argument_message;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;
using Catch::Matchers::Contains;

namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

/// -gamma log sum exp(-c / gamma) over the given path costs (min for gamma = 0).
double soft_min_of(const std::vector<double>& costs, double gamma) {
  const double lo = *std::min_element(costs.begin(), costs.end());
  if (gamma == 0) return lo;
  long double s = 0;
  for (const double c : costs) s += std::exp(static_cast<long double>(-(c - lo) / gamma));
  return lo - gamma * static_cast<double>(std::log(s));
}

/// Gibbs weights exp(-(c - softmin) / gamma) of each path (one-hot on the first minimum for gamma = 0).
std::vector<double> path_weights(const std::vector<double>& costs, double gamma) {
  std::vector<double> w(costs.size(), 0.0);
  if (gamma == 0) {
    w[static_cast<std::size_t>(std::min_element(costs.begin(), costs.end()) - costs.begin())] = 1;
    return w;
  }
  const double v = soft_min_of(costs, gamma);
  for (std::size_t k = 0; k < costs.size(); ++k) w[k] = std::exp(-(costs[k] - v) / gamma);
  return w;
}

using Cells = std::vector<std::pair<Eigen::Index, Eigen::Index>>;

/// All monotone alignment paths (steps down, right, diagonal) from (0, 0) to (n-1, m-1).
std::vector<Cells> alignment_paths(Eigen::Index n, Eigen::Index m) {
  std::vector<Cells> out;
  Cells cur{{0, 0}};
  std::function<void(Eigen::Index, Eigen::Index)> go = [&](Eigen::Index i, Eigen::Index j) {
    if (i == n - 1 && j == m - 1) {
      out.push_back(cur);
      return;
    }
    const Eigen::Index steps[3][2] = {{1, 1}, {1, 0}, {0, 1}};
    for (const auto& s : steps) {
      const Eigen::Index a = i + s[0], b = j + s[1];
      if (a >= n || b >= m) continue;
      cur.emplace_back(a, b);
      go(a, b);
      cur.pop_back();
    }
  };
  go(0, 0);
  return out;
}

double dtw_value(const tg::Tensor<double>& C, double gamma) {
  tg::Scope<double> scope;
  return tg::soft_dtw(C, gamma).value();
}
}  // namespace

TEST_CASE("soft_dtw: value and gradient equal brute force over all alignment paths", "[ad][dp][soft_dtw]") {
  for (const auto& [n, m] : {std::pair<Eigen::Index, Eigen::Index>{1, 1}, {1, 4}, {3, 3}, {3, 4}, {4, 2}}) {
    const RowArrayD C = random_array(n, m, 11 + static_cast<unsigned>(n * 7 + m), 0.0, 2.0);
    const auto paths = alignment_paths(n, m);
    std::vector<double> costs;
    for (const auto& p : paths) {
      double c = 0;
      for (const auto& [i, j] : p) c += C(i, j);
      costs.push_back(c);
    }
    for (const double gamma : {0.0, 0.05, 1.0, 10.0}) {
      tg::Scope<double> scope;
      tg::Tensor<double> Ct(C, true);
      const auto v = tg::soft_dtw(Ct, gamma);
      CHECK(v.value() == Approx(soft_min_of(costs, gamma)).epsilon(1e-12).margin(1e-12));
      v.backward();
      RowArrayD expected = RowArrayD::Zero(n, m);
      const auto w = path_weights(costs, gamma);
      for (std::size_t k = 0; k < paths.size(); ++k)
        for (const auto& [i, j] : paths[k]) expected(i, j) += w[k];
      CHECK((Ct.grad() - expected).abs().maxCoeff() < 1e-12);
    }
  }
}

TEST_CASE("soft_dtw: gamma -> 0 tends to DTW within gamma log(#paths)", "[ad][dp][soft_dtw]") {
  const RowArrayD C = random_array(4, 5, 5, 0.0, 1.0);
  const double paths = static_cast<double>(alignment_paths(4, 5).size());
  const double hard = dtw_value(tg::Tensor<double>(C), 0.0);
  for (const double gamma : {1.0, 0.1, 0.01, 1e-4}) {
    const double soft = dtw_value(tg::Tensor<double>(C), gamma);
    CHECK(soft <= hard + 1e-12);
    CHECK(hard - soft <= gamma * std::log(paths) + 1e-12);
  }
}

TEST_CASE("soft_dtw: gradchecks w.r.t. C and through squared_euclidean_cost w.r.t. X, Y", "[ad][dp][soft_dtw]") {
  const RowArrayD C = random_array(5, 4, 21, 0.0, 3.0);
  for (const double gamma : {0.0, 0.1, 1.0})
    CHECK(tg::gradcheck([gamma](const auto& in) { return tg::soft_dtw(in[0], gamma); }, {{"C", C}}));
  // Near ties: every path costs almost the same.
  const RowArrayD ties = 1.0 + random_array(4, 4, 22, -1e-3, 1e-3);
  CHECK(tg::gradcheck([](const auto& in) { return tg::soft_dtw(in[0], 0.01); }, {{"C", ties}}));
  // Large magnitudes: costs ~1e3, gamma 1.
  const RowArrayD big = 1000.0 + random_array(4, 5, 23, -5.0, 5.0);
  tg::GradcheckOptions loose;
  loose.rtol = 1e-4;
  loose.atol = 1e-5;
  CHECK(tg::gradcheck([](const auto& in) { return tg::soft_dtw(in[0], 1.0); }, {{"C", big}}, loose));
  const RowArrayD X = random_array(5, 3, 24), Y = random_array(4, 3, 25);
  CHECK(tg::gradcheck([](const auto& in) { return tg::squared_euclidean_cost(in[0], in[1]); }, {{"X", X}, {"Y", Y}}));
  for (const double gamma : {0.0, 0.5})
    CHECK(tg::gradcheck([gamma](const auto& in) { return tg::soft_dtw(tg::squared_euclidean_cost(in[0], in[1]), gamma); },
                        {{"X", X}, {"Y", Y}}));
  const RowArrayD Xb = 100.0 + random_array(4, 2, 26), Yb = 100.0 + random_array(3, 2, 27);
  CHECK(tg::gradcheck([](const auto& in) { return tg::soft_dtw(tg::squared_euclidean_cost(in[0], in[1]), 0.1); },
                      {{"X", Xb}, {"Y", Yb}}, loose));
}

TEST_CASE("squared_euclidean_cost: equals the naive distance", "[ad][dp][soft_dtw]") {
  const RowArrayD X = random_array(3, 4, 31, -5, 5), Y = random_array(5, 4, 32, -5, 5);
  tg::Scope<double> scope;
  const auto D = tg::squared_euclidean_cost(tg::Tensor<double>(X), tg::Tensor<double>(Y));
  for (Eigen::Index i = 0; i < 3; ++i)
    for (Eigen::Index j = 0; j < 5; ++j) {
      double s = 0;
      for (Eigen::Index d = 0; d < 4; ++d) s += (X(i, d) - Y(j, d)) * (X(i, d) - Y(j, d));
      CHECK(D(i, j) == Approx(s).epsilon(1e-14));
    }
}

TEST_CASE("soft_dtw, squared_euclidean_cost: bad input throws naming the argument", "[ad][dp][soft_dtw]") {
  tg::Scope<double> scope;
  const tg::Tensor<double> C(RowArrayD::Ones(2, 3));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_dtw(C, -0.1); }), Contains("soft_dtw") && Contains("gamma") && Contains("-0.1"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_dtw(C, std::nan("")); }), Contains("gamma") && Contains("nan"));
  RowArrayD bad = RowArrayD::Ones(2, 3);
  bad(1, 2) = std::nan("");
  CHECK_THAT(invalid_argument_message([&] { tg::soft_dtw(tg::Tensor<double>(bad), 1.0); }),
             Contains("cost_matrix") && Contains("NaN") && Contains("index 5"));
  bad(1, 2) = inf;
  CHECK_THAT(invalid_argument_message([&] { tg::soft_dtw(tg::Tensor<double>(bad), 1.0); }),
             Contains("cost_matrix") && Contains("finite"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_dtw(tg::Tensor<double>(RowArrayD(0, 3)), 1.0); }),
             Contains("cost_matrix") && Contains("empty"));
  CHECK_THAT(invalid_argument_message([&] {
               tg::squared_euclidean_cost(tg::Tensor<double>(RowArrayD::Ones(2, 3)), tg::Tensor<double>(RowArrayD::Ones(2, 2)));
             }),
             Contains("squared_euclidean_cost") && Contains("2x3") && Contains("2x2"));
}

namespace {
struct Hmm {
  RowArrayD pi, A, E;
};

Hmm random_hmm(Eigen::Index K, Eigen::Index T, unsigned seed) {
  return {random_array(1, K, seed, -3, 0), random_array(K, K, seed + 1, -3, 0), random_array(T, K, seed + 2, -4, 0)};
}

/// Scores of all K^T state sequences, in lexicographic order.
std::vector<double> all_sequence_scores(const Hmm& h, std::vector<std::vector<Eigen::Index>>* seqs = nullptr) {
  const Eigen::Index K = h.A.rows(), T = h.E.rows();
  std::vector<double> scores;
  std::vector<Eigen::Index> z(static_cast<std::size_t>(T), 0);
  while (true) {
    double s = h.pi(0, z[0]) + h.E(0, z[0]);
    for (Eigen::Index t = 1; t < T; ++t)
      s += h.A(z[static_cast<std::size_t>(t - 1)], z[static_cast<std::size_t>(t)]) + h.E(t, z[static_cast<std::size_t>(t)]);
    scores.push_back(s);
    if (seqs) seqs->push_back(z);
    Eigen::Index t = T - 1;
    while (t >= 0 && ++z[static_cast<std::size_t>(t)] == K) z[static_cast<std::size_t>(t--)] = 0;
    if (t < 0) break;
  }
  return scores;
}

double log_sum_exp_of(const std::vector<double>& x) {
  const double m = *std::max_element(x.begin(), x.end());
  long double s = 0;
  for (const double v : x) s += std::exp(static_cast<long double>(v - m));
  return m + static_cast<double>(std::log(s));
}
}  // namespace

TEST_CASE("hmm_forward: MaxPlus = Viterbi score, LogSumExp(1) = log-likelihood, MinPlus = min (brute force)",
          "[ad][dp][hmm]") {
  for (const auto& [K, T] : {std::pair<Eigen::Index, Eigen::Index>{1, 1}, {2, 1}, {3, 4}, {2, 6}, {4, 3}}) {
    const Hmm h = random_hmm(K, T, 40 + static_cast<unsigned>(K * 10 + T));
    std::vector<std::vector<Eigen::Index>> seqs;
    const auto scores = all_sequence_scores(h, &seqs);
    tg::Scope<double> scope;
    const tg::Tensor<double> pi(h.pi), A(h.A), E(h.E);
    const auto best = std::max_element(scores.begin(), scores.end());
    CHECK(tg::hmm_forward(tg::MaxPlus{}, pi, A, E).value() == Approx(*best).epsilon(1e-13));
    CHECK(tg::hmm_forward(tg::MinPlus{}, pi, A, E).value() ==
          Approx(*std::min_element(scores.begin(), scores.end())).epsilon(1e-13));
    CHECK(tg::hmm_forward(tg::LogSumExp<double>(1.0), pi, A, E).value() == Approx(log_sum_exp_of(scores)).epsilon(1e-13));
    CHECK(tg::viterbi_path(pi, A, E) == seqs[static_cast<std::size_t>(best - scores.begin())]);
  }
}

TEST_CASE("hmm_forward: impossible transitions (-inf) are skipped", "[ad][dp][hmm]") {
  Hmm h = random_hmm(3, 4, 50);
  h.A(0, 1) = -inf;
  h.A(2, 2) = -inf;
  h.pi(0, 2) = -inf;
  const auto scores = all_sequence_scores(h);
  std::vector<double> finite;
  for (const double s : scores)
    if (std::isfinite(s)) finite.push_back(s);
  tg::Scope<double> scope;
  tg::Tensor<double> pi(h.pi, true), A(h.A, true), E(h.E, true);
  const auto v = tg::hmm_forward(tg::LogSumExp<double>(1.0), pi, A, E);
  CHECK(v.value() == Approx(log_sum_exp_of(finite)).epsilon(1e-13));
  v.backward();
  CHECK(A.grad().allFinite());
  CHECK(A.grad()(0, 1) == 0.0);
  // The gradient w.r.t. the emissions is the posterior state marginal: each row sums to 1.
  CHECK((E.grad().rowwise().sum() - 1.0).abs().maxCoeff() < 1e-12);
}

TEST_CASE("hmm_forward: gradchecks (MaxPlus without ties, LogSumExp, MinPlus, near ties, large magnitudes)",
          "[ad][dp][hmm]") {
  const Hmm h = random_hmm(3, 5, 60);
  const std::vector<tg::GradcheckInput> in{{"log_initial", h.pi}, {"log_transition", h.A}, {"log_emission", h.E}};
  CHECK(tg::gradcheck([](const auto& x) { return tg::hmm_forward(tg::MaxPlus{}, x[0], x[1], x[2]); }, in));
  CHECK(tg::gradcheck([](const auto& x) { return tg::hmm_forward(tg::MinPlus{}, x[0], x[1], x[2]); }, in));
  for (const double eps : {1.0, 0.1})
    CHECK(tg::gradcheck([eps](const auto& x) { return tg::hmm_forward(tg::LogSumExp<double>(eps), x[0], x[1], x[2]); },
                        in));
  const std::vector<tg::GradcheckInput> ties{{"log_initial", -1.0 + random_array(1, 3, 61, -1e-3, 1e-3)},
                                             {"log_transition", -1.0 + random_array(3, 3, 62, -1e-3, 1e-3)},
                                             {"log_emission", -1.0 + random_array(4, 3, 63, -1e-3, 1e-3)}};
  CHECK(tg::gradcheck([](const auto& x) { return tg::hmm_forward(tg::LogSumExp<double>(0.01), x[0], x[1], x[2]); }, ties));
  const std::vector<tg::GradcheckInput> big{{"log_initial", -500.0 + random_array(1, 3, 64, -5, 5)},
                                            {"log_transition", -500.0 + random_array(3, 3, 65, -5, 5)},
                                            {"log_emission", -800.0 + random_array(4, 3, 66, -5, 5)}};
  tg::GradcheckOptions loose;
  loose.rtol = 1e-4;
  loose.atol = 1e-5;
  CHECK(tg::gradcheck([](const auto& x) { return tg::hmm_forward(tg::LogSumExp<double>(1.0), x[0], x[1], x[2]); }, big,
                      loose));
}

TEST_CASE("hmm_forward, viterbi_path: bad input throws naming the argument", "[ad][dp][hmm]") {
  tg::Scope<double> scope;
  const tg::Tensor<double> pi(RowArrayD::Zero(1, 2)), A(RowArrayD::Zero(2, 2)), E(RowArrayD::Zero(3, 2));
  CHECK_THAT(invalid_argument_message([&] { tg::hmm_forward(tg::MaxPlus{}, tg::Tensor<double>(RowArrayD::Zero(1, 3)), A, E); }),
             Contains("hmm_forward") && Contains("log_initial") && Contains("1x3"));
  CHECK_THAT(invalid_argument_message([&] { tg::hmm_forward(tg::MaxPlus{}, pi, tg::Tensor<double>(RowArrayD::Zero(2, 3)), E); }),
             Contains("log_transition") && Contains("2x3"));
  CHECK_THAT(invalid_argument_message([&] { tg::viterbi_path(pi, A, tg::Tensor<double>(RowArrayD::Zero(0, 2))); }),
             Contains("viterbi_path") && Contains("log_emission"));
  RowArrayD bad = RowArrayD::Zero(3, 2);
  bad(2, 1) = std::nan("");
  CHECK_THAT(invalid_argument_message([&] { tg::hmm_forward(tg::MaxPlus{}, pi, A, tg::Tensor<double>(bad)); }),
             Contains("log_emission") && Contains("NaN"));
  bad(2, 1) = inf;
  CHECK_THAT(invalid_argument_message([&] { tg::hmm_forward(tg::LogSumExp<double>(1.0), pi, A, tg::Tensor<double>(bad)); }),
             Contains("log_emission") && Contains("+inf"));
  bad(2, 1) = -inf;
  CHECK_THAT(invalid_argument_message([&] { tg::hmm_forward(tg::MinPlus{}, pi, A, tg::Tensor<double>(bad)); }),
             Contains("log_emission") && Contains("-inf"));
}

namespace {
/// A random DAG on K nodes whose topological order is a random permutation
/// (not the index order); each forward pair is an edge with probability p.
RowArrayD random_dag(Eigen::Index K, unsigned seed, double p, double lo, double hi) {
  std::mt19937 rng(seed);
  std::vector<Eigen::Index> perm(static_cast<std::size_t>(K));
  for (Eigen::Index i = 0; i < K; ++i) perm[static_cast<std::size_t>(i)] = i;
  std::shuffle(perm.begin(), perm.end(), rng);
  std::uniform_real_distribution<double> u(0, 1), w(lo, hi);
  RowArrayD W = RowArrayD::Constant(K, K, inf);
  for (Eigen::Index a = 0; a < K; ++a)
    for (Eigen::Index b = a + 1; b < K; ++b)
      if (b == a + 1 || u(rng) < p) W(perm[static_cast<std::size_t>(a)], perm[static_cast<std::size_t>(b)]) = w(rng);
  return W;
}

using Edges = std::vector<std::pair<Eigen::Index, Eigen::Index>>;

/// All paths source -> target by depth-first search (on a DAG all are simple).
std::vector<Edges> all_paths(const RowArrayD& W, Eigen::Index source, Eigen::Index target) {
  std::vector<Edges> out;
  Edges cur;
  std::function<void(Eigen::Index)> go = [&](Eigen::Index v) {
    if (v == target) {
      out.push_back(cur);
      return;
    }
    for (Eigen::Index u = 0; u < W.cols(); ++u)
      if (std::isfinite(W(v, u))) {
        cur.emplace_back(v, u);
        go(u);
        cur.pop_back();
      }
  };
  go(source);
  return out;
}
}  // namespace

TEST_CASE("soft_shortest_path: value, expected edge usage and expected length equal brute force over all paths",
          "[ad][dp][shortest_path]") {
  for (unsigned seed = 0; seed < 4; ++seed) {
    const Eigen::Index K = 7;
    const RowArrayD W = random_dag(K, 70 + seed, 0.5, -1.0, 3.0);
    // The endpoints of the hidden order: the first node reaches the last.
    Eigen::Index source = -1, target = -1;
    for (Eigen::Index v = 0; v < K; ++v) {
      if (!std::isfinite(W.col(v).minCoeff())) source = v;  // no in-edge
      if (!std::isfinite(W.row(v).minCoeff())) target = v;  // no out-edge
    }
    REQUIRE(source >= 0);
    REQUIRE(target >= 0);
    const auto paths = all_paths(W, source, target);
    REQUIRE(paths.size() >= 2);
    std::vector<double> lengths;
    for (const auto& p : paths) {
      double l = 0;
      for (const auto& [u, v] : p) l += W(u, v);
      lengths.push_back(l);
    }
    for (const double eps : {0.0, 0.1, 1.0}) {
      tg::Scope<double> scope;
      tg::Tensor<double> Wt(W, true);
      const auto value = tg::soft_shortest_path(Wt, source, target, eps);
      CHECK(value.value() == Approx(soft_min_of(lengths, eps)).epsilon(1e-12).margin(1e-12));
      value.backward();
      RowArrayD usage = RowArrayD::Zero(K, K);
      double expected_length = 0;
      const auto w = path_weights(lengths, eps);
      for (std::size_t k = 0; k < paths.size(); ++k) {
        for (const auto& [u, v] : paths[k]) usage(u, v) += w[k];
        expected_length += w[k] * lengths[k];
      }
      CHECK((Wt.grad() - usage).abs().maxCoeff() < 1e-12);
      // sum over edges of W * (expected usage) = the expected path length.
      const RowArrayD finite = W.isFinite().select(W, 0.0);
      CHECK((finite * Wt.grad()).sum() == Approx(expected_length).epsilon(1e-12));
      // eps -> 0: within eps log(#paths) of the shortest path, from below.
      const double hard = *std::min_element(lengths.begin(), lengths.end());
      CHECK(value.value() <= hard + 1e-12);
      CHECK(hard - value.value() <= eps * std::log(static_cast<double>(paths.size())) + 1e-12);
      if (eps == 0.0) {
        // The hard value is the MinPlus Bellman-Ford distance of semiring/.
        CHECK(value.value() == Approx(tg::bellman_ford(tg::MinPlus{}, W.matrix(), source)[static_cast<std::size_t>(target)]));
      }
    }
  }
}

TEST_CASE("soft_shortest_path: gradchecks (random, near ties, large magnitudes), unreachable target",
          "[ad][dp][shortest_path]") {
  const RowArrayD W = random_dag(6, 80, 0.6, 0.1, 2.0);
  auto ends = [](const RowArrayD& w) {
    Eigen::Index s = 0, t = 0;
    for (Eigen::Index v = 0; v < w.rows(); ++v) {
      if (!std::isfinite(w.col(v).minCoeff())) s = v;
      if (!std::isfinite(w.row(v).minCoeff())) t = v;
    }
    return std::pair{s, t};
  };
  // gradcheck would step an inf entry to inf - inf: differentiate the finite
  // weights V and add the constant mask (0 on edges, +inf elsewhere).
  const auto source_target = ends(W);  // not a structured binding: the lambdas below capture it
  const auto s = source_target.first, t = source_target.second;
  const RowArrayD mask = W.isFinite().select(RowArrayD::Zero(6, 6), inf);
  const RowArrayD V = W.isFinite().select(W, 0.0);
  auto path = [&](double eps) {
    return [&, eps](const auto& in) { return tg::soft_shortest_path(in[0] + tg::Tensor<double>(mask), s, t, eps); };
  };
  for (const double eps : {0.0, 0.2, 1.0}) CHECK(tg::gradcheck(path(eps), {{"W", V}}));
  const RowArrayD ties = 1.0 + random_array(6, 6, 81, -1e-3, 1e-3);
  CHECK(tg::gradcheck(path(0.01), {{"W", ties}}));
  const RowArrayD big = 1000.0 + random_array(6, 6, 82, -5, 5);
  tg::GradcheckOptions loose;
  loose.rtol = 1e-4;
  loose.atol = 1e-5;
  CHECK(tg::gradcheck(path(1.0), {{"W", big}}, loose));
  tg::Scope<double> scope;
  tg::Tensor<double> Wt(W, true);
  const auto back = tg::soft_shortest_path(Wt, t, s, 0.5);  // no path from the sink to the source
  CHECK(back.value() == inf);
}

TEST_CASE("soft_shortest_path: bad input throws naming the argument", "[ad][dp][shortest_path]") {
  tg::Scope<double> scope;
  RowArrayD W = RowArrayD::Constant(3, 3, inf);
  W(0, 1) = 1;
  W(1, 2) = 1;
  CHECK_THAT(invalid_argument_message([&] { tg::soft_shortest_path(tg::Tensor<double>(W), 0, 2, -1.0); }),
             Contains("soft_shortest_path") && Contains("eps") && Contains("-1"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_shortest_path(tg::Tensor<double>(W), 0, 3, 1.0); }),
             Contains("target") && Contains("3"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_shortest_path(tg::Tensor<double>(RowArrayD::Ones(2, 3)), 0, 1, 1.0); }),
             Contains("W") && Contains("square"));
  RowArrayD cyc = W;
  cyc(2, 0) = 1;
  CHECK_THAT(invalid_argument_message([&] { tg::soft_shortest_path(tg::Tensor<double>(cyc), 0, 2, 1.0); }),
             Contains("cycle"));
  RowArrayD bad = W;
  bad(1, 0) = std::nan("");
  CHECK_THAT(invalid_argument_message([&] { tg::soft_shortest_path(tg::Tensor<double>(bad), 0, 2, 1.0); }),
             Contains("W") && Contains("NaN"));
  bad(1, 0) = -inf;
  CHECK_THAT(invalid_argument_message([&] { tg::soft_shortest_path(tg::Tensor<double>(bad), 0, 2, 1.0); }),
             Contains("W") && Contains("-inf"));
}

// ---- soft_bellman_ford (appended; its include is kept with its tests) ----
#include "tropigrad/ad/soft_bellman_ford.hpp"

namespace {
/// A random graph with cycles on K nodes (self-loops allowed): each ordered pair
/// is an edge with probability p, plus the cycle 0 -> 1 -> ... -> K-1 -> 0 so
/// that every node is reachable within K - 1 edges.
RowArrayD random_cyclic_graph(Eigen::Index K, unsigned seed, double p, double lo, double hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0, 1), w(lo, hi);
  RowArrayD W = RowArrayD::Constant(K, K, inf);
  for (Eigen::Index a = 0; a < K; ++a)
    for (Eigen::Index b = 0; b < K; ++b)
      if (b == (a + 1) % K || u(rng) < p) W(a, b) = w(rng);
  return W;
}

/// Every walk from source with at most R edges (the empty walk included), as
/// its edge list, by depth-first enumeration.
std::vector<Edges> all_walks(const RowArrayD& W, Eigen::Index source, Eigen::Index R) {
  std::vector<Edges> out;
  Edges cur;
  std::function<void(Eigen::Index)> go = [&](Eigen::Index v) {
    out.push_back(cur);
    if (static_cast<Eigen::Index>(cur.size()) == R) return;
    for (Eigen::Index u = 0; u < W.cols(); ++u)
      if (std::isfinite(W(v, u))) {
        cur.emplace_back(v, u);
        go(u);
        cur.pop_back();
      }
  };
  go(source);
  return out;
}

Eigen::Index walk_end(const Edges& walk, Eigen::Index source) { return walk.empty() ? source : walk.back().second; }

/// Gradient of d^R_target w.r.t. W by one backward pass.
RowArrayD bf_grad(const RowArrayD& W, Eigen::Index source, Eigen::Index target, double eps, Eigen::Index R) {
  tg::Scope<double> scope;
  tg::Tensor<double> Wt(W, true);
  const auto d = tg::soft_bellman_ford(Wt, source, eps, R);
  RowArrayD pick = RowArrayD::Zero(1, W.rows());
  pick(0, target) = 1;
  tg::sum(d * tg::Tensor<double>(pick)).backward();
  return Wt.grad();
}
}  // namespace

TEST_CASE("soft_bellman_ford: value, expected edge usage and length equal brute force over walks of <= R edges",
          "[ad][dp][bellman_ford]") {
  const Eigen::Index K = 4;
  for (unsigned seed = 0; seed < 3; ++seed) {
    // Negative weights and (for some seeds) negative cycles: fine with R bounded.
    const RowArrayD W = random_cyclic_graph(K, 90 + seed, 0.5, -0.7, 2.0);
    const Eigen::Index source = seed % K;
    for (const Eigen::Index R : {Eigen::Index(3), Eigen::Index(5)}) {
      const auto walks = all_walks(W, source, R);
      for (const double eps : {0.0, 0.3, 1.0}) {
        tg::Scope<double> scope;
        const auto d = tg::soft_bellman_ford(tg::Tensor<double>(W), source, eps, R);
        REQUIRE(d.rows() == 1);
        REQUIRE(d.cols() == K);
        for (Eigen::Index v = 0; v < K; ++v) {
          std::vector<Edges> to_v;
          std::vector<double> lengths;
          for (const auto& w : walks)
            if (walk_end(w, source) == v) {
              double l = 0;
              for (const auto& [a, b] : w) l += W(a, b);
              to_v.push_back(w);
              lengths.push_back(l);
            }
          REQUIRE(!to_v.empty());
          CHECK(d.value()(0, v) == Approx(soft_min_of(lengths, eps)).epsilon(1e-12).margin(1e-12));
          const auto p = path_weights(lengths, eps);
          RowArrayD usage = RowArrayD::Zero(K, K);
          double expected_length = 0, expected_edges = 0;
          for (std::size_t k = 0; k < to_v.size(); ++k) {
            for (const auto& [a, b] : to_v[k]) usage(a, b) += p[k];
            expected_length += p[k] * lengths[k];
            expected_edges += p[k] * static_cast<double>(to_v[k].size());
          }
          const RowArrayD g = bf_grad(W, source, v, eps, R);
          CHECK((g - usage).abs().maxCoeff() < 1e-10);
          const RowArrayD finite = W.isFinite().select(W, 0.0);
          CHECK((finite * g).sum() == Approx(expected_length).epsilon(1e-10).margin(1e-10));
          CHECK(g.sum() == Approx(expected_edges).epsilon(1e-10));
        }
        if (eps == 0.0) {
          const auto hard = tg::bellman_ford(tg::MinPlus{}, W.matrix(), source, R);
          for (Eigen::Index v = 0; v < K; ++v) CHECK(d.value()(0, v) == hard[static_cast<std::size_t>(v)]);
        }
      }
    }
  }
}

TEST_CASE("soft_bellman_ford: eps = 0 equals bellman_ford(MinPlus) with the default K - 1 rounds; unreachable nodes",
          "[ad][dp][bellman_ford]") {
  const RowArrayD W = random_cyclic_graph(6, 95, 0.3, 0.1, 3.0);
  tg::Scope<double> scope;
  const auto d = tg::soft_bellman_ford(tg::Tensor<double>(W), 2, 0);  // int eps, default rounds
  const auto hard = tg::bellman_ford(tg::MinPlus{}, W.matrix(), 2);
  for (Eigen::Index v = 0; v < 6; ++v) CHECK(d.value()(0, v) == hard[static_cast<std::size_t>(v)]);
  // Node 2 has no in-edges and node 3 none at all: +inf and a zero gradient.
  RowArrayD U = RowArrayD::Constant(4, 4, inf);
  U(0, 1) = 1;
  U(1, 0) = -2;
  U(1, 2) = 0.5;
  U(1, 1) = 0.3;
  const auto du = tg::soft_bellman_ford(tg::Tensor<double>(U), 2, 0.5, 3);
  CHECK(du.value()(0, 2) == 0);
  CHECK(du.value()(0, 0) == inf);
  CHECK(du.value()(0, 3) == inf);
  const auto dz = tg::soft_bellman_ford(tg::Tensor<double>(U), 0, 0.5, 0);  // R = 0: only the empty walk
  CHECK(dz.value()(0, 0) == 0);
  CHECK(dz.value()(0, 1) == inf);
  CHECK(bf_grad(U, 2, 0, 0.5, 3).abs().maxCoeff() == 0);
}

TEST_CASE("soft_bellman_ford: gradchecks (random, near ties, large magnitudes; +inf mask constant)",
          "[ad][dp][bellman_ford]") {
  const Eigen::Index K = 5;
  const RowArrayD W = random_cyclic_graph(K, 97, 0.5, -0.5, 2.0);
  // gradcheck would step an inf entry to inf - inf: differentiate the finite
  // weights V and add the constant mask (0 on edges, +inf elsewhere).
  const RowArrayD mask = W.isFinite().select(RowArrayD::Zero(K, K), inf);
  const RowArrayD V = W.isFinite().select(W, 0.0);
  auto bf = [&](double eps, Eigen::Index R) {
    return [&, eps, R](const auto& in) { return tg::soft_bellman_ford(in[0] + tg::Tensor<double>(mask), 1, eps, R); };
  };
  for (const double eps : {0.0, 0.3, 1.0}) {
    CHECK(tg::gradcheck(bf(eps, K - 1), {{"W", V}}));
    CHECK(tg::gradcheck(bf(eps, 7), {{"W", V}}));
  }
  const RowArrayD ties = 1.0 + random_array(K, K, 98, -1e-3, 1e-3);
  CHECK(tg::gradcheck(bf(0.3, 4), {{"W", ties}}));
  CHECK(tg::gradcheck(bf(0.01, 4), {{"W", ties}}));
  const RowArrayD big = 1000.0 + random_array(K, K, 99, -5, 5);
  tg::GradcheckOptions loose;
  loose.rtol = 1e-4;
  loose.atol = 1e-5;
  CHECK(tg::gradcheck(bf(1.0, 4), {{"W", big}}, loose));
}

TEST_CASE("soft_bellman_ford: bad input throws naming the argument", "[ad][dp][bellman_ford]") {
  tg::Scope<double> scope;
  RowArrayD W = RowArrayD::Constant(3, 3, inf);
  W(0, 1) = 1;
  W(1, 2) = 1;
  W(2, 0) = -1;
  const tg::Tensor<double> Wt(W);
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(Wt, 0, -1.0); }),
             Contains("soft_bellman_ford") && Contains("eps") && Contains("-1"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(Wt, 0, std::nan("")); }),
             Contains("eps") && Contains("nan"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(Wt, 3, 1.0); }), Contains("source") && Contains("3"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(Wt, -1, 1.0); }), Contains("source") && Contains("-1"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(Wt, 0, 1.0, -2); }),
             Contains("rounds") && Contains("-2"));
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(tg::Tensor<double>(RowArrayD::Ones(2, 3)), 0, 1.0); }),
             Contains("W") && Contains("square") && Contains("2x3"));
  RowArrayD bad = W;
  bad(1, 0) = std::nan("");
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(tg::Tensor<double>(bad), 0, 1.0); }),
             Contains("W") && Contains("NaN"));
  bad(1, 0) = -inf;
  CHECK_THAT(invalid_argument_message([&] { tg::soft_bellman_ford(tg::Tensor<double>(bad), 0, 1.0); }),
             Contains("W") && Contains("-inf") && Contains("(1, 0)"));
}
