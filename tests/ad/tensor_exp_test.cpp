#include <tropigrad/ad/tensor_exp.hpp>

#include <cmath>

#include "elementwise_test_util.hpp"

using namespace tg_test;

TEST_CASE("exp, log, log1p: forward matches std:: functions", "[tensor][exp]") {
  const A x = uniform(3, 4, 0.05, 3.0, 1);
  const TD t(x);
  const auto e = tg::exp(t), l = tg::log(t), l1 = tg::log1p(t);
  for (Eigen::Index r = 0; r < 3; ++r)
    for (Eigen::Index c = 0; c < 4; ++c) {
      CHECK(e(r, c) == Approx(std::exp(x(r, c))).epsilon(1e-14));
      CHECK(l(r, c) == Approx(std::log(x(r, c))).epsilon(1e-14).margin(1e-15));
      CHECK(l1(r, c) == Approx(std::log1p(x(r, c))).epsilon(1e-14));
    }
  // log1p stays accurate for tiny x, where log(1 + x) would not.
  CHECK(tg::log1p(TD(A::Constant(1, 1, 1e-12))).item() == Approx(1e-12).epsilon(1e-12));
}

TEST_CASE("exp, log, log1p: gradcheck", "[tensor][exp][gradcheck]") {
  check_gradient([](const Ins& x) { return tg::exp(x[0]); }, {{"x", uniform(3, 4, -2, 2, 2)}});
  check_gradient([](const Ins& x) { return tg::log(x[0]); }, {{"x", uniform(3, 4, 0.2, 3, 3)}});
  check_gradient([](const Ins& x) { return tg::log1p(x[0]); }, {{"x", uniform(3, 4, -0.5, 3, 4)}});
  // composed with a broadcast: exp(x + row)
  check_gradient([](const Ins& x) { return tg::exp(x[0] + x[1]); },
                 {{"x", uniform(3, 4, -1, 1, 5)}, {"row", uniform(1, 4, -1, 1, 6)}});
}

TEST_CASE("exp, log, log1p: gradients against closed forms", "[tensor][exp]") {
  const A x = uniform(2, 3, 0.3, 2.0, 7);
  TD t(x, true);
  tg::sum(tg::exp(t) + tg::log(t) + tg::log1p(t)).backward();
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double v = x.data()[i];
    CHECK(t.grad().data()[i] == Approx(std::exp(v) + 1 / v + 1 / (1 + v)).epsilon(1e-13));
  }
}

TEST_CASE("exp, log, log1p: float agrees with double", "[tensor][exp][float]") {
  const A x = uniform(4, 5, 0.1, 3.0, 8);
  CHECK(float_vs_double([](const auto& t) { return tg::exp(t); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::log(t); }, x) < 1e-6);
  CHECK(float_vs_double([](const auto& t) { return tg::log1p(t); }, x) < 1e-6);
}

TEST_CASE("exp: NoGrad and requires_grad = false record nothing", "[tensor][exp]") {
  TD p(A::Ones(2, 2), true);
  {
    tg::NoGrad<double> no_grad;
    CHECK_FALSE(tg::exp(p).requires_grad());
  }
  CHECK(tg::exp(p).requires_grad());
  const auto nodes = tg::tape<double>().num_nodes();
  CHECK_FALSE(tg::log(TD(A::Ones(2, 2))).requires_grad());
  CHECK(tg::tape<double>().num_nodes() == nodes);
}
