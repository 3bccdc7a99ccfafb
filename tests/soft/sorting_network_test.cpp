// Tests of soft/sorting_network.hpp against std::sort, the defining properties of
// the soft permutation matrix, the semiring definition of the logsumexp swap, and gradcheck.

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/soft/sorting_network.hpp"
#include "soft_test_util.hpp"

namespace tg = tropigrad;
using RowArrayD = tg::RowArray<double>;
using soft_test::random_array;

namespace {

constexpr tg::SwapRelaxation relaxations[] = {tg::SwapRelaxation::logsumexp, tg::SwapRelaxation::logistic,
                                              tg::SwapRelaxation::cauchy, tg::SwapRelaxation::optimal};
constexpr tg::SortingNetwork networks[] = {tg::SortingNetwork::odd_even, tg::SortingNetwork::bitonic};

tg::SortingNetworkOptions options(tg::SortingNetwork net, tg::SwapRelaxation rel, double eps,
                                  tg::SortDirection dir = tg::SortDirection::ascending, bool perm = false) {
  tg::SortingNetworkOptions o;
  o.network = net;
  o.relaxation = rel;
  o.eps = eps;
  o.direction = dir;
  o.return_permutation = perm;
  return o;
}

}  // namespace

TEST_CASE("sorting networks: eps = 0 and eps -> 0 equal std::sort, P is the hard permutation", "[soft][network]") {
  for (auto net : networks)
    for (int n : {1, 2, 3, 5, 8, 13, 16, 17}) {
      const RowArrayD x = random_array(3, n, 600 + n, -10.0, 10.0);
      for (auto rel : relaxations)
        for (auto dir : {tg::SortDirection::ascending, tg::SortDirection::descending}) {
          INFO("bitonic " << (net == tg::SortingNetwork::bitonic) << " n " << n << " relaxation " << static_cast<int>(rel));
          tg::Scope<double> scope;
          const auto hard = tg::sorting_network_sort(tg::Tensor<double>(x), options(net, rel, 0.0, dir, true));
          const auto soft = tg::sorting_network_sort(tg::Tensor<double>(x), options(net, rel, 1e-9, dir));
          for (Eigen::Index r = 0; r < 3; ++r) {
            std::vector<double> s(x.row(r).data(), x.row(r).data() + n);
            std::sort(s.begin(), s.end());
            if (dir == tg::SortDirection::descending) std::reverse(s.begin(), s.end());
            const Eigen::Map<const RowArrayD> P(hard.permutation.value().data() + r * n * n, n, n);
            const RowArrayD Px = (P.matrix() * x.row(r).matrix().transpose()).transpose().array();
            for (int i = 0; i < n; ++i) {
              CHECK(hard.values.value()(r, i) == s[i]);
              CHECK(soft.values.value()(r, i) == Approx(s[i]).margin(1e-7));
              CHECK(Px(0, i) == s[i]);
            }
            CHECK(((P == 0) || (P == 1)).all());
            CHECK((P.rowwise().sum() == 1).all());
            CHECK((P.colwise().sum() == 1).all());
          }
        }
    }
}

TEST_CASE("sorting networks: soft permutation matrices are doubly stochastic; P x = values for diffsort", "[soft][network]") {
  const int n = 11;
  const RowArrayD x = random_array(2, n, 610, -2.0, 2.0);
  for (auto net : networks)
    for (auto rel : relaxations)
      for (double eps : {0.05, 0.5, 5.0}) {
        INFO("bitonic " << (net == tg::SortingNetwork::bitonic) << " relaxation " << static_cast<int>(rel) << " eps " << eps);
        tg::Scope<double> scope;
        const auto res = tg::sorting_network_sort(tg::Tensor<double>(x), options(net, rel, eps, tg::SortDirection::ascending, true));
        REQUIRE(res.permutation.rows() == 2 * n);
        REQUIRE(res.permutation.cols() == n);
        for (Eigen::Index r = 0; r < 2; ++r) {
          const Eigen::Map<const RowArrayD> P(res.permutation.value().data() + r * n * n, n, n);
          CHECK((P >= 0).all());
          CHECK((P.rowwise().sum() - 1).abs().maxCoeff() < 1e-12);
          CHECK((P.colwise().sum() - 1).abs().maxCoeff() < 1e-12);
          const RowArrayD Px = (P.matrix() * x.row(r).matrix().transpose()).transpose().array();
          if (rel != tg::SwapRelaxation::logsumexp) {
            CHECK((Px - res.values.value().row(r)).abs().maxCoeff() < 1e-12);
          }
          // Every relaxation is monotone enough to keep the outputs' total (logsumexp adds a
          // non-negative smoothing to the max and removes it from the min: the total moves by
          // at most eps log 2 per comparator, and stays exact for the convex diffsort swaps).
          if (rel != tg::SwapRelaxation::logsumexp) CHECK(res.values.value().row(r).sum() == Approx(x.row(r).sum()));
        }
      }
}

TEST_CASE("sorting network logsumexp swap: LSE_eps max and -LSE_eps(-a, -b) min, from the semiring", "[soft][network]") {
  RowArrayD x(1, 2);
  x << 0.3, -0.4;
  const double eps = 0.7;
  tg::Scope<double> scope;
  const auto res = tg::sorting_network_sort(tg::Tensor<double>(x), options(tg::SortingNetwork::odd_even, tg::SwapRelaxation::logsumexp, eps));
  const double hi = eps * std::log(std::exp(0.3 / eps) + std::exp(-0.4 / eps));
  const double lo = -eps * std::log(std::exp(-0.3 / eps) + std::exp(0.4 / eps));
  CHECK(res.values.value()(0, 0) == Approx(lo).epsilon(1e-14));
  CHECK(res.values.value()(0, 1) == Approx(hi).epsilon(1e-14));
}

TEST_CASE("sorting networks: gradcheck of values and of soft_argsort", "[soft][network]") {
  const RowArrayD x = random_array(2, 6, 620, -1.0, 1.0);
  for (auto net : networks)
    for (auto rel : relaxations)
      for (auto dir : {tg::SortDirection::ascending, tg::SortDirection::descending}) {
        INFO("bitonic " << (net == tg::SortingNetwork::bitonic) << " relaxation " << static_cast<int>(rel)
                        << " descending " << (dir == tg::SortDirection::descending));
        const auto o = options(net, rel, 0.4, dir);
        auto a = tg::gradcheck([&](const auto& v) { return tg::sorting_network_sort(v[0], o).values; }, {{"x", x}});
        INFO(a.report);
        CHECK(a.passed);
        auto b = tg::gradcheck([&](const auto& v) { return tg::soft_argsort(v[0], o); }, {{"x", x}});
        INFO(b.report);
        CHECK(b.passed);
      }
  // Near ties at a small eps.
  RowArrayD ties(1, 5);
  ties << 0.5, 0.5 + 1e-3, 0.5 - 2e-3, -0.2, -0.2 + 5e-4;
  tg::GradcheckOptions opt;
  opt.step = 1e-9;
  opt.rtol = 1e-4;
  opt.atol = 1e-5;
  for (auto rel : relaxations) {
    const auto o = options(tg::SortingNetwork::bitonic, rel, 0.01);
    CHECK(tg::gradcheck([&](const auto& v) { return tg::sorting_network_sort(v[0], o).values; }, {{"x", ties}}, opt));
    CHECK(tg::gradcheck([&](const auto& v) { return tg::soft_argsort(v[0], o); }, {{"x", ties}}, opt));
  }
}

TEST_CASE("sorting networks: bad input", "[soft][network]") {
  tg::Scope<double> scope;
  RowArrayD x = random_array(2, 4, 630);
  x(1, 3) = std::numeric_limits<double>::quiet_NaN();
  try {
    tg::sorting_network_sort(tg::Tensor<double>(x));
    FAIL("no throw");
  } catch (const std::invalid_argument& e) {
    const std::string m = e.what();
    CHECK(m.find("tropigrad::sorting_network_sort") != std::string::npos);
    CHECK(m.find("row 1, index 3") != std::string::npos);
  }
  tg::SortingNetworkOptions o;
  o.eps = -1;
  CHECK_THROWS_AS(tg::sorting_network_sort(tg::Tensor<double>(random_array(2, 4, 631)), o), std::invalid_argument);
  {  // soft_argsort names itself, not sorting_network_sort (robustness sweep regression)
    RowArrayD inf_x = random_array(2, 4, 632);
    inf_x(1, 1) = std::numeric_limits<double>::infinity();
    try {
      tg::soft_argsort(tg::Tensor<double>(inf_x));
      FAIL("no exception");
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).rfind("tropigrad::soft_argsort: x must be finite", 0) == 0);
    }
  }
  // Empty rows: empty results.
  const auto e = tg::sorting_network_sort(tg::Tensor<double>(RowArrayD(3, 0)), options(tg::SortingNetwork::bitonic, tg::SwapRelaxation::logistic, 0.1, tg::SortDirection::ascending, true));
  CHECK(e.values.size() == 0);
  CHECK(e.permutation.size() == 0);
}
