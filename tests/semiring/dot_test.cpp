#include "tropigrad/semiring/dot.hpp"

#include <array>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <vector>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"
#include "tropigrad/semiring/log_sum_exp.hpp"
#include "tropigrad/semiring/max_plus.hpp"
#include "tropigrad/semiring/min_plus.hpp"
#include "tropigrad/semiring/sum_product.hpp"

namespace tg = tropigrad;
using tg_test::inf;

TEST_CASE("dot: closed forms for each semiring", "[semiring][dot]") {
  const std::vector<double> a{1.0, -2.0, 4.0};
  const std::vector<double> b{3.0, 10.0, -1.0};
  CHECK(tg::dot(tg::MaxPlus{}, a, b) == 8.0);    // max(4, 8, 3)
  CHECK(tg::dot(tg::MinPlus{}, a, b) == 3.0);    // min(4, 8, 3)
  CHECK(tg::dot(tg::SumProduct{}, a, b) == -21.0);  // 3 - 20 - 4
  const double eps = 0.7;
  const double ref = static_cast<double>(tg_test::reference_lse(eps, {4.0L, 8.0L, 3.0L}));
  CHECK(tg_test::close(tg::dot(tg::LogSumExp<>{eps}, a, b), ref, 1e-14));
  // Other range types.
  const std::array<double, 3> arr{3.0, 10.0, -1.0};
  CHECK(tg::dot(tg::MaxPlus{}, std::span<const double>(a), arr) == 8.0);
}

TEST_CASE("dot: empty gives zero, size mismatch throws", "[semiring][dot]") {
  const std::vector<double> empty;
  CHECK(tg::dot(tg::MaxPlus{}, empty, empty) == -inf);
  CHECK(tg::dot(tg::SumProduct{}, empty, empty) == 0.0);
  CHECK_THROWS_WITH(tg::dot(tg::MaxPlus{}, std::vector<double>{1.0, 2.0}, std::vector<double>{1.0}),
                    "tropigrad::dot: a has size 2 but b has size 1; they must be equal");
}

TEST_CASE("dot: SumProduct dot under exp is the LogSumExp dot", "[semiring][dot]") {
  std::mt19937 rng(40);
  const auto a = tg_test::random_vector(rng, 12, -3.0, 3.0);
  const auto b = tg_test::random_vector(rng, 12, -3.0, 3.0);
  const double eps = 0.5;
  std::vector<double> ea(a.size()), eb(b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    ea[i] = std::exp(a[i] / eps);
    eb[i] = std::exp(b[i] / eps);
  }
  CHECK(tg_test::close(tg::dot(tg::LogSumExp<>{eps}, a, b), eps * std::log(tg::dot(tg::SumProduct{}, ea, eb)),
                       1e-13));
}

TEST_CASE("dot: user scalar type", "[semiring][dot]") {
  using tg_test::Num;
  const std::vector<Num> a{Num(1.0), Num(-2.0)}, b{Num(3.0), Num(10.0)};
  CHECK(tg::dot(tg::MaxPlus{}, a, b).v == 8.0);
  CHECK(tg::dot(tg::LogSumExp<>{0.5}, a, b).v == tg::lse(0.5, 4.0, 8.0));
}
