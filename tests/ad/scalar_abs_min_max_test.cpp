#include <tropigrad/ad/scalar_abs_min_max.hpp>
#include <tropigrad/ad/scalar_arithmetic.hpp>

#include "scalar_test_util.hpp"

namespace tg = tropigrad;
using Vs = std::vector<tg::Var<double>>;

TEST_CASE("abs min max: gradients away from the kinks", "[scalar][gradcheck]") {
  std::mt19937 rng(5);
  for (int trial = 0; trial < 30; ++trial) {
    auto p = test_util::random_point(rng, 2, -3, 3);
    if (std::abs(p[0] - p[1]) < 1e-3 || std::abs(p[0]) < 1e-3) continue;
    test_util::check_gradient([](const Vs& v) { return tg::abs(v[0]) * v[1]; }, p);
    test_util::check_gradient([](const Vs& v) { return tg::max(v[0], v[1]) * 2.0; }, p);
    test_util::check_gradient([](const Vs& v) { return tg::min(v[0], v[1]) - tg::max(v[0], 0.5); }, p);
    test_util::check_gradient([](const Vs& v) { return tg::min(0.25, v[1]); }, p);
  }
  // near-ties, still away from the kink by more than the step
  test_util::check_gradient([](const Vs& v) { return tg::max(v[0], v[1]); }, {1.0, 1.0 + 1e-4});
}

TEST_CASE("max and min send the subgradient to the first argument on a tie", "[scalar]") {
  tg::Var a = 1.0, b = 1.0;
  tg::max(a, b).backward();
  CHECK(a.grad() == 1.0);
  CHECK(b.grad() == 0.0);
  tg::Var c = 2.0, d = 2.0;
  tg::min(c, d).backward();
  CHECK(c.grad() == 1.0);
  CHECK(d.grad() == 0.0);
}
