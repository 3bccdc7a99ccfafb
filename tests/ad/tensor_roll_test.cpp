#include "tropigrad/ad/tensor_roll.hpp"

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

TEST_CASE("roll: matches torch.roll's definition y[(i + s) mod n] = x[i]", "[ad][roll]") {
  tg::Scope<double> scope;
  const auto x = random_array(3, 5, 31);
  for (int axis : {0, 1}) {
    const Eigen::Index n = axis == 1 ? 5 : 3;
    for (Eigen::Index shift : {-7, -1, 0, 1, 2, 5, 12}) {
      const auto y = tg::roll(tg::Tensor<double>(x), shift, axis);
      for (Eigen::Index r = 0; r < 3; ++r)
        for (Eigen::Index c = 0; c < 5; ++c) {
          const Eigen::Index i = axis == 1 ? c : r;
          const Eigen::Index j = (((i + shift) % n) + n) % n;  // where x's entry goes
          INFO("axis " << axis << " shift " << shift << " r " << r << " c " << c);
          CHECK(y(axis == 1 ? r : j, axis == 1 ? j : c) == x(r, c));
        }
    }
  }
  // A known small example: torch.roll(tensor([[1, 2, 3]]), 1, 1) = [[3, 1, 2]].
  RowArrayD small(1, 3);
  small << 1, 2, 3;
  const auto y = tg::roll(tg::Tensor<double>(small), 1, 1);
  CHECK(y(0, 0) == 3);
  CHECK(y(0, 1) == 1);
  CHECK(y(0, 2) == 2);
}

TEST_CASE("roll: gradcheck along both axes; float and requires_grad", "[ad][roll]") {
  const auto x = random_array(4, 5, 32);
  for (int axis : {0, 1})
    for (Eigen::Index shift : {-3, 1, 2})
      CHECK(tg::gradcheck([&](const auto& in) { return tg::roll(in[0], shift, axis) * in[0]; }, {{"x", x}}));
  tg::Scope<float> sf;
  tg::Tensor<float> xf(x.cast<float>().eval(), true);
  const auto y = tg::roll(xf, 2, 1);
  CHECK(y(1, 2) == static_cast<float>(x(1, 0)));
  tg::NoGrad<float> no_grad;
  CHECK_FALSE(tg::roll(xf, 1, 0).requires_grad());
}

TEST_CASE("roll: invalid axis throws", "[ad][roll]") {
  tg::Scope<double> scope;
  const auto m = tg_ops_test::invalid_argument_message([] { tg::roll(tg::Tensor<double>(RowArrayD::Ones(2, 2)), 1, 2); });
  CHECK_THAT(m, Catch::Contains("roll") && Catch::Contains("axis"));
}
