#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/sigmoid_lif.hpp>

#include <catch2/catch.hpp>
#include <cmath>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using tg::Index;
using RA = tg::RowArray<double>;

TEST_CASE("SigmoidLIF: gradcheck of currents and tau over T = 1..3", "[nn][sigmoid_lif][gradcheck]") {
  for (Index T = 1; T <= 3; ++T)
    for (bool per_neuron : {false, true}) {
      const RA I = RA::Random(T * 2, 3) * 0.6 + 0.4;
      RA tau = per_neuron ? RA(1, 3) : RA(1, 1);
      if (per_neuron) tau << 0.7, 0.9, 0.95;
      else tau << 0.9;
      const auto result = tg::gradcheck(
          [T](const std::vector<tg::Tensor<double>>& in) { return nn::sigmoid_lif(in[0], T, in[1]); },
          {{"currents", I}, {"tau", tau}});
      INFO("T = " << T << "\n" << result.report);
      CHECK(result.passed);
    }
}

TEST_CASE("SigmoidLIF forward follows its equations; binary eval mode", "[nn][sigmoid_lif]") {
  RA I(3, 1);
  I << 0.3, 0.5, 0.9;
  double v = 0;
  RA expected(3, 1), binary(3, 1);
  for (Index t = 0; t < 3; ++t) {
    const double h = 0.9 * v + I(t, 0);
    const double s = 1 / (1 + std::exp(-10 * (h - 0.5)));
    expected(t, 0) = s;
    v = h * (1 - s);
  }
  v = 0;
  for (Index t = 0; t < 3; ++t) {
    const double h = 0.9 * v + I(t, 0);
    binary(t, 0) = h > 0.5 ? 1 : 0;
    v = h * (1 - binary(t, 0));
  }
  nn::SigmoidLIF<double> layer(1);
  tg::Scope<double> scope;
  const auto soft = layer(tg::Tensor<double>(I, true), 3);
  CHECK((soft.value() - expected).abs().maxCoeff() < 1e-14);
  CHECK(layer.spike_rate() == Approx(expected.mean()));
  layer.eval();
  const auto hard = layer(tg::Tensor<double>(I), 3);
  CHECK((hard.value() == binary).all());
  CHECK(binary(1, 0) == 1);  // 0.9 * 0.3 + 0.5 = 0.77 > 0.5
  layer.eval_binary = false;
  CHECK((layer(tg::Tensor<double>(I), 3).value() - expected).abs().maxCoeff() < 1e-14);
  // float, large inputs: no overflow
  nn::SigmoidLIF<float> lf(2);
  tg::Scope<float> sf;
  const auto big = lf(tg::Tensor<float>(tg::RowArray<float>::Constant(2, 2, 1e4f)), 2);
  CHECK(big.value().allFinite());
}

TEST_CASE("SigmoidLIF rejects bad arguments, naming them", "[nn][sigmoid_lif][misuse]") {
  CHECK_THROWS_WITH(nn::SigmoidLIF<double>(0), Catch::Contains("features"));
  CHECK_THROWS_WITH(nn::SigmoidLIF<double>(2, {.tau = 0}), Catch::Contains("tau"));
  CHECK_THROWS_WITH(nn::SigmoidLIF<double>(2, {.sharpness = -1}), Catch::Contains("sharpness"));
  tg::Scope<double> scope;
  CHECK_THROWS_WITH(nn::sigmoid_lif(tg::Tensor<double>(RA::Zero(3, 2)), 2, tg::Tensor<double>(0.9)),
                    Catch::Contains("currents"));
  CHECK_THROWS_WITH(nn::sigmoid_lif(tg::Tensor<double>(RA::Zero(4, 2)), 2, tg::Tensor<double>(RA::Zero(1, 3))),
                    Catch::Contains("tau"));
}

TEST_CASE("SigmoidLIF: an infinite current resets to 0; gradients stay finite (robustness sweep regression)",
          "[nn][sigmoid_lif]") {
  RA I(2, 2);  // 2 steps, batch 1
  I << HUGE_VAL, -HUGE_VAL, 0.7, 0.2;
  tg::Tensor<double> x(I, true), tau(RA::Constant(1, 1, 0.9), true);
  const auto S = nn::sigmoid_lif(x, 2, tau);
  tg::sum(S).backward();
  CHECK(S.value().allFinite());
  CHECK(S.value()(0, 0) == 1.0);
  // H = +inf spikes and resets to 0, so step 1 sees H = 0.9 * 0 + 0.7: sigmoid(10 (0.7 - 0.5)).
  CHECK(S.value()(1, 0) == Approx(1.0 / (1.0 + std::exp(-10.0 * 0.2))));
  CHECK(x.grad().allFinite());
  CHECK(std::isfinite(tau.grad()(0, 0)));
}
