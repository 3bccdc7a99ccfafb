#include <tropigrad/ad/scalar_arithmetic.hpp>
#include <tropigrad/ad/scalar_exp_log.hpp>
#include <tropigrad/ad/scalar_fma.hpp>
#include <tropigrad/ad/scalar_lse.hpp>
#include <tropigrad/ad/scalar_reduce.hpp>
#include <tropigrad/ad/scalar_trig.hpp>
#include <tropigrad/ad/gradcheck.hpp>
#include <tropigrad/ad/scope.hpp>
#include <tropigrad/ad/tape.hpp>
#include <tropigrad/ad/var.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <span>
#include <thread>
#include <vector>

namespace tg = tropigrad;

TEST_CASE("a Var from before reset() is rejected", "[tape][misuse]") {
  tg::Var x = 2.0;
  tg::tape<double>().reset();
  CHECK_THROWS_AS(x * x, tg::TapeError);
  CHECK_THROWS_WITH(x.grad(), Catch::Contains("reset"));
  CHECK_THROWS_AS(x.backward(), tg::TapeError);
}

TEST_CASE("a Var made on another thread's tape is rejected", "[tape][misuse]") {
  tg::Var<double> foreign;
  std::thread([&] { foreign = tg::Var(3.0); }).join();
  tg::Var mine = 1.0;
  CHECK_THROWS_WITH(mine + foreign, Catch::Contains("another tape"));
}

TEST_CASE("backward on a constant throws", "[tape][misuse]") {
  tg::Var<double> c = tg::Var<double>::constant(2.0) * 3.0;
  CHECK(c.is_constant());
  CHECK_THROWS_AS(c.backward(), tg::TapeError);
}

TEST_CASE("gradients of leaves accumulate over backward calls until zero_grad", "[tape]") {
  tg::tape<double>().reset();
  tg::Var x = 3.0;
  const tg::Var y = x * x;
  y.backward();
  CHECK(x.grad() == Approx(6.0));
  y.backward();
  CHECK(x.grad() == Approx(12.0));
  x.zero_grad();
  CHECK(x.grad() == 0.0);
  y.backward();
  CHECK(x.grad() == Approx(6.0));
  tg::tape<double>().zero_grad();
  CHECK(x.grad() == 0.0);
}

TEST_CASE("NoGrad records nothing and gives constants", "[tape]") {
  tg::tape<double>().reset();
  tg::Var x = 2.0;
  const std::size_t before = tg::tape<double>().num_statements();
  {
    tg::NoGrad<double> guard;
    const tg::Var y = tg::exp(x) * x;
    CHECK(y.is_constant());
    CHECK(y.value() == Approx(std::exp(2.0) * 2.0));
  }
  CHECK(tg::tape<double>().num_statements() == before);
  CHECK_FALSE((x * x).is_constant());
}

TEST_CASE("a nested Scope differentiates on its own and is rolled back", "[tape][scope]") {
  tg::tape<double>().reset();
  tg::Var x = 1.5;
  const tg::Var outer = x * x * x;  // d/dx = 3x^2
  tg::Var<double> inner_var;
  const std::size_t statements = tg::tape<double>().num_statements();
  {
    tg::Scope<double> scope;
    const tg::Var inner = tg::exp(x);  // an outer Var used inside
    inner.backward();
    CHECK(x.grad() == Approx(std::exp(1.5)));
    x.zero_grad();
    inner_var = inner;
  }
  CHECK(tg::tape<double>().num_statements() == statements);
  CHECK_THROWS_AS(inner_var + 1.0, tg::TapeError);
  outer.backward();
  CHECK(x.grad() == Approx(3 * 1.5 * 1.5));
}

TEST_CASE("reset inside a Scope throws", "[tape][scope][misuse]") {
  tg::Scope<double> scope;
  CHECK_THROWS_AS(tg::tape<double>().reset(), tg::TapeError);
}

TEST_CASE("tape memory is flat over 10,000 forward/backward iterations", "[tape][memory]") {
  auto& t = tg::tape<double>();
  auto iteration = [&](int k) {
    t.reset();
    tg::Var w = 0.5, b = -0.25;
    tg::Var<double> loss = 0.0;
    for (int i = 0; i < 64; ++i) {
      const double x = 0.01 * (i + k % 7);
      loss = loss + tg::log1p(tg::exp(w * x + b));
    }
    loss.backward();
    return w.grad();
  };
  for (int k = 0; k < 10; ++k) iteration(k);
  const std::size_t bytes = t.memory_bytes();
  for (int k = 0; k < 10000; ++k) iteration(k);
  CHECK(t.memory_bytes() == bytes);
}

namespace {
double gradient_of_work(int seed) {
  tg::tape<double>().reset();
  tg::Var x = 0.1 * seed;
  tg::Var<double> acc = 0.0;
  for (int i = 0; i < 20000; ++i) acc = acc + tg::exp(x * (i % 5 * 0.01)) / (1.0 + i);
  acc.backward();
  return x.grad();
}
}  // namespace

TEST_CASE("threads differentiate on their own tapes concurrently", "[tape][threads]") {
  const double serial1 = gradient_of_work(1);
  const double serial2 = gradient_of_work(2);
  double parallel1 = 0, parallel2 = 0;
  std::thread t1([&] { parallel1 = gradient_of_work(1); });
  std::thread t2([&] { parallel2 = gradient_of_work(2); });
  t1.join();
  t2.join();
  CHECK(parallel1 == serial1);
  CHECK(parallel2 == serial2);
}

namespace {
// A random program over the inputs mixing every kind of statement the tape
// stores: leaves in the middle, statements of 1, 2 and 3 operands (the
// single-compare fast path), n-ary ones written at once (tg::sum) or operand
// by operand (lse), in a fixed order given by the seed. Values stay bounded.
tg::Var<double> mixed_program(const std::vector<tg::Var<double>>& inputs, unsigned seed, int steps) {
  using V = tg::Var<double>;
  std::mt19937 rng(seed);
  std::vector<V> pool(inputs);
  auto pick = [&] { return pool[std::uniform_int_distribution<std::size_t>(0, pool.size() - 1)(rng)]; };
  auto subset = [&] {
    std::vector<V> s(std::uniform_int_distribution<std::size_t>(1, 40)(rng));
    for (V& v : s) v = pick();
    return s;
  };
  for (int step = 0; step < steps; ++step) {
    V next;
    switch (std::uniform_int_distribution<int>(0, 5)(rng)) {
      case 0: next = V(std::uniform_real_distribution<double>(-1, 1)(rng)); break;
      case 1: next = tg::tanh(pick()); break;
      case 2: next = pick() * pick() * 0.5; break;
      case 3: next = tg::fma(pick(), pick(), pick()) * 0.3; break;
      case 4: next = tg::sum(subset()) * 0.05; break;
      default: next = tg::lse(1.0, std::span<const V>(subset())) * 0.1; break;
    }
    if (pool.size() < 64) pool.push_back(next);
    else pool[std::uniform_int_distribution<std::size_t>(inputs.size(), pool.size() - 1)(rng)] = next;
  }
  return tg::sum(pool) * 0.01;
}
}  // namespace

TEST_CASE("statements of every size interleave correctly while the tape grows", "[tape][gradcheck]") {
  const std::vector<double> x{0.3, -0.7, 1.1, 0.05, -1.4};
  // On a fresh tape (another thread's), so its arrays grow from nothing in the
  // middle of the program; then again on this thread's tape, already grown.
  std::vector<double> grown_from_empty;
  std::thread([&] {
    const std::vector<tg::Var<double>> v(x.begin(), x.end());
    mixed_program(v, 7, 3000).backward();
    for (const auto& e : v) grown_from_empty.push_back(e.grad());
  }).join();
  for (int rep = 0; rep < 2; ++rep) {
    tg::tape<double>().reset();
    const std::vector<tg::Var<double>> v(x.begin(), x.end());
    mixed_program(v, 7, 3000).backward();
    for (std::size_t i = 0; i < x.size(); ++i) CHECK(v[i].grad() == grown_from_empty[i]);
  }
  tg::tape<double>().reset();
  // And the gradient is right: central differences of the same program.
  const auto result = tg::gradcheck([](const std::vector<tg::Var<double>>& v) { return mixed_program(v, 7, 3000); }, x);
  INFO(result.report);
  CHECK(result.passed);
}
