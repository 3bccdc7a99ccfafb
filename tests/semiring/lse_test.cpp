#include "tropigrad/semiring/lse.hpp"

#include <array>
#include <cmath>
#include <limits>
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
std::string lse_message(auto&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no exception>";
}
}  // namespace

TEST_CASE("lse: binary matches the textbook formula in long double", "[semiring][lse]") {
  std::mt19937 rng(1);
  std::uniform_real_distribution<double> value(-50.0, 50.0);
  for (double eps : {0.05, 0.5, 1.0, 7.0, 100.0}) {
    for (int i = 0; i < 200; ++i) {
      const double a = value(rng), b = value(rng);
      const long double ref = eps * std::log(std::exp((long double)a / eps) + std::exp((long double)b / eps));
      INFO("eps=" << eps << " a=" << a << " b=" << b);
      CHECK(tg_test::close(tg::lse(eps, a, b), static_cast<double>(ref), 1e-14));
      CHECK(tg_test::close(tg::lse(static_cast<float>(eps), static_cast<float>(a), static_cast<float>(b)),
                           static_cast<double>(ref), 1e-6));
    }
  }
}

TEST_CASE("lse: binary is max plus the correction term", "[semiring][lse]") {
  // lse == max + lse_correction, and the correction lies in [0, eps*log 2].
  std::mt19937 rng(2);
  std::uniform_real_distribution<double> value(-5.0, 5.0);
  for (int i = 0; i < 1000; ++i) {
    const double eps = std::exp(value(rng)), a = value(rng), b = value(rng);
    const double correction = tg::lse_correction<double>(eps, a, b);
    CHECK(tg::lse(eps, a, b) == tg::max(a, b) + correction);
    CHECK(correction >= 0.0);
    CHECK(correction <= eps * std::log(2.0) * (1 + 1e-15));
  }
}

TEST_CASE("lse: lse(a, a) = a + eps log 2 (not idempotent)", "[semiring][lse]") {
  for (double eps : {1e-3, 0.3, 1.0, 20.0}) {
    for (double a : {-7.0, 0.0, 3.25, 1e6}) {
      CHECK(tg_test::close(tg::lse(eps, a, a), a + eps * std::log(2.0), 1e-15));
    }
  }
}

TEST_CASE("lse: binary infinities", "[semiring][lse]") {
  CHECK(tg::lse(0.5, -inf, 3.0) == 3.0);
  CHECK(tg::lse(0.5, 3.0, -inf) == 3.0);
  CHECK(tg::lse(0.5, -inf, -inf) == -inf);
  CHECK(tg::lse(0.5, inf, 3.0) == inf);
  CHECK(tg::lse(0.5, inf, inf) == inf);
  CHECK(tg::lse(0.5, inf, -inf) == inf);
  CHECK(tg::lse(0.5f, -std::numeric_limits<float>::infinity(), -2.0f) == -2.0f);
}

TEST_CASE("lse: eps may be given in another floating type", "[semiring][lse]") {
  CHECK(tg::lse(0.5, 1.0f, 2.0f) == tg::lse(0.5f, 1.0f, 2.0f));
  const std::vector<float> v{1.0f, 2.0f};
  CHECK(tg::lse(0.5, v) == tg::lse(0.5f, 1.0f, 2.0f));
}

TEST_CASE("lse: n-ary overloads agree with the reference", "[semiring][lse]") {
  const std::vector<double> v{0.3, -1.2, 2.5, 2.4, -inf, 0.0};
  const std::vector<long double> vl(v.begin(), v.end());
  const double ref = static_cast<double>(tg_test::reference_lse(0.7L, vl));
  CHECK(tg_test::close(tg::lse(0.7, v), ref, 1e-14));
  CHECK(tg_test::close(tg::lse(0.7, std::span<const double>(v)), ref, 1e-14));
  const std::array<double, 6> arr{0.3, -1.2, 2.5, 2.4, -inf, 0.0};
  CHECK(tg_test::close(tg::lse(0.7, arr), ref, 1e-14));
  CHECK(tg_test::close(tg::lse(0.7, {0.3, -1.2, 2.5, 2.4, -inf, 0.0}), ref, 1e-14));
  const Eigen::VectorXd ev = Eigen::Map<const Eigen::VectorXd>(v.data(), 6);
  CHECK(tg_test::close(tg::lse(0.7, ev), ref, 1e-14));
  Eigen::MatrixXd em(2, 3);
  em << 0.3, -1.2, 2.5, 2.4, -inf, 0.0;
  CHECK(tg_test::close(tg::lse(0.7, em), ref, 1e-14));
  CHECK(tg_test::close(tg::lse(0.7, em.array() * 1.0), ref, 1e-14));  // expression
  CHECK(tg_test::close(tg::lse(0.7, em.row(0)), static_cast<double>(tg_test::reference_lse(0.7L, {0.3L, -1.2L, 2.5L})),
                       1e-14));
  // Binary and n-ary agree.
  CHECK(tg_test::close(tg::lse(0.7, {1.0, 2.0}), tg::lse(0.7, 1.0, 2.0), 1e-15));
}

TEST_CASE("lse: n-ary edge cases", "[semiring][lse]") {
  CHECK(tg::lse(1.0, std::vector<double>{}) == -inf);
  CHECK(tg::lse(1.0, std::vector<double>{-inf, -inf}) == -inf);
  CHECK(tg::lse(1.0, std::vector<double>{1.0, inf, -inf}) == inf);
  CHECK(tg::lse(1.0, std::vector<double>{4.0}) == 4.0);
  // n equal entries: a + eps log n.
  CHECK(tg_test::close(tg::lse(0.25, std::vector<double>(10, 2.0)), 2.0 + 0.25 * std::log(10.0), 1e-15));
}

TEST_CASE("lse: max <= LSE_eps(x) <= max + eps log n on random vectors", "[semiring][lse]") {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> size(1, 40);
  for (int trial = 0; trial < 300; ++trial) {
    const auto v = tg_test::random_vector(rng, static_cast<std::size_t>(size(rng)), -100.0, 100.0);
    const double m = *std::max_element(v.begin(), v.end());
    for (double eps : {1e-3, 0.1, 1.0, 10.0}) {
      const double r = tg::lse(eps, v);
      const double slack = 1e-13 * std::max(1.0, std::abs(m));
      CHECK(r >= m - slack);
      CHECK(r <= m + eps * std::log(static_cast<double>(v.size())) + slack);
    }
  }
}

TEST_CASE("lse: LSE_eps -> max as eps -> 0 with error <= eps log n", "[semiring][lse]") {
  std::mt19937 rng(4);
  const auto v = tg_test::random_vector(rng, 25, -3.0, 3.0);
  const double m = *std::max_element(v.begin(), v.end());
  double previous_error = inf;
  for (double eps : {1.0, 1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6}) {
    const double error = tg::lse(eps, v) - m;
    INFO("eps=" << eps);
    CHECK(error >= 0.0);
    CHECK(error <= eps * std::log(25.0) + 1e-15);
    CHECK(error <= previous_error);
    previous_error = error;
  }
  CHECK(previous_error <= 1e-6 * std::log(25.0));
}

template <class T>
void overflow_sweep() {
  const T big = static_cast<T>(1e30);
  const std::vector<T> magnitudes{T(0), static_cast<T>(1e-30), T(1), static_cast<T>(1e10), big};
  std::vector<T> values;
  for (T m : magnitudes) {
    values.push_back(m);
    values.push_back(-m);
  }
  const T log2 = std::log(T(2));
  for (double eps_d : {1e-6, 1e-3, 1.0, 1e3, 1e6}) {
    const T eps = static_cast<T>(eps_d);
    for (T a : values) {
      for (T b : values) {
        const T r = tg::lse(eps, a, b);
        const T m = tg::max(a, b);
        INFO("eps=" << eps << " a=" << a << " b=" << b << " r=" << r);
        REQUIRE(std::isfinite(r));
        CHECK(r >= m);
        CHECK(r <= m + eps * log2 * T(1.0001) + std::abs(m) * std::numeric_limits<T>::epsilon());
      }
    }
    const T r = tg::lse(eps, values);
    CHECK(std::isfinite(r));
    CHECK(r >= big);
    CHECK(r <= big + eps * std::log(static_cast<T>(values.size())) * T(1.0001) +
                   big * std::numeric_limits<T>::epsilon());
    // Infinite inputs give the correct infinity, never NaN.
    CHECK(tg::lse(eps, big, std::numeric_limits<T>::infinity()) == std::numeric_limits<T>::infinity());
    CHECK(tg::lse(eps, -big, -std::numeric_limits<T>::infinity()) == -big);
    // Extreme finite values: a - b overflows to inf internally, result exact.
    const T top = std::numeric_limits<T>::max();
    CHECK(tg::lse(eps, top, -top) == top);
    CHECK(tg::lse(eps, {top, -top, T(0)}) == top);
  }
}

TEST_CASE("lse: no overflow and no NaN for |x| up to 1e30, eps 1e-6..1e6 (double)", "[semiring][lse]") {
  overflow_sweep<double>();
}

TEST_CASE("lse: no overflow and no NaN for |x| up to 1e30, eps 1e-6..1e6 (float)", "[semiring][lse]") {
  overflow_sweep<float>();
}

TEST_CASE("lse: invalid eps throws std::invalid_argument naming eps and its value", "[semiring][lse]") {
  for (double eps : {0.0, -1.0, -1e-300, std::nan(""), inf, -inf}) {
    const std::string m1 = lse_message([&] { (void)tg::lse(eps, 1.0, 2.0); });
    const std::string m2 = lse_message([&] { (void)tg::lse(eps, std::vector<double>{1.0, 2.0}); });
    const std::string m3 = lse_message([&] { (void)tg::lse(static_cast<float>(eps), 1.0f, 2.0f); });
    const std::string value = tg::format_number(eps);
    INFO(m1 << " | " << m2 << " | " << m3);
    CHECK(m1.find("tropigrad::lse: eps must be a finite number > 0, got " + value) == 0);
    CHECK(m2.find("eps") != std::string::npos);
    CHECK(m2.find("got " + value) != std::string::npos);
    // float(-1e-300) is -0: the message reports the float value received.
    CHECK(m3.find("got " + tg::format_number(static_cast<double>(static_cast<float>(eps)))) != std::string::npos);
  }
  // The vector overload validates eps even for empty input.
  CHECK_THROWS_AS(tg::lse(-1.0, std::vector<double>{}), std::invalid_argument);
}

TEST_CASE("lse: NaN input throws naming the argument or index", "[semiring][lse]") {
  const double nan = std::nan("");
  CHECK(lse_message([&] { (void)tg::lse(1.0, nan, 2.0); }).find("argument a is NaN") != std::string::npos);
  CHECK(lse_message([&] { (void)tg::lse(1.0, 2.0, nan); }).find("argument b is NaN") != std::string::npos);
  CHECK(lse_message([&] { (void)tg::lse(1.0, -inf, nan); }).find("argument b is NaN") != std::string::npos);
  CHECK(lse_message([&] { (void)tg::lse(1.0, std::vector<double>{1.0, 2.0, nan, 0.0}); }) ==
        "tropigrad::lse: values is NaN at index 2; inputs must not contain NaN");
  // NaN next to +inf or only -inf is still reported.
  CHECK(lse_message([&] { (void)tg::lse(1.0, std::vector<double>{inf, nan}); }).find("index 1") !=
        std::string::npos);
  CHECK(lse_message([&] { (void)tg::lse(1.0, std::vector<double>{-inf, nan}); }).find("index 1") !=
        std::string::npos);
  CHECK(lse_message([&] { (void)tg::lse(1.0, std::vector<double>{nan}); }).find("index 0") != std::string::npos);
}
