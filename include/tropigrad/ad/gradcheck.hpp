#pragma once
// gradcheck: compares reverse-mode gradients with central finite differences.
// Every differentiable op's test uses it, in double.

#include <cmath>
#include <cstdint>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "scope.hpp"
#include "tensor_arithmetic.hpp"
#include "tensor_sum.hpp"

namespace tropigrad {

struct GradcheckOptions {
  double step = 1e-6;  ///< central-difference step, scaled by max(1, |x|)
  double rtol = 1e-5;  ///< relative tolerance
  double atol = 1e-6;  ///< absolute tolerance
  std::uint64_t seed = 12345;  ///< for the random projection of non-scalar outputs
};

struct GradcheckResult {
  bool passed = true;
  double max_abs_error = 0;
  std::string report;  ///< names each failing input and component
  explicit operator bool() const { return passed; }
};

/// One named input of a tensor gradcheck.
struct GradcheckInput {
  std::string name;
  RowArray<double> value;
};

namespace detail {
/// Reduces a function's output to a scalar: a Var as is; a Tensor by a fixed
/// random projection sum(W * out), which checks every output component's
/// contribution in one backward pass.
struct OutputReducer {
  std::uint64_t seed;
  Var<double> operator()(const Var<double>& v) const { return v; }
  Var<double> operator()(const Tensor<double>& t) const {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.5, 1.5);
    RowArray<double> w(t.rows(), t.cols());
    for (Index i = 0; i < w.size(); ++i) w.data()[i] = (i % 2 == 0 ? 1.0 : -1.0) * u(rng);
    return sum(t * Tensor<double>(w));
  }
};

inline void compare(GradcheckResult& result, const std::string& name, Index r, Index c, double analytic,
                    double numeric, const GradcheckOptions& opt) {
  const double error = std::abs(analytic - numeric);
  if (!(error <= opt.atol + opt.rtol * std::abs(numeric))) {  // also catches NaN
    result.passed = false;
    std::ostringstream os;
    os.precision(10);
    os << "gradcheck: input '" << name << "' component (" << r << ", " << c << "): analytic " << analytic
       << ", numeric " << numeric << ", error " << error << "\n";
    result.report += os.str();
  }
  if (error > result.max_abs_error || std::isnan(error)) result.max_abs_error = error;
}
}  // namespace detail

/// Tensor gradcheck. `f(const std::vector<Tensor<double>>&)` returns a Var or a
/// Tensor. Each input becomes a leaf with requires_grad = true.
template <class F>
GradcheckResult gradcheck(F f, const std::vector<GradcheckInput>& inputs, const GradcheckOptions& opt = {}) {
  detail::OutputReducer reduce{opt.seed};
  GradcheckResult result;
  std::vector<RowArray<double>> analytic;
  {
    Scope<double> scope;
    std::vector<Tensor<double>> leaves;
    for (const auto& in : inputs) leaves.emplace_back(in.value, true);
    const Var<double> loss = reduce(f(leaves));
    loss.backward();
    for (const auto& leaf : leaves) analytic.emplace_back(leaf.grad());
  }
  std::vector<Tensor<double>> points;
  for (const auto& in : inputs) points.emplace_back(in.value, false);
  auto evaluate = [&] {
    Scope<double> scope;
    NoGrad<double> no_grad;
    return reduce(f(points)).value();
  };
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    auto x = points[k].value_mut();
    for (Index r = 0; r < x.rows(); ++r)
      for (Index c = 0; c < x.cols(); ++c) {
        const double x0 = x(r, c);
        const double h = opt.step * std::max(1.0, std::abs(x0));
        x(r, c) = x0 + h;
        const double up = evaluate();
        x(r, c) = x0 - h;
        const double down = evaluate();
        x(r, c) = x0;
        detail::compare(result, inputs[k].name, r, c, analytic[k](r, c), (up - down) / (2 * h), opt);
      }
  }
  return result;
}

/// Scalar gradcheck. `f(const std::vector<Var<double>>&)` returns a Var.
template <class F>
GradcheckResult gradcheck(F f, const std::vector<double>& x, const GradcheckOptions& opt = {}) {
  GradcheckResult result;
  std::vector<double> analytic;
  {
    Scope<double> scope;
    std::vector<Var<double>> vars(x.begin(), x.end());
    const Var<double> y = f(vars);
    y.backward();
    for (const auto& v : vars) analytic.push_back(v.grad());
  }
  std::vector<double> point = x;
  auto evaluate = [&] {
    Scope<double> scope;
    NoGrad<double> no_grad;
    std::vector<Var<double>> vars(point.begin(), point.end());
    return f(vars).value();
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double h = opt.step * std::max(1.0, std::abs(x[i]));
    point[i] = x[i] + h;
    const double up = evaluate();
    point[i] = x[i] - h;
    const double down = evaluate();
    point[i] = x[i];
    detail::compare(result, "x[" + std::to_string(i) + "]", static_cast<Index>(i), 0, analytic[i],
                    (up - down) / (2 * h), opt);
  }
  return result;
}

}  // namespace tropigrad
