#include <tropigrad/ad/eigen.hpp>

#include <Eigen/Dense>
#include <catch2/catch.hpp>

namespace tg = tropigrad;
using V = tg::Var<double>;

TEST_CASE("small Eigen matrices of Var: product, sum and gradients", "[scalar][eigen]") {
  Eigen::Matrix<V, 2, 2> A;
  A << 1.0, 2.0, 3.0, 4.0;
  Eigen::Matrix<V, 2, 1> x;
  x << 0.5, -1.0;
  const V y = (A * x).squaredNorm();
  y.backward();
  // y = |A x|^2, dy/dx = 2 A^T A x
  const Eigen::Matrix2d a{{1, 2}, {3, 4}};
  const Eigen::Vector2d xv(0.5, -1.0);
  const Eigen::Vector2d expected = 2 * a.transpose() * a * xv;
  CHECK(y.value() == Approx((a * xv).squaredNorm()));
  CHECK(x(0).grad() == Approx(expected(0)));
  CHECK(x(1).grad() == Approx(expected(1)));
  // dy/dA = 2 (A x) x^T
  const Eigen::Matrix2d dA = 2 * (a * xv) * xv.transpose();
  CHECK(A(1, 0).grad() == Approx(dA(1, 0)));
}
