#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/nn/slot_cluster.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace test_nn_slot_cluster_test {

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using A = tg::RowArray<double>;
using TD = tg::Tensor<double>;

A uniform(Eigen::Index rows, Eigen::Index cols, unsigned seed, double lo = -1.0, double hi = 1.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  A a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

/// Naive GLMix clustering and dispatch, in loops.
void reference(const A& x, const A& s, double scale, A& slots_out, A& output) {
  const Eigen::Index n = x.rows(), m = s.rows(), d = x.cols();
  A sim(m, n);
  for (Eigen::Index j = 0; j < m; ++j)
    for (Eigen::Index i = 0; i < n; ++i) {
      double dot = 0, ns = 0, nx = 0;
      for (Eigen::Index c = 0; c < d; ++c) {
        dot += s(j, c) * x(i, c);
        ns += s(j, c) * s(j, c);
        nx += x(i, c) * x(i, c);
      }
      sim(j, i) = scale * dot / std::sqrt(ns * nx);
    }
  A gather(m, n), dispatch(m, n);
  for (Eigen::Index j = 0; j < m; ++j) {
    double z = 0;
    for (Eigen::Index i = 0; i < n; ++i) z += std::exp(sim(j, i));
    for (Eigen::Index i = 0; i < n; ++i) gather(j, i) = std::exp(sim(j, i)) / z;
  }
  for (Eigen::Index i = 0; i < n; ++i) {
    double z = 0;
    for (Eigen::Index j = 0; j < m; ++j) z += std::exp(sim(j, i));
    for (Eigen::Index j = 0; j < m; ++j) dispatch(j, i) = std::exp(sim(j, i)) / z;
  }
  slots_out = A::Zero(m, d);
  output = A::Zero(n, d);
  for (Eigen::Index j = 0; j < m; ++j)
    for (Eigen::Index i = 0; i < n; ++i) slots_out.row(j) += gather(j, i) * x.row(i);
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index j = 0; j < m; ++j) output.row(i) += dispatch(j, i) * slots_out.row(j);
}

TEST_CASE("slot_cluster: forward equals a naive reference (learned and pooled slots)", "[nn][slot_cluster]") {
  tg::Scope<double> scope;
  const A x = uniform(7, 4, 1);
  nn::SlotCluster<double> learned(4, 3, nn::SlotInit::learned, 2.5, 9);
  const auto out = learned.forward(TD(x));
  A slots_ref, output_ref;
  reference(x, learned.slots.value(), 2.5, slots_ref, output_ref);
  CHECK((out.slots.value() - slots_ref).abs().maxCoeff() < 1e-13);
  CHECK((out.output.value() - output_ref).abs().maxCoeff() < 1e-13);
  CHECK((learned(TD(x)).value() - output_ref).abs().maxCoeff() < 1e-13);

  nn::SlotCluster<double> pooled(4, 3, nn::SlotInit::pooled, 2.5);
  // 7 tokens into 3 slots: [0, 3), [2, 5), [4, 7) (adaptive average pooling)
  A s(3, 4);
  s.row(0) = x.topRows(3).colwise().mean();
  s.row(1) = x.middleRows(2, 3).colwise().mean();
  s.row(2) = x.bottomRows(3).colwise().mean();
  reference(x, s, 2.5, slots_ref, output_ref);
  const auto p = pooled.forward(TD(x));
  CHECK((p.slots.value() - slots_ref).abs().maxCoeff() < 1e-13);
  CHECK((p.output.value() - output_ref).abs().maxCoeff() < 1e-13);
}

TEST_CASE("slot_cluster: gradcheck w.r.t. x, initial slots and scale", "[nn][slot_cluster]") {
  const A x = uniform(6, 3, 2), s = uniform(2, 3, 3), scale = A::Constant(1, 1, 3.0);
  for (int which : {0, 1}) {
    INFO((which == 0 ? "output" : "slots"));
    const auto r = tg::gradcheck([&](const auto& in) {
      const auto out = nn::slot_cluster(in[0], in[1], in[2]);
      return which == 0 ? out.output : out.slots;
    }, {{"x", x}, {"initial_slots", s}, {"scale", scale}});
    INFO(r.report);
    CHECK(r.passed);
  }
  // Pooled slots: x reaches the output through the pooling too.
  nn::SlotCluster<double> pooled(3, 2, nn::SlotInit::pooled, 3.0);
  const auto r = tg::gradcheck([&](const auto& in) {
    return nn::slot_cluster(in[0], tg::matmul(TD(nn::slot_pooling_matrix<double>(2, 6)), in[0]), in[1]).output;
  }, {{"x", x}, {"scale", scale}});
  INFO(r.report);
  CHECK(r.passed);
  // Near-identical tokens and a sharp scale (near ties in both softmaxes).
  A ties = A::Constant(6, 3, 1.0) + uniform(6, 3, 4, -1e-3, 1e-3);
  tg::GradcheckOptions opt;
  opt.rtol = 1e-4;
  opt.atol = 1e-6;
  const auto rt = tg::gradcheck([&](const auto& in) { return nn::slot_cluster(in[0], in[1], in[2]).output; },
                                {{"x", ties}, {"initial_slots", s}, {"scale", A::Constant(1, 1, 50.0)}}, opt);
  INFO(rt.report);
  CHECK(rt.passed);
}

/// Central differences on every parameter of a module (written here, independent of gradcheck).
template <class Forward>
void check_module_gradients(nn::Module<double>& module, Forward forward, const A& weights) {
  module.zero_grad();
  {
    tg::Scope<double> scope;
    tg::sum(forward() * TD(weights)).backward();
  }
  for (auto& [name, p] : module.named_parameters()) {
    INFO("parameter " << name);
    const A analytic = p.grad();
    auto v = p.value_mut();
    for (Eigen::Index i = 0; i < v.size(); ++i) {
      const double x0 = v.data()[i], h = 1e-6 * std::max(1.0, std::abs(x0));
      auto loss = [&](double value) {
        v.data()[i] = value;
        tg::Scope<double> scope;
        tg::NoGrad<double> no_grad;
        return tg::sum(forward() * TD(weights)).value();
      };
      const double numeric = (loss(x0 + h) - loss(x0 - h)) / (2 * h);
      v.data()[i] = x0;
      CHECK(analytic.data()[i] == Approx(numeric).epsilon(1e-5).margin(1e-7));
    }
  }
}

TEST_CASE("SlotCluster: every parameter's gradient matches finite differences", "[nn][slot_cluster]") {
  const A x = uniform(6, 3, 5);
  const A w = uniform(6, 3, 6);
  nn::SlotCluster<double> learned(3, 2, nn::SlotInit::learned, 4.0, 1);
  const auto named = learned.named_parameters();
  REQUIRE(named.size() == 2);
  CHECK(named[0].first == "scale");
  CHECK(named[1].first == "slots");
  CHECK(learned.num_parameters() == 1 + 2 * 3);
  check_module_gradients(learned, [&] { return learned(TD(x)); }, w);
  nn::SlotCluster<double> pooled(3, 2, nn::SlotInit::pooled, 4.0);
  REQUIRE(pooled.named_parameters().size() == 1);
  CHECK_FALSE(pooled.slots.defined());
  check_module_gradients(pooled, [&] { return pooled(TD(x)); }, w);
}

TEST_CASE("SlotCluster: float runs; bad input throws naming the argument", "[nn][slot_cluster]") {
  tg::Scope<float> scope_f;
  nn::SlotCluster<float> f(8, 4);
  const auto y = f(tg::Tensor<float>(uniform(10, 8, 7).cast<float>().eval()));
  CHECK(y.rows() == 10);
  CHECK(y.value().allFinite());

  tg::Scope<double> scope;
  auto message = [](auto f) -> std::string {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      return e.what();
    }
    return "(nothing thrown)";
  };
  CHECK_THAT(message([] { nn::SlotCluster<double>(0, 2); }), Catch::Contains("features and slots must be > 0"));
  CHECK_THAT(message([] { nn::SlotCluster<double>(3, 0); }), Catch::Contains("got 3 and 0"));
  CHECK_THAT(message([] { nn::SlotCluster<double>(3, 2, nn::SlotInit::learned, std::nan("")); }),
             Catch::Contains("initial_scale must be finite"));
  nn::SlotCluster<double> m(3, 4, nn::SlotInit::pooled);
  CHECK_THAT(message([&] { m.forward(TD(uniform(5, 2, 8))); }), Catch::Contains("tokens x 3") && Catch::Contains("5x2"));
  CHECK_THAT(message([&] { m.forward(TD(uniform(3, 3, 8))); }), Catch::Contains("at least as many tokens as slots (4)") &&
                                                                    Catch::Contains("got 3 tokens"));
  A nan_x = uniform(5, 3, 9);
  nan_x(2, 1) = std::numeric_limits<double>::quiet_NaN();
  CHECK_THAT(message([&] { m.forward(TD(nan_x)); }), Catch::Contains("finite"));
  CHECK_THAT(message([&] { nn::slot_cluster(TD(uniform(5, 3, 9)), TD(uniform(2, 2, 9)), TD(A::Constant(1, 1, 1.0))); }),
             Catch::Contains("initial_slots") && Catch::Contains("2x2"));
  CHECK_THAT(message([&] { nn::slot_cluster(TD(uniform(5, 3, 9)), TD(uniform(2, 3, 9)), TD(A::Constant(1, 2, 1.0))); }),
             Catch::Contains("scale must be 1x1"));
}

}  // namespace test_nn_slot_cluster_test
