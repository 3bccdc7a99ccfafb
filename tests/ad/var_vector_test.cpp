#include "tropigrad/ad/var_vector.hpp"

#include <cmath>
#include <random>
#include <stdexcept>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "scalar_test_util.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scalar_reduce.hpp"
#include "tropigrad/ad/scope.hpp"

namespace tg = tropigrad;
using V = tg::Var<double>;

TEST_CASE("make_vars / grads: the gradient of sum_i w_i x_i^2 is 2 w_i x_i, as element-wise Vars give", "[scalar][var_vector]") {
  std::mt19937 rng(11);
  for (double scale : {1.0, 1e3, 1e100}) {
    const std::size_t n = 257;  // odd, and more than a vector register
    const std::vector<double> x = test_util::random_point(rng, n, -scale, scale);
    const std::vector<double> w = test_util::random_point(rng, n, -2.0, 2.0);
    tg::tape<double>().reset();
    std::vector<V> xv(n, V::constant(0.0));
    tg::make_vars(x, xv);
    std::vector<V> terms;
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(xv[i].value() == x[i]);
      CHECK_FALSE(xv[i].is_constant());
      terms.push_back(w[i] * xv[i] * xv[i]);
    }
    tg::sum(terms).backward();
    std::vector<double> g(n);
    tg::grads(xv, g);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(g[i] == xv[i].grad());                     // the same numbers as grad()
      CHECK(g[i] == Approx(2 * w[i] * x[i]).epsilon(1e-12));  // the closed form
    }
    CHECK(tg::grads(xv) == g);  // the allocating overload
  }
  tg::tape<double>().reset();
}

TEST_CASE("make_vars: distinct leaves, one tape statement each; constants under NoGrad", "[scalar][var_vector]") {
  tg::tape<double>().reset();
  auto& t = tg::tape<double>();
  const std::vector<double> x{1.0, -2.0, 3.5};
  const std::size_t before = t.num_statements();
  const std::vector<V> v = tg::make_vars(x);
  CHECK(t.num_statements() - before == 3);
  CHECK(v[0].index() != v[1].index());
  CHECK(v[1].index() != v[2].index());
  // A repeated leaf and a mixed expression: each leaf gets its own gradient.
  (v[0] * v[1] + v[2] * v[2]).backward();
  CHECK(tg::grads(v) == std::vector<double>{-2.0, 1.0, 7.0});
  {
    tg::NoGrad<double> no_grad;
    const std::size_t at = t.num_statements();
    const std::vector<V> c = tg::make_vars(x);
    for (const V& e : c) CHECK(e.is_constant());
    CHECK(t.num_statements() == at);
  }
  tg::tape<double>().reset();
}

TEST_CASE("grads: 0 for constants and for Vars no backward pass reached", "[scalar][var_vector]") {
  tg::tape<double>().reset();
  const std::vector<V> v = tg::make_vars(std::vector<double>{2.0, 5.0});
  CHECK(tg::grads(v) == std::vector<double>{0.0, 0.0});  // no backward yet
  const V c = V::constant(3.0);
  (v[0] * c).backward();
  // What flows to a constant collects in the tape's sink; it is not c's gradient.
  CHECK(c.grad() == 0.0);
  CHECK(tg::grads(std::vector<V>{v[0], c, v[1]}) == std::vector<double>{3.0, 0.0, 0.0});
  tg::tape<double>().reset();
}

TEST_CASE("make_vars / grads: wrong lengths and foreign Vars throw, naming the argument", "[scalar][var_vector][misuse]") {
  tg::tape<double>().reset();
  const std::vector<double> x{1.0, 2.0};
  std::vector<V> short_vars(1, V::constant(0.0));
  CHECK_THROWS_WITH(tg::make_vars(x, short_vars),
                    Catch::Contains("make_vars") && Catch::Contains("'values' and 'vars'") && Catch::Contains("got 2 and 1"));
  const std::vector<V> v = tg::make_vars(x);
  std::vector<double> g(3);
  CHECK_THROWS_AS(tg::grads(v, g), std::invalid_argument);
  // Outer-scope Vars are readable inside a Scope; Vars of a reset tape or another thread are not.
  {
    tg::Scope<double> scope;
    std::vector<double> inner(2);
    CHECK_NOTHROW(tg::grads(v, inner));
  }
  std::vector<V> foreign;
  std::thread([&] { foreign = tg::make_vars(x); }).join();
  CHECK_THROWS_WITH(tg::grads(foreign), Catch::Contains("grads") && Catch::Contains("another tape"));
  tg::tape<double>().reset();
  CHECK_THROWS_AS(tg::grads(v), tg::TapeError);
}

TEST_CASE("make_vars: float Vars", "[scalar][var_vector]") {
  tg::tape<float>().reset();
  const std::vector<float> x{1.5f, -0.5f};
  const std::vector<tg::Var<float>> v = tg::make_vars(x);
  (v[0] * v[1]).backward();
  CHECK(tg::grads(v) == std::vector<float>{-0.5f, 1.5f});
  tg::tape<float>().reset();
}
