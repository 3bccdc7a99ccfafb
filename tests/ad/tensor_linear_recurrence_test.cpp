#include "tropigrad/ad/tensor_linear_recurrence.hpp"

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"

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
