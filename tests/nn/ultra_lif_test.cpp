#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/ultra_lif.hpp>

#include <catch2/catch.hpp>
#include <cmath>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using A = tg::RowArray<double>;
using Ins = std::vector<tg::Tensor<double>>;

namespace {
// Independent per-element reference of the UltraLIF recurrence, in long double.
A reference(const A& I, long timesteps, double eps, double log_tau, double theta, bool binary) {
  const long batch = I.rows() / timesteps;
  A S(I.rows(), I.cols());
  for (long b = 0; b < batch; ++b)
    for (long f = 0; f < I.cols(); ++f) {
      long double V = 0;
      for (long t = 0; t < timesteps; ++t) {
        const long double a = V + log_tau, x = I(t * batch + b, f);
        const long double U = eps * std::log(std::exp(a / eps) + std::exp(x / eps));
        const long double s = binary ? (U > theta ? 1.0L : 0.0L) : 1.0L / (1.0L + std::exp(-(U - theta) / eps));
        V = U * (1 - s);
        S(t * batch + b, f) = static_cast<double>(s);
      }
    }
  return S;
}
tg::Tensor<double> scalar(double v, bool grad = false) { return tg::Tensor<double>(A::Constant(1, 1, v), grad); }
}  // namespace

TEST_CASE("ultra_lif forward equals an independent per-element recurrence", "[nn][ultra]") {
  std::srand(31);
  const A I = A::Random(3 * 4, 5) * 2;
  for (bool binary : {false, true}) {
    const auto S = nn::ultra_lif(tg::Tensor<double>(I), 3, scalar(std::log(0.7)), scalar(std::log(0.9)),
                                 nn::UltraOptions{0.1, 0.1, 20, binary});
    CHECK((S.value() - reference(I, 3, 0.7, std::log(0.9), 0.1, binary)).abs().maxCoeff() < 1e-12);
  }
}

TEST_CASE("ultra_lif gradients w.r.t. currents, eps and tau over 3 steps", "[nn][ultra][gradcheck]") {
  std::srand(32);
  for (double eps : {0.3, 1.0, 4.0}) {
    const auto result = tg::gradcheck(
        [](const Ins& in) { return nn::ultra_lif(in[0], 3, in[1], in[2]); },
        {{"currents", A::Random(3 * 2, 4) * 2}, {"log_eps", A::Constant(1, 1, std::log(eps))},
         {"log_tau", A::Constant(1, 1, std::log(0.9))}});
    INFO("eps = " << eps << "\n" << result.report);
    CHECK(result.passed);
  }
  // per-neuron eps and tau, and a nonzero threshold
  const auto per_neuron = tg::gradcheck(
      [](const Ins& in) { return nn::ultra_lif(in[0], 3, in[1], in[2], nn::UltraOptions{0.2}); },
      {{"currents", A::Random(3 * 2, 4)}, {"log_eps", A::Random(1, 4) * 0.5},
       {"log_tau", (A::Random(1, 4) * 0.1 + std::log(0.8))}});
  INFO(per_neuron.report);
  CHECK(per_neuron.passed);
  // near-ties between leak and input: V + log tau == I at step 0 (V = 0, I = log tau)
  A near_tie = A::Random(3 * 2, 3);
  near_tie.topRows(2).setConstant(std::log(0.9) + 1e-4);
  const auto tie = tg::gradcheck([](const Ins& in) { return nn::ultra_lif(in[0], 3, in[1], in[2]); },
                                 {{"currents", near_tie}, {"log_eps", A::Constant(1, 1, 0.0)},
                                  {"log_tau", A::Constant(1, 1, std::log(0.9))}});
  INFO(tie.report);
  CHECK(tie.passed);
}

TEST_CASE("ultra_lif: eps outside the clamp gets no gradient", "[nn][ultra]") {
  tg::Tensor<double> log_eps = scalar(std::log(50.0), true);  // clamped to 20
  const auto S = nn::ultra_lif(tg::Tensor<double>(A::Random(2, 3)), 1, log_eps, scalar(std::log(0.9)));
  tg::sum(S).backward();
  CHECK(log_eps.grad()(0, 0) == 0.0);
}

TEST_CASE("ultra_lif approaches the hard max-plus LIF as eps -> 0", "[nn][ultra]") {
  std::srand(33);
  const A I = A::Random(4 * 3, 6) * 3;
  // Hard LIF in the max-plus semiring: V = max(V + log tau, I), s = H(V - theta), V = V (1 - s).
  A hard(I.rows(), I.cols());
  for (long b = 0; b < 3; ++b)
    for (long f = 0; f < 6; ++f) {
      double V = 0;
      for (long t = 0; t < 4; ++t) {
        V = std::max(V + std::log(0.9), I(t * 3 + b, f));
        const double s = V > 0.0 ? 1.0 : 0.0;
        V *= 1 - s;
        hard(t * 3 + b, f) = s;
      }
    }
  double previous = 1e9;
  for (double eps : {0.1, 1e-2, 1e-3, 1e-4}) {
    const auto S = nn::ultra_lif(tg::Tensor<double>(I), 4, scalar(std::log(eps)), scalar(std::log(0.9)),
                                 nn::UltraOptions{0, 1e-6, 20, false});
    const double error = (S.value() - hard).abs().mean();
    CHECK(error <= previous + 1e-12);
    previous = error;
  }
  CHECK(previous < 1e-3);
}

TEST_CASE("ultra_lif rejects bad shapes and a NaN temperature", "[nn][ultra][misuse]") {
  const tg::Tensor<double> I(A::Random(4, 3));
  CHECK_THROWS_WITH(nn::ultra_lif(I, 2, tg::Tensor<double>(A::Zero(1, 2)), scalar(0.0)),
                    Catch::Contains("log_eps") && Catch::Contains("1x2"));
  CHECK_THROWS_WITH(nn::ultra_lif(I, 2, scalar(std::nan("")), scalar(0.0)), Catch::Contains("log_eps"));
}

TEST_CASE("ultra_lif: an infinite current resets to 0; gradients stay finite (robustness sweep regression)",
          "[nn][ultra]") {
  std::srand(34);
  A I = A::Random(2 * 2, 3);  // 2 steps, batch 2
  I(0, 1) = HUGE_VAL;          // U = inf, s = 1: V = U (1 - s) -> 0, not inf * 0
  I(1, 2) = -HUGE_VAL;         // U = V + log tau: an ordinary step
  tg::Tensor<double> x(I, true);
  const auto log_eps = scalar(std::log(0.7), true), log_tau = scalar(std::log(0.9), true);
  const auto S = nn::ultra_lif(x, 2, log_eps, log_tau);
  tg::sum(S).backward();
  CHECK(S.value().allFinite());
  CHECK(S.value()(0, 1) == 1.0);
  // After the reset V = 0, as at the start: step 1 of that neuron is step 0 of a fresh one.
  const A fresh = reference(A(I.bottomRows(2)), 1, 0.7, std::log(0.9), 0, false);
  CHECK(std::abs(S.value()(2, 1) - fresh(0, 1)) < 1e-12);
  CHECK(x.grad().allFinite());
  CHECK(x.grad()(0, 1) == 0.0);  // a saturated step passes no gradient
  CHECK(std::isfinite(log_eps.grad()(0, 0)));
  CHECK(std::isfinite(log_tau.grad()(0, 0)));
}
