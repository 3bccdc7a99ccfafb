#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/ultra_dlif.hpp>

#include <catch2/catch.hpp>
#include <cmath>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using A = tg::RowArray<double>;
using Ins = std::vector<tg::Tensor<double>>;

namespace {
// Independent reference of the diffusive recurrence, periodic neighbours, long double.
A reference(const A& I, long timesteps, double eps, double tau, double theta) {
  const long batch = I.rows() / timesteps, n = I.cols();
  A S(I.rows(), n);
  for (long b = 0; b < batch; ++b) {
    std::vector<long double> V(static_cast<std::size_t>(n), 0.0L), M(V);
    for (long t = 0; t < timesteps; ++t) {
      for (long f = 0; f < n; ++f) V[static_cast<std::size_t>(f)] = tau * V[static_cast<std::size_t>(f)] + I(t * batch + b, f);
      for (long f = 0; f < n; ++f) {
        const long double l = V[static_cast<std::size_t>((f + n - 1) % n)], c = V[static_cast<std::size_t>(f)],
                          r = V[static_cast<std::size_t>((f + 1) % n)];
        M[static_cast<std::size_t>(f)] = eps * std::log(std::exp(l / eps) + std::exp(c / eps) + std::exp(r / eps));
      }
      for (long f = 0; f < n; ++f) {
        const long double s = 1.0L / (1.0L + std::exp(-(M[static_cast<std::size_t>(f)] - theta) / eps));
        V[static_cast<std::size_t>(f)] *= 1 - s;
        S(t * batch + b, f) = static_cast<double>(s);
      }
    }
  }
  return S;
}
// The paper's state form: V_i = LSE_eps(V_{i-1}, V_i, V_{i+1}) (previous step) + I_i.
A reference_state_form(const A& I, long timesteps, double eps, double theta) {
  const long batch = I.rows() / timesteps, n = I.cols();
  A S(I.rows(), n);
  for (long b = 0; b < batch; ++b) {
    std::vector<long double> V(static_cast<std::size_t>(n), 0.0L), next(V);
    for (long t = 0; t < timesteps; ++t) {
      for (long f = 0; f < n; ++f) {
        const long double l = V[static_cast<std::size_t>((f + n - 1) % n)], c = V[static_cast<std::size_t>(f)],
                          r = V[static_cast<std::size_t>((f + 1) % n)];
        next[static_cast<std::size_t>(f)] =
            eps * std::log(std::exp(l / eps) + std::exp(c / eps) + std::exp(r / eps)) + I(t * batch + b, f);
      }
      for (long f = 0; f < n; ++f) {
        const long double s = 1.0L / (1.0L + std::exp(-(next[static_cast<std::size_t>(f)] - theta) / eps));
        V[static_cast<std::size_t>(f)] = next[static_cast<std::size_t>(f)] * (1 - s);
        S(t * batch + b, f) = static_cast<double>(s);
      }
    }
  }
  return S;
}
tg::Tensor<double> scalar(double v) { return tg::Tensor<double>(A::Constant(1, 1, v)); }
}  // namespace

TEST_CASE("ultra_dlif forward equals an independent recurrence with periodic neighbours", "[nn][ultra]") {
  std::srand(41);
  const A I = A::Random(3 * 2, 5) * 2;
  const auto S = nn::ultra_dlif(tg::Tensor<double>(I), 3, scalar(std::log(0.6)), scalar(std::log(0.8)),
                                nn::UltraOptions{0.3});
  CHECK((S.value() - reference(I, 3, 0.6, 0.8, 0.3)).abs().maxCoeff() < 1e-12);
}

TEST_CASE("ultra_dlif gradients w.r.t. currents, eps and tau over 3 steps", "[nn][ultra][gradcheck]") {
  std::srand(42);
  for (long features : {1L, 2L, 5L}) {
    const auto result = tg::gradcheck(
        [](const Ins& in) { return nn::ultra_dlif(in[0], 3, in[1], in[2]); },
        {{"currents", A::Random(3 * 2, features) * 2}, {"log_eps", A::Constant(1, 1, std::log(0.5))},
         {"log_tau", A::Constant(1, 1, std::log(0.9))}});
    INFO("features = " << features << "\n" << result.report);
    CHECK(result.passed);
  }
  const auto per_neuron = tg::gradcheck(
      [](const Ins& in) { return nn::ultra_dlif(in[0], 3, in[1], in[2], nn::UltraOptions{0.1}); },
      {{"currents", A::Random(3 * 2, 4)}, {"log_eps", A::Random(1, 4) * 0.5},
       {"log_tau", A::Random(1, 4) * 0.1 + std::log(0.85)}});
  INFO(per_neuron.report);
  CHECK(per_neuron.passed);
}

TEST_CASE("ultra_dlif state form: forward against a reference, and gradcheck", "[nn][ultra][gradcheck]") {
  std::srand(43);
  nn::UltraOptions state;
  state.threshold = 0.2;
  state.state_form = true;
  const A I = A::Random(3 * 2, 5) * 2;
  const auto S = nn::ultra_dlif(tg::Tensor<double>(I), 3, scalar(std::log(0.6)), scalar(std::log(0.8)), state);
  CHECK((S.value() - reference_state_form(I, 3, 0.6, 0.2)).abs().maxCoeff() < 1e-12);
  for (long features : {1L, 3L, 6L}) {
    const auto result = tg::gradcheck(
        [&](const Ins& in) { return nn::ultra_dlif(in[0], 3, in[1], in[2], state); },
        {{"currents", A::Random(3 * 2, features) * 2}, {"log_eps", A::Random(1, features) * 0.4},
         {"log_tau", A::Constant(1, 1, std::log(0.9))}});
    INFO("features = " << features << "\n" << result.report);
    CHECK(result.passed);
  }
}

TEST_CASE("ultra_dlif: an infinite current saturates and resets to 0; gradients stay finite "
          "(robustness sweep regression)", "[nn][ultra]") {
  std::srand(44);
  A I = A::Random(2, 5);  // 2 steps, batch 1, 5 features
  A huge = I;
  I(0, 1) = HUGE_VAL;  // M = inf at features 0..2: s = 1 there, and V resets to 0 (not inf * 0, not inf - inf)
  huge(0, 1) = 1e300;  // a finite current that saturates the same way: the same trajectory
  I(1, 3) = -HUGE_VAL;
  huge(1, 3) = -HUGE_VAL;
  tg::Tensor<double> x(I, true), log_eps(A::Constant(1, 1, std::log(0.6)), true), log_tau(A::Constant(1, 1, std::log(0.8)), true);
  const auto S = nn::ultra_dlif(x, 2, log_eps, log_tau, nn::UltraOptions{0.3});
  const auto S_huge = nn::ultra_dlif(tg::Tensor<double>(huge), 2, scalar(std::log(0.6)), scalar(std::log(0.8)),
                                     nn::UltraOptions{0.3});
  CHECK(S.value().allFinite());
  CHECK((S.value() == S_huge.value()).all());
  CHECK(S.value()(0, 0) == 1.0);
  CHECK(S.value()(0, 2) == 1.0);
  tg::sum(S).backward();
  CHECK(x.grad().allFinite());
  CHECK(std::isfinite(log_eps.grad()(0, 0)));
  CHECK(std::isfinite(log_tau.grad()(0, 0)));
}
