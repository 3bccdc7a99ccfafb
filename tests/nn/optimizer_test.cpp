#include <tropigrad/ad/scalar_arithmetic.hpp>
#include <tropigrad/ad/tensor_arithmetic.hpp>
#include <tropigrad/ad/tensor_sum.hpp>
#include <tropigrad/nn/adam.hpp>
#include <tropigrad/nn/clip_grad.hpp>
#include <tropigrad/nn/lr_scheduler.hpp>
#include <tropigrad/nn/sgd.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>

namespace tg = tropigrad;
namespace nn = tropigrad::nn;
using TD = tg::Tensor<double>;

namespace {
// Loss 0.5 * sum((p - target)^2): gradient p - target.
void quadratic_backward(TD& p, double target) {
  const auto d = p - target;
  (tg::sum(d * d) * 0.5).backward();
}
}  // namespace

TEST_CASE("SGD with momentum and weight decay follows its recurrence", "[nn][optim]") {
  TD p(tg::RowArray<double>::Constant(1, 1, 1.0), true);
  nn::SGD<double> opt({p}, {.lr = 0.1, .momentum = 0.9, .weight_decay = 0.01});
  double x = 1.0, v = 0.0;  // independent scalar recurrence
  for (int step = 0; step < 5; ++step) {
    opt.zero_grad();
    quadratic_backward(p, 3.0);
    opt.step();
    const double g = (x - 3.0) + 0.01 * x;
    v = step == 0 ? g : 0.9 * v + g;
    x -= 0.1 * v;
    CHECK(p.item() == Approx(x).epsilon(1e-12));
  }
}

TEST_CASE("Adam's first steps match the bias-corrected closed form", "[nn][optim]") {
  TD p(tg::RowArray<double>::Constant(1, 1, 0.5), true);
  nn::Adam<double> opt({p}, {.lr = 0.01});
  double x = 0.5, m = 0, v = 0;
  for (int t = 1; t <= 4; ++t) {
    opt.zero_grad();
    quadratic_backward(p, -1.0);
    opt.step();
    const double g = x + 1.0;
    m = 0.9 * m + 0.1 * g;
    v = 0.999 * v + 0.001 * g * g;
    x -= 0.01 * (m / (1 - std::pow(0.9, t))) / (std::sqrt(v / (1 - std::pow(0.999, t))) + 1e-8);
    CHECK(p.item() == Approx(x).epsilon(1e-12));
  }
  // The first Adam step moves by lr whatever the gradient's scale.
  TD q(tg::RowArray<double>::Constant(1, 1, 0.0), true);
  nn::Adam<double> single({q}, {.lr = 0.01});
  quadratic_backward(q, 1e6);
  single.step();
  CHECK(q.item() == Approx(0.01).epsilon(1e-6));
}

TEST_CASE("AdamW decays weights decoupled from the gradient", "[nn][optim]") {
  TD p(tg::RowArray<double>::Constant(1, 1, 2.0), true);
  nn::AdamW<double> opt({p}, {.lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .eps = 1e-8, .weight_decay = 0.5});
  p.grad_mut().setZero();  // zero gradient: only the decay acts
  opt.step();
  CHECK(p.item() == Approx(2.0 * (1 - 0.1 * 0.5)));
}

TEST_CASE("Adam fits a least-squares problem", "[nn][optim]") {
  TD w(tg::RowArray<double>::Zero(1, 3), true);
  const tg::RowArray<double> target = (tg::RowArray<double>(1, 3) << 1.0, -2.0, 0.5).finished();
  nn::Adam<double> opt({w}, {.lr = 0.05});
  for (int step = 0; step < 500; ++step) {
    opt.zero_grad();
    const auto d = w - TD(target);
    tg::sum(d * d).backward();
    opt.step();
  }
  CHECK((w.value() - target).abs().maxCoeff() < 1e-3);
}

TEST_CASE("cosine annealing and step schedules follow their closed forms", "[nn][optim]") {
  TD p(tg::RowArray<double>::Zero(1, 1), true);
  nn::SGD<double> opt({p}, {.lr = 0.1});
  nn::CosineAnnealingLR<double> cosine(opt, 10, 0.001);
  for (int t = 1; t <= 10; ++t) {
    cosine.step();
    CHECK(opt.lr() == Approx(0.001 + (0.1 - 0.001) * (1 + std::cos(std::numbers::pi * t / 10)) / 2));
  }
  nn::SGD<double> opt2({p}, {.lr = 1.0});
  nn::StepLR<double> steps(opt2, 3, 0.5);
  for (int t = 1; t <= 7; ++t) steps.step();
  CHECK(opt2.lr() == Approx(0.25));
}

TEST_CASE("clip_grad_norm rescales to max_norm and returns the norm before", "[nn][optim]") {
  TD a(tg::RowArray<double>::Zero(1, 2), true), b(tg::RowArray<double>::Zero(1, 1), true);
  a.grad_mut() << 3.0, 0.0;
  b.grad_mut() << 4.0;
  const double norm = nn::clip_grad_norm<double>({a, b}, 1.0);
  CHECK(norm == Approx(5.0));
  CHECK(a.grad()(0, 0) == Approx(0.6).epsilon(1e-5));
  CHECK(b.grad()(0, 0) == Approx(0.8).epsilon(1e-5));
  CHECK(nn::clip_grad_norm<double>({a, b}, 10.0) == Approx(1.0).epsilon(1e-5));
}

TEST_CASE("optimisers reject bad hyper-parameters and non-parameters", "[nn][optim][misuse]") {
  TD p(tg::RowArray<double>::Zero(1, 1), true);
  CHECK_THROWS_WITH(nn::SGD<double>({p}, {.lr = -1.0}), Catch::Contains("lr"));
  CHECK_THROWS_WITH(nn::Adam<double>({p}, {.lr = 0.1, .beta1 = 1.0}), Catch::Contains("beta1"));
  TD constant(tg::RowArray<double>::Zero(1, 1));
  CHECK_THROWS_WITH(nn::SGD<double>({constant}), Catch::Contains("requires_grad"));
}
