#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/encoding.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <random>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using tg::Index;
using RA = tg::RowArray<double>;

TEST_CASE("Poisson encoding: shape, rate gain * x, deterministic per seed", "[nn][encoding]") {
  RA x(2, 4);
  x << 0.0, 0.25, 0.5, 1.0, 0.8, 0.1, 2.0, -1.0;  // 2.0 and -1.0 are clamped to 1 and 0
  const Index T = 20000;
  std::mt19937_64 rng(42);
  const auto s = nn::poisson_encode(tg::Tensor<double>(x), T, 0.5, rng);
  REQUIRE(s.rows() == T * 2);
  REQUIRE(s.cols() == 4);
  CHECK(((s.value() == 0) || (s.value() == 1)).all());
  const RA clamped = x.max(0.0).min(1.0);
  for (Index b = 0; b < 2; ++b)
    for (Index f = 0; f < 4; ++f) {
      double count = 0;
      for (Index t = 0; t < T; ++t) count += s.value()(t * 2 + b, f);
      const double p = 0.5 * clamped(b, f);
      const double sd = std::sqrt(p * (1 - p) / T);
      CHECK(std::abs(count / T - p) <= 5 * sd + 1e-12);  // 5 sigma
    }
  std::mt19937_64 a(7), b(7), c(8);
  const RA first = nn::poisson_encode(tg::Tensor<double>(x), 5, a).value();
  CHECK((nn::poisson_encode(tg::Tensor<double>(x), 5, b).value() == first).all());
  CHECK_FALSE((nn::poisson_encode(tg::Tensor<double>(x), 5, c).value() == first).all());
  // gain 1: p = x
  std::mt19937_64 g(1);
  const auto ones = nn::poisson_encode(tg::Tensor<double>(RA::Ones(1, 3)), 10, 1.0, g);
  CHECK((ones.value() == 1).all());
}

TEST_CASE("Direct encoding repeats the input time-major and is differentiable", "[nn][encoding][gradcheck]") {
  const RA x = RA::Random(3, 2);
  tg::Scope<double> scope;
  const auto d = nn::direct_encode(tg::Tensor<double>(x), 4);
  REQUIRE(d.rows() == 12);
  for (Index t = 0; t < 4; ++t) CHECK((d.value().middleRows(t * 3, 3) == x).all());
  const auto result = tg::gradcheck(
      [](const std::vector<tg::Tensor<double>>& in) { return nn::direct_encode(in[0], 3); }, {{"x", x}});
  INFO(result.report);
  CHECK(result.passed);
}

TEST_CASE("Latency encoding: one spike per input, earlier for larger x", "[nn][encoding]") {
  RA x(1, 5);
  x << 1.0, 0.75, 0.5, 0.0, 0.001;
  const Index T = 5;
  tg::Scope<double> scope;
  const auto s = nn::latency_encode(tg::Tensor<double>(x), T);
  REQUIRE(s.rows() == T);
  CHECK((s.value().colwise().sum() == 1).all());
  auto step_of = [&](const RA& v, Index f) {
    for (Index t = 0; t < v.rows(); ++t)
      if (v(t, f) == 1) return t;
    return Index(-1);
  };
  const RA v = s.value();
  CHECK(step_of(v, 0) == 0);  // round((1 - x) * (T - 1))
  CHECK(step_of(v, 1) == 1);
  CHECK(step_of(v, 2) == 2);
  CHECK(step_of(v, 3) == 4);
  CHECK(step_of(v, 4) == 4);
  // clip: inputs below the threshold are silent
  const RA clipped = nn::latency_encode(tg::Tensor<double>(x), T, {.clip = true, .threshold = 0.01}).value();
  CHECK(clipped.col(4).sum() == 0);
  CHECK(clipped.col(3).sum() == 0);
  CHECK(clipped.col(2).sum() == 1);
  // batch layout: rows t * batch + b
  RA xb(2, 1);
  xb << 1.0, 0.0;
  const RA vb = nn::latency_encode(tg::Tensor<double>(xb), 3).value();
  CHECK(vb(0, 0) == 1);  // t = 0, b = 0
  CHECK(vb(5, 0) == 1);  // t = 2, b = 1
  CHECK(vb.sum() == 2);
}

TEST_CASE("Encoders reject bad arguments, naming them", "[nn][encoding][misuse]") {
  std::mt19937_64 rng(0);
  const tg::Tensor<double> x(RA::Zero(2, 2));
  CHECK_THROWS_WITH(nn::poisson_encode(x, 0, rng), Catch::Contains("timesteps"));
  CHECK_THROWS_WITH(nn::poisson_encode(x, 3, -0.5, rng), Catch::Contains("gain"));
  CHECK_THROWS_WITH(nn::direct_encode(x, -1), Catch::Contains("timesteps"));
  CHECK_THROWS_WITH(nn::latency_encode(x, 0), Catch::Contains("timesteps"));
}
