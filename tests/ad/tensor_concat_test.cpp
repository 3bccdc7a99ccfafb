#include "tropigrad/ad/tensor_concat.hpp"

#include <vector>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

TEST_CASE("concat: forward along both axes", "[ad][concat]") {
  tg::Scope<double> scope;
  const auto a = random_array(2, 3, 41), b = random_array(1, 3, 42), c = random_array(2, 4, 43);
  const auto rows = tg::concat({tg::Tensor<double>(a), tg::Tensor<double>(b)}, 0);
  REQUIRE(rows.rows() == 3);
  REQUIRE(rows.cols() == 3);
  for (Eigen::Index j = 0; j < 3; ++j) {
    CHECK(rows(0, j) == a(0, j));
    CHECK(rows(1, j) == a(1, j));
    CHECK(rows(2, j) == b(0, j));
  }
  const std::vector<tg::Tensor<double>> list{tg::Tensor<double>(a), tg::Tensor<double>(c), tg::Tensor<double>(a)};
  const auto cols = tg::concat(list, 1);
  REQUIRE(cols.cols() == 10);
  CHECK(cols(1, 2) == a(1, 2));
  CHECK(cols(1, 3) == c(1, 0));
  CHECK(cols(0, 9) == a(0, 2));
}

TEST_CASE("concat: gradcheck, with one input used twice", "[ad][concat]") {
  const auto a = random_array(2, 3, 44), b = random_array(1, 3, 45), c = random_array(2, 2, 46);
  CHECK(tg::gradcheck([](const auto& in) { return tg::concat({in[0], in[1], in[0]}, 0); }, {{"a", a}, {"b", b}}));
  CHECK(tg::gradcheck([](const auto& in) { return tg::concat({in[0], in[1]}, 1); }, {{"a", a}, {"c", c}}));
}

TEST_CASE("concat: mismatched shapes name both; requires_grad respected", "[ad][concat]") {
  tg::Scope<double> scope;
  tg::Tensor<double> a(RowArrayD::Ones(2, 3), true), b(RowArrayD::Ones(4, 5));
  auto m = tg_ops_test::invalid_argument_message([&] { tg::concat({a, b}, 0); });
  CHECK_THAT(m, Catch::Contains("concat") && Catch::Contains("2x3") && Catch::Contains("4x5"));
  m = tg_ops_test::invalid_argument_message([&] { tg::concat({a, b}, 1); });
  CHECK_THAT(m, Catch::Contains("concat") && Catch::Contains("2x3") && Catch::Contains("4x5"));
  tg::Tensor<double> c(RowArrayD::Ones(2, 5));
  tg::sum(tg::concat({a, c}, 1)).backward();
  CHECK((a.grad() == 1.0).all());
  CHECK(c.grad().isZero());
  tg::NoGrad<double> no_grad;
  CHECK_FALSE(tg::concat({a, c}, 1).requires_grad());
}
