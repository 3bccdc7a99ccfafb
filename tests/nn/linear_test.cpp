#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/linear.hpp>

#include <catch2/catch.hpp>
#include <cmath>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;

TEST_CASE("Linear uses PyTorch's default initialisation bounds", "[nn][linear]") {
  nn::Linear<float> fc(400, 300, 42);
  const float bound = 1.0f / std::sqrt(400.0f);
  CHECK(fc.weight.value().abs().maxCoeff() <= bound);
  CHECK(fc.bias.value().abs().maxCoeff() <= bound);
  // uniform on [-b, b]: variance b^2 / 3
  const double mean = fc.weight.value().cast<double>().mean();
  const double variance = (fc.weight.value().cast<double>() - mean).square().mean();
  CHECK(variance == Approx(bound * bound / 3.0).epsilon(0.02));
  nn::Linear<float> same(400, 300, 42), other(400, 300, 43);
  CHECK((same.weight.value() == fc.weight.value()).all());
  CHECK_FALSE((other.weight.value() == fc.weight.value()).all());
}

TEST_CASE("Linear forward equals x W^T + b, and its gradients match finite differences", "[nn][linear][gradcheck]") {
  nn::Linear<double> fc(5, 3, 1);
  const tg::RowArray<double> x = tg::RowArray<double>::Random(4, 5);
  const auto y = fc(tg::Tensor<double>(x));
  const tg::RowArray<double> expected =
      (x.matrix() * fc.weight.value().matrix().transpose()).array().rowwise() + fc.bias.value().row(0);
  CHECK((y.value() - expected).abs().maxCoeff() < 1e-12);
  const auto result = tg::gradcheck(
      [](const std::vector<tg::Tensor<double>>& in) { return tg::linear(in[0], in[1], in[2]); },
      {{"x", x}, {"weight", tg::RowArray<double>(fc.weight.value())}, {"bias", tg::RowArray<double>(fc.bias.value())}});
  INFO(result.report);
  CHECK(result.passed);
}

TEST_CASE("Linear rejects bad sizes and inputs, naming them", "[nn][linear][misuse]") {
  CHECK_THROWS_WITH(nn::Linear<float>(0, 3), Catch::Contains("in_features"));
  nn::Linear<float> fc(4, 2);
  CHECK_THROWS_WITH(fc(tg::Tensor<float>(tg::RowArray<float>::Ones(3, 5))), Catch::Contains("3x5") && Catch::Contains("4"));
}
