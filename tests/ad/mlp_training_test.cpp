// End-to-end tests of the Tensor autodiff: a 2-layer MLP (linear -> tanh ->
// linear -> cross_entropy) trained with Adam written here, on XOR and on a
// seeded two-moons set; tape memory stays flat over 10,000 training steps;
// gradients accumulate over backward calls until zero_grad.

#include <tropigrad/ad.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace tg = tropigrad;

namespace {

/// Uniform in [lo, hi) straight from mt19937's raw output, so that the data
/// and the initialisation are the same with every standard library.
template <class T>
T uniform(std::mt19937& rng, T lo, T hi) {
  return lo + (hi - lo) * static_cast<T>(static_cast<double>(rng()) / 4294967296.0);
}

template <class T>
struct Mlp {
  tg::Tensor<T> W1, b1, W2, b2;

  Mlp(tg::Index in, tg::Index hidden, tg::Index out, std::uint32_t seed) {
    std::mt19937 rng(seed);
    auto init = [&](tg::Index rows, tg::Index cols, T scale) {
      tg::RowArray<T> a(rows, cols);
      for (tg::Index i = 0; i < a.size(); ++i) a.data()[i] = uniform<T>(rng, -scale, scale);
      return tg::Tensor<T>(a, /*requires_grad=*/true);
    };
    W1 = init(hidden, in, T(1) / std::sqrt(static_cast<T>(in)) * T(1.5));
    b1 = init(1, hidden, T(0.1));
    W2 = init(out, hidden, T(1) / std::sqrt(static_cast<T>(hidden)));
    b2 = tg::Tensor<T>::zeros(1, out, /*requires_grad=*/true);
  }

  tg::Tensor<T> operator()(const tg::Tensor<T>& x) const {
    return tg::linear(tg::tanh(tg::linear(x, W1, b1)), W2, b2);
  }

  std::vector<tg::Tensor<T>> parameters() const { return {W1, b1, W2, b2}; }
};

/// Adam, on the parameters' value_mut() and grad().
template <class T>
struct Adam {
  std::vector<tg::Tensor<T>> params;
  T lr;
  T beta1 = T(0.9), beta2 = T(0.999), eps = T(1e-8);
  std::vector<tg::RowArray<T>> m, v;
  int t = 0;

  Adam(std::vector<tg::Tensor<T>> p, T learning_rate) : params(std::move(p)), lr(learning_rate) {
    for (const auto& q : params) {
      m.push_back(tg::RowArray<T>::Zero(q.rows(), q.cols()));
      v.push_back(tg::RowArray<T>::Zero(q.rows(), q.cols()));
    }
  }

  void zero_grad() {
    for (auto& q : params) q.zero_grad();
  }

  void step() {
    ++t;
    const T c1 = T(1) - std::pow(beta1, static_cast<T>(t));
    const T c2 = T(1) - std::pow(beta2, static_cast<T>(t));
    for (std::size_t i = 0; i < params.size(); ++i) {
      const auto g = params[i].grad();
      m[i] = beta1 * m[i] + (T(1) - beta1) * g;
      v[i] = beta2 * v[i] + (T(1) - beta2) * g.square();
      params[i].value_mut() -= lr * (m[i] / c1) / ((v[i] / c2).sqrt() + eps);
    }
  }
};

template <class T, class Values>
double accuracy(const Values& logits, const std::vector<int>& labels) {
  int correct = 0;
  for (tg::Index r = 0; r < logits.rows(); ++r) {
    tg::Index best = 0;
    logits.row(r).maxCoeff(&best);
    correct += best == labels[static_cast<std::size_t>(r)] ? 1 : 0;
  }
  return static_cast<double>(correct) / static_cast<double>(logits.rows());
}

struct TrainResult {
  double accuracy = 0;
  int steps = 0;
  double loss = 0;
};

/// Full-batch training until 100% training accuracy or max_steps.
template <class T>
TrainResult train(Mlp<T>& net, const tg::RowArray<T>& data, const std::vector<int>& labels, T lr, int max_steps) {
  auto& tape = tg::tape<T>();
  const tg::Tensor<T> x = tg::Tensor<T>::map(data);  // no copy; data outlives the loop
  Adam<T> opt(net.parameters(), lr);
  TrainResult result;
  for (int step = 0; step < max_steps; ++step) {
    tape.reset();
    const tg::Tensor<T> logits = net(x);
    const tg::Var<T> loss = tg::cross_entropy(logits, labels);
    result = {accuracy<T>(logits.value(), labels), step, static_cast<double>(loss.value())};
    if (result.accuracy == 1.0) break;
    opt.zero_grad();
    loss.backward();
    opt.step();
  }
  tape.reset();
  return result;
}

/// Two interleaving half circles (as sklearn's make_moons) with uniform noise.
tg::RowArray<float> two_moons(int n, float noise, std::uint32_t seed, std::vector<int>& labels) {
  std::mt19937 rng(seed);
  const float pi = 3.14159265358979f;
  tg::RowArray<float> x(n, 2);
  labels.resize(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    const int label = i % 2;
    const float t = uniform<float>(rng, 0.0f, pi);
    const float px = label == 0 ? std::cos(t) : 1.0f - std::cos(t);
    const float py = label == 0 ? std::sin(t) : 0.5f - std::sin(t);
    x(i, 0) = px + uniform<float>(rng, -noise, noise);
    x(i, 1) = py + uniform<float>(rng, -noise, noise);
    labels[static_cast<std::size_t>(i)] = label;
  }
  return x;
}

}  // namespace

TEST_CASE("a 2-layer MLP trained with Adam fits XOR to 100% training accuracy", "[ad][mlp]") {
  tg::RowArray<float> x(4, 2);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  const std::vector<int> labels{0, 1, 1, 0};
  Mlp<float> net(2, 8, 2, /*seed=*/7);
  const TrainResult r = train(net, x, labels, 0.05f, 2000);
  INFO("steps " << r.steps << ", loss " << r.loss);
  CHECK(r.accuracy == 1.0);
}

TEST_CASE("a 2-layer MLP trained with Adam fits two moons (200 points) to 100% training accuracy", "[ad][mlp]") {
  std::vector<int> labels;
  const tg::RowArray<float> x = two_moons(200, 0.1f, /*seed=*/2024, labels);
  Mlp<float> net(2, 32, 2, /*seed=*/11);
  const TrainResult r = train(net, x, labels, 0.02f, 3000);
  INFO("steps " << r.steps << ", loss " << r.loss);
  CHECK(r.accuracy == 1.0);
}

TEST_CASE("the MLP also trains in double", "[ad][mlp]") {
  tg::RowArray<double> x(4, 2);
  x << 0, 0, 0, 1, 1, 0, 1, 1;
  const std::vector<int> labels{0, 1, 1, 0};
  Mlp<double> net(2, 8, 2, /*seed=*/3);
  const TrainResult r = train(net, x, labels, 0.05, 2000);
  INFO("steps " << r.steps << ", loss " << r.loss);
  CHECK(r.accuracy == 1.0);
}

TEST_CASE("tape memory is flat over 10,000 MLP training steps", "[ad][mlp][memory]") {
#ifdef NDEBUG
  constexpr int kSteps = 10000;
#else
  constexpr int kSteps = 2000;  // sanitizer / debug builds: fewer steps, same check
#endif
  auto& tape = tg::tape<float>();
  std::vector<int> labels;
  const tg::RowArray<float> data = two_moons(16, 0.1f, /*seed=*/5, labels);
  const tg::Tensor<float> x = tg::Tensor<float>::map(data);
  Mlp<float> net(2, 8, 2, /*seed=*/1);
  Adam<float> opt(net.parameters(), 0.01f);

  std::size_t bytes_at_100 = 0, nodes_at_100 = 0, used_at_100 = 0;
  for (int step = 1; step <= kSteps; ++step) {
    tape.reset();
    const tg::Var<float> loss = tg::cross_entropy(net(x), labels);
    opt.zero_grad();
    loss.backward();
    opt.step();
    if (step == 100) {
      bytes_at_100 = tape.memory_bytes();
      nodes_at_100 = tape.num_nodes();
      used_at_100 = tape.arena().bytes_used();
    }
  }
  CHECK(bytes_at_100 > 0);
  CHECK(nodes_at_100 == 4);  // linear, tanh, linear, cross_entropy: one node per op
  CHECK(tape.memory_bytes() == bytes_at_100);
  CHECK(tape.num_nodes() == nodes_at_100);
  CHECK(tape.arena().bytes_used() == used_at_100);
  tape.reset();
}

TEST_CASE("gradients accumulate over two backward calls; zero_grad resets them", "[ad][mlp][accumulate]") {
  auto& tape = tg::tape<double>();
  tape.reset();
  tg::RowArray<double> data(5, 3);
  data << 0.1, -0.2, 0.3, 1.0, 0.5, -1.5, -0.7, 0.2, 0.0, 0.4, 0.4, 0.4, 2.0, -1.0, 0.5;
  const std::vector<int> labels{0, 2, 1, 1, 0};
  const tg::Tensor<double> x(data);
  Mlp<double> net(3, 4, 3, /*seed=*/9);
  const auto params = net.parameters();

  auto grads = [&] {
    std::vector<tg::RowArray<double>> g;
    for (const auto& p : params) g.emplace_back(p.grad());
    return g;
  };
  auto forward = [&](const tg::Var<double>& temperature) {
    return tg::cross_entropy(net(x) * temperature, labels);
  };

  // One backward.
  tg::Var<double> temperature = 1.5;  // a scalar parameter in the same graph
  const tg::Var<double> loss = forward(temperature);
  loss.backward();
  const auto once = grads();
  const double temperature_once = temperature.grad();
  for (const auto& g : once) REQUIRE(g.abs().maxCoeff() > 0);
  REQUIRE(temperature_once != 0);

  SECTION("a second backward on the same graph doubles every gradient") {
    loss.backward();
    const auto twice = grads();
    for (std::size_t i = 0; i < once.size(); ++i) CHECK(twice[i].isApprox(2 * once[i], 1e-12));
    CHECK(temperature.grad() == Approx(2 * temperature_once).epsilon(1e-12));
  }

  SECTION("a backward on a freshly recorded graph (after reset) adds to the leaves' gradients") {
    tape.reset();  // leaf Tensors keep their gradients across the reset
    tg::Var<double> t2 = 1.5;
    forward(t2).backward();
    const auto twice = grads();
    for (std::size_t i = 0; i < once.size(); ++i) CHECK(twice[i].isApprox(2 * once[i], 1e-12));
    CHECK(t2.grad() == Approx(temperature_once).epsilon(1e-12));  // a new Var: one backward only
  }

  SECTION("zero_grad resets; the next backward gives the single gradient again") {
    loss.backward();
    for (auto p : params) p.zero_grad();
    temperature.zero_grad();
    for (const auto& p : params) CHECK(p.grad().isZero(0));
    CHECK(temperature.grad() == 0);
    loss.backward();
    const auto again = grads();
    for (std::size_t i = 0; i < once.size(); ++i) CHECK(again[i].isApprox(once[i], 1e-12));
    CHECK(temperature.grad() == Approx(temperature_once).epsilon(1e-12));
  }
  tape.reset();
}
