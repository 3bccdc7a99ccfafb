// Numerical robustness sweep of every differentiable op of ad/ (the contract
// and how to add an op: tests/robustness_sweep.hpp). One line per op.

#include <catch2/catch.hpp>
#include <vector>

#include "../robustness_sweep.hpp"
#include "tropigrad/ad.hpp"

namespace tg = tropigrad;
using tropigrad_sweep::Domain;
using tropigrad_sweep::Eps;
using tropigrad_sweep::Input;
using tropigrad_sweep::Joint;
using tropigrad_sweep::Sweep;
using tropigrad_sweep::report;
using tropigrad_sweep::SweepWithFloat;

namespace {

// The DAG 0 -> 1 -> 2 -> 3 with every forward edge (+inf = no edge) from x (3 x 4, the out-edges of nodes 0..2).
// Columns are permuted so that every position the sweep writes, (0, 0), (1, 2) and (2, 3), lands on an edge.
tg::Tensor<double> dag_of(const tg::Tensor<double>& x) {
  static const Eigen::Array<bool, 4, 4> forward = [] {
    Eigen::Array<bool, 4, 4> m;
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) m(i, j) = i < j;
    return m;
  }();
  const auto none = tg::Tensor<double>::full(4, 4, HUGE_VAL);
  const auto w = tg::concat({tg::index_select(x, std::vector<int>{1, 0, 2, 3}, 1), tg::Tensor<double>::full(1, 4, HUGE_VAL)}, 0);
  return tg::where(forward, w, none);
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
  // Stationary start needs |a| < 1; 40 steps exercise the blocked scan of a single chain.
  sweep.nary("linear_recurrence", {{Domain::finite, 40, 1}, {Domain{-1, 1, true, true, true}, 1, 1}},
             [](const auto& in) { return tg::linear_recurrence(in[0], in[1], tg::RecurrenceStart::stationary); });
  sweep.nary("linear_recurrence", {{Domain::finite, 40, 1}, {Domain::closed(-1, 1), 1, 1}},
             [](const auto& in) { return tg::linear_recurrence(in[0], in[1]); });
  // A broadcast fma with infinite inputs sums +inf and -inf gradient terms: three full-shape inputs.
  sweep.nary("fma", {{Domain::all}, {Domain::all}, {Domain::all}},
             [](const auto& in) { return tg::fma(in[0], in[1], in[2]); }, Joint::finite_when_all);
  // log_sigma < -300: sigma^-2 overflows and the mu gradient sums +-inf terms of both signs.
  sweep.nary("normal_log_pdf_log_scale", {{Domain::all}, {Domain::all, 1, 1}, {Domain::closed(-300, HUGE_VAL)}},
             [](const auto& in) { return tg::normal_log_pdf_log_scale(in[0], in[1], in[2]); }, Joint::finite_when_all);
  sweep.nary("normal_log_pdf_log_scale", {{Domain::all}, {Domain::all}, {Domain::closed(-300, HUGE_VAL), 1, 1}},
             [](const auto& in) { return tg::normal_log_pdf_log_scale(in[0], in[1], in[2]); }, Joint::finite_when_all);
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
  sweep.scalar_nary("fma", Domain::finite, 3, [](const auto& v) { return tg::fma(v[0], v[1], v[2]); });  // all -inf: inf - inf
  sweep.scalar_nary("normal_log_pdf", Domain::positive_finite, 3,
                    [](const auto& v) { return tg::normal_log_pdf(std::vector{v[0], v[1]}, 0.5, v[2]); });
  sweep.scalar_nary("normal_log_pdf_log_scale", Domain::finite, 3,
                    [](const auto& v) { return tg::normal_log_pdf_log_scale(std::vector{v[0], v[1]}, 0.5, v[2]); });
  report(sweep);
}

TEST_CASE("robustness sweep: tropical and dynamic-programming ops", "[ad][robustness]") {
  Sweep sweep;
  // Tropical products. MaxPlus / MinPlus / LSE: a sum a_ik + b_kj of +inf and -inf is undefined, so inputs are
  // finite in the joint case; SumProduct is matmul (+inf and -inf products meet in the sums: finite reals).
  sweep.nary("tropical_matmul maxplus", {{Domain::all, 3, 4}, {Domain::all, 4, 2}},
             [](const auto& in) { return tg::tropical_matmul(tg::MaxPlus{}, in[0], in[1]); }, Joint::finite_when_all);
  sweep.nary("tropical_matmul minplus", {{Domain::all, 3, 4}, {Domain::all, 4, 2}},
             [](const auto& in) { return tg::tropical_matmul(tg::MinPlus{}, in[0], in[1]); }, Joint::finite_when_all);
  sweep.nary("tropical_matmul sumproduct", {{Domain::finite, 3, 4}, {Domain::finite, 4, 2}},
             [](const auto& in) { return tg::tropical_matmul(tg::SumProduct{}, in[0], in[1]); });
  // A LogSumExp semiring object validates its own eps (tropigrad::LogSumExp): the eps set only; lse_matmul sweeps eps.
  for (double e : tropigrad_sweep::eps_set())
    sweep.nary("tropical_matmul lse eps=" + tg::format_number(e), {{Domain::all, 3, 4}, {Domain::all, 4, 2}},
               [e](const auto& in) { return tg::tropical_matmul(tg::LogSumExp<double>(e), in[0], in[1]); }, Joint::finite_when_all);
  sweep.nary_with_eps("lse_matmul", {{Domain::all, 3, 4}, {Domain::all, 4, 2}},
                      [](const auto& eps, const auto& in) { return tg::lse_matmul(eps, in[0], in[1]); }, Joint::finite_when_all);
  // Soft-DTW over a finite cost matrix (the op rejects +-inf); gamma = 0 is hard DTW.
  sweep.with_eps("soft_dtw", Domain::finite, [](const auto& g, const auto& c) { return tg::soft_dtw(c, g.item()); },
                 Eps::nonnegative);
  // Squared distances of +inf and -inf coordinates are inf - inf: finite points.
  sweep.nary_with_eps("soft_dtw squared_euclidean_cost", {{Domain::finite, 3, 2}, {Domain::finite, 4, 2}},
                      [](const auto& g, const auto& in) {
                        return tg::soft_dtw(tg::squared_euclidean_cost(in[0], in[1]), g.item()); }, Joint::any, Eps::nonnegative);
  sweep.nary("squared_euclidean_cost", {{Domain::finite, 3, 2}, {Domain::finite, 4, 2}},
             [](const auto& in) { return tg::squared_euclidean_cost(in[0], in[1]); });
  // HMM forward: log-probabilities, -inf = impossible; +inf (and all -inf: no path) are rejected by the op.
  const Input pi{Domain::all, 1, 3}, A{Domain::all, 3, 3}, E{Domain::all, 4, 3};
  sweep.nary("hmm_forward maxplus", {pi, A, E},
             [](const auto& in) { return tg::hmm_forward(tg::MaxPlus{}, in[0], in[1], in[2]); });
  sweep.nary("hmm_forward minplus", {pi, A, E},
             [](const auto& in) { return tg::hmm_forward(tg::MinPlus{}, in[0], in[1], in[2]); });
  for (double e : tropigrad_sweep::eps_set())
    sweep.nary("hmm_forward lse eps=" + tg::format_number(e), {pi, A, E},
               [e](const auto& in) { return tg::hmm_forward(tg::LogSumExp<double>(e), in[0], in[1], in[2]); });
  // Shortest paths over the DAG 0 -> 1 -> 2 -> 3 with every forward edge: x (3 x 4) holds the out-edges of nodes
  // 0..2; columns are permuted so that each position the sweep writes is an edge (i < j); +inf = no edge.
  sweep.with_eps("soft_shortest_path", Domain::all, [](const auto& eps, const auto& x) {
    return tg::soft_shortest_path(dag_of(x), 0, 3, eps.item()); }, Eps::nonnegative);
  sweep.nary_with_eps("soft_bellman_ford", {{Domain::all, 4, 4}}, [](const auto& eps, const auto& in) {
    return tg::soft_bellman_ford(in[0], 0, eps.item()); }, Joint::any, Eps::nonnegative);
  sweep.with_eps("soft_bellman_ford dag", Domain::all, [](const auto& eps, const auto& x) {
    return tg::soft_bellman_ford(dag_of(x), 0, eps.item()); }, Eps::nonnegative);
  // Normalisation: an infinite entry gives inf / inf.
  sweep.unary("normalize", Domain::finite, [](const auto& x) { return tg::normalize(x, 1); });
  sweep.unary("normalize axis 0", Domain::finite, [](const auto& x) { return tg::normalize(x, 0); });
  // cross_entropy again, with a repeated label (the first TEST_CASE has distinct ones).
  sweep.nary("cross_entropy", {{Domain::all, 3, 4}}, [](const auto& in) {
    return tg::cross_entropy(in[0], std::vector<int>{1, 1, 2}); });
  // A user-defined op through custom_op (docs/custom_op.md): x * exp(w x). exp(w x) overflows where x or w is
  // infinite and 0 * inf is NaN, so x and w are finite.
  sweep.nary("custom_op x_exp_wx", {{Domain::finite, 3, 4}, {Domain::finite, 3, 4}}, [](const auto& in) {
    return tg::custom_op("x_exp_wx", in[0], in[1], [](const auto& x, const auto& w) { return x * (w * x).exp(); },
                         [](const auto& g, const auto& y, const auto& x, const auto& w) {
                           const auto e = (w * x).exp();
                           return std::make_tuple(g * (e + w * y), g * x * y);
                         }); });
  report(sweep);
}
