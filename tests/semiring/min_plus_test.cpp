#include "tropigrad/semiring/min_plus.hpp"

#include <limits>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("min_plus: operations", "[semiring][min_plus]") {
  const tg::MinPlus s;
  CHECK(s.plus(2.0, 5.0) == 2.0);
  CHECK(s.times(2.0, 5.0) == 7.0);
  CHECK(s.zero<double>() == inf);
  CHECK(s.one<double>() == 0.0);
  CHECK(s.plus(inf, 3.0) == 3.0);
  CHECK(s.times(inf, 3.0) == inf);
}

TEST_CASE("min_plus: semiring axioms on random values", "[semiring][min_plus]") {
  tg_test::check_semiring_axioms(tg::MinPlus{}, -1000.0, 1000.0, 0.0, /*integers=*/true);
  tg_test::check_semiring_axioms(tg::MinPlus{}, -1000.0, 1000.0, 1e-13);
  for (double a : {-3.5, 0.0, 7.25}) CHECK(tg::MinPlus::plus(a, a) == a);
}

TEST_CASE("min_plus: a user scalar's min is found by argument-dependent lookup", "[semiring][min_plus]") {
  using tg_test::Num;
  const int before = tg_test::calls().min;
  CHECK(tg::MinPlus::plus(Num(1.0), Num(4.0)).v == 1.0);
  CHECK(tg_test::calls().min == before + 1);
  CHECK(tg::MinPlus::zero<Num>().v == inf);
}
