#include <tropigrad/ad/scalar_arithmetic.hpp>
#include <tropigrad/ad/tensor_max_min.hpp>

#include "elementwise_test_util.hpp"

using namespace tg_test;

TEST_CASE("elementwise max/min: forward and ties go to the first argument", "[tensor][max_min]") {
  A a(1, 4), b(1, 4);
  a << 1, 2, 3, -1;
  b << 0, 2, 5, -2;
  TD ta(a, true), tb(b, true);
  const auto mx = tg::max(ta, tb), mn = tg::min(ta, tb);
  for (Eigen::Index i = 0; i < 4; ++i) {
    CHECK(mx(0, i) == std::max(a(0, i), b(0, i)));
    CHECK(mn(0, i) == std::min(a(0, i), b(0, i)));
  }
  tg::sum(mx).backward();
  A ga(1, 4), gb(1, 4);
  ga << 1, 1, 0, 1;  // the tie at index 1 selects a
  gb << 0, 0, 1, 0;
  CHECK((ta.grad() == ga).all());
  CHECK((tb.grad() == gb).all());
  ta.zero_grad();
  tb.zero_grad();
  tg::sum(mn).backward();
  ga << 0, 1, 1, 0;
  gb << 1, 0, 0, 1;
  CHECK((ta.grad() == ga).all());
  CHECK((tb.grad() == gb).all());
}

TEST_CASE("elementwise max/min: gradcheck near ties and with broadcasting", "[tensor][max_min][gradcheck]") {
  const A a = uniform(3, 4, -1, 1, 41);
  A near = a;  // differences of ~1e-3: far from the FD step (1e-6), close to a tie
  for (Eigen::Index i = 0; i < near.size(); ++i) near.data()[i] += (i % 2 ? 1e-3 : -1e-3);
  check_gradient([](const Ins& v) { return tg::max(v[0], v[1]); }, {{"a", a}, {"b", near}});
  check_gradient([](const Ins& v) { return tg::min(v[0], v[1]); }, {{"a", a}, {"b", near}});
  check_gradient([](const Ins& v) { return tg::max(v[0], v[1]); }, {{"a", a}, {"row", uniform(1, 4, -1, 1, 42)}});
  check_gradient([](const Ins& v) { return tg::min(v[0], v[1]); }, {{"col", uniform(3, 1, -1, 1, 43)}, {"a", a}});
  check_gradient([](const Ins& v) { return tg::max(v[0], v[1]); }, {{"a", a}, {"s", uniform(1, 1, -0.5, 0.5, 44)}});
  check_gradient([](const Ins& v) { return tg::max(v[0], 0.1); }, {{"a", a}});
  check_gradient([](const Ins& v) { return tg::minimum(0, v[0]); }, {{"a", a}});
}

TEST_CASE("elementwise max with a Var", "[tensor][max_min]") {
  A a(1, 3);
  a << -1, 0.5, 2;
  TD t(a, true);
  tg::Var<double> s(0.75);
  const auto y = tg::max(t, s);
  CHECK(y(0, 0) == 0.75);
  CHECK(y(0, 2) == 2);
  tg::sum(y).backward();
  CHECK(s.grad() == 2.0);  // selected twice
  CHECK(t.grad()(0, 2) == 1.0);
}

TEST_CASE("max/min along an axis: values, first-index ties, gradcheck", "[tensor][max_min][gradcheck]") {
  A x(3, 3);
  x << 1, 5, 5,  //
      7, 2, 0,   //
      7, 4, -1;
  TD t(x, true);
  const auto m0 = tg::max(t, 0), m1 = tg::max(t, 1), n1 = tg::min(t, 1);
  CHECK(m0.rows() == 1);
  CHECK(m1.cols() == 1);
  CHECK(m0(0, 0) == 7);
  CHECK(m0(0, 1) == 5);
  CHECK(m0(0, 2) == 5);
  CHECK(m1(0, 0) == 5);
  CHECK(n1(2, 0) == -1);
  (tg::sum(m0) + tg::sum(m1)).backward();
  A want = A::Zero(3, 3);
  want(1, 0) += 1;  // column 0: tie between rows 1 and 2 -> row 1
  want(0, 1) += 1;
  want(0, 2) += 1;
  want(0, 1) += 1;  // row 0: tie between cols 1 and 2 -> col 1
  want(1, 0) += 1;
  want(2, 0) += 1;
  CHECK((t.grad() == want).all());
  const A r = uniform(4, 5, -2, 2, 45);
  for (int axis : {0, 1}) {
    check_gradient([axis](const Ins& v) { return tg::max(v[0], axis); }, {{"x", r}});
    check_gradient([axis](const Ins& v) { return tg::min(v[0], axis); }, {{"x", r}});
  }
  CHECK_THAT(invalid_argument_message([&] { tg::max(t, 2); }), Catch::Contains("axis"));
}

TEST_CASE("max/min: float agrees with double; shapes are checked", "[tensor][max_min][float]") {
  const A a = uniform(3, 4, -2, 2, 46);
  CHECK(float_vs_double([](const auto& t) { return tg::max(t, 0.3); }, a) < 1e-7);
  CHECK(float_vs_double([](const auto& t) { return tg::min(t, 1); }, a) < 1e-7);
  const std::string m = invalid_argument_message([] { tg::max(TD(A::Ones(2, 3)), TD(A::Ones(4, 3))); });
  CHECK_THAT(m, Catch::Contains("2x3") && Catch::Contains("4x3") && Catch::Contains("max"));
}
