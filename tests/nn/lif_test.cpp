#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/lif.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <numbers>
#include <random>
#include <vector>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using tg::Index;
using RA = tg::RowArray<double>;

namespace {

// An independent scalar reference of the LIF forward and its surrogate
// backward, per neuron, written from the equations in lif.hpp's header
// comment. Loss = sum(W * spikes).
struct Reference {
  RA spikes, grad_currents, grad_beta;  // grad_beta is batch x features (per-element contributions)
};

Reference reference_lif(const RA& I, Index T, const RA& beta /*1xF*/, double thr, nn::Reset reset,
                        const std::function<double(double)>& sg, const RA& W) {
  const Index B = I.rows() / T, F = I.cols();
  Reference r{RA::Zero(I.rows(), F), RA::Zero(I.rows(), F), RA::Zero(B, F)};
  for (Index b = 0; b < B; ++b)
    for (Index f = 0; f < F; ++f) {
      std::vector<double> H(T), S(T), V(T);
      double v = 0;
      for (Index t = 0; t < T; ++t) {
        H[t] = beta(0, f) * v + I(t * B + b, f);
        S[t] = H[t] > thr ? 1 : 0;
        if (reset == nn::Reset::subtract) v = H[t] - S[t] * thr;
        if (reset == nn::Reset::zero) v = S[t] > 0 ? 0 : H[t];
        if (reset == nn::Reset::none) v = H[t];
        V[t] = v;
        r.spikes(t * B + b, f) = S[t];
      }
      double gV = 0;  // dL/dV_t
      for (Index t = T - 1; t >= 0; --t) {
        const double dVdH = reset == nn::Reset::zero ? 1 - S[t] : 1;  // the reset is detached
        const double gH = W(t * B + b, f) * sg(H[t] - thr) + gV * dVdH;
        r.grad_currents(t * B + b, f) = gH;
        if (t > 0) r.grad_beta(b, f) += gH * V[t - 1];
        gV = beta(0, f) * gH;
      }
    }
  return r;
}

double max_abs(const RA& a) { return a.abs().maxCoeff(); }

}  // namespace

TEST_CASE("LIF surrogate backward equals an independent reverse-time loop, T = 1..3", "[nn][lif][gradcheck]") {
  const double pi = std::numbers::pi;
  struct Case {
    nn::Surrogate s;
    std::function<double(double)> closed_form;
  };
  const std::vector<Case> cases = {
      {nn::surrogate::fast_sigmoid(), [](double x) { return 1 / std::pow(25 * std::abs(x) + 1, 2); }},
      {nn::surrogate::atan(), [pi](double x) { return 1 / (1 + std::pow(pi * x, 2)); }},
      {nn::surrogate::sigmoid(5), [](double x) { const double s = 1 / (1 + std::exp(-5 * x)); return 5 * s * (1 - s); }},
      {nn::surrogate::triangle(), [](double x) { return std::max(0.0, 1 - std::abs(x)); }},
      {nn::surrogate::straight_through(), [](double) { return 1.0; }},
  };
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> u(-0.3, 1.4), w(-1, 1);
  const Index B = 2, F = 3;
  for (const auto& c : cases)
    for (nn::Reset reset : {nn::Reset::subtract, nn::Reset::zero, nn::Reset::none})
      for (Index T = 1; T <= 3; ++T)
        for (bool per_neuron : {false, true}) {
          RA I(T * B, F), W(T * B, F);
          for (Index i = 0; i < I.size(); ++i) {
            I.data()[i] = u(rng);
            W.data()[i] = w(rng);
          }
          RA beta = per_neuron ? RA(RA::Constant(1, F, 0.0)) : RA(RA::Constant(1, 1, 0.8));
          if (per_neuron) beta << 0.5, 0.8, 0.95;
          const RA beta_full = per_neuron ? beta : RA(RA::Constant(1, F, 0.8));
          const Reference ref = reference_lif(I, T, beta_full, 1.0, reset, c.closed_form, W);

          tg::Scope<double> scope;
          tg::Tensor<double> currents(I, true), b(beta, true);
          const auto spikes = nn::lif(currents, T, b, nn::LIFOpOptions{1.0, reset, c.s});
          tg::sum(spikes * tg::Tensor<double>(W)).backward();
          INFO("surrogate " << c.s.name() << ", reset " << nn::reset_name(reset) << ", T = " << T);
          CHECK(max_abs(spikes.value() - ref.spikes) == 0);
          CHECK(max_abs(currents.grad() - ref.grad_currents) < 1e-12);
          const RA expected_beta =
              per_neuron ? RA(ref.grad_beta.colwise().sum()) : RA(RA::Constant(1, 1, ref.grad_beta.sum()));
          CHECK(max_abs(b.grad() - expected_beta) < 1e-12);
        }
}

TEST_CASE("LIF reset modes on a hand-made input sequence", "[nn][lif]") {
  // beta = 1, threshold = 1, one neuron, currents 0.6, 0.6, 0.6, 1.5, 0.2
  RA I(5, 1);
  I << 0.6, 0.6, 0.6, 1.5, 0.2;
  auto run = [&](nn::Reset reset) {
    tg::Scope<double> scope;
    return RA(nn::lif(tg::Tensor<double>(I), 5, tg::Tensor<double>(1.0), nn::LIFOpOptions{1.0, reset, {}}).value());
  };
  RA subtract(5, 1), zero(5, 1), none(5, 1);
  subtract << 0, 1, 0, 1, 1;  // H: 0.6, 1.2 (-> 0.2), 0.8, 2.3 (-> 1.3), 1.5
  zero << 0, 1, 0, 1, 0;      // H: 0.6, 1.2 (-> 0), 0.6, 2.1 (-> 0), 0.2
  none << 0, 1, 1, 1, 1;      // H: 0.6, 1.2, 1.8, 3.3, 3.5
  CHECK((run(nn::Reset::subtract) == subtract).all());
  CHECK((run(nn::Reset::zero) == zero).all());
  CHECK((run(nn::Reset::none) == none).all());
  // exactly at threshold: no spike (strict >)
  RA at(1, 1);
  at << 1.0;
  tg::Scope<double> scope;
  CHECK(nn::lif(tg::Tensor<double>(at), 1, tg::Tensor<double>(0.9)).value()(0, 0) == 0);
  CHECK(nn::reset_from_name("zero") == nn::Reset::zero);
  CHECK_THROWS_WITH(nn::reset_from_name("hard"), Catch::Contains("subtract, zero, none"));
}

TEST_CASE("LIF layer: options, PLIF parameter and gradient, spike rate, eval", "[nn][lif]") {
  nn::LIF<double> plain(3);
  CHECK(plain.parameters().empty());
  CHECK(plain.beta() == 0.9);
  nn::LIF<double> plif(3, {.beta = 0.8, .threshold = 0.5, .reset = nn::Reset::zero,
                           .spike_grad = nn::surrogate::atan(), .learn_beta = true});
  REQUIRE(plif.named_parameters().size() == 1);
  CHECK(plif.named_parameters()[0].first == "beta_logit");
  CHECK(plif.beta() == Approx(0.8));

  const Index T = 3, B = 4;
  const RA I = RA::Random(T * B, 3).abs();
  RA W = RA::Random(T * B, 3);
  tg::Scope<double> scope;
  const auto out = plif(tg::Tensor<double>(I), T);
  CHECK(plif.spike_rate() == Approx(out.value().mean()));
  tg::sum(out * tg::Tensor<double>(W)).backward();
  // d/d beta_logit = d/d beta * beta (1 - beta)
  const Reference ref = reference_lif(I, T, RA::Constant(1, 3, 0.8), 0.5, nn::Reset::zero,
                                      [](double x) { return 1 / (1 + std::pow(std::numbers::pi * x, 2)); }, W);
  CHECK(plif.beta_logit.grad()(0, 0) == Approx(ref.grad_beta.sum() * 0.8 * 0.2).epsilon(1e-10));
  CHECK(max_abs(out.value() - ref.spikes) == 0);
  // eval: spikes are already binary; the same output
  plif.eval();
  CHECK(max_abs(plif(tg::Tensor<double>(I), T).value() - out.value()) == 0);
  plif.eval_binary = false;
  CHECK(max_abs(plif(tg::Tensor<double>(I), T).value() - out.value()) == 0);

  // float
  nn::LIF<float> lf(2);
  tg::Scope<float> sf;
  const auto of = lf(tg::Tensor<float>(tg::RowArray<float>::Constant(4, 2, 0.7f)), 2);
  CHECK(of.value()(0, 0) == 0.0f);
  CHECK(of.value()(2, 0) == 1.0f);  // 0.9 * 0.7 + 0.7 = 1.33 > 1
  CHECK(lf.spike_rate() == Approx(0.5));
}

TEST_CASE("LIF rejects bad arguments, naming them", "[nn][lif][misuse]") {
  CHECK_THROWS_WITH(nn::LIF<double>(0), Catch::Contains("features"));
  CHECK_THROWS_WITH(nn::LIF<double>(2, {.beta = 1.5}), Catch::Contains("beta"));
  CHECK_THROWS_WITH(nn::LIF<double>(2, {.beta = 1.0, .learn_beta = true}), Catch::Contains("beta"));
  nn::LIF<double> lif(2);
  tg::Scope<double> scope;
  CHECK_THROWS_AS(lif(tg::Tensor<double>(RA::Zero(5, 2)), 2), std::invalid_argument);
  CHECK_THROWS_WITH(lif(tg::Tensor<double>(RA::Zero(4, 3)), 2), Catch::Contains("features"));
  CHECK_THROWS_WITH(nn::lif(tg::Tensor<double>(RA::Zero(4, 2)), 0, tg::Tensor<double>(0.9)),
                    Catch::Contains("timesteps"));
  CHECK_THROWS_WITH(nn::lif(tg::Tensor<double>(RA::Zero(5, 2)), 2, tg::Tensor<double>(0.9)),
                    Catch::Contains("currents"));
  CHECK_THROWS_WITH(nn::lif(tg::Tensor<double>(RA::Zero(4, 2)), 2, tg::Tensor<double>(RA::Zero(2, 2))),
                    Catch::Contains("beta"));
}

TEST_CASE("LIF takes a time constant tau instead of beta: beta = 1 - 1/tau", "[nn][lif]") {
  nn::LIF<double> layer(3, {.tau = 4.0});
  CHECK(layer.beta() == Approx(0.75));
  // 0.8 then 0.3: with beta = 0.75, V = 0.9 stays below the threshold 1;
  // with the default beta = 0.9, V = 1.02 fires.
  tropigrad::RowArray<double> I = tropigrad::RowArray<double>::Zero(2, 3);
  I.row(0).setConstant(0.8);
  I.row(1).setConstant(0.3);
  CHECK((layer(tropigrad::Tensor<double>(I), 2).value() == 0.0).all());
  nn::LIF<double> default_beta(3);
  CHECK((default_beta(tropigrad::Tensor<double>(I), 2).value().row(1) == 1.0).all());
  CHECK_THROWS_WITH(nn::LIF<double>(3, {.tau = 0.5}), Catch::Contains("tau") && Catch::Contains("0.5"));
}

TEST_CASE("PLIF: an infinite potential with a saturated surrogate adds no NaN to the beta gradient "
          "(robustness sweep regression)", "[nn][lif]") {
  RA I(2, 3);  // 2 steps, batch 1
  I << HUGE_VAL, 0.3, -HUGE_VAL, 0.4, 0.2, 0.9;
  for (const nn::Reset reset : {nn::Reset::subtract, nn::Reset::zero, nn::Reset::none}) {
    tg::Tensor<double> x(I, true), beta(RA::Constant(1, 1, 0.8), true);
    const auto S = nn::lif(x, 2, beta, nn::LIFOpOptions{1.0, reset, nn::Surrogate::fast_sigmoid()});
    tg::sum(S).backward();
    INFO("reset " << nn::reset_name(reset));
    CHECK(x.grad().allFinite());
    // The fast-sigmoid surrogate is 0 at an infinite potential: those neurons' steps add nothing to d/dbeta.
    CHECK(std::isfinite(beta.grad()(0, 0)));
  }
}
