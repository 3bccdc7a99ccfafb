#include "tropigrad/semiring/softmax.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"

namespace tg = tropigrad;
using tg_test::inf;

namespace {
std::string softmax_message(auto&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no exception>";
}

/// Textbook softmax in long double (moderate inputs only).
std::vector<long double> reference_softmax(long double eps, const std::vector<double>& x) {
  std::vector<long double> e(x.size());
  long double sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    e[i] = std::exp(static_cast<long double>(x[i]) / eps);
    sum += e[i];
  }
  for (auto& v : e) v /= sum;
  return e;
}
}  // namespace

TEST_CASE("softmax: matches the textbook formula for moderate inputs", "[semiring][softmax]") {
  std::mt19937 rng(10);
  for (double eps : {0.3, 1.0, 5.0}) {
    const auto x = tg_test::random_vector(rng, 17, -10.0, 10.0);
    const auto ref = reference_softmax(eps, x);
    const auto p = tg::softmax(eps, x);
    REQUIRE(p.size() == x.size());
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(tg_test::close(p[i], static_cast<double>(ref[i]), 1e-13));
  }
}

TEST_CASE("softmax: is the gradient of lse (central differences)", "[semiring][softmax]") {
  std::mt19937 rng(11);
  const auto x = tg_test::random_vector(rng, 6, -2.0, 2.0);
  const double eps = 0.8, h = 1e-6;
  const auto p = tg::softmax(eps, x);
  for (std::size_t i = 0; i < x.size(); ++i) {
    auto up = x, down = x;
    up[i] += h;
    down[i] -= h;
    const double fd = (tg::lse(eps, up) - tg::lse(eps, down)) / (2 * h);
    CHECK(std::abs(fd - p[i]) < 1e-8);
  }
}

TEST_CASE("softmax: overloads agree", "[semiring][softmax]") {
  const std::vector<double> x{0.5, -1.0, 2.0, -inf};
  const auto p = tg::softmax(0.5, x);
  CHECK(p[3] == 0.0);
  std::array<double, 4> out{};
  tg::softmax(0.5, x, out);
  for (std::size_t i = 0; i < 4; ++i) CHECK(out[i] == p[i]);
  const auto q = tg::softmax(0.5, {0.5, -1.0, 2.0, -inf});
  for (std::size_t i = 0; i < 4; ++i) CHECK(q[i] == p[i]);
  std::vector<double> in_place = x;
  tg::softmax(0.5, in_place, in_place);
  for (std::size_t i = 0; i < 4; ++i) CHECK(in_place[i] == p[i]);
  tg::softmax(0.5, std::span<const double>(x), std::span<double>(out));
  for (std::size_t i = 0; i < 4; ++i) CHECK(out[i] == p[i]);
  // Eigen: same shape, each coefficient in its place.
  Eigen::Matrix2d m;
  m << 0.5, 2.0, -1.0, -inf;  // column-major storage: 0.5, -1, 2, -inf
  const Eigen::Matrix2d pm = tg::softmax(0.5, m);
  CHECK(pm(0, 0) == p[0]);
  CHECK(pm(1, 0) == p[1]);
  CHECK(pm(0, 1) == p[2]);
  CHECK(pm(1, 1) == p[3]);
  const Eigen::ArrayXf pf = tg::softmax(0.5f, Eigen::ArrayXf::LinSpaced(5, 0.0f, 1.0f));
  CHECK(std::abs(pf.sum() - 1.0f) < 1e-6f);
  CHECK(pf(4) > pf(0));
  // Empty in, empty out.
  CHECK(tg::softmax(1.0, std::vector<double>{}).empty());
}

TEST_CASE("softmax: +inf entries share the mass", "[semiring][softmax]") {
  const auto p = tg::softmax(2.0, std::vector<double>{inf, 1.0, inf, -inf});
  CHECK(p == std::vector<double>{0.5, 0.0, 0.5, 0.0});
}

template <class T>
void softmax_sweep() {
  std::mt19937 rng(12);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  for (double scale : {1e-30, 1.0, 1e10, 1e30}) {
    for (double eps_d : {1e-6, 1e-3, 1.0, 1e3, 1e6}) {
      std::vector<T> x(9);
      for (auto& v : x) v = static_cast<T>(unit(rng) * scale);
      x[4] = -std::numeric_limits<T>::infinity();
      const auto p = tg::softmax(static_cast<T>(eps_d), x);
      T sum = 0;
      for (T v : p) {
        REQUIRE(std::isfinite(v));
        CHECK(v >= T(0));
        CHECK(v <= T(1));
        sum += v;
      }
      CHECK(p[4] == T(0));
      CHECK(std::abs(sum - T(1)) <= T(10) * std::numeric_limits<T>::epsilon());
      // The largest entry gets the largest probability.
      const auto arg_x = std::max_element(x.begin(), x.end()) - x.begin();
      CHECK(*std::max_element(p.begin(), p.end()) == p[static_cast<std::size_t>(arg_x)]);
    }
  }
}

TEST_CASE("softmax: finite, in [0, 1], sums to 1 for |x| up to 1e30 (double)", "[semiring][softmax]") {
  softmax_sweep<double>();
}

TEST_CASE("softmax: finite, in [0, 1], sums to 1 for |x| up to 1e30 (float)", "[semiring][softmax]") {
  softmax_sweep<float>();
}

TEST_CASE("softmax: bad input throws std::invalid_argument with a precise message", "[semiring][softmax]") {
  const double nan = std::nan("");
  CHECK(softmax_message([] { (void)tg::softmax(0.0, std::vector<double>{1.0}); })
            .find("tropigrad::softmax: eps must be a finite number > 0, got 0") == 0);
  CHECK(softmax_message([&] { (void)tg::softmax(nan, std::vector<double>{1.0}); }).find("eps") != std::string::npos);
  CHECK(softmax_message([] { (void)tg::softmax(1.0, std::vector<double>{-inf, -inf}); }) ==
        "tropigrad::softmax: all 2 entries of values are -inf, so softmax is undefined (0/0); at least one entry "
        "must be > -inf");
  CHECK(softmax_message([&] { (void)tg::softmax(1.0, std::vector<double>{0.0, 1.0, 2.0, nan}); }) ==
        "tropigrad::softmax: values is NaN at index 3; inputs must not contain NaN");
  CHECK(softmax_message([&] { (void)tg::softmax(1.0, std::vector<double>{-inf, nan}); }).find("index 1") !=
        std::string::npos);
  CHECK(softmax_message([&] { (void)tg::softmax(1.0, std::vector<double>{inf, nan}); }).find("index 1") !=
        std::string::npos);
  std::vector<double> in_place{0.0, nan, 1.0};
  CHECK(softmax_message([&] { tg::softmax(1.0, in_place, in_place); }).find("index 1") != std::string::npos);
  std::vector<double> too_small(2);
  CHECK(softmax_message([&] { tg::softmax(1.0, std::vector<double>{1.0, 2.0, 3.0}, too_small); }) ==
        "tropigrad::softmax: out has size 2 but values has size 3; they must be equal");
}
