#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/ad/scalar_arithmetic.hpp>

#include <catch2/catch.hpp>

namespace tg = tropigrad;
using V = tg::Var<double>;

namespace {
// A deliberately wrong op: value x^2, recorded derivative 3x instead of 2x.
V wrong_square(const V& x) {
  return tg::detail::unary_result(x, x.value() * x.value(), 3 * x.value());
}
}  // namespace

TEST_CASE("gradcheck passes a correct gradient and names the component of a wrong one", "[gradcheck]") {
  CHECK(tg::gradcheck([](const std::vector<V>& v) { return v[0] * v[0] + v[1]; }, {1.5, 2.0}).passed);
  const auto bad = tg::gradcheck([](const std::vector<V>& v) { return wrong_square(v[0]) + v[1]; }, {1.5, 2.0});
  CHECK_FALSE(bad.passed);
  CHECK_THAT(bad.report, Catch::Contains("x[0]"));
  CHECK_THAT(bad.report, !Catch::Contains("x[1]"));
}

TEST_CASE("tensor gradcheck names the input and the component that failed", "[gradcheck]") {
  tg::RowArray<double> a(2, 2), b(2, 2);
  a << 1, 2, 3, 4;
  b << 0.5, 0.25, -1, 2;
  const auto good = tg::gradcheck(
      [](const std::vector<tg::Tensor<double>>& in) { return in[0] * in[1]; }, {{"a", a}, {"b", b}});
  INFO(good.report);
  CHECK(good.passed);
  // Wrong on purpose: treat b as a constant inside, so its gradient is missing.
  const auto bad = tg::gradcheck(
      [](const std::vector<tg::Tensor<double>>& in) {
        return in[0] * tg::Tensor<double>(tg::RowArray<double>(in[1].value()));
      },
      {{"a", a}, {"b", b}});
  CHECK_FALSE(bad.passed);
  CHECK_THAT(bad.report, Catch::Contains("'b' component (0, 0)"));
  CHECK_THAT(bad.report, !Catch::Contains("'a'"));
}
