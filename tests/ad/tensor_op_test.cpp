// The op toolkit shared by every Tensor op (tensor_op.hpp): anomaly mode
// (DetectAnomaly / detect_anomaly()), broadcasting and shape-mismatch
// messages, and that ops on tensors without requires_grad record nothing.

#include <tropigrad/ad.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <vector>

namespace tg = tropigrad;
using TD = tg::Tensor<double>;
using Catch::Contains;

namespace {
tg::RowArray<double> values(tg::Index rows, tg::Index cols, double start = 0.5, double step = 0.25) {
  tg::RowArray<double> a(rows, cols);
  for (tg::Index i = 0; i < a.size(); ++i) a.data()[i] = start + step * static_cast<double>(i);
  return a;
}
}  // namespace

TEST_CASE("DetectAnomaly is a scoped guard over detect_anomaly()", "[ad][tensor_op][anomaly]") {
  REQUIRE_FALSE(tg::detect_anomaly());
  {
    tg::DetectAnomaly guard;
    CHECK(tg::detect_anomaly());
    {
      tg::DetectAnomaly nested;
      CHECK(tg::detect_anomaly());
    }
    CHECK(tg::detect_anomaly());  // restores the previous state, not false
  }
  CHECK_FALSE(tg::detect_anomaly());
  tg::detect_anomaly() = true;
  CHECK(tg::detect_anomaly());
  tg::detect_anomaly() = false;
}

TEST_CASE("anomaly mode: a NaN made in the forward pass throws, naming the op and the shape",
          "[ad][tensor_op][anomaly]") {
  tg::tape<double>().reset();
  tg::RowArray<double> a = values(2, 3);
  a(1, 2) = -1.0;  // log(-1) = NaN
  const TD x(a, true);

  SECTION("without the guard: no throw, the NaN flows on") {
    TD y;
    CHECK_NOTHROW(y = tg::log(x));
    CHECK(std::isnan(y(1, 2)));
    CHECK(std::isnan(tg::sum(y).value()));
  }
  SECTION("with the guard: std::runtime_error naming 'log', the shape and the place") {
    tg::DetectAnomaly guard;
    CHECK_THROWS_AS(tg::log(x), std::runtime_error);
    CHECK_THROWS_WITH(tg::log(x), Contains("'log'") && Contains("NaN") && Contains("forward") &&
                                      Contains("2x3") && Contains("(1, 2)"));
    CHECK_NOTHROW(tg::exp(x));  // finite results pass
  }
  SECTION("also when no gradient is required, and for an Inf") {
    const TD c(a);
    tg::RowArray<double> z = values(3, 1);
    z(0, 0) = 0.0;  // log(0) = -inf
    const TD zc(z);
    tg::DetectAnomaly guard;
    CHECK_THROWS_WITH(tg::log(c), Contains("'log'") && Contains("2x3"));
    CHECK_THROWS_WITH(tg::log(zc), Contains("'log'") && Contains("Inf") && Contains("3x1"));
  }
  SECTION("an op with a scalar result (sum) reports itself") {
    const TD big(tg::RowArray<double>::Constant(2, 2, std::numeric_limits<double>::max()), true);
    tg::DetectAnomaly guard;
    CHECK_THROWS_WITH(tg::sum(big), Contains("'sum'") && Contains("Inf"));
  }
  tg::tape<double>().reset();
}

TEST_CASE("anomaly mode: a NaN or Inf made in the backward pass throws, naming the op",
          "[ad][tensor_op][anomaly]") {
  auto& tape = tg::tape<double>();
  tape.reset();
  tg::RowArray<double> a = values(2, 2);
  a(0, 1) = 0.0;  // sqrt(0) = 0 is finite, but d sqrt / dx = 1 / (2 sqrt(0)) = inf

  SECTION("sqrt at 0: infinite derivative") {
    TD x(a, true);
    tg::Var<double> loss = 0.0;
    {
      tg::DetectAnomaly guard;
      REQUIRE_NOTHROW(loss = tg::sum(tg::sqrt(x)));  // the forward pass is fine
      CHECK_THROWS_AS(loss.backward(), std::runtime_error);
    }
    tape.reset();
    x.zero_grad();
    const tg::Var<double> loss2 = tg::sum(tg::sqrt(x));
    tg::DetectAnomaly guard;
    CHECK_THROWS_WITH(loss2.backward(), Contains("'sqrt'") && Contains("Inf") && Contains("backward") &&
                                            Contains("2x2") && Contains("(0, 1)"));
  }
  SECTION("sqrt at 0 without the guard: no throw, the gradient is inf") {
    const TD x(a, true);
    const tg::Var<double> loss = tg::sum(tg::sqrt(x));
    CHECK_NOTHROW(loss.backward());
    CHECK(std::isinf(x.grad()(0, 1)));
  }
  SECTION("a custom_op whose backward returns NaN is named") {
    TD x(a, true);
    auto nan_backward = [](const TD& in) {
      return tg::custom_op(
          "nan_backward", in, [](const auto& v) { return v * 2.0; },
          [](const auto& g, const auto&, const auto&) { return g * std::numeric_limits<double>::quiet_NaN(); });
    };
    {
      tg::DetectAnomaly guard;
      const tg::Var<double> loss = tg::sum(nan_backward(x) + x);
      CHECK_THROWS_WITH(loss.backward(), Contains("'nan_backward'") && Contains("NaN") && Contains("backward"));
    }
    tape.reset();
    x.zero_grad();
    const tg::Var<double> loss = tg::sum(nan_backward(x));
    CHECK_NOTHROW(loss.backward());
    CHECK(std::isnan(x.grad()(0, 0)));
  }
  SECTION("a custom_op whose forward makes an Inf is named in the forward pass") {
    const TD x(a, true);
    tg::DetectAnomaly guard;
    CHECK_THROWS_WITH(tg::custom_op(
                          "reciprocal", x, [](const auto& v) { return v.inverse(); },
                          [](const auto& g, const auto& y, const auto&) { return -g * y.square(); }),
                      Contains("'reciprocal'") && Contains("Inf") && Contains("forward"));
  }
  SECTION("a finite graph passes under the guard and gives the same gradient") {
    const TD x(values(2, 2), true);
    tg::DetectAnomaly guard;
    const tg::Var<double> loss = tg::sum(tg::sqrt(x) * tg::log(x));
    CHECK_NOTHROW(loss.backward());
    const auto v = values(2, 2);
    const tg::RowArray<double> expected = (v.log() / (2 * v.sqrt())) + v.sqrt() / v;
    CHECK(x.grad().isApprox(expected, 1e-12));
  }
  tape.reset();
}

TEST_CASE("broadcasting: row, column and scalar operands; mismatches name the op and both shapes",
          "[ad][tensor_op][broadcast]") {
  tg::tape<double>().reset();
  const TD m(values(3, 4), true);
  const TD row(values(1, 4, 1.0, 1.0), true);
  const TD col(values(3, 1, 2.0, 1.0), true);
  const TD one(tg::RowArray<double>::Constant(1, 1, 3.0), true);

  SECTION("shapes broadcast to the larger one and gradients sum over the broadcast dimensions") {
    const TD s = m + row;
    CHECK(s.shape() == "3x4");
    CHECK((col * row).shape() == "3x4");  // 3x1 with 1x4 -> 3x4
    CHECK((m - one).shape() == "3x4");
    tg::sum(s * col + one).backward();
    CHECK(row.grad().isApprox(tg::RowArray<double>::Constant(1, 4, col.value().sum()), 1e-12));
    CHECK(col.grad().isApprox((m.value() + row.value().replicate(3, 1)).rowwise().sum(), 1e-12));
    CHECK(one.grad()(0, 0) == Approx(12.0));
    CHECK(one.grad().rows() == 1);
  }
  SECTION("mismatches throw std::invalid_argument naming the op and both shapes") {
    const TD other(values(4, 3));
    CHECK_THROWS_AS(m + other, std::invalid_argument);
    CHECK_THROWS_WITH(m + other, Contains("add") && Contains("3x4") && Contains("4x3") && Contains("broadcast"));
    CHECK_THROWS_WITH(m - other, Contains("subtract") && Contains("3x4") && Contains("4x3"));
    CHECK_THROWS_WITH(m * TD(values(2, 4)), Contains("multiply") && Contains("3x4") && Contains("2x4"));
    CHECK_THROWS_WITH(m / TD(values(3, 2)), Contains("divide") && Contains("3x4") && Contains("3x2"));
    CHECK_THROWS_WITH(tg::max(m, other), Contains("max") && Contains("3x4") && Contains("4x3"));
    CHECK_THROWS_WITH(tg::smooth_max(0.5, m, other), Contains("smooth_max") && Contains("3x4") && Contains("4x3"));
    CHECK_THROWS_WITH(tg::pow(m, other), Contains("pow") && Contains("3x4") && Contains("4x3"));
    CHECK_THROWS_WITH(tg::where(TD(values(2, 2)), m, 0.0), Contains("where") && Contains("2x2") && Contains("3x4"));
    CHECK_THROWS_WITH(tg::matmul(m, m), Contains("matmul") && Contains("3x4"));
    CHECK_THROWS_WITH(tg::matmul(m, TD(values(3, 2))), Contains("matmul") && Contains("3x4") && Contains("3x2"));
    CHECK_THROWS_WITH(tg::dot(m, other), Contains("dot") && Contains("3x4") && Contains("4x3"));
  }
  SECTION("the helpers themselves") {
    CHECK(tg::detail::broadcast_shape("op", 3, 1, 1, 5) == std::pair<tg::Index, tg::Index>{3, 5});
    CHECK(tg::detail::broadcast_shape("op", 1, 1, 2, 7) == std::pair<tg::Index, tg::Index>{2, 7});
    CHECK_THROWS_WITH(tg::detail::broadcast_shape("my_op", 2, 3, 3, 3),
                      Contains("tropigrad::my_op") && Contains("2x3") && Contains("3x3"));
    CHECK_NOTHROW(tg::detail::check_same_shape("my_op", 2, 3, 2, 3));
    CHECK_THROWS_WITH(tg::detail::check_same_shape("my_op", 2, 3, 1, 3),
                      Contains("tropigrad::my_op") && Contains("2x3") && Contains("1x3") && Contains("equal"));
  }
  tg::tape<double>().reset();
}

TEST_CASE("ops on tensors that do not require grad record no tape node", "[ad][tensor_op][nograd]") {
  auto& tape = tg::tape<double>();
  tape.reset();
  const TD a(values(3, 4));
  const TD b(values(3, 4, -1.0, 0.5));
  const TD w(values(2, 4));
  const TD bias(values(1, 2));
  const std::vector<int> labels{0, 1, 1};
  const std::vector<int> idx{2, 0};
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> mask(3, 4);
  mask.setConstant(true);
  mask(1, 1) = false;

  auto run_all = [&] {
    std::vector<TD> out;
    out.push_back(a + b);
    out.push_back(a - 2.0);
    out.push_back(a * b);
    out.push_back(1.0 / a);
    out.push_back(-a);
    out.push_back(tg::exp(a));
    out.push_back(tg::log(a));
    out.push_back(tg::log1p(a));
    out.push_back(tg::sqrt(a));
    out.push_back(tg::square(b));
    out.push_back(tg::pow(a, 3));
    out.push_back(tg::pow(a, b));
    out.push_back(tg::abs(b));
    out.push_back(tg::relu(b));
    out.push_back(tg::clamp(b, -0.5, 0.5));
    out.push_back(tg::tanh(b));
    out.push_back(tg::sigmoid(b));
    out.push_back(tg::log_sigmoid(b));
    out.push_back(tg::softplus(b));
    out.push_back(tg::max(a, b));
    out.push_back(tg::min(a, b));
    out.push_back(tg::maximum(a, 0));
    out.push_back(tg::minimum(a, 1));
    out.push_back(tg::max(a, 0));
    out.push_back(tg::min(a, 1));
    out.push_back(tg::smooth_max(0.5, a, b));
    out.push_back(tg::smooth_min(0.5, a, b));
    out.push_back(tg::where(mask, a, b));
    out.push_back(tg::where(b, a, 0.0));
    out.push_back(tg::matmul(a, tg::transpose(b)));
    out.push_back(tg::linear(a, w, bias));
    out.push_back(tg::linear(a, w));
    out.push_back(tg::sum(a, 0));
    out.push_back(tg::mean(a, 1));
    out.push_back(tg::lse(0.5, a, 1));
    out.push_back(tg::softmax(0.5, a, 0));
    out.push_back(tg::softmax(a, 1));
    out.push_back(tg::log_softmax(a, 1));
    out.push_back(tg::roll(a, 1, 1));
    out.push_back(tg::concat({a, b}, 0));
    out.push_back(tg::slice_rows(a, 1, 2));
    out.push_back(tg::index_select(a, idx, 1));
    out.push_back(tg::gather(a, idx, 0));
    out.push_back(tg::linear_recurrence(a, 0.9));
    out.push_back(tg::straight_through(
        a, [](const auto& v) { return (v > 1.0).template cast<double>(); },
        [](const auto& v) { return v * 0.0 + 1.0; }));
    out.push_back(tg::custom_op(
        "twice", a, [](const auto& v) { return v * 2.0; }, [](const auto& g, const auto&, const auto&) { return g * 2.0; }));
    std::vector<tg::Var<double>> scalars{tg::sum(a), tg::mean(a), tg::dot(a, b), tg::squared_norm(a),
                                         tg::cross_entropy(a, labels)};
    for (const auto& t : out) CHECK_FALSE(t.requires_grad());
    for (const auto& s : scalars) CHECK(s.is_constant());
    return out.size();
  };

  SECTION("constant inputs") {
    const std::size_t nodes = tape.num_nodes();
    const std::size_t statements = tape.num_statements();
    CHECK(run_all() == 46);
    CHECK(tape.num_nodes() == nodes);
    CHECK(tape.num_statements() == statements);
  }
  SECTION("a constant Var or number as the scalar operand records nothing either") {
    const std::size_t nodes = tape.num_nodes();
    const auto c = tg::Var<double>::constant(2.0);
    CHECK_FALSE((a * c).requires_grad());
    CHECK_FALSE(tg::lse(c, a, 1).requires_grad());
    CHECK(tape.num_nodes() == nodes);
  }
  SECTION("parameters under NoGrad: nothing is recorded and results are constants") {
    const TD p(values(3, 4), true);
    const std::size_t nodes = tape.num_nodes();
    tg::NoGrad<double> no_grad;
    const TD y = tg::exp(p) * p;
    CHECK_FALSE(y.requires_grad());
    CHECK(tg::sum(y).is_constant());
    CHECK(tape.num_nodes() == nodes);
  }
  SECTION("one node per op as soon as one input requires grad") {
    const TD p(values(3, 4), true);
    const std::size_t nodes = tape.num_nodes();
    const TD y = tg::exp(a) + p;  // exp(a): no node; + : one node
    CHECK(y.requires_grad());
    CHECK(tape.num_nodes() == nodes + 1);
    const tg::Var<double> s = tg::sum(y);
    CHECK(tape.num_nodes() == nodes + 2);
    s.backward();
    CHECK(p.grad().isApprox(tg::RowArray<double>::Ones(3, 4)));
  }
  tape.reset();
}
