#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/ad/tensor_sum.hpp>

#include <catch2/catch.hpp>

namespace tg = tropigrad;
using TD = tg::Tensor<double>;
using Ins = std::vector<TD>;
using A = tg::RowArray<double>;

TEST_CASE("sum and mean: values against loops", "[tensor]") {
  A a(2, 3);
  a << 1, 2, 3, 4, 5, 6;
  const TD x(a);
  CHECK(tg::sum(x).value() == 21);
  CHECK(tg::mean(x).value() == 3.5);
  const TD rows = tg::sum(x, 1), cols = tg::mean(x, 0);
  CHECK(rows.shape() == "2x1");
  CHECK(rows(1, 0) == 15);
  CHECK(cols.shape() == "1x3");
  CHECK(cols(0, 2) == 4.5);
}

TEST_CASE("sum and mean: gradcheck over all elements and along each axis", "[tensor][gradcheck]") {
  std::srand(21);
  const std::vector<tg::GradcheckInput> in = {{"x", A::Random(3, 5)}};
  auto check = [&](auto f) {
    const auto r = tg::gradcheck(f, in);
    INFO(r.report);
    CHECK(r.passed);
  };
  check([](const Ins& x) { return tg::sum(x[0] * x[0]); });
  check([](const Ins& x) { return tg::mean(x[0] * x[0]); });
  check([](const Ins& x) { return tg::sum(x[0] * x[0], 0); });
  check([](const Ins& x) { return tg::sum(x[0] * x[0], 1); });
  check([](const Ins& x) { return tg::mean(x[0] * x[0], 0); });
  check([](const Ins& x) { return tg::mean(x[0] * x[0], 1); });
}

TEST_CASE("a bad axis and an empty mean throw", "[tensor][misuse]") {
  const TD x(A::Ones(2, 2));
  CHECK_THROWS_WITH(tg::sum(x, 2), Catch::Contains("axis") && Catch::Contains("2"));
  CHECK_THROWS_AS(tg::mean(TD(A(0, 3))), std::invalid_argument);
}
