#include <tropigrad/ad/tensor_sum.hpp>
#include <tropigrad/nn/ultra.hpp>

#include <catch2/catch.hpp>
#include <cmath>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;

TEST_CASE("Ultra layers register eps (and tau in the P variants) with the documented defaults", "[nn][ultra]") {
  nn::UltraLIF<float> lif(8);
  nn::UltraPLIF<float> plif(8);
  nn::UltraDPLIF<float> dplif(8, {.eps_per_neuron = true});
  REQUIRE(lif.named_parameters().size() == 1);
  CHECK(lif.named_parameters()[0].first == "log_eps");
  CHECK(lif.eps()(0, 0) == Approx(1.0));
  CHECK(lif.tau()(0, 0) == Approx(0.9));
  REQUIRE(plif.named_parameters().size() == 2);
  CHECK(plif.named_parameters()[1].first == "log_tau");
  CHECK(dplif.log_eps.shape() == "1x8");
}

TEST_CASE("Ultra layers: soft spikes in training, binary in eval, spike rate tracked", "[nn][ultra]") {
  nn::UltraPLIF<float> layer(16);
  const tg::Tensor<float> currents(tg::RowArray<float>::Random(2 * 4, 16) * 3);
  const auto soft = layer(currents, 2);
  CHECK(((soft.value() > 0) && (soft.value() < 1)).all());
  CHECK(layer.spike_rate() == Approx(soft.value().cast<double>().mean()));
  layer.eval();
  const auto hard = layer(currents, 2);
  CHECK(((hard.value() == 0) || (hard.value() == 1)).all());
  layer.eval_binary = false;
  CHECK(((layer(currents, 2).value() - soft.value()).abs() < 1e-6f).all());
}

TEST_CASE("Ultra layers learn: eps and tau receive gradients", "[nn][ultra]") {
  nn::UltraPLIF<float> layer(4);
  tg::sum(layer(tg::Tensor<float>(tg::RowArray<float>::Random(3 * 2, 4)), 3)).backward();
  CHECK(layer.log_eps.grad()(0, 0) != 0.0f);
  CHECK(layer.log_tau.grad()(0, 0) != 0.0f);
}

TEST_CASE("Ultra layers reject a bad layout, naming the sizes", "[nn][ultra][misuse]") {
  nn::UltraLIF<float> layer(4);
  CHECK_THROWS_WITH(layer(tg::Tensor<float>(tg::RowArray<float>::Zero(5, 4)), 2), Catch::Contains("5 rows"));
  CHECK_THROWS_WITH(layer(tg::Tensor<float>(tg::RowArray<float>::Zero(4, 3)), 2), Catch::Contains("4x3"));
  CHECK_THROWS_WITH(nn::UltraLIF<float>(4, {.tau = -1}), Catch::Contains("tau"));
}
