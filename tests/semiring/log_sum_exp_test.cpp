#include "tropigrad/semiring/log_sum_exp.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/max_plus.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("log_sum_exp: operations", "[semiring][log_sum_exp]") {
  const tg::LogSumExp<> s{0.5};
  CHECK(s.eps == 0.5);
  CHECK(tg_test::close(s.plus(1.0, 2.0), 0.5 * std::log(std::exp(2.0) + std::exp(4.0)), 1e-15));
  CHECK(s.times(1.0, 2.0) == 3.0);
  CHECK(s.zero<double>() == -inf);
  CHECK(s.one<double>() == 0.0);
  CHECK(s.plus(s.zero<double>(), 1.25) == 1.25);
  // CTAD and float.
  const tg::LogSumExp sf{0.25f};
  static_assert(std::is_same_v<decltype(sf.eps), float>);
  CHECK(tg_test::close(sf.plus(1.0f, 1.0f), 1.0f + 0.25f * std::log(2.0f), 1e-6));
  // Mixed eps / value types.
  CHECK(s.plus(1.0f, 2.0f) == tg::lse(0.5f, 1.0f, 2.0f));
  CHECK(tg::LogSumExp<float>{0.5f}.plus(1.0, 2.0) == tg::lse(0.5, 1.0, 2.0));
  CHECK(tg::LogSumExp<>{0.5} == tg::LogSumExp<>{0.5});
  CHECK(!(tg::LogSumExp<>{0.5} == tg::LogSumExp<>{0.25}));
}

TEST_CASE("log_sum_exp: plus is the image of + under x = exp(X / eps)", "[semiring][log_sum_exp]") {
  std::mt19937 rng(30);
  std::uniform_real_distribution<double> value(-5.0, 5.0);
  for (double eps : {0.2, 1.0, 3.0}) {
    const tg::LogSumExp<> s{eps};
    for (int i = 0; i < 200; ++i) {
      const double a = value(rng), b = value(rng);
      const long double lhs = std::exp(static_cast<long double>(s.plus(a, b)) / eps);
      const long double rhs = std::exp(static_cast<long double>(a) / eps) + std::exp(static_cast<long double>(b) / eps);
      CHECK(std::abs(lhs - rhs) <= 1e-13L * rhs);
    }
  }
}

TEST_CASE("log_sum_exp: semiring axioms on random values", "[semiring][log_sum_exp]") {
  for (double eps : {0.1, 1.0, 10.0}) {
    INFO("eps=" << eps);
    tg_test::check_semiring_axioms(tg::LogSumExp<>{eps}, -10.0, 10.0, 1e-13);
  }
}

TEST_CASE("log_sum_exp: not idempotent, lse(a, a) = a + eps log 2", "[semiring][log_sum_exp]") {
  const tg::LogSumExp<> s{0.3};
  for (double a : {-4.0, 0.0, 2.5}) CHECK(tg_test::close(s.plus(a, a), a + 0.3 * std::log(2.0), 1e-15));
}

TEST_CASE("log_sum_exp: tends to MaxPlus as eps -> 0", "[semiring][log_sum_exp]") {
  for (double eps : {1.0, 1e-2, 1e-4, 1e-6}) {
    const tg::LogSumExp<> s{eps};
    for (double a : {-1.0, 0.3}) {
      for (double b : {-1.0, 0.7}) {
        const double gap = s.plus(a, b) - tg::MaxPlus::plus(a, b);
        CHECK(gap >= 0.0);
        CHECK(gap <= eps * std::log(2.0) * (1 + 1e-12));
      }
    }
  }
}

TEST_CASE("log_sum_exp: invalid eps throws in the constructor", "[semiring][log_sum_exp]") {
  for (double eps : {0.0, -1.0, std::nan(""), inf}) {
    try {
      tg::LogSumExp<> s{eps};
      FAIL("no exception for eps = " << eps);
    } catch (const std::invalid_argument& e) {
      const std::string message = e.what();
      CHECK(message.find("tropigrad::LogSumExp: eps must be a finite number > 0, got " + tg::format_number(eps)) == 0);
    }
  }
  CHECK_THROWS_AS(tg::LogSumExp<tg_test::Num>{tg_test::Num(-1.0)}, std::invalid_argument);
}

TEST_CASE("log_sum_exp: user scalar eps and values go through lse found by ADL", "[semiring][log_sum_exp]") {
  using tg_test::Num;
  int before = tg_test::calls().lse;
  // Eps = Num, T = Num: lse(Num, Num, Num) by argument-dependent lookup.
  const tg::LogSumExp<Num> learnable{Num(0.5)};
  CHECK(learnable.plus(Num(1.0), Num(2.0)).v == tg::lse(0.5, 1.0, 2.0));
  CHECK(tg_test::calls().lse == before + 1);
  // Eps = double, T = Num: eps is converted to Num first.
  before = tg_test::calls().lse;
  const tg::LogSumExp<> fixed{0.5};
  CHECK(fixed.plus(Num(1.0), Num(2.0)).v == tg::lse(0.5, 1.0, 2.0));
  CHECK(tg_test::calls().lse == before + 1);
  CHECK(fixed.zero<Num>().v == -inf);
}
