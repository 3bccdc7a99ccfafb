#include "tropigrad/ad/tensor_dot.hpp"

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

TEST_CASE("dot, squared_norm: forward against long double loops", "[ad][dot]") {
  tg::Scope<double> scope;
  const auto a = random_array(3, 4, 21), b = random_array(3, 4, 22);
  long double d = 0, n = 0;
  for (Eigen::Index i = 0; i < a.size(); ++i) {
    d += static_cast<long double>(a.data()[i]) * b.data()[i];
    n += static_cast<long double>(a.data()[i]) * a.data()[i];
  }
  CHECK(tg::dot(tg::Tensor<double>(a), tg::Tensor<double>(b)).value() == Approx(static_cast<double>(d)).epsilon(1e-14));
  CHECK(tg::squared_norm(tg::Tensor<double>(a)).value() == Approx(static_cast<double>(n)).epsilon(1e-14));
  tg::Scope<float> sf;
  CHECK(tg::dot(tg::Tensor<float>(a.cast<float>().eval()), tg::Tensor<float>(b.cast<float>().eval())).value() ==
        Approx(static_cast<double>(d)).epsilon(1e-5));
}

TEST_CASE("dot, squared_norm: gradcheck", "[ad][dot]") {
  const auto a = random_array(3, 4, 23), b = random_array(3, 4, 24), v = random_array(5, 1, 25);
  CHECK(tg::gradcheck([](const auto& in) { return tg::dot(in[0], in[1]); }, {{"a", a}, {"b", b}}));
  CHECK(tg::gradcheck([](const auto& in) { return tg::dot(in[0], in[0]); }, {{"a", a}}));
  CHECK(tg::gradcheck([](const auto& in) { return tg::squared_norm(in[0]); }, {{"v", v}}));
}

TEST_CASE("dot: shape mismatch names both shapes; requires_grad respected", "[ad][dot]") {
  tg::Scope<double> scope;
  tg::Tensor<double> a(RowArrayD::Ones(2, 3), true), b(RowArrayD::Ones(3, 2));
  const auto m = tg_ops_test::invalid_argument_message([&] { tg::dot(a, b); });
  CHECK_THAT(m, Catch::Contains("dot") && Catch::Contains("2x3") && Catch::Contains("3x2"));
  tg::Tensor<double> c(RowArrayD::Constant(2, 3, 2.0));
  tg::dot(a, c).backward();
  CHECK((a.grad() == 2.0).all());
  CHECK(c.grad().isZero());
  tg::NoGrad<double> no_grad;
  CHECK(tg::dot(a, c).is_constant());
}
