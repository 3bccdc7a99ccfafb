#include <tropigrad/ad/scalar_trig.hpp>

#include "scalar_test_util.hpp"

namespace tg = tropigrad;
using Vs = std::vector<tg::Var<double>>;

TEST_CASE("sin cos tanh: values and gradients", "[scalar][gradcheck]") {
  CHECK(tg::sin(tg::Var(0.3)).value() == std::sin(0.3));
  CHECK(tg::tanh(tg::Var(-0.3)).value() == std::tanh(-0.3));
  std::mt19937 rng(4);
  for (int trial = 0; trial < 20; ++trial) {
    const auto p = test_util::random_point(rng, 1, -4, 4);
    test_util::check_gradient([](const Vs& v) { return tg::sin(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::cos(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::tanh(v[0]); }, p);
  }
  test_util::check_gradient([](const Vs& v) { return tg::tanh(v[0]); }, {30.0});
}
