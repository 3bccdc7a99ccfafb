#include "tropigrad/semiring/max_plus.hpp"

#include <limits>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/lse.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("max_plus: operations", "[semiring][max_plus]") {
  const tg::MaxPlus s;
  CHECK(s.plus(2.0, 5.0) == 5.0);
  CHECK(s.times(2.0, 5.0) == 7.0);
  CHECK(s.zero<double>() == -inf);
  CHECK(s.one<double>() == 0.0);
  CHECK(s.plus(3.0f, -1.0f) == 3.0f);
  CHECK(tg::MaxPlus::plus(-inf, -inf) == -inf);
  CHECK(tg::MaxPlus{} == tg::MaxPlus{});
}

TEST_CASE("max_plus: semiring axioms on random values", "[semiring][max_plus]") {
  // Integer-valued doubles: every operation is exact.
  tg_test::check_semiring_axioms(tg::MaxPlus{}, -1000.0, 1000.0, 0.0, /*integers=*/true);
  // Arbitrary doubles: equal up to the rounding of +.
  tg_test::check_semiring_axioms(tg::MaxPlus{}, -1000.0, 1000.0, 1e-13);
  // Idempotent: a ⊕ a = a.
  for (double a : {-3.5, 0.0, 7.25}) CHECK(tg::MaxPlus::plus(a, a) == a);
}

TEST_CASE("max_plus: is LSE with the correction term dropped", "[semiring][max_plus]") {
  for (double eps : {1e-3, 0.5, 4.0}) {
    for (double a : {-2.0, 0.0, 1.5}) {
      for (double b : {-1.0, 1.5, 9.0}) {
        CHECK(tg::lse(eps, a, b) == tg::MaxPlus::plus(a, b) + tg::lse_correction<double>(eps, a, b));
      }
    }
  }
}

TEST_CASE("max_plus: a user scalar's max is found by argument-dependent lookup", "[semiring][max_plus]") {
  using tg_test::Num;
  const int before = tg_test::calls().max;
  const Num r = tg::MaxPlus::plus(Num(1.0), Num(4.0));
  CHECK(r.v == 4.0);
  CHECK(tg_test::calls().max == before + 1);
  CHECK(tg::MaxPlus::times(Num(1.0), Num(4.0)).v == 5.0);
  CHECK(tg::MaxPlus::zero<Num>().v == -inf);
}
