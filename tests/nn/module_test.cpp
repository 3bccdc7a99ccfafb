#include <tropigrad/nn/linear.hpp>
#include <tropigrad/nn/module.hpp>
#include <tropigrad/nn/sequential.hpp>
#include <tropigrad/ad/tensor_activations.hpp>
#include <tropigrad/ad/tensor_sum.hpp>

#include <catch2/catch.hpp>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;

namespace {
struct TwoLayer : nn::Module<double> {
  TwoLayer() {
    fc1 = register_module("fc1", std::make_shared<nn::Linear<double>>(3, 4, 1));
    fc2 = register_module("fc2", std::make_shared<nn::Linear<double>>(4, 2, 2, /*bias=*/false));
    scale = register_parameter("scale", tg::Tensor<double>(1.0));
  }
  std::shared_ptr<nn::Linear<double>> fc1, fc2;
  tg::Tensor<double> scale;
};
}  // namespace

TEST_CASE("named_parameters walks submodules with dotted names, in order", "[nn][module]") {
  TwoLayer model;
  const auto named = model.named_parameters();
  REQUIRE(named.size() == 4);
  CHECK(named[0].first == "scale");
  CHECK(named[1].first == "fc1.weight");
  CHECK(named[2].first == "fc1.bias");
  CHECK(named[3].first == "fc2.weight");
  CHECK(named[1].second.shape() == "4x3");
  CHECK(model.num_parameters() == 1 + 12 + 4 + 8);
  for (auto& p : model.parameters()) CHECK(p.requires_grad());
}

TEST_CASE("parameters() share storage with the module; zero_grad clears gradients", "[nn][module]") {
  TwoLayer model;
  auto params = model.parameters();
  params[0].value_mut()(0, 0) = 3.0;
  CHECK(model.scale.item() == 3.0);
  tg::sum(model.fc1->forward(tg::Tensor<double>(tg::RowArray<double>::Ones(2, 3)))).backward();
  CHECK(model.fc1->bias.grad()(0, 1) == 2.0);
  model.zero_grad();
  CHECK(model.fc1->bias.grad()(0, 1) == 0.0);
}

TEST_CASE("train() and eval() reach every submodule", "[nn][module]") {
  TwoLayer model;
  CHECK(model.is_training());
  model.eval();
  CHECK_FALSE(model.is_training());
  CHECK_FALSE(model.fc2->is_training());
  model.train();
  CHECK(model.fc1->is_training());
}

TEST_CASE("Sequential chains modules and functions", "[nn][module]") {
  nn::Sequential<double> net;
  auto fc = std::make_shared<nn::Linear<double>>(3, 2, 7);
  net.push_back(fc).push_back([](const tg::Tensor<double>& x) { return tg::relu(x); });
  const tg::RowArray<double> x = tg::RowArray<double>::Random(5, 3);
  const auto y = net(tg::Tensor<double>(x));
  const tg::RowArray<double> expected =
      ((x.matrix() * fc->weight.value().matrix().transpose()).array().rowwise() + fc->bias.value().row(0)).max(0.0);
  CHECK((y.value() - expected).abs().maxCoeff() < 1e-12);
  CHECK(net.named_parameters()[0].first == "0.weight");
}
