#include "tropigrad/ad/tensor_slice.hpp"

#include <vector>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

TEST_CASE("slice_rows, index_select: forward", "[ad][slice]") {
  tg::Scope<double> scope;
  const auto x = random_array(5, 3, 51);
  const auto s = tg::slice_rows(tg::Tensor<double>(x), 1, 3);
  REQUIRE(s.rows() == 3);
  for (Eigen::Index r = 0; r < 3; ++r)
    for (Eigen::Index c = 0; c < 3; ++c) CHECK(s(r, c) == x(r + 1, c));
  const std::vector<int> idx{4, 0, 4};
  const auto rows = tg::index_select(tg::Tensor<double>(x), idx, 0);
  REQUIRE(rows.rows() == 3);
  CHECK(rows(0, 1) == x(4, 1));
  CHECK(rows(1, 2) == x(0, 2));
  CHECK(rows(2, 0) == x(4, 0));
  Eigen::VectorXi cidx(2);
  cidx << 2, 2;
  const auto cols = tg::gather(tg::Tensor<double>(x), cidx, 1);
  REQUIRE(cols.cols() == 2);
  CHECK(cols(3, 0) == x(3, 2));
  CHECK(cols(3, 1) == x(3, 2));
}

TEST_CASE("slice_rows, index_select: gradcheck; duplicates accumulate", "[ad][slice]") {
  const auto x = random_array(5, 3, 52);
  CHECK(tg::gradcheck([](const auto& in) { return tg::slice_rows(in[0], 2, 2); }, {{"x", x}}));
  const std::vector<long> idx{1, 3, 1, 1};
  CHECK(tg::gradcheck([&](const auto& in) { return tg::index_select(in[0], idx, 0); }, {{"x", x}}));
  const std::vector<int> cidx{2, 0, 2};
  CHECK(tg::gradcheck([&](const auto& in) { return tg::gather(in[0], cidx, 1); }, {{"x", x}}));

  tg::Scope<double> scope;
  tg::Tensor<double> t(x, true);
  tg::sum(tg::index_select(t, idx, 0)).backward();
  CHECK((t.grad().row(1) == 3.0).all());  // selected three times
  CHECK((t.grad().row(3) == 1.0).all());
  CHECK((t.grad().row(0) == 0.0).all());
}

TEST_CASE("slice_rows, index_select: out-of-range values are named", "[ad][slice]") {
  tg::Scope<double> scope;
  tg::Tensor<double> x(RowArrayD::Ones(4, 3));
  auto m = tg_ops_test::invalid_argument_message([&] { tg::slice_rows(x, 3, 2); });
  CHECK_THAT(m, Catch::Contains("slice_rows") && Catch::Contains("4x3") && Catch::Contains("count 2"));
  const std::vector<int> idx{0, 7};
  m = tg_ops_test::invalid_argument_message([&] { tg::index_select(x, idx, 0); });
  CHECK_THAT(m, Catch::Contains("index 7") && Catch::Contains("position 1") && Catch::Contains("4x3"));
  const std::vector<int> neg{-1};
  m = tg_ops_test::invalid_argument_message([&] { tg::index_select(x, neg, 1); });
  CHECK_THAT(m, Catch::Contains("index -1"));
  tg::Scope<float> sf;
  tg::Tensor<float> xf(Eigen::Array<float, 2, 2, Eigen::RowMajor>::Constant(1.5f), true);
  CHECK(tg::slice_rows(xf, 1, 1)(0, 1) == 1.5f);
}
