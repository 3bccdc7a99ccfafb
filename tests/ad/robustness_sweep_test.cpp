// Numerical robustness sweep of every differentiable op of ad/ (the contract
// and how to add an op: tests/robustness_sweep.hpp). One line per op.

#include <catch2/catch.hpp>
#include <vector>

#include "../robustness_sweep.hpp"
#include "tropigrad/ad.hpp"

namespace tg = tropigrad;
using tropigrad_sweep::Domain;
using tropigrad_sweep::Input;
using tropigrad_sweep::Joint;
using tropigrad_sweep::Sweep;
using tropigrad_sweep::SweepWithFloat;

namespace {

template <class S>
void report(const S& sweep) {
  for (const auto& n : sweep.notes()) UNSCOPED_INFO("documented throw on a clean input: " << n);
  for (const auto& f : sweep.failures()) FAIL_CHECK(f);
  INFO(sweep.ops() << " ops, " << sweep.runs() << " runs");
  CHECK(sweep.failures().empty());
}

}  // namespace

TEST_CASE("robustness sweep: Tensor ops", "[ad][robustness]") {
  Sweep sweep;
  // Arithmetic. inf - inf and inf / inf (all inputs infinite) are undefined; a / 0 is inf, 0 / 0 undefined.
  sweep.binary("add", Domain::all, Domain::all, [](const auto& a, const auto& b) { return a + b; });
  sweep.binary("subtract", Domain::all, Domain::all, [](const auto& a, const auto& b) { return a - b; },
               Joint::finite_when_all);
  sweep.binary("multiply", Domain::all, Domain::all, [](const auto& a, const auto& b) { return a * b; });
  sweep.binary("divide", Domain::all, Domain::nonzero, [](const auto& a, const auto& b) { return a / b; },
               Joint::finite_when_all);
  sweep.nary("add", {{Domain::all, 3, 4}, {Domain::all, 1, 4}}, [](const auto& in) { return in[0] + in[1]; });
  // The broadcast operand's gradient sums g * a along a row: +-inf terms of both signs may meet.
  sweep.nary("multiply", {{Domain::finite, 3, 4}, {Domain::finite, 3, 1}}, [](const auto& in) { return in[0] * in[1]; });
  sweep.unary("multiply neg", Domain::all, [](const auto& x) { return -x; });
  // Reductions.
  sweep.unary("sum", Domain::all, [](const auto& x) { return tg::sum(x); });
  sweep.unary("mean", Domain::all, [](const auto& x) { return tg::mean(x); });
  sweep.unary("sum axis 0", Domain::all, [](const auto& x) { return tg::sum(x, 0); });
  sweep.unary("mean axis 1", Domain::all, [](const auto& x) { return tg::mean(x, 1); });
  sweep.unary("squared_norm", Domain::all, [](const auto& x) { return tg::squared_norm(x); });
  // Sums of products: +inf and -inf terms may meet (inf - inf), so these are swept on finite reals.
  sweep.binary("dot", Domain::finite, Domain::finite, [](const auto& a, const auto& b) { return tg::dot(a, b); });
  // Elementwise.
  sweep.unary("exp", Domain::all, [](const auto& x) { return tg::exp(x); });
  sweep.unary("log", Domain::nonnegative, [](const auto& x) { return tg::log(x); });  // log(x < 0) is NaN
  sweep.unary("log1p", Domain::closed(-1, HUGE_VAL), [](const auto& x) { return tg::log1p(x); });
  sweep.unary("sqrt", Domain::nonnegative, [](const auto& x) { return tg::sqrt(x); });  // sqrt'(0) = inf
  sweep.unary("square", Domain::all, [](const auto& x) { return tg::square(x); });
  sweep.unary("pow p=2", Domain::all, [](const auto& x) { return tg::pow(x, 2); });
  sweep.unary("pow p=3", Domain::all, [](const auto& x) { return tg::pow(x, 3); });
  sweep.unary("pow p=-1", Domain::all, [](const auto& x) { return tg::pow(x, -1); });
  sweep.unary("pow p=0", Domain::all, [](const auto& x) { return tg::pow(x, 0); });
  sweep.unary("pow p=0.5", Domain::nonnegative, [](const auto& x) { return tg::pow(x, 0.5); });  // x^0.5, x < 0: NaN
  // x^e with a real exponent is defined for x >= 0.
  sweep.binary("pow", Domain::nonnegative, Domain::all, [](const auto& x, const auto& e) { return tg::pow(x, e); });
  sweep.unary("abs", Domain::all, [](const auto& x) { return tg::abs(x); });
  sweep.unary("relu", Domain::all, [](const auto& x) { return tg::relu(x); });
  sweep.unary("clamp", Domain::all, [](const auto& x) { return tg::clamp(x, -1, 2); });
  sweep.unary("tanh", Domain::all, [](const auto& x) { return tg::tanh(x); });
  sweep.unary("sigmoid", Domain::all, [](const auto& x) { return tg::sigmoid(x); });
  sweep.unary("log_sigmoid", Domain::all, [](const auto& x) { return tg::log_sigmoid(x); });
  sweep.unary("softplus", Domain::all, [](const auto& x) { return tg::softplus(x); });
  // Hard max / min.
  sweep.binary("max", Domain::all, Domain::all, [](const auto& a, const auto& b) { return tg::max(a, b); });
  sweep.binary("min", Domain::all, Domain::all, [](const auto& a, const auto& b) { return tg::min(a, b); });
  sweep.unary("max axis 1", Domain::all, [](const auto& x) { return tg::max(x, 1); });
  sweep.unary("min axis 0", Domain::all, [](const auto& x) { return tg::min(x, 0); });
  // Smooth max / min (eps learnable).
  sweep.with_eps2("smooth_max", Domain::all, Domain::all,
                  [](const auto& eps, const auto& a, const auto& b) { return tg::smooth_max(eps, a, b); });
  sweep.with_eps2("smooth_min", Domain::all, Domain::all,
                  [](const auto& eps, const auto& a, const auto& b) { return tg::smooth_min(eps, a, b); });
  sweep.nary("where", {{Domain::all}, {Domain::all}}, [](const auto& in) {
    Eigen::Array<bool, 3, 4> mask;
    mask << true, false, true, false, false, true, true, false, true, true, false, false;
    return tg::where(mask, in[0], in[1]);
  });
  // Products: +inf and -inf terms meet in the sums (inf - inf), so finite reals only.
  sweep.nary("matmul", {{Domain::finite, 3, 4}, {Domain::finite, 4, 2}},
             [](const auto& in) { return tg::matmul(in[0], in[1]); });
  sweep.unary("transpose", Domain::all, [](const auto& x) { return tg::transpose(x); });
  sweep.nary("linear", {{Domain::finite, 3, 4}, {Domain::finite, 2, 4}, {Domain::finite, 1, 2}},
             [](const auto& in) { return tg::linear(in[0], in[1], in[2]); });
  // LSE family.
  sweep.with_eps("lse", Domain::all, [](const auto& eps, const auto& x) { return tg::lse(eps, x, 1); });
  sweep.with_eps("lse axis 0", Domain::all, [](const auto& eps, const auto& x) { return tg::lse(eps, x, 0); });
  sweep.with_eps("softmax", Domain::all, [](const auto& eps, const auto& x) { return tg::softmax(eps, x, 1); });
  sweep.with_eps("softmax axis 0", Domain::all,
                 [](const auto& eps, const auto& x) { return tg::softmax(eps, x, 0); });
  sweep.with_eps("log_softmax", Domain::all,
                 [](const auto& eps, const auto& x) { return tg::log_softmax(eps, x, 1); });
  sweep.with_eps("log_softmax axis 0", Domain::all,
                 [](const auto& eps, const auto& x) { return tg::log_softmax(eps, x, 0); });
  sweep.unary("cross_entropy", Domain::all, [](const auto& x) { return tg::cross_entropy(x, std::vector<int>{0, 3, 1}); });
  // Shape ops.
  sweep.unary("roll", Domain::all, [](const auto& x) { return tg::roll(x, 1, 1); });
  sweep.binary("concat", Domain::all, Domain::all, [](const auto& a, const auto& b) { return tg::concat({a, b}, 0); });
  sweep.unary("slice_rows", Domain::all, [](const auto& x) { return tg::slice_rows(x, 1, 2); });
  sweep.unary("index_select", Domain::all, [](const auto& x) { return tg::index_select(x, std::vector<int>{2, 0, 2}, 1); });
  // Densities and scans. The normal density of x = mu = +-inf is undefined (inf - inf).
  sweep.nary("normal_log_pdf", {{Domain::all}, {Domain::all, 1, 1}, {Domain::positive, 1, 1}},
             [](const auto& in) { return tg::normal_log_pdf(in[0], in[1], in[2]); }, Joint::finite_when_all);
  sweep.nary("normal_log_pdf", {{Domain::all}, {Domain::all}, {Domain::positive}},
             [](const auto& in) { return tg::normal_log_pdf(in[0], in[1], in[2]); }, Joint::finite_when_all);
  // A decay |a| <= 1 (a leaky integrator); with an infinite state d/da sums +-inf terms, so u is finite.
  sweep.nary("linear_recurrence", {{Domain::finite}, {Domain::closed(-1, 1), 1, 1}},
             [](const auto& in) { return tg::linear_recurrence(in[0], in[1]); });
  report(sweep);
}

TEST_CASE("robustness sweep: Tensor ops in float", "[ad][robustness]") {
  SweepWithFloat sweep;  // the ops whose float arithmetic is most exposed (exp, temperatures, 1/sigma^2)
  sweep.binary("divide", Domain::all, Domain::nonzero, [](const auto& a, const auto& b) { return a / b; },
               Joint::finite_when_all);
  sweep.unary("exp", Domain::all, [](const auto& x) { return tg::exp(x); });
  sweep.unary("log", Domain::nonnegative, [](const auto& x) { return tg::log(x); });  // log(x < 0) is NaN
  sweep.unary("sigmoid", Domain::all, [](const auto& x) { return tg::sigmoid(x); });
  sweep.unary("log_sigmoid", Domain::all, [](const auto& x) { return tg::log_sigmoid(x); });
  sweep.unary("softplus", Domain::all, [](const auto& x) { return tg::softplus(x); });
  sweep.with_eps2("smooth_max", Domain::all, Domain::all,
                  [](const auto& eps, const auto& a, const auto& b) { return tg::smooth_max(eps, a, b); });
  sweep.with_eps("lse", Domain::all, [](const auto& eps, const auto& x) { return tg::lse(eps, x, 1); });
  sweep.with_eps("softmax", Domain::all, [](const auto& eps, const auto& x) { return tg::softmax(eps, x, 1); });
  sweep.with_eps("log_softmax axis 0", Domain::all,
                 [](const auto& eps, const auto& x) { return tg::log_softmax(eps, x, 0); });
  sweep.unary("cross_entropy", Domain::all, [](const auto& x) { return tg::cross_entropy(x, std::vector<int>{0, 3, 1}); });
  sweep.nary("normal_log_pdf", {{Domain::all}, {Domain::all, 1, 1}, {Domain::positive, 1, 1}},
             [](const auto& in) { return tg::normal_log_pdf(in[0], in[1], in[2]); }, Joint::finite_when_all);
  report(sweep);
}

TEST_CASE("robustness sweep: scalar Var ops", "[ad][robustness]") {
  SweepWithFloat sweep;  // scalar ops are cheap to compile: all of them run in float too
  using V = std::vector<tg::Var<double>>;
  sweep.scalar_binary("add", Domain::all, Domain::all, [](const auto& a, const auto& b) { return a + b; });
  sweep.scalar_binary("subtract", Domain::all, Domain::all, [](const auto& a, const auto& b) { return a - b; },
                      Joint::finite_when_all);
  sweep.scalar_binary("multiply", Domain::all, Domain::all, [](const auto& a, const auto& b) { return a * b; });
  sweep.scalar_binary("divide", Domain::all, Domain::nonzero, [](const auto& a, const auto& b) { return a / b; },
                      Joint::finite_when_all);
  sweep.scalar_unary("negate", Domain::all, [](const auto& a) { return -a; });
  sweep.scalar_unary("exp", Domain::all, [](const auto& a) { return tg::exp(a); });
  sweep.scalar_unary("expm1", Domain::all, [](const auto& a) { return tg::expm1(a); });
  sweep.scalar_unary("log", Domain::nonnegative, [](const auto& a) { return tg::log(a); });  // log(x < 0) is NaN
  sweep.scalar_unary("log1p", Domain::closed(-1, HUGE_VAL), [](const auto& a) { return tg::log1p(a); });
  sweep.scalar_unary("sqrt", Domain::nonnegative, [](const auto& a) { return tg::sqrt(a); });
  sweep.scalar_unary("square", Domain::all, [](const auto& a) { return tg::square(a); });
  sweep.scalar_unary("pow p=0", Domain::all, [](const auto& a) { return tg::pow(a, 0); });
  sweep.scalar_unary("pow p=3", Domain::all, [](const auto& a) { return tg::pow(a, 3); });
  sweep.scalar_unary("pow 2^x", Domain::all, [](const auto& a) { return tg::pow(2.0, a); });
  sweep.scalar_binary("pow", Domain::nonnegative, Domain::all, [](const auto& a, const auto& b) { return tg::pow(a, b); });
  sweep.scalar_unary("sin", Domain::finite, [](const auto& a) { return tg::sin(a); });  // sin(+-inf) is undefined
  sweep.scalar_unary("cos", Domain::finite, [](const auto& a) { return tg::cos(a); });  // cos(+-inf) is undefined
  sweep.scalar_unary("tanh", Domain::all, [](const auto& a) { return tg::tanh(a); });
  sweep.scalar_unary("sigmoid", Domain::all, [](const auto& a) { return tg::sigmoid(a); });
  sweep.scalar_unary("softplus", Domain::all, [](const auto& a) { return tg::softplus(a); });
  sweep.scalar_unary("log_sigmoid", Domain::all, [](const auto& a) { return tg::log_sigmoid(a); });
  sweep.scalar_unary("abs", Domain::all, [](const auto& a) { return tg::abs(a); });
  sweep.scalar_binary("max", Domain::all, Domain::all, [](const auto& a, const auto& b) { return tg::max(a, b); });
  sweep.scalar_binary("min", Domain::all, Domain::all, [](const auto& a, const auto& b) { return tg::min(a, b); });
  sweep.scalar_with_eps2("lse", Domain::all, Domain::all,
                         [](const auto& eps, const auto& a, const auto& b) { return tg::lse(eps, a, b); });
  sweep.scalar_nary_with_eps("lse n-ary", Domain::all, 4, [](const auto& eps, const auto& x) { return tg::lse(eps, x); });
  sweep.scalar_nary_with_eps("softmax", Domain::all, 4,
                             [](const auto& eps, const auto& x) { return tg::softmax(eps, x); });
  sweep.scalar_nary("sum", Domain::all, 4, [](const auto& x) { return tg::sum(x); });
  sweep.scalar_nary("squared_norm", Domain::all, 4, [](const auto& x) { return tg::squared_norm(x); });
  sweep.scalar_nary("dot", Domain::finite, 4, [](const V& x) {  // +inf and -inf terms may meet
    return tg::dot(V{x[0], x[1]}, V{x[2], x[3]});
  });
  report(sweep);
}
