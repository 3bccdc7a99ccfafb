// Helpers for the elementwise Tensor op tests (not a public header).
#pragma once

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <tropigrad/ad/gradcheck.hpp>

namespace tg_test {
namespace tg = tropigrad;
using TD = tg::Tensor<double>;
using TF = tg::Tensor<float>;
using Ins = std::vector<TD>;
using A = tg::RowArray<double>;

/// Uniform random array in [lo, hi], reproducible from `seed`.
inline A uniform(Eigen::Index rows, Eigen::Index cols, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  A a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

template <class F>
void check_gradient(F f, const std::vector<tg::GradcheckInput>& inputs, const tg::GradcheckOptions& opt = {}) {
  const auto r = tg::gradcheck(f, inputs, opt);
  INFO(r.report);
  CHECK(r.passed);
}

/// max |got - want| / max(1, |want|) over all elements.
template <class X, class Y>
double max_rel_error(const X& got, const Y& want) {
  double e = 0;
  for (Eigen::Index r = 0; r < want.rows(); ++r)
    for (Eigen::Index c = 0; c < want.cols(); ++c) {
      const double w = static_cast<double>(want(r, c));
      e = std::max(e, std::abs(static_cast<double>(got(r, c)) - w) / std::max(1.0, std::abs(w)));
    }
  return e;
}

/// Runs a unary op on x in float and in double; returns the max relative difference.
template <class F>
double float_vs_double(F f, const A& x) {
  const auto yd = f(TD(x));
  const auto yf = f(TF(x.cast<float>().eval()));
  return max_rel_error(yf.value(), yd.value());
}

/// Calls f and returns the std::invalid_argument message ("" if nothing was thrown).
template <class F>
std::string invalid_argument_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}
}  // namespace tg_test
