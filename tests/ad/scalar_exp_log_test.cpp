#include <tropigrad/ad/scalar_exp_log.hpp>
#include <tropigrad/ad/scalar_arithmetic.hpp>

#include <cmath>

#include "scalar_test_util.hpp"

namespace tg = tropigrad;
using Vs = std::vector<tg::Var<double>>;

TEST_CASE("exp log log1p expm1: values and gradients", "[scalar][gradcheck]") {
  tg::Var x = 0.7;
  CHECK(tg::exp(x).value() == std::exp(0.7));
  CHECK(tg::log(x).value() == std::log(0.7));
  CHECK(tg::log1p(x).value() == std::log1p(0.7));
  CHECK(tg::expm1(x).value() == std::expm1(0.7));
  std::mt19937 rng(2);
  for (int trial = 0; trial < 20; ++trial) {
    const auto p = test_util::random_point(rng, 1, 0.01, 5);
    test_util::check_gradient([](const Vs& v) { return tg::exp(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::log(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::log1p(v[0]); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::expm1(-v[0]); }, p);
  }
  test_util::check_gradient([](const Vs& v) { return tg::log(v[0]); }, {1e6});
  test_util::check_gradient([](const Vs& v) { return tg::expm1(v[0]); }, {1e-9});
}
