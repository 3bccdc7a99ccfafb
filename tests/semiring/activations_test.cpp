#include "tropigrad/semiring/activations.hpp"

#include <cmath>
#include <limits>
#include <random>

#include <Eigen/Core>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("activations: match long double textbook formulas for moderate x", "[semiring][activations]") {
  std::mt19937 rng(20);
  std::uniform_real_distribution<double> value(-30.0, 30.0);
  for (int i = 0; i < 500; ++i) {
    const double x = value(rng);
    const long double xl = x;
    const long double sp = std::log1p(std::exp(xl));
    const long double sg = 1.0L / (1.0L + std::exp(-xl));
    INFO("x=" << x);
    CHECK(tg_test::close(tg::softplus(x), static_cast<double>(sp), 1e-14));
    CHECK(tg_test::close(tg::sigmoid(x), static_cast<double>(sg), 1e-14));
    CHECK(tg_test::close(tg::log_sigmoid(x), static_cast<double>(std::log(sg)), 1e-14));
    CHECK(tg_test::close(tg::softplus(static_cast<float>(x)), static_cast<double>(sp), 1e-6));
    CHECK(tg_test::close(tg::sigmoid(static_cast<float>(x)), static_cast<double>(sg), 1e-6));
    // Identities.
    CHECK(tg_test::close(tg::sigmoid(x) + tg::sigmoid(-x), 1.0, 1e-15));
    CHECK(tg_test::close(tg::softplus(x) - tg::softplus(-x), x, 1e-13));
  }
}

template <class T>
void activation_extremes() {
  const T big = static_cast<T>(1e30);
  const T tinf = std::numeric_limits<T>::infinity();
  CHECK(tg::softplus(big) == big);
  CHECK(tg::softplus(-big) == T(0));
  CHECK(tg::softplus(tinf) == tinf);
  CHECK(tg::softplus(-tinf) == T(0));
  CHECK(tg::log_sigmoid(-big) == -big);
  CHECK(tg::log_sigmoid(big) == T(0));
  CHECK(tg::log_sigmoid(-tinf) == -tinf);
  CHECK(tg::sigmoid(big) == T(1));
  CHECK(tg::sigmoid(-big) == T(0));
  CHECK(tg::sigmoid(tinf) == T(1));
  CHECK(tg::sigmoid(-tinf) == T(0));
  CHECK(tg::sigmoid(T(0)) == T(0.5));
  CHECK(tg::softplus(T(0)) == std::log(T(2)));
  // Deep negative tail: sigmoid(x) ~ exp(x), no underflow to 0 too early.
  CHECK(tg::sigmoid(T(-80)) > T(0));
  CHECK(tg_test::close(static_cast<double>(tg::log_sigmoid(T(-80))), -80.0, 1e-6));
}

TEST_CASE("activations: extremes (double)", "[semiring][activations]") { activation_extremes<double>(); }
TEST_CASE("activations: extremes (float)", "[semiring][activations]") { activation_extremes<float>(); }

TEST_CASE("activations: NaN in, NaN out", "[semiring][activations]") {
  CHECK(std::isnan(tg::softplus(std::nan(""))));
  CHECK(std::isnan(tg::sigmoid(std::nan(""))));
  CHECK(std::isnan(tg::log_sigmoid(std::nanf(""))));
}

TEST_CASE("activations: Eigen array forms match the scalar forms", "[semiring][activations]") {
  std::mt19937 rng(21);
  std::uniform_real_distribution<double> value(-40.0, 40.0);
  Eigen::ArrayXd x(64);
  for (Eigen::Index i = 0; i < 54; ++i) x(i) = value(rng);
  x.tail(10) << 0.0, -0.0, 1e30, -1e30, inf, -inf, 1e-300, -1e-300, 700.0, -745.0;
  const Eigen::ArrayXd sp = tg::softplus(x);
  const Eigen::ArrayXd ls = tg::log_sigmoid(x);
  const Eigen::ArrayXd sg = tg::sigmoid(x);
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    INFO("x=" << x(i));
    CHECK(tg_test::close(sp(i), tg::softplus(x(i)), 1e-15));
    CHECK(tg_test::close(ls(i), tg::log_sigmoid(x(i)), 1e-15));
    CHECK(tg_test::close(sg(i), tg::sigmoid(x(i)), 1e-15));
  }
  const Eigen::ArrayXf xf = x.cast<float>();
  const Eigen::ArrayXf sgf = tg::sigmoid(xf);
  CHECK(sgf.allFinite());
  CHECK((sgf >= 0.0f).all());
  CHECK((sgf <= 1.0f).all());
}
