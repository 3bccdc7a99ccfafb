// Tests of soft/sort.hpp, soft/topk_quantile.hpp and soft/rank_losses.hpp.
// The references are independent of the code under test: the permutahedron
// projections are solved directly as constrained problems over all 2^n - 2
// subset constraints (Dykstra's algorithm for l2, Bregman's balancing method
// for kl), without sorting or PAV; hard ranks are counted pairwise.

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/tensor_arithmetic.hpp"
#include "tropigrad/soft/rank_losses.hpp"
#include "tropigrad/soft/sort.hpp"
#include "tropigrad/soft/topk_quantile.hpp"
#include "soft_test_util.hpp"

namespace tg = tropigrad;
using RowArrayD = tg::RowArray<double>;
using soft_test::random_array;
using VecD = std::vector<double>;

namespace {

template <class F>
std::string invalid_argument_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

/// Sum of the m largest entries of w: the right-hand side of the permutahedron's subset constraints.
double top_sum(VecD w, int m) {
  std::sort(w.begin(), w.end(), std::greater<>());
  return std::accumulate(w.begin(), w.begin() + m, 0.0);
}

/// argmin ||mu - z||^2 over the permutahedron of w, by Dykstra's algorithm over the
/// constraints sum_S mu <= top_|S|(w) for every subset S, and sum mu = sum w.
VecD project_l2_brute(const VecD& z, const VecD& w) {
  const int n = static_cast<int>(z.size());
  const int sets = (1 << n) - 1;  // the full set is the equality
  std::vector<VecD> corr(static_cast<std::size_t>(sets), VecD(z.size(), 0.0));
  VecD mu = z;
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  // The iterates can stall while the corrections still move: stop only when neither changes.
  for (int sweep = 0; sweep < 200000; ++sweep) {
    VecD before = mu;
    double change = 0;
    for (int S = 1; S < sets; ++S) {
      VecD y = mu;
      for (int i = 0; i < n; ++i) y[i] += corr[S][i];
      double s = 0;
      int m = 0;
      for (int i = 0; i < n; ++i)
        if (S >> i & 1) s += y[i], ++m;
      const double c = top_sum(w, m);
      VecD p = y;
      if (s > c)
        for (int i = 0; i < n; ++i)
          if (S >> i & 1) p[i] -= (s - c) / m;
      for (int i = 0; i < n; ++i) {
        change = std::max(change, std::abs(corr[S][i] - (y[i] - p[i])));
        corr[S][i] = y[i] - p[i];
      }
      mu = p;
    }
    const double shift = (total - std::accumulate(mu.begin(), mu.end(), 0.0)) / n;
    for (double& v : mu) v += shift;
    for (int i = 0; i < n; ++i) change = std::max(change, std::abs(mu[i] - before[i]));
    if (change < 1e-13) break;
  }
  return mu;
}

/// argmin KL(mu, a) over the permutahedron of w (w > 0), by Bregman's balancing
/// method: multiplicative projections with clipped dual variables per subset.
VecD project_kl_brute(const VecD& a, const VecD& w) {
  const int n = static_cast<int>(a.size());
  const int sets = (1 << n) - 1;
  VecD lambda(static_cast<std::size_t>(sets), 0.0);
  VecD mu = a;
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  // Stop when no dual variable moves (the iterates alone can cycle while the duals drift).
  for (int sweep = 0; sweep < 1000000; ++sweep) {
    double change = 0;
    for (int S = 1; S < sets; ++S) {
      double s = 0;
      int m = 0;
      for (int i = 0; i < n; ++i)
        if (S >> i & 1) s += mu[i], ++m;
      const double delta = std::log(s / top_sum(w, m));
      const double next = std::max(0.0, lambda[S] + delta);
      const double step = next - lambda[S];
      change = std::max(change, std::abs(step));
      lambda[S] = next;
      for (int i = 0; i < n; ++i)
        if (S >> i & 1) mu[i] *= std::exp(-step);
    }
    const double scale = total / std::accumulate(mu.begin(), mu.end(), 0.0);
    for (double& v : mu) v *= scale;
    change = std::max(change, std::abs(std::log(scale)));
    if (change < 1e-14) break;
  }
  return mu;
}

/// Average ranks (1 = smallest), counted pairwise.
VecD hard_rank(const VecD& x) {
  VecD r(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    double less = 0, equal = 0;
    for (double v : x) less += v < x[i], equal += v == x[i];
    r[i] = 1 + less + (equal - 1) / 2;
  }
  return r;
}

VecD row(const RowArrayD& a, Eigen::Index r) { return VecD(a.row(r).data(), a.row(r).data() + a.cols()); }
VecD iota_vec(int n, double start, double step) {
  VecD v(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) v[i] = start + step * i;
  return v;
}

RowArrayD run(bool rank, const RowArrayD& x, tg::SoftSortOptions opt) {
  tg::Scope<double> scope;
  const tg::Tensor<double> t(x);
  return RowArrayD(rank ? tg::soft_rank(t, opt).value() : tg::soft_sort(t, opt).value());
}

constexpr auto l2 = tg::Regularization::l2;
constexpr auto kl = tg::Regularization::kl;
constexpr auto ascending = tg::SortDirection::ascending;
constexpr auto descending = tg::SortDirection::descending;

}  // namespace

TEST_CASE("soft_rank, soft_sort l2: equal the brute-force permutahedron projection", "[soft][sort]") {
  for (int n : {2, 3, 5}) {
    const RowArrayD x = random_array(3, n, 100 + n, -2.0, 2.0);
    for (double eps : {0.05, 0.3, 1.0, 10.0}) {
      const RowArrayD ra = run(true, x, {eps, l2, ascending, 1});
      const RowArrayD rd = run(true, x, {eps, l2, descending, 1});
      const RowArrayD sa = run(false, x, {eps, l2, ascending, 1});
      const RowArrayD sd = run(false, x, {eps, l2, descending, 1});
      for (Eigen::Index r = 0; r < 3; ++r) {
        INFO("n " << n << " eps " << eps << " row " << r);
        VecD z = row(x, r), mz = z;
        for (double& v : z) v /= eps;
        for (double& v : mz) v = -v / eps;
        const VecD rho = iota_vec(n, n, -1.0);  // n, ..., 1
        VecD rho_eps = rho;
        for (double& v : rho_eps) v /= eps;
        const VecD rank_a = project_l2_brute(z, rho), rank_d = project_l2_brute(mz, rho);
        const VecD sort_d = project_l2_brute(rho_eps, row(x, r));
        VecD minus_x = row(x, r);
        for (double& v : minus_x) v = -v;
        const VecD sort_a = project_l2_brute(rho_eps, minus_x);
        for (int i = 0; i < n; ++i) {
          CHECK(ra(r, i) == Approx(rank_a[i]).margin(1e-7));
          CHECK(rd(r, i) == Approx(rank_d[i]).margin(1e-7));
          CHECK(sd(r, i) == Approx(sort_d[i]).margin(1e-7));
          CHECK(sa(r, i) == Approx(-sort_a[i]).margin(1e-7));
        }
      }
    }
  }
}

TEST_CASE("soft_rank, soft_sort kl: equal the brute-force KL projection", "[soft][sort]") {
  for (int n : {2, 3, 4}) {
    const RowArrayD x = random_array(2, n, 200 + n, -1.5, 1.5);
    for (double eps : {0.2, 1.0, 5.0}) {
      const RowArrayD ra = run(true, x, {eps, kl, ascending, 1});
      const RowArrayD rd = run(true, x, {eps, kl, descending, 1});
      const RowArrayD sd = run(false, x, {eps, kl, descending, 1});
      const RowArrayD sa = run(false, x, {eps, kl, ascending, 1});
      for (Eigen::Index r = 0; r < 2; ++r) {
        INFO("n " << n << " eps " << eps << " row " << r);
        VecD a(n), am(n), ex(n), emx(n), arho(n);
        for (int i = 0; i < n; ++i) {
          a[i] = std::exp(x(r, i) / eps);
          am[i] = std::exp(-x(r, i) / eps);
          ex[i] = std::exp(x(r, i));
          emx[i] = std::exp(-x(r, i));
          arho[i] = std::exp((n - i) / eps);
        }
        const VecD ranks = iota_vec(n, 1.0, 1.0);
        const VecD rank_a = project_kl_brute(a, ranks), rank_d = project_kl_brute(am, ranks);
        const VecD sort_d = project_kl_brute(arho, ex), sort_a = project_kl_brute(arho, emx);
        for (int i = 0; i < n; ++i) {
          CHECK(ra(r, i) == Approx(rank_a[i]).margin(1e-7));
          CHECK(rd(r, i) == Approx(rank_d[i]).margin(1e-7));
          CHECK(sd(r, i) == Approx(std::log(sort_d[i])).margin(1e-7));
          CHECK(sa(r, i) == Approx(-std::log(sort_a[i])).margin(1e-7));
        }
      }
    }
  }
}

TEST_CASE("weighted soft_rank and soft_topk_mask: equal the brute-force projections", "[soft][sort]") {
  const int n = 5;
  const RowArrayD x = random_array(2, n, 300, -1.0, 1.0);
  const std::vector<double> weights = {0.5, -1.0, 3.0, 2.0, 0.25};
  const std::vector<double> positive = {0.5, 1.0, 3.0, 2.0, 0.25};
  for (double eps : {0.1, 0.7, 4.0}) {
    tg::Scope<double> scope;
    const tg::Tensor<double> t(x);
    const auto wl2 = tg::soft_rank(t, std::span<const double>(weights), {eps, l2, ascending, 1});
    const auto wkl = tg::soft_rank(t, std::span<const double>(positive), {eps, kl, ascending, 1});
    const auto top2 = tg::soft_topk_mask(t, 2, {eps, l2, ascending, 1});
    for (Eigen::Index r = 0; r < 2; ++r) {
      INFO("eps " << eps << " row " << r);
      VecD z = row(x, r), a(n);
      for (int i = 0; i < n; ++i) z[i] /= eps, a[i] = std::exp(z[i]);
      const VecD ref = project_l2_brute(z, weights);
      const VecD ref_kl = project_kl_brute(a, positive);
      const VecD ref_top = project_l2_brute(z, {1, 1, 0, 0, 0});
      double sum = 0;
      for (int i = 0; i < n; ++i) {
        CHECK(wl2.value()(r, i) == Approx(ref[i]).margin(1e-7));
        CHECK(wkl.value()(r, i) == Approx(ref_kl[i]).margin(1e-7));
        CHECK(top2.value()(r, i) == Approx(ref_top[i]).margin(1e-7));
        CHECK(top2.value()(r, i) >= -1e-12);
        CHECK(top2.value()(r, i) <= 1 + 1e-12);
        sum += top2.value()(r, i);
      }
      CHECK(sum == Approx(2.0));
    }
  }
  // kl top-k (weights with zeros): the capped-simplex KL projection, in [0, 1], summing to k.
  tg::Scope<double> scope;
  const auto m = tg::soft_topk_mask(tg::Tensor<double>(x), 3, {0.5, kl, ascending, 1});
  for (Eigen::Index r = 0; r < 2; ++r) {
    CHECK(m.value().row(r).sum() == Approx(3.0));
    CHECK((m.value().row(r) >= 0).all());
    CHECK((m.value().row(r) <= 1 + 1e-12).all());
  }
}

TEST_CASE("soft_sort, soft_rank: monotone, l2 preserves the sum, axis 0 is the transpose", "[soft][sort]") {
  const RowArrayD x = random_array(4, 30, 400, -3.0, 3.0);
  for (auto reg : {l2, kl})
    for (double eps : {1e-3, 0.1, 1.0, 30.0}) {
      INFO("eps " << eps << " kl " << (reg == kl));
      const RowArrayD s = run(false, x, {eps, reg, ascending, 1});
      const RowArrayD sd = run(false, x, {eps, reg, descending, 1});
      const RowArrayD r = run(true, x, {eps, reg, ascending, 1});
      for (Eigen::Index i = 0; i < 4; ++i) {
        for (Eigen::Index j = 1; j < 30; ++j) {
          CHECK(s(i, j) >= s(i, j - 1) - 1e-12);
          CHECK(sd(i, j) <= sd(i, j - 1) + 1e-12);
        }
        for (Eigen::Index j = 0; j < 30; ++j)
          for (Eigen::Index k = 0; k < 30; ++k)
            if (x(i, j) < x(i, k)) CHECK(r(i, j) <= r(i, k) + 1e-12);
        CHECK(r.row(i).sum() == Approx(30.0 * 31.0 / 2));  // both regularisations keep the rank total
        if (reg == l2) CHECK(s.row(i).sum() == Approx(x.row(i).sum()).margin(1e-9));
      }
      const RowArrayD st = run(false, RowArrayD(x.transpose()), {eps, reg, ascending, 0});
      const RowArrayD rt = run(true, RowArrayD(x.transpose()), {eps, reg, ascending, 0});
      CHECK((st.transpose() - s).abs().maxCoeff() < 1e-12);
      CHECK((rt.transpose() - r).abs().maxCoeff() < 1e-12);
    }
}

TEST_CASE("soft_sort, soft_rank: exact hard limits at strength 0 (ties share the mean rank)", "[soft][sort]") {
  RowArrayD x(2, 7);
  x << 3.0, -1.0, 2.0, 2.0, 7.5, -1.0, 0.0,  //
      1e30, -1e-30, 5.0, 4.0, 3.0, 2.0, -1e30;
  for (auto reg : {l2, kl}) {
    const RowArrayD s = run(false, x, {0.0, reg, ascending, 1});
    const RowArrayD sd = run(false, x, {0.0, reg, descending, 1});
    const RowArrayD r = run(true, x, {0.0, reg, ascending, 1});
    const RowArrayD rd = run(true, x, {0.0, reg, descending, 1});
    for (Eigen::Index i = 0; i < 2; ++i) {
      VecD sorted = row(x, i);
      std::sort(sorted.begin(), sorted.end());
      const VecD ranks = hard_rank(row(x, i));
      VecD minus = row(x, i);
      for (double& v : minus) v = -v;
      const VecD ranks_d = hard_rank(minus);
      for (int j = 0; j < 7; ++j) {
        CHECK(s(i, j) == sorted[j]);
        CHECK(sd(i, j) == sorted[6 - j]);
        CHECK(r(i, j) == ranks[j]);
        CHECK(rd(i, j) == ranks_d[j]);
      }
    }
  }
  // Distinct values and a small strength: every PAV block is a singleton, so the result is exact too.
  const RowArrayD y = random_array(3, 50, 401, -1.0, 1.0);
  for (auto reg : {l2, kl}) {
    const RowArrayD s = run(false, y, {1e-6, reg, ascending, 1});
    const RowArrayD r = run(true, y, {1e-6, reg, ascending, 1});
    for (Eigen::Index i = 0; i < 3; ++i) {
      VecD sorted = row(y, i);
      std::sort(sorted.begin(), sorted.end());
      const VecD ranks = hard_rank(row(y, i));
      for (int j = 0; j < 50; ++j) {
        CHECK(s(i, j) == sorted[j]);
        CHECK(r(i, j) == ranks[j]);
      }
    }
  }
  // Gradients at strength 0: the permutation for the sort, zero for the rank.
  tg::Scope<double> scope;
  const tg::Tensor<double> leaf(RowArrayD(x.row(0)), true);
  RowArrayD wts(1, 7);
  wts << 1, 2, 3, 4, 5, 6, 7;
  tg::sum(tg::soft_sort(leaf, {0.0, l2, ascending, 1}) * tg::Tensor<double>(wts)).backward();
  // x.row(0) ascending: -1(1), -1(5), 0(6), 2(2), 2(3), 3(0), 7.5(4); tied entries take their slots in index order.
  RowArrayD expected(1, 7);
  expected << 6, 1, 4, 5, 7, 2, 3;
  CHECK((leaf.grad() - expected).abs().maxCoeff() == 0.0);
  const tg::Tensor<double> leaf2(RowArrayD(x.row(0)), true);
  tg::sum(tg::soft_rank(leaf2, {0.0, kl, ascending, 1}) * tg::Tensor<double>(wts)).backward();
  CHECK(leaf2.grad().abs().maxCoeff() == 0.0);
}

TEST_CASE("soft_sort, soft_rank: gradcheck, both regularisations, axes and directions", "[soft][sort]") {
  const RowArrayD x = random_array(3, 6, 500, -2.0, 2.0);
  for (auto reg : {l2, kl})
    for (auto dir : {ascending, descending})
      for (int axis : {0, 1})
        for (double eps : {0.1, 1.0, 10.0}) {
          INFO("kl " << (reg == kl) << " descending " << (dir == descending) << " axis " << axis << " eps " << eps);
          const tg::SoftSortOptions opt{eps, reg, dir, axis};
          const RowArrayD in = axis == 1 ? x : RowArrayD(x.transpose());
          auto r1 = tg::gradcheck([&](const auto& v) { return tg::soft_sort(v[0], opt); }, {{"x", in}});
          INFO(r1.report);
          CHECK(r1.passed);
          auto r2 = tg::gradcheck([&](const auto& v) { return tg::soft_rank(v[0], opt); }, {{"x", in}});
          INFO(r2.report);
          CHECK(r2.passed);
        }
}

TEST_CASE("soft_sort, soft_rank: gradcheck with near ties and large magnitudes", "[soft][sort]") {
  RowArrayD ties(2, 6);
  ties << 1.0, 1.0 + 3e-4, 1.0 - 2e-4, 0.5, 0.5 + 1e-4, -1.0,  //
      2.0, 2.0 - 1e-5, 2.0 + 2e-5, 2.0 + 4e-5, 3.0, 3.0 + 1e-5;
  RowArrayD big = random_array(2, 6, 501, -1.0, 1.0) * 1e3;
  big.row(1) += 1e6;
  tg::GradcheckOptions opt;
  opt.step = 1e-8;
  opt.rtol = 1e-4;
  opt.atol = 1e-5;
  for (auto reg : {l2, kl})
    for (double eps : {1e-3, 0.05, 1.0}) {
      INFO("kl " << (reg == kl) << " eps " << eps);
      const tg::SoftSortOptions o{eps, reg, ascending, 1};
      auto a = tg::gradcheck([&](const auto& v) { return tg::soft_sort(v[0], o); }, {{"x", ties}}, opt);
      INFO(a.report);
      CHECK(a.passed);
      auto b = tg::gradcheck([&](const auto& v) { return tg::soft_rank(v[0], o); }, {{"x", ties}}, opt);
      INFO(b.report);
      CHECK(b.passed);
    }
  for (auto reg : {l2, kl})
    for (double eps : {100.0, 1000.0}) {
      INFO("large, kl " << (reg == kl) << " eps " << eps);
      const tg::SoftSortOptions o{eps, reg, descending, 1};
      tg::GradcheckOptions big_opt;
      big_opt.step = 1e-7;
      big_opt.rtol = 1e-4;
      big_opt.atol = 1e-6;
      auto b = tg::gradcheck([&](const auto& v) { return tg::soft_rank(v[0], o); }, {{"x", big}}, big_opt);
      INFO(b.report);
      CHECK(b.passed);
      if (reg == l2) {  // kl sort works on exp(x): magnitudes of 1e3 only pool at huge strengths
        auto a = tg::gradcheck([&](const auto& v) { return tg::soft_sort(v[0], o); }, {{"x", big}}, big_opt);
        INFO(a.report);
        CHECK(a.passed);
      }
    }
}

TEST_CASE("weighted soft_rank, soft_topk_mask, soft_quantile: gradcheck", "[soft][sort]") {
  const RowArrayD x = random_array(2, 5, 502, -1.0, 1.0);
  const std::vector<double> weights = {0.5, 1.0, 3.0, 2.0, 0.25};
  for (auto reg : {l2, kl}) {
    INFO("kl " << (reg == kl));
    const tg::SoftSortOptions o{0.3, reg, ascending, 1};
    CHECK(tg::gradcheck([&](const auto& v) { return tg::soft_rank(v[0], std::span<const double>(weights), o); }, {{"x", x}}));
    CHECK(tg::gradcheck([&](const auto& v) { return tg::soft_topk_mask(v[0], 2, o); }, {{"x", x}}));
    CHECK(tg::gradcheck([&](const auto& v) { return tg::soft_quantile(v[0], 0.3, o); }, {{"x", x}}));
    CHECK(tg::gradcheck([&](const auto& v) { return tg::soft_median(v[0], {0.3, reg, ascending, 0}); },
                        {{"x", RowArrayD(x.transpose())}}));
  }
}

TEST_CASE("soft_quantile, soft_median: exact at strength 0 (linear interpolation)", "[soft][sort]") {
  const RowArrayD x = random_array(3, 8, 503, -5.0, 5.0);
  tg::Scope<double> scope;
  for (double q : {0.0, 0.1, 0.5, 0.77, 1.0}) {
    const auto v = tg::soft_quantile(tg::Tensor<double>(x), q, {0.0, l2, ascending, 1});
    const auto m = tg::soft_median(tg::Tensor<double>(RowArrayD(x.transpose())), {0.0, kl, descending, 0});
    REQUIRE(v.rows() == 3);
    REQUIRE(v.cols() == 1);
    for (Eigen::Index r = 0; r < 3; ++r) {
      VecD s = row(x, r);
      std::sort(s.begin(), s.end());
      const double pos = q * 7;
      const auto lo = static_cast<std::size_t>(std::floor(pos));
      const double ref = s[lo] + (pos - lo) * (s[std::min<std::size_t>(lo + 1, 7)] - s[lo]);
      CHECK(v.value()(r, 0) == Approx(ref).epsilon(1e-14).margin(1e-14));
      CHECK(m.value()(0, r) == Approx((s[3] + s[4]) / 2).epsilon(1e-14));
    }
  }
}

TEST_CASE("spearman_loss: 1 - Spearman's rho at strength 0, gradcheck when soft", "[soft][sort]") {
  RowArrayD pred(2, 6), target(2, 6);
  pred << 0.1, 0.5, -0.3, 2.0, 1.0, 0.0,  //
      1.0, 2.0, 3.0, 4.0, 5.0, 6.0;
  target << 1.0, 3.0, 2.0, 6.0, 4.0, 5.0,  //
      6.0, 5.0, 4.0, 3.0, 2.0, 1.0;
  tg::Scope<double> scope;
  const tg::Var<double> hard = tg::spearman_loss(tg::Tensor<double>(pred), tg::Tensor<double>(target), {0.0});
  // Spearman's rho without ties: 1 - 6 sum d^2 / (n (n^2 - 1)).
  double expected = 0;
  for (Eigen::Index r = 0; r < 2; ++r) {
    const VecD a = hard_rank(row(pred, r)), b = hard_rank(row(target, r));
    double d2 = 0;
    for (int i = 0; i < 6; ++i) d2 += (a[i] - b[i]) * (a[i] - b[i]);
    expected += (1 - (1 - 6 * d2 / (6 * 35.0))) / 2;
  }
  CHECK(hard.value() == Approx(expected).epsilon(1e-12));
  const RowArrayD target2 = random_array(3, 7, 504);
  for (auto reg : {l2, kl})
    for (int axis : {0, 1}) {
      const RowArrayD p = axis == 1 ? random_array(3, 7, 505) : RowArrayD(random_array(3, 7, 505).transpose());
      const tg::Tensor<double> t(axis == 1 ? target2 : RowArrayD(target2.transpose()));
      auto r = tg::gradcheck([&](const auto& v) { return tg::spearman_loss(v[0], t, {0.2, reg, ascending, axis}); }, {{"pred", p}});
      INFO(r.report);
      CHECK(r.passed);
    }
}

TEST_CASE("soft_topk_accuracy: exact at strength 0, gradcheck when soft", "[soft][sort]") {
  RowArrayD logits(3, 4);
  logits << 0.1, 0.9, 0.5, 0.2,  //
      2.0, 1.0, 0.0, -1.0,       //
      0.3, 0.2, 0.1, 0.0;
  const std::vector<int> labels = {2, 3, 0};
  tg::Scope<double> scope;
  CHECK(tg::soft_topk_accuracy(tg::Tensor<double>(logits), labels, 2, {0.0}).value() == Approx(2.0 / 3));
  CHECK(tg::soft_topk_accuracy(tg::Tensor<double>(logits), labels, 1, {0.0}).value() == Approx(1.0 / 3));
  CHECK(tg::soft_topk_accuracy(tg::Tensor<double>(logits), labels, 4, {0.0}).value() == Approx(1.0));
  for (auto reg : {l2, kl})
    CHECK(tg::gradcheck([&](const auto& v) { return tg::soft_topk_accuracy(v[0], labels, 2, {0.2, reg}); }, {{"logits", logits}}));
}

TEST_CASE("soft_sort, soft_rank: strengths 1e-6 .. 1e3 give no NaN, in float and double", "[soft][sort]") {
  RowArrayD x = random_array(3, 40, 506, -1.0, 1.0);
  x.row(1) *= 1e4;
  x.row(2) *= 1e-4;
  x(0, 3) = x(0, 4);  // an exact tie
  const tg::RowArray<float> xf = x.cast<float>();
  for (auto reg : {l2, kl})
    for (double eps = 1e-6; eps <= 1e3 * 1.0001; eps *= 10) {
      INFO("kl " << (reg == kl) << " eps " << eps);
      for (bool rank : {false, true})
        for (auto dir : {ascending, descending}) {
          const tg::SoftSortOptions o{eps, reg, dir, 1};
          {
            tg::Scope<double> scope;
            const tg::Tensor<double> leaf(x, true);
            auto y = rank ? tg::soft_rank(leaf, o) : tg::soft_sort(leaf, o);
            tg::sum(y * y).backward();
            CHECK(y.value().allFinite());
            CHECK(leaf.grad().allFinite());
          }
          {
            tg::Scope<float> scope;
            const tg::Tensor<float> leaf(xf, true);
            auto y = rank ? tg::soft_rank(leaf, o) : tg::soft_sort(leaf, o);
            tg::sum(y * y).backward();
            CHECK(y.value().allFinite());
            CHECK(leaf.grad().allFinite());
            // float keeps the double result to float precision
            const RowArrayD yd = run(rank, x.cast<float>().cast<double>(), o);
            CHECK(((y.value().cast<double>() - yd).abs() <= 1e-4 * (1 + yd.abs())).all());
          }
        }
    }
}

TEST_CASE("soft_sort, soft_rank, soft_topk_mask: bad input", "[soft][sort]") {
  tg::Scope<double> scope;
  RowArrayD x = random_array(3, 4, 507);
  x(2, 1) = std::numeric_limits<double>::quiet_NaN();
  const std::string nan_msg = invalid_argument_message([&] { tg::soft_rank(tg::Tensor<double>(x)); });
  CHECK(nan_msg.find("tropigrad::soft_rank") != std::string::npos);
  CHECK(nan_msg.find("row 2, index 1") != std::string::npos);
  CHECK(nan_msg.find("nan") != std::string::npos);
  const std::string col_msg =
      invalid_argument_message([&] { tg::soft_sort(tg::Tensor<double>(RowArrayD(x.transpose())), {1.0, l2, ascending, 0}); });
  CHECK(col_msg.find("column 2, index 1") != std::string::npos);
  x(2, 1) = std::numeric_limits<double>::infinity();
  CHECK(invalid_argument_message([&] { tg::soft_sort(tg::Tensor<double>(x)); }).find("inf at row 2, index 1") != std::string::npos);
  const RowArrayD y = random_array(3, 4, 508);
  const std::string neg = invalid_argument_message([&] { tg::soft_sort(tg::Tensor<double>(y), {-0.5}); });
  CHECK(neg.find("strength") != std::string::npos);
  CHECK(neg.find("-0.5") != std::string::npos);
  CHECK_THROWS_AS(tg::soft_rank(tg::Tensor<double>(y), {std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
  CHECK_THROWS_AS(tg::soft_rank(tg::Tensor<double>(y), {1.0, l2, ascending, 2}), std::invalid_argument);
  for (Eigen::Index k : {0, 5, -1}) {
    const std::string m = invalid_argument_message([&] { tg::soft_topk_mask(tg::Tensor<double>(y), k); });
    CHECK(m.find("k must be in [1, n] = [1, 4]") != std::string::npos);
    CHECK(m.find("got " + std::to_string(k)) != std::string::npos);
  }
  const std::vector<double> short_w = {1.0, 2.0};
  CHECK_THROWS_AS(tg::soft_rank(tg::Tensor<double>(y), std::span<const double>(short_w)), std::invalid_argument);
  const std::vector<double> neg_w = {1.0, -2.0, 0.0, 1.0};
  CHECK(invalid_argument_message([&] { tg::soft_rank(tg::Tensor<double>(y), std::span<const double>(neg_w), {1.0, kl}); })
            .find("-2 at index 1") != std::string::npos);
  CHECK_THROWS_AS(tg::soft_quantile(tg::Tensor<double>(y), 1.5), std::invalid_argument);
  // Ops built on soft_sort / soft_rank name themselves, not the op they call (robustness sweep regression).
  RowArrayD inf_y = y;
  inf_y(1, 2) = std::numeric_limits<double>::infinity();
  const tg::Tensor<double> bad(inf_y);
  CHECK(invalid_argument_message([&] { tg::soft_topk_mask(bad, 2); }).rfind("tropigrad::soft_topk_mask: x must be finite", 0) == 0);
  CHECK(invalid_argument_message([&] { tg::soft_quantile(bad, 0.3); }).rfind("tropigrad::soft_quantile: x must be finite", 0) == 0);
  CHECK(invalid_argument_message([&] { tg::soft_median(bad); }).rfind("tropigrad::soft_median: x must be finite", 0) == 0);
  CHECK(invalid_argument_message([&] { tg::spearman_loss(bad, tg::Tensor<double>(y)); })
            .rfind("tropigrad::spearman_loss: x must be finite", 0) == 0);
  CHECK(invalid_argument_message([&] { tg::spearman_loss(tg::Tensor<double>(y), bad); })
            .rfind("tropigrad::spearman_loss: x must be finite", 0) == 0);
  CHECK(invalid_argument_message([&] { tg::soft_topk_accuracy(bad, std::vector<int>{0, 1, 2}, 2); })
            .rfind("tropigrad::soft_topk_accuracy: x must be finite", 0) == 0);
  CHECK(invalid_argument_message([&] { tg::soft_median(tg::Tensor<double>(y), {-1.0}); }).rfind("tropigrad::soft_median: strength", 0) == 0);
  CHECK_THROWS_AS(tg::spearman_loss(tg::Tensor<double>(y), tg::Tensor<double>(RowArrayD(y.transpose()))), std::invalid_argument);
  // Empty rows give empty results.
  const tg::Tensor<double> empty(RowArrayD(3, 0), true);
  CHECK(tg::soft_sort(empty).cols() == 0);
  CHECK(tg::soft_rank(empty, {0.5, kl}).rows() == 3);
  CHECK(tg::soft_topk_mask(empty, 1).size() == 0);
  const tg::Tensor<double> no_rows(RowArrayD(0, 5));
  CHECK(tg::soft_sort(no_rows).size() == 0);
}
