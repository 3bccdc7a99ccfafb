#include <tropigrad/ad/tensor_activations.hpp>

#include <cmath>

#include "elementwise_test_util.hpp"

using namespace tg_test;

namespace {
// Independent references in long double, written from the definitions.
long double ref_sigmoid(long double x) { return 1.0L / (1.0L + std::exp(-x)); }
long double ref_softplus(long double x) { return x > 30 ? x + std::exp(-x) : std::log(1.0L + std::exp(x)); }
}  // namespace

TEST_CASE("activations: forward matches references", "[tensor][activations]") {
  A x = uniform(3, 5, -6, 6, 31);
  x(0, 0) = 0;
  const TD t(x);
  const auto s = tg::sigmoid(t), ls = tg::log_sigmoid(t), sp = tg::softplus(t), th = tg::tanh(t), re = tg::relu(t),
             ab = tg::abs(t), cl = tg::clamp(t, -1, 2.5);
  for (Eigen::Index r = 0; r < 3; ++r)
    for (Eigen::Index c = 0; c < 5; ++c) {
      const double v = x(r, c);
      CHECK(s(r, c) == Approx(static_cast<double>(ref_sigmoid(v))).epsilon(1e-14));
      CHECK(ls(r, c) == Approx(static_cast<double>(std::log(ref_sigmoid(v)))).epsilon(1e-14));
      CHECK(sp(r, c) == Approx(static_cast<double>(ref_softplus(v))).epsilon(1e-14));
      CHECK(th(r, c) == Approx(std::tanh(v)).epsilon(1e-14));
      CHECK(re(r, c) == (v > 0 ? v : 0.0));
      CHECK(ab(r, c) == std::abs(v));
      CHECK(cl(r, c) == std::min(2.5, std::max(-1.0, v)));
    }
}

TEST_CASE("sigmoid, log_sigmoid, softplus: stable for large |x|", "[tensor][activations]") {
  A x(1, 6);
  x << -1e4, -800, -40, 40, 800, 1e4;
  TD t(x, true);
  const auto s = tg::sigmoid(t), ls = tg::log_sigmoid(t), sp = tg::softplus(t);
  CHECK(s.value().allFinite());
  CHECK(ls.value().allFinite());
  CHECK(sp.value().allFinite());
  CHECK(s(0, 0) == Approx(0.0).margin(1e-300));
  CHECK(s(0, 2) == Approx(static_cast<double>(ref_sigmoid(-40))).epsilon(1e-13));  // ~4e-18, not 0
  CHECK(s(0, 5) == 1.0);
  CHECK(ls(0, 0) == -1e4);
  CHECK(ls(0, 1) == -800);
  CHECK(ls(0, 3) == Approx(-std::exp(-40.0)).epsilon(1e-13));  // tiny, not rounded to 0
  CHECK(sp(0, 5) == 1e4);
  CHECK(sp(0, 2) == Approx(std::exp(-40.0)).epsilon(1e-13));
  tg::sum(s + ls + sp).backward();
  CHECK(t.grad().allFinite());
  // d/dx [sigmoid + log_sigmoid + softplus] = s(1-s) + s(-x) + s(x) = s(1-s) + 1
  for (Eigen::Index i = 0; i < 6; ++i) {
    const long double p = ref_sigmoid(x(0, i));
    CHECK(t.grad()(0, i) == Approx(static_cast<double>(p * (1 - p) + 1)).epsilon(1e-13));
  }
}

TEST_CASE("activations: gradcheck", "[tensor][activations][gradcheck]") {
  A x = uniform(3, 4, -4, 4, 32);
  // keep away from the kinks of abs / relu / clamp by more than the FD step
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    double& v = x.data()[i];
    for (double kink : {0.0, -1.0, 2.5})
      if (std::abs(v - kink) < 1e-3) v += 0.01;
  }
  check_gradient([](const Ins& v) { return tg::sigmoid(v[0]); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::log_sigmoid(v[0]); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::softplus(v[0]); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::tanh(v[0]); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::relu(v[0]); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::abs(v[0]); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::clamp(v[0], -1.0, 2.5); }, {{"x", x}});
  check_gradient([](const Ins& v) { return tg::softplus(v[0] * v[1]); }, {{"x", x}, {"row", uniform(1, 4, -3, 3, 33)}});
}

TEST_CASE("clamp: gradient passes inside [lo, hi] (ends included), zero outside", "[tensor][activations]") {
  A x(1, 5);
  x << -3, -1, 0.5, 2, 7;
  TD t(x, true);
  tg::sum(tg::clamp(t, -1, 2)).backward();
  A want(1, 5);
  want << 0, 1, 1, 1, 0;
  CHECK((t.grad() == want).all());
  CHECK_THAT(invalid_argument_message([&] { tg::clamp(t, 3, 1); }), Catch::Contains("lo") && Catch::Contains("hi"));
}

TEST_CASE("activations: float agrees with double", "[tensor][activations][float]") {
  const A x = uniform(4, 6, -20, 20, 34);
  CHECK(float_vs_double([](const auto& t) { return tg::sigmoid(t); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::log_sigmoid(t); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::softplus(t); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::tanh(t); }, x) < 1e-6);
  tg::Tensor<float> big(Eigen::ArrayXXf::Constant(1, 1, 200.0f), true);
  tg::sum(tg::softplus(big) + tg::sigmoid(-big)).backward();
  CHECK(std::isfinite(big.grad()(0, 0)));
}
