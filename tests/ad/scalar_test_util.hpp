#pragma once
// Shared helpers for the scalar Var tests: random points, and a gradcheck
// wrapper that reports the failing component through Catch.

#include <tropigrad/ad/gradcheck.hpp>

#include <catch2/catch.hpp>
#include <random>
#include <vector>

namespace test_util {

inline std::vector<double> random_point(std::mt19937& rng, std::size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> u(lo, hi);
  std::vector<double> x(n);
  for (auto& v : x) v = u(rng);
  return x;
}

template <class F>
void check_gradient(F f, const std::vector<double>& x, tropigrad::GradcheckOptions options = {}) {
  const auto result = tropigrad::gradcheck(f, x, options);
  INFO(result.report);
  CHECK(result.passed);
}

}  // namespace test_util
