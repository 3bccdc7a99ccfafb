#include <tropigrad/ad/custom_op.hpp>

#include <cmath>
#include <span>

#include "elementwise_test_util.hpp"

using namespace tg_test;

// ---- the examples of docs/custom_op.md, verbatim ---------------------------
namespace docs_example {
template <class T>
tg::Tensor<T> x_exp_wx(const tg::Tensor<T>& x, const tg::Tensor<T>& w) {
  return tg::custom_op(
      "x_exp_wx", x, w,
      // forward: the inputs' values (const Eigen array maps) -> the output
      [](const auto& xv, const auto& wv) { return xv * (wv * xv).exp(); },
      // backward: output gradient g, output value y, then the inputs' values;
      // returns one gradient per input (a std::tuple when there are several)
      [](const auto& g, const auto& y, const auto& xv, const auto& wv) {
        const auto e = (wv * xv).exp();
        return std::make_tuple(g * (e + wv * y),   // dL/dx = g (e^{wx} + w x e^{wx})
                               g * xv * y);        // dL/dw = g x^2 e^{wx}
      });
}

template <class T>
tg::Tensor<T> product_of(const std::vector<tg::Tensor<T>>& xs) {
  return tg::custom_op(
      "product_of", xs,
      [](std::span<const typename tg::Tensor<T>::ConstMap> v) {
        tg::RowArray<T> p = v[0];
        for (std::size_t i = 1; i < v.size(); ++i) p *= v[i];
        return p;
      },
      [](const tg::CustomOpGradients<T>& ctx) {
        for (std::size_t i = 0; i < ctx.num_inputs(); ++i)
          if (ctx.requires_grad(i)) ctx.accumulate(i, ctx.grad_output() * ctx.output() / ctx.input(i));
      });
}

template <class T>
tg::Tensor<T> spike(const tg::Tensor<T>& v) {
  return tg::straight_through(
      v, [](const auto& u) { return (u > T(0)).template cast<T>(); },                       // H(v)
      [](const auto& u) { return (T(1) + T(25) * u.abs()).square().inverse(); });            // 1/(1+25|v|)^2
}
}  // namespace docs_example

TEST_CASE("custom_op: the docs example passes gradcheck and matches its closed form", "[custom_op][gradcheck]") {
  const A x = uniform(3, 4, -1, 1, 81), w = uniform(3, 4, -1, 1, 82);
  check_gradient([](const Ins& v) { return docs_example::x_exp_wx(v[0], v[1]); }, {{"x", x}, {"w", w}});
  TD tx(x, true), tw(w, false);
  const auto y = docs_example::x_exp_wx(tx, tw);
  tg::sum(y).backward();
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    const double a = x.data()[i], b = w.data()[i];
    CHECK(y.value().data()[i] == Approx(a * std::exp(a * b)).epsilon(1e-14));
    CHECK(tx.grad().data()[i] == Approx(std::exp(a * b) * (1 + a * b)).epsilon(1e-13));
  }
}

TEST_CASE("custom_op: the gradient is exactly what the user's backward returns", "[custom_op]") {
  TD x(A::Constant(2, 2, 3.0), true), z(A::Constant(2, 2, 1.0), true);
  // a deliberately "wrong" backward: the library must pass it through unchanged
  const auto y = tg::custom_op(
      "fake", x, z, [](const auto& a, const auto& b) { return a + b; },
      [](const auto& g, const auto&, const auto&, const auto&) { return std::make_tuple(g * 7.0, tg::no_gradient); });
  tg::sum(y).backward();
  CHECK((x.grad() == 7.0).all());
  CHECK((z.grad() == 0.0).all());
  // one input: backward returns the expression itself
  TD u(A::Constant(1, 3, 2.0), true);
  tg::sum(tg::custom_op("cube", u, [](const auto& a) { return a.cube(); },
                        [](const auto& g, const auto&, const auto& a) { return g * 3.0 * a.square(); }))
      .backward();
  CHECK((u.grad() == 12.0).all());
  // wrong gradient shape (in a Scope, so the failed node leaves the tape)
  tg::Scope<double> scope;
  TD v(A::Ones(2, 3), true);
  const auto bad = tg::custom_op("bad", v, [](const auto& a) { return a * 2.0; },
                                 [](const auto&, const auto&, const auto&) { return A::Ones(3, 2).eval(); });
  CHECK_THAT(invalid_argument_message([&] { tg::sum(bad).backward(); }),
             Catch::Contains("bad") && Catch::Contains("3x2") && Catch::Contains("2x3"));
}

TEST_CASE("custom_op: vector form, gradcheck; NoGrad records nothing", "[custom_op][gradcheck]") {
  check_gradient([](const Ins& v) { return docs_example::product_of(v); },
                 {{"a", uniform(2, 3, 0.5, 2, 83)}, {"b", uniform(2, 3, 0.5, 2, 84)}, {"c", uniform(2, 3, -2, -0.5, 85)}});
  TD a(A::Ones(2, 2), true);
  tg::NoGrad<double> ng;
  CHECK_FALSE(docs_example::product_of(std::vector<TD>{a, a}).requires_grad());
  CHECK_FALSE(docs_example::x_exp_wx(a, a).requires_grad());
}

TEST_CASE("straight_through: Heaviside spike with the fast-sigmoid surrogate (slope 25)", "[custom_op]") {
  A v(1, 6);
  v << -1.0, -0.04, 0.0, 1e-3, 0.2, 3.0;
  A up(1, 6);
  up << 0.5, -2, 1, 3, -1, 0.25;  // upstream gradient
  TD tv(v, true);
  const auto s = docs_example::spike(tv);
  tg::sum(s * TD(up)).backward();
  for (Eigen::Index i = 0; i < 6; ++i) {
    CHECK(s(0, i) == (v(0, i) > 0 ? 1.0 : 0.0));
    const double surrogate = 1.0 / std::pow(1.0 + 25.0 * std::abs(v(0, i)), 2);
    CHECK(tv.grad()(0, i) == Approx(up(0, i) * surrogate).epsilon(1e-14));
  }
  // float
  tg::Tensor<float> vf(v.cast<float>().eval(), true);
  tg::sum(docs_example::spike(vf)).backward();
  CHECK(vf.grad()(0, 4) == Approx(1.0 / 36.0).epsilon(1e-6));
}
