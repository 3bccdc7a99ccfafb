#include "tropigrad/ad/tensor_normalize.hpp"

#include <cmath>
#include <limits>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"

namespace test_ad_tensor_normalize_test {

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

TEST_CASE("normalize: forward against a naive loop, both axes", "[ad][normalize]") {
  tg::Scope<double> scope;
  const auto x = random_array(3, 5, 81, -2.0, 2.0);
  for (int axis : {0, 1}) {
    const auto y = tg::normalize(tg::Tensor<double>(x), axis);
    for (Eigen::Index r = 0; r < 3; ++r)
      for (Eigen::Index c = 0; c < 5; ++c) {
        long double s = 0;
        const Eigen::Index n = axis == 1 ? 5 : 3;
        for (Eigen::Index i = 0; i < n; ++i) {
          const long double v = axis == 1 ? x(r, i) : x(i, c);
          s += v * v;
        }
        CHECK(y(r, c) == Approx(static_cast<double>(x(r, c) / std::sqrt(s))).epsilon(1e-14));
      }
  }
}

TEST_CASE("normalize: gradcheck both axes, near-zero lines, large magnitudes", "[ad][normalize]") {
  const auto x = random_array(4, 3, 82, -2.0, 2.0);
  for (int axis : {0, 1}) {
    INFO("axis " << axis);
    CHECK(tg::gradcheck([&](const auto& in) { return tg::normalize(in[0], axis); }, {{"x", x}}));
  }
  // Row 1 has norm below eps = 0.1: the linear branch x / eps.
  RowArrayD small = x;
  small.row(1) *= 0.01;
  CHECK(tg::gradcheck([&](const auto& in) { return tg::normalize(in[0], 1, 0.1); }, {{"x", small}}));
  tg::GradcheckOptions opt;
  opt.rtol = 1e-5;
  opt.atol = 1e-12;
  CHECK(tg::gradcheck([&](const auto& in) { return tg::normalize(in[0], 1); }, {{"x", RowArrayD(x * 1e6)}}, opt));
  tg::Scope<double> scope;
  tg::Tensor<double> zero(RowArrayD::Zero(2, 3), true);
  const auto y = tg::normalize(zero, 1);
  CHECK(y.value().abs().maxCoeff() == 0.0);
  tg::sum(y).backward();
  CHECK(zero.grad()(0, 0) == Approx(1e12));  // g / eps
  const auto big = tg::normalize(tg::Tensor<double>(RowArrayD(x * 1e100)), 1);
  const auto ref = tg::normalize(tg::Tensor<double>(x), 1);
  CHECK((big.value() - ref.value()).abs().maxCoeff() < 1e-15);
}

TEST_CASE("normalize: bad input", "[ad][normalize]") {
  tg::Scope<double> scope;
  const tg::Tensor<double> x(random_array(2, 3, 83));
  CHECK_THAT(tg_ops_test::invalid_argument_message([&] { tg::normalize(x, 2); }), Catch::Contains("axis") && Catch::Contains("got 2"));
  CHECK_THAT(tg_ops_test::invalid_argument_message([&] { tg::normalize(x, 1, 0.0); }), Catch::Contains("eps") && Catch::Contains("got 0"));
  RowArrayD bad = random_array(2, 3, 84);
  bad(1, 2) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THAT(tg_ops_test::invalid_argument_message([&] { tg::normalize(tg::Tensor<double>(bad), 1); }),
             Catch::Contains("tropigrad::normalize") && Catch::Contains("row 1") && Catch::Contains("nan"));
  bad(1, 2) = std::numeric_limits<double>::infinity();
  CHECK_THAT(tg_ops_test::invalid_argument_message([&] { tg::normalize(tg::Tensor<double>(bad), 0); }),
             Catch::Contains("column 2") && Catch::Contains("inf"));
}

}  // namespace test_ad_tensor_normalize_test
