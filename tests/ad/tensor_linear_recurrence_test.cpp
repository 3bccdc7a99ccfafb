#include "tropigrad/ad/tensor_linear_recurrence.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/tensor_sum.hpp"

namespace tg = tropigrad;

namespace {
tg::RowArray<double> random_array(tg::Index rows, tg::Index cols, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  tg::RowArray<double> a(rows, cols);
  for (tg::Index i = 0; i < a.size(); ++i) a.data()[i] = d(rng);
  return a;
}

tg::RowArray<double> naive_recurrence(const tg::RowArray<double>& u, double a) {
  tg::RowArray<double> h(u.rows(), u.cols());
  for (tg::Index f = 0; f < u.cols(); ++f) {
    double state = 0;
    for (tg::Index t = 0; t < u.rows(); ++t) {
      state = t == 0 ? u(t, f) : u(t, f) + a * state;
      h(t, f) = state;
    }
  }
  return h;
}
}  // namespace

TEST_CASE("linear_recurrence forward matches a naive loop", "[ad][tensor][linear_recurrence]") {
  tg::tape<double>().reset();
  const auto u = random_array(37, 5, 1);
  for (double a : {-0.9, -0.3, 0.0, 0.5, 0.97}) {
    const tg::Tensor<double> ut(u);
    const auto expected = naive_recurrence(u, a);
    CHECK((tg::linear_recurrence(ut, a).value() - expected).abs().maxCoeff() < 1e-12);
    CHECK((tg::linear_recurrence(ut, tg::Var<double>::constant(a)).value() - expected).abs().maxCoeff() < 1e-12);
    CHECK((tg::linear_recurrence(ut, tg::Tensor<double>(a)).value() - expected).abs().maxCoeff() < 1e-12);
  }
  // One step: h = u. A single column: a scalar AR(1) chain.
  const auto one = random_array(1, 4, 2);
  CHECK((tg::linear_recurrence(tg::Tensor<double>(one), 0.7).value() - one).abs().maxCoeff() == 0.0);
  const auto col = random_array(50, 1, 3);
  CHECK((tg::linear_recurrence(tg::Tensor<double>(col), 0.8).value() - naive_recurrence(col, 0.8)).abs().maxCoeff() <
        1e-12);
  tg::tape<double>().reset();
}

TEST_CASE("linear_recurrence gradcheck with a 1x1 Tensor decay", "[ad][tensor][linear_recurrence]") {
  for (unsigned seed : {11u, 12u, 13u}) {
    std::mt19937 rng(seed);
    const double a = std::uniform_real_distribution<double>(-0.95, 0.95)(rng);
    const auto result = tg::gradcheck(
        [](const std::vector<tg::Tensor<double>>& in) { return tg::linear_recurrence(in[0], in[1]); },
        {{"u", random_array(9, 3, seed)}, {"a", tg::RowArray<double>::Constant(1, 1, a)}});
    INFO(result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("linear_recurrence gradcheck with a Var decay", "[ad][tensor][linear_recurrence]") {
  // The decay enters as a scalar Var: sum(a_tensor) turns a 1x1 leaf into a Var.
  const auto result = tg::gradcheck(
      [](const std::vector<tg::Tensor<double>>& in) {
        const tg::Var<double> a = tg::sum(in[1]);
        return tg::linear_recurrence(in[0] * 2.0, a);
      },
      {{"u", random_array(12, 4, 21)}, {"a", tg::RowArray<double>::Constant(1, 1, -0.6)}});
  INFO(result.report);
  CHECK(result.passed);

  // Directly against the reverse-scan formula with a leaf Var.
  tg::tape<double>().reset();
  const auto u = random_array(20, 2, 22);
  const tg::Tensor<double> ut(u, true);
  const tg::Var<double> a(0.8);
  const tg::Var<double> loss = tg::sum(tg::linear_recurrence(ut, a));
  loss.backward();
  const auto h = naive_recurrence(u, 0.8);
  // With g_h = 1 everywhere: g_u[t] = sum_{k=0}^{T-1-t} a^k; g_a = sum_t g_u[t] h[t-1].
  double ga = 0, gu_next = 0;
  for (tg::Index t = u.rows(); t-- > 0;) {
    const double gu = 1.0 + 0.8 * gu_next;
    CHECK(ut.grad()(t, 0) == Approx(gu).epsilon(1e-12));
    CHECK(ut.grad()(t, 1) == Approx(gu).epsilon(1e-12));
    if (t > 0) ga += gu * (h(t - 1, 0) + h(t - 1, 1));
    gu_next = gu;
  }
  CHECK(a.grad() == Approx(ga).epsilon(1e-12));
  tg::tape<double>().reset();
}

TEST_CASE("linear_recurrence gradcheck with a constant decay", "[ad][tensor][linear_recurrence]") {
  for (double a : {-0.99, 0.0, 0.4, 0.9}) {
    const auto result = tg::gradcheck(
        [a](const std::vector<tg::Tensor<double>>& in) { return tg::linear_recurrence(in[0], a); },
        {{"u", random_array(15, 3, 31)}});
    INFO(result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("linear_recurrence rejects a non-scalar decay", "[ad][tensor][linear_recurrence]") {
  tg::tape<double>().reset();
  const tg::Tensor<double> u(random_array(4, 2, 41));
  const tg::Tensor<double> a(random_array(1, 2, 42));
  try {
    (void)tg::linear_recurrence(u, a);
    FAIL("expected std::invalid_argument");
  } catch (const std::invalid_argument& e) {
    const std::string message = e.what();
    CHECK(message.find("'a'") != std::string::npos);
    CHECK(message.find("1x2") != std::string::npos);
  }
  tg::tape<double>().reset();
}

namespace {
// Long double reference with an optional stationary start h[0] = u[0] / sqrt(1 - a^2).
std::vector<long double> reference_chain(const tg::RowArray<double>& u, double a, bool stationary) {
  std::vector<long double> h(static_cast<std::size_t>(u.rows()));
  long double state = 0;
  for (tg::Index t = 0; t < u.rows(); ++t) {
    state = t == 0 ? (stationary ? u(0, 0) / std::sqrt(1.0L - static_cast<long double>(a) * a) : u(0, 0))
                   : u(t, 0) + a * state;
    h[static_cast<std::size_t>(t)] = state;
  }
  return h;
}
}  // namespace

TEST_CASE("linear_recurrence: long single chains (the blocked scan) match a long double loop",
          "[ad][tensor][linear_recurrence]") {
  tg::tape<double>().reset();
  // Lengths around the block boundaries of the blocked scan (4 blocks, used from 32 steps).
  for (tg::Index n : {31, 32, 33, 35, 100, 1001, 8193}) {
    const auto u = random_array(n, 1, static_cast<unsigned>(n), -1e3, 1e3);
    for (double a : {-0.999, -0.5, 0.0, 0.3, 0.9, 0.999, 1.001}) {
      for (bool stationary : {false, true}) {
        if (stationary && std::abs(a) >= 1) continue;
        const auto start = stationary ? tg::RecurrenceStart::stationary : tg::RecurrenceStart::zero;
        const auto h = tg::linear_recurrence(tg::Tensor<double>(u), a, start).value();
        const auto ref = reference_chain(u, a, stationary);
        long double scale = 1;
        for (long double v : ref) scale = std::max(scale, std::abs(v));
        double worst = 0;
        for (tg::Index t = 0; t < n; ++t)
          worst = std::max(worst, static_cast<double>(std::abs(h(t, 0) - ref[static_cast<std::size_t>(t)]) / scale));
        INFO("n = " << n << ", a = " << a << ", stationary = " << stationary);
        CHECK(worst < 1e-13);
      }
    }
  }
  tg::tape<double>().reset();
}

TEST_CASE("linear_recurrence: a NaN or inf inside a long chain reaches every later step",
          "[ad][tensor][linear_recurrence]") {
  tg::tape<double>().reset();
  auto u = random_array(200, 1, 51);
  u(70, 0) = std::nan("");
  const auto h = tg::linear_recurrence(tg::Tensor<double>(u), 0.5).value();
  CHECK_FALSE(std::isnan(h(69, 0)));
  for (tg::Index t = 70; t < 200; ++t) CHECK(std::isnan(h(t, 0)));
  u(70, 0) = HUGE_VAL;
  const auto h2 = tg::linear_recurrence(tg::Tensor<double>(u), 0.5).value();
  for (tg::Index t = 70; t < 200; ++t) CHECK(h2(t, 0) == HUGE_VAL);
  tg::tape<double>().reset();
}

TEST_CASE("linear_recurrence stationary start: gradcheck (single long chain and several features)",
          "[ad][tensor][linear_recurrence][gradcheck]") {
  for (unsigned seed : {61u, 62u}) {
    std::mt19937 rng(seed);
    const double a = std::uniform_real_distribution<double>(-0.95, 0.95)(rng);
    for (tg::Index features : {1, 3}) {
      const tg::Index steps = features == 1 ? 120 : 9;  // 120 steps use the blocked scan both ways
      const auto result = tg::gradcheck(
          [](const std::vector<tg::Tensor<double>>& in) {
            return tg::linear_recurrence(in[0], in[1], tg::RecurrenceStart::stationary);
          },
          {{"u", random_array(steps, features, seed, -1e3, 1e3)}, {"a", tg::RowArray<double>::Constant(1, 1, a)}},
          {1e-6, 1e-5, 1e-4});
      INFO(result.report);
      CHECK(result.passed);
    }
    // The zero start over a long chain too (blocked reverse scan).
    const auto zero = tg::gradcheck(
        [](const std::vector<tg::Tensor<double>>& in) { return tg::linear_recurrence(in[0], in[1]); },
        {{"u", random_array(120, 1, seed + 5)}, {"a", tg::RowArray<double>::Constant(1, 1, a)}});
    INFO(zero.report);
    CHECK(zero.passed);
  }
}

TEST_CASE("linear_recurrence stationary start: the closed-form gradient of h[0]", "[ad][tensor][linear_recurrence]") {
  tg::tape<double>().reset();
  // h[0] = u[0] / sqrt(1 - a^2): d/du[0] = 1 / sqrt(1 - a^2), d/da = u[0] a / (1 - a^2)^(3/2).
  const double a_value = 0.6, u0 = 1.7;
  tg::Tensor<double> u(tg::RowArray<double>::Constant(1, 1, u0), true);
  const tg::Var<double> a(a_value);
  tg::sum(tg::linear_recurrence(u, a, tg::RecurrenceStart::stationary)).backward();
  CHECK(u.grad()(0, 0) == Approx(1.0 / std::sqrt(1 - a_value * a_value)));
  CHECK(a.grad() == Approx(u0 * a_value / std::pow(1 - a_value * a_value, 1.5)));
  tg::tape<double>().reset();
}

TEST_CASE("linear_recurrence stationary start needs |a| < 1", "[ad][tensor][linear_recurrence]") {
  tg::tape<double>().reset();
  const tg::Tensor<double> u(random_array(4, 2, 71));
  for (double a : {1.0, -1.0, 1.5, std::nan("")}) {
    try {
      (void)tg::linear_recurrence(u, a, tg::RecurrenceStart::stationary);
      FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      CHECK(message.find("tropigrad::linear_recurrence") != std::string::npos);
      CHECK(message.find("'a'") != std::string::npos);
      CHECK(message.find("|a| < 1") != std::string::npos);
    }
  }
  tg::tape<double>().reset();
}
