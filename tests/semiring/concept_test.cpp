#include "tropigrad/semiring/concept.hpp"

#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"

namespace tg = tropigrad;

// Every semiring serves float, double and a user scalar type.
static_assert(tg::Semiring<tg::MaxPlus, double>);
static_assert(tg::Semiring<tg::MaxPlus, float>);
static_assert(tg::Semiring<tg::MaxPlus, tg_test::Num>);
static_assert(tg::Semiring<tg::MinPlus, double>);
static_assert(tg::Semiring<tg::MinPlus, tg_test::Num>);
static_assert(tg::Semiring<tg::SumProduct, double>);
static_assert(tg::Semiring<tg::SumProduct, int>);
static_assert(tg::Semiring<tg::SumProduct, tg_test::Num>);
static_assert(tg::Semiring<tg::LogSumExp<>, double>);
static_assert(tg::Semiring<tg::LogSumExp<>, float>);
static_assert(tg::Semiring<tg::LogSumExp<float>, double>);
static_assert(tg::Semiring<tg::LogSumExp<>, tg_test::Num>);            // eps cast to Num
static_assert(tg::Semiring<tg::LogSumExp<tg_test::Num>, tg_test::Num>);  // learnable-eps shape
// -inf has no int representation and there is no max for int in tropigrad.
static_assert(!tg::Semiring<tg::MaxPlus, int>);
static_assert(!tg::Semiring<tg::LogSumExp<>, int>);
static_assert(!tg::Semiring<int, double>);

TEST_CASE("concept: zero<T>(s) and one<T>(s)", "[semiring][concept]") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  CHECK(tg::zero<double>(tg::MaxPlus{}) == -inf);
  CHECK(tg::one<double>(tg::MaxPlus{}) == 0.0);
  CHECK(tg::zero<float>(tg::MinPlus{}) == std::numeric_limits<float>::infinity());
  CHECK(tg::one<double>(tg::MinPlus{}) == 0.0);
  CHECK(tg::zero<double>(tg::SumProduct{}) == 0.0);
  CHECK(tg::one<int>(tg::SumProduct{}) == 1);
  CHECK(tg::zero<double>(tg::LogSumExp<>{0.5}) == -inf);
  CHECK(tg::one<double>(tg::LogSumExp<>{0.5}) == 0.0);
  CHECK(tg::zero<tg_test::Num>(tg::MaxPlus{}).v == -inf);
}
