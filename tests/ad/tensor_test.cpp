#include <tropigrad/ad/scalar_arithmetic.hpp>
#include <tropigrad/ad/tensor.hpp>
#include <tropigrad/ad/tensor_arithmetic.hpp>
#include <tropigrad/ad/tensor_sum.hpp>
#include <tropigrad/ad/scope.hpp>

#include <catch2/catch.hpp>

namespace tg = tropigrad;
using TD = tg::Tensor<double>;

TEST_CASE("a leaf copies its values; map() views external memory without a copy", "[tensor]") {
  tg::RowArray<double> a(2, 3);
  a << 1, 2, 3, 4, 5, 6;
  TD copy(a);
  const TD view = TD::map(a);
  a(0, 0) = 10;
  CHECK(copy(0, 0) == 1);
  CHECK(view(0, 0) == 10);
  CHECK(view.value().data() == a.data());
  CHECK(copy.shape() == "2x3");
  CHECK_FALSE(view.requires_grad());
  TD writable_view = TD::map(a);
  CHECK_THROWS_WITH(writable_view.value_mut(), Catch::Contains("read-only view"));
}

TEST_CASE("default Tensor is float; a parameter keeps its gradient across tape resets", "[tensor]") {
  tg::Tensor w(Eigen::ArrayXXf::Constant(2, 2, 1.5f), true);
  static_assert(std::is_same_v<decltype(w)::Scalar, float>);
  tg::sum(w * w).backward();
  tg::tape<float>().reset();
  CHECK(w.grad()(1, 1) == 3.0f);
  tg::sum(w).backward();  // accumulates
  CHECK(w.grad()(0, 1) == 4.0f);
  w.zero_grad();
  CHECK(w.grad()(0, 0) == 0.0f);
}

TEST_CASE("an op result from before reset() is rejected", "[tensor][misuse]") {
  TD x(tg::RowArray<double>::Ones(2, 2), true);
  const TD y = x * 2.0;
  tg::tape<double>().reset();
  CHECK_THROWS_AS(y.value(), tg::TapeError);
  CHECK_THROWS_AS(y + x, tg::TapeError);
}

TEST_CASE("backward needs a 1x1 tensor that depends on a parameter", "[tensor][misuse]") {
  TD x(tg::RowArray<double>::Ones(2, 2), true);
  CHECK_THROWS_WITH((x * 2.0).backward(), Catch::Contains("non-scalar") && Catch::Contains("2x2"));
  TD c(tg::RowArray<double>::Ones(1, 1));
  CHECK_THROWS_AS((c * 2.0).backward(), tg::TapeError);
  CHECK_THROWS_AS(TD().rows(), std::invalid_argument);
  CHECK_THROWS_WITH(x.item(), Catch::Contains("2x2"));
}

TEST_CASE("tensors and Vars in one graph: a Var broadcasts, sum gives a Var", "[tensor]") {
  TD x(tg::RowArray<double>::Constant(3, 2, 2.0), true);
  tg::Var s = 0.5;
  const tg::Var<double> y = tg::sum(x * s) * s;  // = 6 * 2 * s^2
  y.backward();
  CHECK(y.value() == Approx(3.0));
  CHECK(s.grad() == Approx(24 * 0.5));
  CHECK(x.grad()(2, 1) == Approx(0.25));
}

TEST_CASE("NoGrad: tensor ops record nothing", "[tensor]") {
  TD x(tg::RowArray<double>::Ones(2, 2), true);
  const std::size_t before = tg::tape<double>().num_nodes();
  {
    tg::NoGrad<double> guard;
    const TD y = x * x + 1.0;
    CHECK_FALSE(y.requires_grad());
    CHECK(y(0, 0) == 2.0);
  }
  CHECK(tg::tape<double>().num_nodes() == before);
}
