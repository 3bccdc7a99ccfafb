#include <tropigrad/ad/tensor_where.hpp>

#include "elementwise_test_util.hpp"

using namespace tg_test;

TEST_CASE("where: values and gradients follow the mask", "[tensor][where]") {
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> mask(2, 3);
  mask << true, false, true, false, false, true;
  const A a = uniform(2, 3, -1, 1, 71), b = uniform(2, 3, -1, 1, 72);
  TD ta(a, true), tb(b, true);
  const auto y = tg::where(mask, ta, tb);
  tg::sum(y).backward();
  for (Eigen::Index r = 0; r < 2; ++r)
    for (Eigen::Index c = 0; c < 3; ++c) {
      CHECK(y(r, c) == (mask(r, c) ? a(r, c) : b(r, c)));
      CHECK(ta.grad()(r, c) == (mask(r, c) ? 1.0 : 0.0));
      CHECK(tb.grad()(r, c) == (mask(r, c) ? 0.0 : 1.0));
    }
}

TEST_CASE("where: Tensor mask, numbers, Vars, broadcasting; gradcheck", "[tensor][where][gradcheck]") {
  A m(3, 4);
  m << 1, 0, 2, 0, 0, 0, -1, 1, 0.5, 0, 0, 3;
  const TD tm(m);
  check_gradient([&](const Ins& v) { return tg::where(tm, v[0], v[1]); }, {{"a", uniform(3, 4, -1, 1, 73)}, {"b", uniform(3, 4, -1, 1, 74)}});
  check_gradient([&](const Ins& v) { return tg::where(tm, v[0], v[1]); }, {{"row", uniform(1, 4, -1, 1, 75)}, {"col", uniform(3, 1, -1, 1, 76)}});
  check_gradient([&](const Ins& v) { return tg::where(tm, v[0], 0.0); }, {{"s", uniform(1, 1, -1, 1, 77)}});
  const TD row_mask(A::Map(std::vector<double>{1, 0, 0, 1}.data(), 1, 4).eval());
  check_gradient([&](const Ins& v) { return tg::where(row_mask, v[0], -2.0); }, {{"a", uniform(3, 4, -1, 1, 78)}});
  tg::Var<double> s(3.0);
  const auto y = tg::where(tm, s, -1.0);
  tg::sum(y).backward();
  CHECK(s.grad() == 6.0);  // six nonzero mask entries
  CHECK(y(0, 1) == -1.0);
}

TEST_CASE("where: float, and shape mismatch names the shapes", "[tensor][where][float]") {
  Eigen::Array<bool, 1, 3> mask;
  mask << true, false, true;
  const auto y = tg::where(mask, tg::Tensor<float>(Eigen::ArrayXXf::Ones(2, 3)), 0.0f);
  CHECK(y(1, 1) == 0.0f);
  CHECK(y(1, 2) == 1.0f);
  const std::string msg = invalid_argument_message([] { tg::where(TD(A::Ones(2, 2)), TD(A::Ones(3, 3)), 1.0); });
  CHECK_THAT(msg, Catch::Contains("2x2") && Catch::Contains("3x3") && Catch::Contains("where"));
}
