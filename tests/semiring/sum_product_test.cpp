#include "tropigrad/semiring/sum_product.hpp"

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"

namespace tg = tropigrad;

TEST_CASE("sum_product: operations", "[semiring][sum_product]") {
  const tg::SumProduct s;
  CHECK(s.plus(2.0, 5.0) == 7.0);
  CHECK(s.times(2.0, 5.0) == 10.0);
  CHECK(s.zero<double>() == 0.0);
  CHECK(s.one<double>() == 1.0);
  CHECK(s.times(3, 4) == 12);
  CHECK(s.times(tg_test::Num(3.0), tg_test::Num(4.0)).v == 12.0);
}

TEST_CASE("sum_product: semiring axioms on random values", "[semiring][sum_product]") {
  tg_test::check_semiring_axioms(tg::SumProduct{}, -10.0, 10.0, 1e-13);
}
