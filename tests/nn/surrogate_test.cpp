#include <tropigrad/nn/surrogate.hpp>

#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <numbers>

namespace nn = tropigrad::nn;
using Arr = Eigen::ArrayXd;
using Eigen::Index;
using RowArrayD = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace {
// The integral of f over [-L, L]: f(x) + f(-x) on [0, L], by the trapezoid rule
// in u = log x (fine near the peak at 0, coarse in the tails), plus [0, 1e-9].
double integrate(const std::function<double(double)>& f, double L, int n = 200000) {
  const double lo = std::log(1e-9), hi = std::log(L), h = (hi - lo) / n;
  auto g = [&](double u) { const double x = std::exp(u); return (f(x) + f(-x)) * x; };
  double s = 0.5 * (g(lo) + g(hi));
  for (int i = 1; i < n; ++i) s += g(lo + i * h);
  return s * h + 2e-9 * f(0);
}
Arr grid() { return Arr::LinSpaced(401, -2.0, 2.0); }
}  // namespace

TEST_CASE("Surrogate derivatives equal their closed forms", "[nn][surrogate]") {
  const Arr x = grid();
  const double pi = std::numbers::pi;
  for (double k : {25.0, 5.0}) {
    const Arr d = nn::surrogate::fast_sigmoid(k).derivative(x);
    for (Index i = 0; i < x.size(); ++i) CHECK(d(i) == Approx(1 / std::pow(k * std::abs(x(i)) + 1, 2)).epsilon(1e-12));
    const Arr ds = nn::surrogate::sigmoid(k).derivative(x);
    for (Index i = 0; i < x.size(); ++i) {
      const double s = 1 / (1 + std::exp(-k * x(i))), one_minus_s = 1 / (1 + std::exp(k * x(i)));
      CHECK(ds(i) == Approx(k * s * one_minus_s).epsilon(1e-12));
    }
  }
  for (double a : {2.0, 0.5}) {
    const Arr d = nn::surrogate::atan(a).derivative(x);
    for (Index i = 0; i < x.size(); ++i)
      CHECK(d(i) == Approx(a / 2 / (1 + std::pow(pi / 2 * a * x(i), 2))).epsilon(1e-12));
  }
  const Arr tri = nn::surrogate::triangle().derivative(x);
  for (Index i = 0; i < x.size(); ++i) CHECK(tri(i) == Approx(std::max(0.0, 1 - std::abs(x(i)))).margin(1e-15));
  const Arr tri2 = nn::surrogate::triangle(2).derivative(x);
  for (Index i = 0; i < x.size(); ++i) CHECK(tri2(i) == Approx(2 * std::max(0.0, 1 - 2 * std::abs(x(i)))).margin(1e-15));
  CHECK((nn::surrogate::straight_through().derivative(x) == 1.0).all());
  // DSpike: b / (2 tanh(b/2)) (1 - tanh^2(b x)) on |x| <= 1/2.
  for (double b : {0.5, 3.0, 10.0}) {
    const Arr d = nn::surrogate::dspike(b).derivative(x);
    for (Index i = 0; i < x.size(); ++i) {
      const double expected =
          std::abs(x(i)) <= 0.5 ? b / (2 * std::tanh(b / 2)) * (1 - std::pow(std::tanh(b * x(i)), 2)) : 0.0;
      CHECK(d(i) == Approx(expected).margin(1e-14));
    }
  }
  // float, and a scalar form
  const Eigen::ArrayXf xf = x.cast<float>();
  CHECK((nn::surrogate::atan().derivative(xf).cast<double>() - nn::surrogate::atan().derivative(x)).abs().maxCoeff() <
        1e-6);
  CHECK(nn::surrogate::fast_sigmoid().derivative(0.2) == Approx(1.0 / 36));
  // usable on a 2-D row-major array expression
  RowArrayD m = RowArrayD::Random(3, 4);
  const RowArrayD dm = nn::surrogate::sigmoid().derivative(m - 0.1);
  CHECK(dm.rows() == 3);
  CHECK(dm(1, 2) == Approx(nn::surrogate::sigmoid().derivative(m(1, 2) - 0.1)));
}

TEST_CASE("Surrogate derivatives integrate to their totals", "[nn][surrogate]") {
  auto total = [](const nn::Surrogate& s, double L) {
    return integrate([&](double x) { return s.derivative(x); }, L);
  };
  CHECK(total(nn::surrogate::fast_sigmoid(25), 1e6) == Approx(2.0 / 25).epsilon(1e-4));  // snnTorch: area 2/k
  CHECK(total(nn::surrogate::atan(2), 1e7) == Approx(1).epsilon(1e-4));
  CHECK(total(nn::surrogate::sigmoid(25), 5) == Approx(1).epsilon(1e-6));
  CHECK(total(nn::surrogate::triangle(1), 2) == Approx(1).epsilon(1e-6));
  CHECK(total(nn::surrogate::triangle(3), 2) == Approx(1).epsilon(1e-6));
  CHECK(total(nn::surrogate::dspike(3), 1) == Approx(1).epsilon(1e-4));
  CHECK(total(nn::surrogate::dspike(0.2), 1) == Approx(1).epsilon(1e-4));
}

TEST_CASE("DSpike function, its x- and b-derivatives agree with finite differences", "[nn][surrogate][dspike]") {
  const Arr x = Arr::LinSpaced(41, -0.7, 0.7);
  for (double b : {0.3, 3.0, 8.0}) {
    const Arr f = nn::surrogate::dspike_function(x, b);
    CHECK(f.minCoeff() >= 0.0);
    CHECK(f.maxCoeff() <= 1.0);
    const double h = 1e-6;
    const Arr dfdx = (nn::surrogate::dspike_function(Arr(x + h), b) - nn::surrogate::dspike_function(Arr(x - h), b)) / (2 * h);
    const Arr dfdb = (nn::surrogate::dspike_function(x, b + h) - nn::surrogate::dspike_function(x, b - h)) / (2 * h);
    const Arr dx = nn::surrogate::dspike_derivative(x, b);
    const Arr db = nn::surrogate::dspike_temperature_derivative(x, b);
    for (Index i = 0; i < x.size(); ++i) {
      if (std::abs(std::abs(x(i)) - 0.5) < 1e-3) continue;  // the kinks at the window's ends
      CHECK(dx(i) == Approx(dfdx(i)).margin(1e-6));
      CHECK(db(i) == Approx(dfdb(i)).margin(1e-6));
    }
  }
  // b -> large: approaches H(x); continuous at the window's ends
  const Arr steep = nn::surrogate::dspike_function(Arr(Arr::LinSpaced(5, -0.4, 0.4)), 60.0);
  CHECK(steep(0) < 1e-6);
  CHECK(steep(4) > 1 - 1e-6);
  Arr ends(2);
  ends << -0.5, 0.5;
  const Arr fe = nn::surrogate::dspike_function(ends, 2.0);
  CHECK(fe(0) == Approx(0).margin(1e-15));
  CHECK(fe(1) == Approx(1));
}

TEST_CASE("Surrogate names parse; bad names and parameters throw", "[nn][surrogate][misuse]") {
  for (const char* name : {"fast_sigmoid", "atan", "sigmoid", "triangle", "straight_through", "dspike"})
    CHECK(nn::Surrogate::from_name(name).name() == name);
  CHECK(nn::surrogate::from_name("atan").parameter == 2);
  CHECK(nn::surrogate::from_name("fast_sigmoid").parameter == 25);
  CHECK_THROWS_AS(nn::Surrogate::from_name("fastsigmoid"), std::invalid_argument);
  CHECK_THROWS_WITH(nn::Surrogate::from_name("relu"),
                    Catch::Contains("'relu'") && Catch::Contains("fast_sigmoid, atan, sigmoid, triangle, straight_through"));
  CHECK_THROWS_WITH(nn::surrogate::fast_sigmoid(-1), Catch::Contains("slope"));
  CHECK_THROWS_WITH(nn::surrogate::atan(0), Catch::Contains("alpha"));
  CHECK_THROWS_WITH(nn::surrogate::dspike(std::nan("")), Catch::Contains("temperature"));
}
