#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/dspike.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using tg::Index;
using RA = tg::RowArray<double>;

namespace {
// DSpike written out by hand (Li et al.: f_b(x_n) = (tanh(b (x_n - 1/2)) + tanh(b/2)) / (2 tanh(b/2)) on
// x_n in [0, 1]), with x_n = H - threshold + 1/2.
double f(double x, double b) {
  const double xn = x + 0.5;
  if (xn < 0) return 0;
  if (xn > 1) return 1;
  return (std::tanh(b * (xn - 0.5)) + std::tanh(b / 2)) / (2 * std::tanh(b / 2));
}
double dfdx(double x, double b) {
  if (std::abs(x) > 0.5) return 0;
  return b / (2 * std::tanh(b / 2)) * (1 - std::pow(std::tanh(b * x), 2));
}
double dfdb(double x, double b) {  // central difference of f in b: an independent check of the b gradient
  const double h = 1e-5;
  return (f(x, b + h) - f(x, b - h)) / (2 * h);
}

struct Reference {
  RA spikes, grad_currents;
  double grad_beta = 0, grad_b = 0;
};

// Independent reverse-time loop: LIF membrane (subtract reset, detached), Heaviside forward,
// spike treated as f_b(H - thr) in the backward.
Reference reference(const RA& I, Index T, double beta, double b, double thr, const RA& W) {
  const Index B = I.rows() / T, F = I.cols();
  Reference r{RA::Zero(I.rows(), F), RA::Zero(I.rows(), F)};
  for (Index n = 0; n < B; ++n)
    for (Index c = 0; c < F; ++c) {
      std::vector<double> H(T), V(T);
      double v = 0;
      for (Index t = 0; t < T; ++t) {
        H[t] = beta * v + I(t * B + n, c);
        const double s = H[t] > thr ? 1 : 0;
        r.spikes(t * B + n, c) = s;
        v = V[t] = H[t] - s * thr;
      }
      double gV = 0;
      for (Index t = T - 1; t >= 0; --t) {
        const double gs = W(t * B + n, c);
        const double gH = gs * dfdx(H[t] - thr, b) + gV;
        r.grad_currents(t * B + n, c) = gH;
        r.grad_b += gs * dfdb(H[t] - thr, b);
        if (t > 0) r.grad_beta += gH * V[t - 1];
        gV = beta * gH;
      }
    }
  return r;
}
}  // namespace

TEST_CASE("DSpike backward (currents, beta, temperature b) equals an independent loop, T = 1..3",
          "[nn][dspike][gradcheck]") {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(0.0, 1.2), w(-1, 1);
  const Index B = 3, F = 2;
  for (double b : {0.5, 3.0, 7.0})
    for (Index T = 1; T <= 3; ++T) {
      RA I(T * B, F), W(T * B, F);
      for (Index i = 0; i < I.size(); ++i) {
        I.data()[i] = u(rng);
        W.data()[i] = w(rng);
      }
      const Reference ref = reference(I, T, 0.85, b, 1.0, W);
      tg::Scope<double> scope;
      tg::Tensor<double> currents(I, true), beta(0.85, true), temperature(b, true);
      const auto s = nn::dspike_lif(currents, T, beta, temperature);
      tg::sum(s * tg::Tensor<double>(W)).backward();
      INFO("b = " << b << ", T = " << T);
      CHECK((s.value() - ref.spikes).abs().maxCoeff() == 0);
      CHECK((currents.grad() - ref.grad_currents).abs().maxCoeff() < 1e-12);
      CHECK(beta.grad()(0, 0) == Approx(ref.grad_beta).margin(1e-12));
      CHECK(temperature.grad()(0, 0) == Approx(ref.grad_b).margin(1e-8));
      if (T == 3) CHECK(ref.grad_b != 0);
    }
}

TEST_CASE("DSpike temperature gradient is the b-derivative of the surrogate network (gradcheck at T = 1)",
          "[nn][dspike][gradcheck]") {
  // At T = 1 the surrogate network is s = f_b(I - thr): smooth in I and b. Its true gradient (by
  // finite differences, through surrogate::dspike_function) equals the dspike_lif backward.
  const RA I = RA::Random(4, 3) * 0.45 + 1.0;  // inside the window |I - 1| <= 1/2
  const RA W = RA::Random(4, 3);
  tg::Scope<double> scope;
  tg::Tensor<double> currents(I, true), temperature(2.5, true);
  tg::sum(nn::dspike_lif(currents, 1, tg::Tensor<double>(0.9), temperature) * tg::Tensor<double>(W)).backward();
  const double h = 1e-6;
  auto loss = [&](const RA& x, double b) { return (W * nn::surrogate::dspike_function(RA(x - 1.0), b)).sum(); };
  CHECK(temperature.grad()(0, 0) == Approx((loss(I, 2.5 + h) - loss(I, 2.5 - h)) / (2 * h)).epsilon(1e-6));
  for (Index i = 0; i < I.size(); ++i) {
    RA up = I, down = I;
    up.data()[i] += h;
    down.data()[i] -= h;
    CHECK(currents.grad().data()[i] == Approx((loss(up, 2.5) - loss(down, 2.5)) / (2 * h)).epsilon(1e-6));
  }
}

TEST_CASE("DSpike layer: parameters, clamping, binary spikes, errors", "[nn][dspike]") {
  nn::DSpike<double> layer(2);
  REQUIRE(layer.named_parameters().size() == 1);
  CHECK(layer.named_parameters()[0].first == "temperature");
  CHECK(layer.temperature_value() == 3);
  nn::DSpike<double> both(2, {.learn_beta = true});
  CHECK(both.named_parameters().size() == 2);
  nn::DSpike<double> fixed(2, {.learn_temperature = false});
  CHECK(fixed.parameters().empty());

  const RA I = RA::Random(6, 2).abs() + 0.3;
  tg::Scope<double> scope;
  const auto s = layer(tg::Tensor<double>(I), 3);
  CHECK(((s.value() == 0) || (s.value() == 1)).all());
  CHECK(layer.spike_rate() == Approx(s.value().mean()));
  tg::sum(s).backward();
  CHECK(std::isfinite(layer.temperature.grad()(0, 0)));
  // outside [0.1, 20]: clamped, no gradient
  layer.temperature.value_mut()(0, 0) = 50;
  layer.zero_grad();
  CHECK(layer.temperature_value() == 20);
  tg::sum(layer(tg::Tensor<double>(I, true), 3)).backward();
  CHECK(layer.temperature.grad()(0, 0) == 0);

  CHECK_THROWS_WITH(nn::DSpike<double>(2, {.temperature = 0}), Catch::Contains("temperature"));
  CHECK_THROWS_WITH(nn::DSpike<double>(-1), Catch::Contains("features"));
  CHECK_THROWS_WITH(nn::dspike_lif(tg::Tensor<double>(I), 3, tg::Tensor<double>(0.9), tg::Tensor<double>(RA::Ones(1, 2))),
                    Catch::Contains("temperature"));
  CHECK_THROWS_WITH(nn::dspike_lif(tg::Tensor<double>(I), 4, tg::Tensor<double>(0.9), tg::Tensor<double>(3.0)),
                    Catch::Contains("currents"));
}
