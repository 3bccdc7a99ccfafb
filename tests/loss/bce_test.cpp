// Tests of loss/bce.hpp: BCE, weighted BCE and focal loss against long double
// loops written from the definitions, gradchecks (random, near 0.5, large
// logits), stability at huge logits, and the errors.

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/loss.hpp"

namespace tg = tropigrad;
using A = tg::RowArray<double>;
using TD = tg::Tensor<double>;

namespace {

A uniform(Eigen::Index rows, Eigen::Index cols, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  A a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

A bernoulli(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 rng(seed);
  A a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = static_cast<double>(rng() % 2);
  return a;
}

/// Mean BCE by loop: -[w y log p + (1 - y) log(1 - p)].
double reference_bce(const A& z, const A& y, double w, bool logits) {
  long double total = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const long double p = logits ? 1.0L / (1.0L + std::exp(-static_cast<long double>(z.data()[i]))) : z.data()[i];
    total -= w * y.data()[i] * std::log(p) + (1 - y.data()[i]) * std::log(1 - p);
  }
  return static_cast<double>(total / z.size());
}

/// Mean focal loss by loop: -alpha_t (1 - p_t)^gamma log p_t.
double reference_focal(const A& z, const A& y, double gamma, double alpha) {
  long double total = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    const long double p = 1.0L / (1.0L + std::exp(-static_cast<long double>(z.data()[i])));
    const bool pos = y.data()[i] == 1;
    const long double pt = pos ? p : 1 - p;
    const long double at = alpha < 0 ? 1 : (pos ? alpha : 1 - alpha);
    total -= at * std::pow(1 - pt, static_cast<long double>(gamma)) * std::log(pt);
  }
  return static_cast<double>(total / z.size());
}

template <class F>
void check_gradient(F f, const std::vector<tg::GradcheckInput>& inputs) {
  const auto r = tg::gradcheck(f, inputs);
  INFO(r.report);
  CHECK(r.passed);
}

template <class F>
std::string invalid_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("binary_cross_entropy: values against a loop, logits and probabilities, weighted", "[loss][bce]") {
  tg::Scope<double> scope;
  const A z = uniform(12, 3, -4, 4, 1), y = bernoulli(12, 3, 2), p = uniform(12, 3, 0.01, 0.99, 3);
  for (double w : {1.0, 9.0, 0.25}) {
    INFO("pos_weight " << w);
    CHECK(tg::binary_cross_entropy(TD(z), y, {tg::ScoreType::logits, w}).value() == Approx(reference_bce(z, y, w, true)).epsilon(1e-12));
    CHECK(tg::binary_cross_entropy(TD(p), y, {tg::ScoreType::probabilities, w}).value() ==
          Approx(reference_bce(p, y, w, false)).epsilon(1e-12));
  }
  // Soft targets are allowed for BCE.
  const A soft = uniform(12, 3, 0, 1, 4);
  CHECK(tg::binary_cross_entropy(TD(z), soft).value() == Approx(reference_bce(z, soft, 1, true)).epsilon(1e-12));
  // Integer-vector targets.
  const A zb = z.leftCols(1), yb = y.leftCols(1);
  std::vector<int> yv;
  for (Eigen::Index i = 0; i < 12; ++i) yv.push_back(static_cast<int>(yb(i, 0)));
  CHECK(tg::binary_cross_entropy(TD(zb), yv).value() == Approx(reference_bce(zb, yb, 1, true)).epsilon(1e-12));
}

TEST_CASE("focal_loss: values against a loop", "[loss][focal]") {
  tg::Scope<double> scope;
  const A z = uniform(12, 2, -4, 4, 5), y = bernoulli(12, 2, 6);
  for (double gamma : {0.0, 0.5, 2.0, 5.0})
    for (double alpha : {0.25, 0.5, -1.0}) {
      INFO("gamma " << gamma << " alpha " << alpha);
      CHECK(tg::focal_loss(TD(z), y, {gamma, alpha}).value() == Approx(reference_focal(z, y, gamma, alpha)).epsilon(1e-12));
    }
  // gamma = 0 without weighting is plain BCE.
  CHECK(tg::focal_loss(TD(z), y, {0.0, -1.0}).value() == Approx(reference_bce(z, y, 1, true)).epsilon(1e-12));
}

TEST_CASE("BCE, weighted BCE, focal: gradcheck (random, near 0.5, large logits)", "[loss][bce][focal]") {
  const A y = bernoulli(6, 2, 11), soft = uniform(6, 2, 0, 1, 12);
  const A zs[] = {uniform(6, 2, -3, 3, 13), uniform(6, 2, -0.01, 0.01, 14), uniform(6, 2, 15, 40, 15) * (2 * bernoulli(6, 2, 16) - 1)};
  for (const A& z : zs) {
    check_gradient([&](const auto& in) { return tg::binary_cross_entropy(in[0], y); }, {{"z", z}});
    check_gradient([&](const auto& in) { return tg::binary_cross_entropy(in[0], soft, {tg::ScoreType::logits, 4.0}); }, {{"z", z}});
    check_gradient([&](const auto& in) { return tg::focal_loss(in[0], y); }, {{"z", z}});
    check_gradient([&](const auto& in) { return tg::focal_loss(in[0], y, {0.7, -1.0}); }, {{"z", z}});
  }
  for (const A& p : {uniform(6, 2, 0.02, 0.98, 17), uniform(6, 2, 0.49, 0.51, 18)})
    check_gradient([&](const auto& in) { return tg::binary_cross_entropy(in[0], y, {tg::ScoreType::probabilities, 3.0}); }, {{"p", p}});
}

TEST_CASE("BCE and focal stay finite at huge logits and saturated probabilities", "[loss][bce][focal]") {
  tg::Scope<double> scope;
  A z(4, 1), y(4, 1);
  z << 800, -800, 800, -800;
  y << 1, 0, 0, 1;
  tg::Tensor<double> x(z, true);
  auto loss = tg::binary_cross_entropy(x, y);
  loss.backward();
  CHECK(loss.value() == Approx(800.0 * 2 / 4));  // two right (0), two wrong (800 each)
  CHECK(x.grad().allFinite());
  x.zero_grad();
  auto focal = tg::focal_loss(x, y, {2.0, -1.0});
  focal.backward();
  CHECK(focal.value() == Approx(800.0 * 2 / 4));
  CHECK(x.grad().allFinite());
  // Probabilities 0 and 1: the logs are clamped at -100 as in torch.nn.BCELoss.
  A p(2, 1);
  p << 0.0, 1.0;
  tg::Tensor<double> q(p, true);
  auto clamped = tg::binary_cross_entropy(q, A::Ones(2, 1), {tg::ScoreType::probabilities, 1.0});
  clamped.backward();
  CHECK(clamped.value() == Approx(50.0));
  CHECK(q.grad().allFinite());
}

TEST_CASE("BCE and focal at infinite logits: no 0 * inf NaN (robustness sweep regression)", "[loss][bce][focal]") {
  tg::Scope<double> scope;
  const double inf = HUGE_VAL;
  A z(4, 1), y(4, 1);
  z << inf, -inf, inf, -inf;
  y << 1, 0, 0, 1;  // two right (loss 0), two wrong (loss +inf)
  for (const double w : {1.0, 3.0}) {
    tg::Tensor<double> right(A(z.topRows(2)), true);
    auto loss = tg::binary_cross_entropy(right, A(y.topRows(2)), {tg::ScoreType::logits, w});
    loss.backward();
    CHECK(loss.value() == 0.0);
    CHECK(right.grad().isZero());
  }
  tg::Tensor<double> x(z, true);
  auto wrong = tg::binary_cross_entropy(x, y);
  wrong.backward();
  CHECK(wrong.value() == inf);
  // d/dz = (1 - y) sigmoid(z) - y sigmoid(-z), over N = 4.
  CHECK(x.grad()(2, 0) == Approx(0.25));
  CHECK(x.grad()(3, 0) == Approx(-0.25));
  CHECK(x.grad()(0, 0) == Approx(0.0).margin(1e-12));
  for (const double gamma : {0.0, 2.0}) {
    x.zero_grad();
    auto focal = tg::focal_loss(x, y, {gamma, -1.0});
    focal.backward();
    CHECK(focal.value() == inf);
    CHECK(x.grad().allFinite());
    // Where p_t -> 0 the gradient is -sign alpha_t (1 - p_t)^gamma -> -sign, over N = 4.
    CHECK(x.grad()(2, 0) == Approx(0.25));
    CHECK(x.grad()(3, 0) == Approx(-0.25));
  }
  // alpha = 1 gives the negatives weight 0: their infinite -log p_t contributes 0, not 0 * inf.
  A zn(1, 1), yn(1, 1);
  zn << inf;
  yn << 0;
  tg::Tensor<double> xn(zn, true);
  auto zero_weight = tg::focal_loss(xn, yn, {0.0, 1.0});
  zero_weight.backward();
  CHECK(zero_weight.value() == 0.0);
  CHECK(xn.grad()(0, 0) == Approx(0.0).margin(1e-12));
}

TEST_CASE("BCE and focal: errors name the argument, value and index", "[loss][errors]") {
  tg::Scope<double> scope;
  const A z = uniform(4, 2, -1, 1, 21);
  A y = bernoulli(4, 2, 22);
  CHECK_THAT(invalid_message([&] { tg::binary_cross_entropy(TD(A(0, 2)), A(0, 2)); }), Catch::Contains("empty"));
  CHECK_THAT(invalid_message([&] { tg::focal_loss(TD(z), A::Zero(4, 1)); }), Catch::Contains("4x2") && Catch::Contains("4x1"));
  y(2, 1) = 1.5;
  CHECK_THAT(invalid_message([&] { tg::binary_cross_entropy(TD(z), y); }), Catch::Contains("[0, 1]") && Catch::Contains("got 1.5") &&
                                                                                Catch::Contains("(2, 1)"));
  y(2, 1) = 0.5;  // fine for BCE, not for focal
  CHECK_THAT(invalid_message([&] { tg::focal_loss(TD(z), y); }), Catch::Contains("0 or 1") && Catch::Contains("got 0.5"));
  CHECK_THAT(invalid_message([&] { tg::binary_cross_entropy(TD(A(z.leftCols(1))), std::vector<int>{0, 1, 3, 0}); }),
             Catch::Contains("got 3") && Catch::Contains("index 2"));
  CHECK_THAT(invalid_message([&] { tg::binary_cross_entropy(TD(z), A::Zero(4, 2), {tg::ScoreType::probabilities, 1.0}); }),
             Catch::Contains("probabilities"));
  CHECK_THAT(invalid_message([&] { tg::binary_cross_entropy(TD(z), A::Zero(4, 2), {tg::ScoreType::logits, 0.0}); }),
             Catch::Contains("pos_weight") && Catch::Contains("got 0"));
  CHECK_THAT(invalid_message([&] { tg::focal_loss(TD(z), A::Zero(4, 2), {-1.0, 0.25}); }), Catch::Contains("gamma"));
  A with_nan = z;
  with_nan(1, 1) = NAN;
  CHECK_THAT(invalid_message([&] { tg::binary_cross_entropy(TD(with_nan), A::Zero(4, 2)); }), Catch::Contains("NaN") && Catch::Contains("(1, 1)"));
  CHECK_THAT(invalid_message([&] { tg::focal_loss(TD(with_nan), A::Zero(4, 2)); }), Catch::Contains("NaN") && Catch::Contains("(1, 1)"));
}
