#include <tropigrad/ad/scalar_activation.hpp>
#include <tropigrad/ad/scalar_arithmetic.hpp>

#include <cmath>

#include "scalar_test_util.hpp"

namespace tg = tropigrad;
using Vs = std::vector<tg::Var<double>>;

TEST_CASE("sigmoid softplus log_sigmoid: values against closed forms", "[scalar]") {
  for (double x : {-3.0, -0.5, 0.0, 0.25, 4.0}) {
    CHECK(tg::sigmoid(tg::Var(x)).value() == Approx(1 / (1 + std::exp(-x))));
    CHECK(tg::softplus(tg::Var(x)).value() == Approx(std::log(1 + std::exp(x))));
    CHECK(tg::log_sigmoid(tg::Var(x)).value() == Approx(std::log(1 / (1 + std::exp(-x)))));
  }
}

TEST_CASE("sigmoid softplus log_sigmoid: gradients, also at large magnitude", "[scalar][gradcheck]") {
  std::mt19937 rng(6);
  for (int trial = 0; trial < 20; ++trial) {
    const auto p = test_util::random_point(rng, 1, -8, 8);
    test_util::check_gradient([](const Vs& v) { return tg::sigmoid(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::softplus(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::log_sigmoid(v[0]); }, p);
  }
  for (double x : {-800.0, 800.0}) {
    tg::Var v = x;
    const auto y = tg::softplus(v) + tg::log_sigmoid(v) + tg::sigmoid(v);
    y.backward();
    CHECK(std::isfinite(y.value()));
    CHECK(v.grad() == Approx(1.0));  // sigmoid(x) + sigmoid(-x) + ~0
  }
}
