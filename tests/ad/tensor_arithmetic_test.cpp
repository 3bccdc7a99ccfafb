#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/ad/tensor_arithmetic.hpp>

#include <catch2/catch.hpp>

namespace tg = tropigrad;
using TD = tg::Tensor<double>;
using Ins = std::vector<TD>;
using A = tg::RowArray<double>;

namespace {
template <class F>
void check(F f, const std::vector<tg::GradcheckInput>& inputs) {
  const auto r = tg::gradcheck(f, inputs);
  INFO(r.report);
  CHECK(r.passed);
}
A random(Eigen::Index r, Eigen::Index c, double shift = 0) { return A::Random(r, c) + shift; }
}  // namespace

TEST_CASE("elementwise + - * / with equal shapes: gradcheck", "[tensor][gradcheck]") {
  std::srand(11);
  check([](const Ins& x) { return x[0] + x[1]; }, {{"a", random(3, 4)}, {"b", random(3, 4)}});
  check([](const Ins& x) { return x[0] - x[1]; }, {{"a", random(3, 4)}, {"b", random(3, 4)}});
  check([](const Ins& x) { return x[0] * x[1]; }, {{"a", random(3, 4)}, {"b", random(3, 4)}});
  check([](const Ins& x) { return x[0] / x[1]; }, {{"a", random(3, 4)}, {"b", random(3, 4, 3)}});
  check([](const Ins& x) { return -x[0] * x[0]; }, {{"a", random(2, 5)}});
}

TEST_CASE("broadcasting a row vector, a column vector and a 1x1 tensor: gradcheck", "[tensor][gradcheck]") {
  std::srand(12);
  for (auto shape : {std::pair<Eigen::Index, Eigen::Index>{1, 4}, {3, 1}, {1, 1}}) {
    const A b = random(shape.first, shape.second, 3);
    check([](const Ins& x) { return x[0] * x[1] - x[1]; }, {{"a", random(3, 4)}, {"b", b}});
    check([](const Ins& x) { return x[1] / x[0] + x[0] / x[1]; }, {{"a", random(3, 4, 3)}, {"b", b}});
  }
  // both sides broadcast: (3x1) op (1x4) -> 3x4
  check([](const Ins& x) { return x[0] * x[1] + x[0]; }, {{"a", random(3, 1)}, {"b", random(1, 4)}});
}

TEST_CASE("a Var and plain numbers on either side: values and gradients", "[tensor][gradcheck]") {
  std::srand(13);
  const A a = random(2, 3, 2);
  tg::Var s = 1.7;
  TD x(a, true);
  const tg::Var<double> y = tg::sum((2.0 - x) * s / (x + 1) + s / x - 3);
  y.backward();
  const A expected_value = (2.0 - a) * 1.7 / (a + 1) + 1.7 / a - 3;
  CHECK(y.value() == Approx(expected_value.sum()));
  const A ds = (2.0 - a) / (a + 1) + 1.0 / a;
  CHECK(s.grad() == Approx(ds.sum()));
  const A dx = 1.7 * (-(a + 1) - (2.0 - a)) / ((a + 1) * (a + 1)) - 1.7 / (a * a);
  CHECK((x.grad() - dx).abs().maxCoeff() < 1e-12);
}

TEST_CASE("shapes that do not broadcast throw, naming the op and both shapes", "[tensor][misuse]") {
  TD a(A::Ones(3, 4)), b(A::Ones(2, 4));
  CHECK_THROWS_AS(a + b, std::invalid_argument);
  CHECK_THROWS_WITH(a * b, Catch::Contains("multiply") && Catch::Contains("3x4") && Catch::Contains("2x4"));
}

TEST_CASE("float agrees with double", "[tensor]") {
  const A a = random(4, 4, 2), b = random(1, 4, 2);
  const tg::Tensor<float> af(a.cast<float>()), bf(b.cast<float>());
  const TD ad(a), bd(b);
  const auto rf = ((af * bf - af) / bf).value().cast<double>().eval();
  const auto rd = ((ad * bd - ad) / bd).value().eval();
  CHECK(((rf - rd).abs() / rd.abs().max(1.0)).maxCoeff() < 1e-6);
}
