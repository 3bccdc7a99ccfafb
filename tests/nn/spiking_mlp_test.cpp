#include <tropigrad/ad.hpp>
#include <tropigrad/data.hpp>
#include <tropigrad/nn.hpp>
#include <tropigrad/nn/encoding.hpp>
#include <tropigrad/nn/neurons.hpp>
#include <tropigrad/nn/spiking_mlp.hpp>

#include <catch2/catch.hpp>
#include <filesystem>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using A = tg::RowArray<double>;

TEST_CASE("mean_over_time averages the time-major blocks; gradcheck", "[nn][snn][gradcheck]") {
  std::srand(51);
  const A x = A::Random(3 * 2, 4);
  const auto m = nn::mean_over_time(tg::Tensor<double>(x), 3);
  CHECK((m.value() - (x.topRows(2) + x.middleRows(2, 2) + x.bottomRows(2)) / 3).abs().maxCoeff() < 1e-15);
  const auto r = tg::gradcheck([](const std::vector<tg::Tensor<double>>& in) { return nn::mean_over_time(in[0], 3); },
                               {{"x", x}});
  INFO(r.report);
  CHECK(r.passed);
  CHECK_THROWS_WITH(nn::mean_over_time(tg::Tensor<double>(x), 4), Catch::Contains("6 rows"));
}

TEST_CASE("SpikingMLP runs every neuron model and its gradients reach every parameter", "[nn][snn]") {
  for (const auto& name : nn::neuron_names()) {
    INFO(name);
    nn::SpikingMLP<float> model(6, {5, 4}, 3, [&](tg::Index f) { return nn::make_neuron<float>(name, f); }, 1);
    const tg::Tensor<float> input(tg::RowArray<float>::Random(2 * 3, 6) * 2);
    const auto logits = model.forward(input, 2);
    CHECK(logits.shape() == "3x3");
    (tg::cross_entropy(logits, std::vector<int>{0, 1, 2}) + 0.1f * model.spike_rate_penalty()).backward();
    CHECK(model.readout()->bias.grad().abs().sum() > 0);
    CHECK(model.hidden_layers()[0]->weight.grad().abs().sum() > 0);
    tg::tape<float>().reset();
  }
  CHECK_THROWS_WITH(nn::make_neuron<float>("lif-banana", 3), Catch::Contains("lif-banana") && Catch::Contains("ultra-plif"));
}

namespace {
// A deterministic small training run: 2,000 Fashion-MNIST images, 2 epochs.
double train_small_ultra_plif(const tg::Dataset& train, const tg::Dataset& test) {
  nn::SpikingMLP<float> model(784, {64}, 10, [](tg::Index f) { return nn::make_neuron<float>("ultra-plif", f); }, 42);
  nn::Adam<float> adam(model.parameters(), {.lr = 3e-3});
  tg::BatchSampler sampler(train.size(), 64, {.seed = 42});
  for (int epoch = 0; epoch < 2; ++epoch) {
    sampler.set_epoch(static_cast<std::uint64_t>(epoch));
    for (std::size_t b = 0; b < sampler.batches_per_epoch(); ++b) {
      tg::tape<float>().reset();
      const auto indices = sampler.batch(b);
      tg::RowArray<float> x(static_cast<tg::Index>(indices.size()), 784);
      std::vector<int> labels;
      for (std::size_t i = 0; i < indices.size(); ++i) {
        x.row(static_cast<tg::Index>(i)) = train.inputs.row(static_cast<tg::Index>(indices[i])).array();
        labels.push_back(train.labels[indices[i]]);
      }
      model.zero_grad();
      tg::cross_entropy(model.forward(nn::direct_encode(tg::Tensor<float>(x), 1), 1), labels).backward();
      adam.step();
    }
  }
  tg::tape<float>().reset();
  model.eval();
  tg::NoGrad<float> no_grad;
  const auto logits = model.forward(tg::Tensor<float>(tg::RowArray<float>(test.inputs.array())), 1).value();
  std::size_t correct = 0;
  for (tg::Index i = 0; i < logits.rows(); ++i) {
    Eigen::Index predicted = 0;
    logits.row(i).maxCoeff(&predicted);
    correct += predicted == test.labels[static_cast<std::size_t>(i)];
  }
  return static_cast<double>(correct) / static_cast<double>(test.size());
}
}  // namespace

TEST_CASE("UltraPLIF learns Fashion-MNIST: 2,000 images, 2 epochs, >= 70% test accuracy", "[nn][snn][train]") {
  if (!std::filesystem::exists(tg::fashion_mnist_directory())) {
    WARN("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist); skipping");
    return;
  }
  const auto train = tg::load_fashion_mnist(tg::Split::train, {.directory = "", .normalize = true, .limit = 2000});
  const auto test = tg::load_fashion_mnist(tg::Split::test, {.directory = "", .normalize = true, .limit = 2000});
  const double accuracy = train_small_ultra_plif(train, test);
  CHECK(accuracy >= 0.70);
  CHECK(train_small_ultra_plif(train, test) == accuracy);  // deterministic
}
