// Scalar reverse mode (tropigrad::Var<double>) on four functions of the
// ADBenchmark suite (Yang, "ADBenchmark"; FastAD paper), N = 16384:
//   sum(x);  log(sum(exp(x)));  normal_log_pdf;  stochastic volatility.
//
// Each function is ONE template over the scalar type (two versions: BM_scalar_<name>
// reduces with the library's n-ary tg::sum / tg::squared_norm, as a user would;
// BM_scalar_<name>_loop accumulates in a loop `s = s + ...`; stochastic volatility
// has a third: BM_scalar_stochastic_volatility uses the fused tg::fma and
// tg::normal_log_pdf[_log_scale], and the n-ary version is
// BM_scalar_stochastic_volatility_composed), instantiated with Var
// (value + full gradient) and with double (the primal). Every benchmark reports
//   primal_ns        : the double instantiation, ns per call
//   grad_ns          : leaves (tg::make_vars) + value + backward + gradients (tg::grads)
//                      + tape reset, ns per call
//   grad_over_primal : grad_ns / primal_ns
//   grad_over_eigen  : grad_ns / (the same function as vectorised Eigen double code),
//                      the baseline ADBenchmark's published ratios are relative to.
// The three times are each the minimum over 15 rounds of the mean thread-CPU time
// over a batch of calls, measured in the same process, the rounds interleaved
// (primal, Eigen, gradient, then again: load from other jobs on the shared machine
// falls on all three alike); the Google Benchmark time is the Var version's.

#include <benchmark/benchmark.h>

#include "timing.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <ctime>
#include <cstddef>
#include <random>
#include <vector>

#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scalar_exp_log.hpp"
#include "tropigrad/ad/scalar_fma.hpp"
#include "tropigrad/ad/scalar_normal_log_pdf.hpp"
#include "tropigrad/ad/scalar_power.hpp"
#include "tropigrad/ad/scalar_reduce.hpp"
#include "tropigrad/ad/var.hpp"
#include "tropigrad/ad/var_vector.hpp"

namespace tg = tropigrad;
using Var = tg::Var<double>;

namespace {

constexpr std::size_t kN = 16384;

// ---------------------------------------------------------------------------
// The functions, written once for T = double and T = Var.
// ---------------------------------------------------------------------------

template <class T>
T sum_loop_fn(const std::vector<T>& x) {
  T s = x[0];
  for (std::size_t i = 1; i < x.size(); ++i) s = s + x[i];
  return s;
}

template <class T>
T log_sum_exp_loop_fn(const std::vector<T>& x) {
  using std::exp;
  using std::log;
  T s = exp(x[0]);
  for (std::size_t i = 1; i < x.size(); ++i) s = s + exp(x[i]);
  return log(s);
}

// sum_i -0.5 ((x_i - mu) / sigma)^2 - N log(sigma)
template <class T>
T normal_log_pdf_loop_fn(const std::vector<T>& x, const T& mu, const T& sigma) {
  using std::log;
  T z = (x[0] - mu) / sigma;
  T s = z * z;
  for (std::size_t i = 1; i < x.size(); ++i) {
    z = (x[i] - mu) / sigma;
    s = s + z * z;
  }
  return -0.5 * s - static_cast<double>(x.size()) * log(sigma);
}

// -log(scale * (1 + ((y - loc) / scale)^2)), the Cauchy log density up to -log(pi).
template <class T>
T cauchy_log_density(const T& y, double loc, double scale) {
  using std::log;
  const T c = (y - loc) / scale;
  return -log(scale * (1.0 + c * c));
}

// The Stan stochastic-volatility model (as in ADBenchmark):
//   h = h_std * sigma; h[0] /= sqrt(1 - phi^2); h += mu; h[t] += phi (h[t-1] - mu)
//   log p = sum normal_lpdf(y | 0, exp(h / 2)) + sum std_normal_lpdf(h_std)
//         + cauchy(sigma | 0, 5) + cauchy(mu | 0, 10) + uniform(phi | -1, 1)
// (normal densities without their -0.5 log(2 pi) constants). `h` is scratch.
template <class T>
T stochastic_volatility_loop_fn(const std::vector<T>& h_std, const T& mu, const T& phi, const T& sigma,
                           const std::vector<double>& y, std::vector<T>& h) {
  using std::exp;
  using std::log;
  using std::sqrt;
  const std::size_t n = h_std.size();
  h[0] = h_std[0] * sigma / sqrt(1.0 - phi * phi) + mu;
  for (std::size_t t = 1; t < n; ++t) h[t] = h_std[t] * sigma + mu + phi * (h[t - 1] - mu);
  T scale = exp(h[0] * 0.5);
  T z = y[0] / scale;
  T z_sq = z * z;
  T log_scale = log(scale);
  T h_std_sq = h_std[0] * h_std[0];
  for (std::size_t t = 1; t < n; ++t) {
    scale = exp(h[t] * 0.5);
    z = y[t] / scale;
    z_sq = z_sq + z * z;
    log_scale = log_scale + log(scale);
    h_std_sq = h_std_sq + h_std[t] * h_std[t];
  }
  return -0.5 * z_sq - log_scale - 0.5 * h_std_sq + cauchy_log_density(sigma, 0.0, 5.0) +
         cauchy_log_density(mu, 0.0, 10.0) - std::log(2.0);
}

// The same four functions written as a user of tropigrad would: the
// reductions use the library's n-ary tg::sum / tg::squared_norm (ONE tape
// statement for the whole reduction, one operand per element) instead of an
// accumulation loop (one statement per element). For T = double these are
// plain loops. The elementwise parts are unchanged scalar Var code. `e`, `z`,
// `h`, `log_scale` are scratch vectors.
template <class T>
T sum_fn(const std::vector<T>& x) {
  return tg::sum(x);
}

template <class T>
T log_sum_exp_fn(const std::vector<T>& x, std::vector<T>& e) {
  using std::exp;
  using std::log;
  for (std::size_t i = 0; i < x.size(); ++i) e[i] = exp(x[i]);
  return log(tg::sum(e));
}

template <class T>
T normal_log_pdf_fn(const std::vector<T>& x, const T& mu, const T& sigma, std::vector<T>& z) {
  using std::log;
  for (std::size_t i = 0; i < x.size(); ++i) z[i] = (x[i] - mu) / sigma;
  return -0.5 * tg::squared_norm(z) - static_cast<double>(x.size()) * log(sigma);
}

template <class T>
T stochastic_volatility_composed_fn(const std::vector<T>& h_std, const T& mu, const T& phi, const T& sigma,
                           const std::vector<double>& y, std::vector<T>& h, std::vector<T>& z,
                           std::vector<T>& log_scale) {
  using std::exp;
  using std::log;
  using std::sqrt;
  const std::size_t n = h_std.size();
  h[0] = h_std[0] * sigma / sqrt(1.0 - phi * phi) + mu;
  for (std::size_t t = 1; t < n; ++t) h[t] = h_std[t] * sigma + mu + phi * (h[t - 1] - mu);
  for (std::size_t t = 0; t < n; ++t) {
    const T scale = exp(h[t] * 0.5);
    z[t] = y[t] / scale;
    log_scale[t] = log(scale);
  }
  return -0.5 * tg::squared_norm(z) - tg::sum(log_scale) - 0.5 * tg::squared_norm(h_std) +
         cauchy_log_density(sigma, 0.0, 5.0) + cauchy_log_density(mu, 0.0, 10.0) - std::log(2.0);
}

// The same model written with the fused scalar ops, as a user of them would.
// Non-centred form h = mu + sigma x: the AR(1) runs on x, x[t] = phi x[t-1] + h_std[t],
// started at its stationary distribution x[0] = h_std[0] / sqrt(1 - phi^2) (the same h
// as above, algebraically). y[t] has log scale h[t] / 2 = fma(sigma / 2, x[t], mu / 2),
// and the two densities are the fused tg::normal_log_pdf_log_scale / tg::normal_log_pdf
// (one statement each, one operand per element). They include the -0.5 log(2 pi) per
// element that the composed version drops; n log(2 pi) is added back so both versions
// compute the same value (checked at set-up). Per element: 2 fma statements (3
// operands each) + 2 density operands, against about 9 statements composed.
// One loop with x in a local: in double, x stays in a register (storing it to a
// vector between the two fmas made the double version 30-40% slower, measured).
template <class T>
T stochastic_volatility_fn(const std::vector<T>& h_std, const T& mu, const T& phi, const T& sigma,
                           const std::vector<double>& y, std::vector<T>& log_scale) {
  using std::fma;
  using std::sqrt;
  const std::size_t n = h_std.size();
  const T half_sigma = 0.5 * sigma, half_mu = 0.5 * mu;
  T x = h_std[0] / sqrt(1.0 - phi * phi);
  log_scale[0] = fma(half_sigma, x, half_mu);
  for (std::size_t t = 1; t < n; ++t) {
    x = fma(phi, x, h_std[t]);
    log_scale[t] = fma(half_sigma, x, half_mu);
  }
  const double log_2pi = std::log(2.0 * 3.14159265358979323846);
  return tg::normal_log_pdf_log_scale(y, 0.0, log_scale) + tg::normal_log_pdf(h_std, 0.0, 1.0) +
         cauchy_log_density(sigma, 0.0, 5.0) + cauchy_log_density(mu, 0.0, 10.0) +
         (static_cast<double>(n) * log_2pi - std::log(2.0));
}

// ---------------------------------------------------------------------------
// Vectorised Eigen double versions (the ADBenchmark baseline style).
// ---------------------------------------------------------------------------
using VectorXd = Eigen::ArrayXd;

double log_sum_exp_eigen(const VectorXd& x) { return std::log(x.exp().sum()); }

double normal_log_pdf_eigen(const VectorXd& x, double mu, double sigma) {
  return -0.5 * ((x - mu) / sigma).square().sum() - static_cast<double>(x.size()) * std::log(sigma);
}

double stochastic_volatility_eigen(const VectorXd& h_std, double mu, double phi, double sigma, const VectorXd& y,
                                   VectorXd& h) {
  const Eigen::Index n = h_std.size();
  h = h_std * sigma;
  h[0] /= std::sqrt(1.0 - phi * phi);
  h += mu;
  for (Eigen::Index t = 1; t < n; ++t) h[t] += phi * (h[t - 1] - mu);
  const VectorXd scale = (h * 0.5).exp();
  return -0.5 * (y / scale).square().sum() - scale.log().sum() - 0.5 * h_std.square().sum() +
         cauchy_log_density(sigma, 0.0, 5.0) + cauchy_log_density(mu, 0.0, 10.0) - std::log(2.0);
}

// ---------------------------------------------------------------------------
// Set-up and timing
// ---------------------------------------------------------------------------

std::vector<double> random_vector(std::size_t n, unsigned seed, double lo, double hi) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& e : v) e = d(rng);
  return v;
}

VectorXd to_eigen(const std::vector<double>& v) { return Eigen::Map<const VectorXd>(v.data(), static_cast<Eigen::Index>(v.size())); }

/// Runs the benchmark loop over `grad_step` and sets the counters.
template <class Grad, class Primal, class Eigen_>
void run(benchmark::State& state, Grad&& grad_step, Primal&& primal, Eigen_&& eigen_primal) {
  tg::tape<double>().reset();
  for (int i = 0; i < 3; ++i) grad_step();  // warm up: the tape reaches its final capacity
  for (auto _ : state) grad_step();
  const auto [primal_ns, eigen_ns, grad_ns] =
      bench::interleaved_min_ns(15, bench::batch(primal, 20), bench::batch(eigen_primal, 20), bench::batch(grad_step, 10));
  state.counters["primal_ns"] = primal_ns;
  state.counters["grad_ns"] = grad_ns;
  state.counters["grad_over_primal"] = grad_ns / primal_ns;
  state.counters["grad_over_eigen"] = grad_ns / eigen_ns;
  state.counters["N"] = static_cast<double>(kN);
}

// ---------------------------------------------------------------------------
// Benchmarks
// ---------------------------------------------------------------------------

template <bool Loop>
void scalar_sum(benchmark::State& state) {
  const std::vector<double> x = random_vector(kN, 1, -1.0, 1.0);
  const VectorXd xe = to_eigen(x);
  std::vector<Var> xv(kN);
  std::vector<double> gx(kN);
  auto grad_step = [&] {
    tg::make_vars(x, xv);
    const Var y = Loop ? sum_loop_fn(xv) : sum_fn(xv);
    y.backward();
    tg::grads(xv, gx);
    benchmark::DoNotOptimize(y.value());
    benchmark::DoNotOptimize(gx.data());
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    double y = Loop ? sum_loop_fn(x) : sum_fn(x);
    benchmark::DoNotOptimize(y);
  };
  auto eigen_primal = [&] {
    double y = xe.sum();
    benchmark::DoNotOptimize(y);
  };
  run(state, grad_step, primal, eigen_primal);
}

template <bool Loop>
void scalar_log_sum_exp(benchmark::State& state) {
  const std::vector<double> x = random_vector(kN, 2, -1.0, 1.0);
  std::vector<double> e(kN);
  std::vector<Var> ev(kN);
  const VectorXd xe = to_eigen(x);
  std::vector<Var> xv(kN);
  std::vector<double> gx(kN);
  auto grad_step = [&] {
    tg::make_vars(x, xv);
    const Var y = Loop ? log_sum_exp_loop_fn(xv) : log_sum_exp_fn(xv, ev);
    y.backward();
    tg::grads(xv, gx);
    benchmark::DoNotOptimize(y.value());
    benchmark::DoNotOptimize(gx.data());
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    double y = Loop ? log_sum_exp_loop_fn(x) : log_sum_exp_fn(x, e);
    benchmark::DoNotOptimize(y);
  };
  auto eigen_primal = [&] {
    double y = log_sum_exp_eigen(xe);
    benchmark::DoNotOptimize(y);
  };
  run(state, grad_step, primal, eigen_primal);
}

template <bool Loop>
void scalar_normal_log_pdf(benchmark::State& state) {
  const std::vector<double> x = random_vector(kN, 3, -1.0, 1.0);
  std::vector<double> z(kN);
  std::vector<Var> zv(kN);
  const VectorXd xe = to_eigen(x);
  const double mu = -0.37, sigma = 1.3;
  std::vector<Var> xv(kN);
  std::vector<double> gx(kN);
  double g_mu = 0, g_sigma = 0;
  auto grad_step = [&] {
    tg::make_vars(x, xv);
    const Var mu_v(mu), sigma_v(sigma);
    const Var y = Loop ? normal_log_pdf_loop_fn(xv, mu_v, sigma_v) : normal_log_pdf_fn(xv, mu_v, sigma_v, zv);
    y.backward();
    tg::grads(xv, gx);
    g_mu = mu_v.grad();
    g_sigma = sigma_v.grad();
    benchmark::DoNotOptimize(y.value());
    benchmark::DoNotOptimize(gx.data());
    benchmark::DoNotOptimize(g_mu);
    benchmark::DoNotOptimize(g_sigma);
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    double y = Loop ? normal_log_pdf_loop_fn(x, mu, sigma) : normal_log_pdf_fn(x, mu, sigma, z);
    benchmark::DoNotOptimize(y);
  };
  auto eigen_primal = [&] {
    double y = normal_log_pdf_eigen(xe, mu, sigma);
    benchmark::DoNotOptimize(y);
  };
  run(state, grad_step, primal, eigen_primal);
}

enum class SvVersion { fused, composed, loop };

template <SvVersion V>
void scalar_stochastic_volatility(benchmark::State& state) {
  // Synthetic returns y from the model itself (fixed seed), parameters at a typical point.
  const double mu = -1.0, phi = 0.9, sigma = 0.3;
  const std::vector<double> h_std = random_vector(kN, 4, -1.5, 1.5);
  std::vector<double> y(kN);
  {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> h(kN);
    (void)stochastic_volatility_loop_fn(h_std, mu, phi, sigma, std::vector<double>(kN, 1.0), h);
    for (std::size_t t = 0; t < kN; ++t) y[t] = std::exp(h[t] / 2) * normal(rng);
  }
  const VectorXd h_std_e = to_eigen(h_std), y_e = to_eigen(y);
  VectorXd h_e(static_cast<Eigen::Index>(kN));
  std::vector<double> h_d(kN);
  std::vector<double> z_d(kN), log_scale_d(kN);
  std::vector<Var> h_std_v(kN), h_v(kN), z_v(kN), log_scale_v(kN);
  std::vector<double> g_h_std(kN);
  double g[3] = {0, 0, 0};
  auto sv = [&](const auto& hs, const auto& m, const auto& p, const auto& s, auto& h, auto& z, auto& ls) {
    if constexpr (V == SvVersion::fused)
      return stochastic_volatility_fn(hs, m, p, s, y, ls);
    else if constexpr (V == SvVersion::composed)
      return stochastic_volatility_composed_fn(hs, m, p, s, y, h, z, ls);
    else
      return stochastic_volatility_loop_fn(hs, m, p, s, y, h);
  };
  {
    // The three versions compute the same function: check the value once.
    const double a = stochastic_volatility_fn(h_std, mu, phi, sigma, y, log_scale_d);
    const double b = stochastic_volatility_loop_fn(h_std, mu, phi, sigma, y, h_d);
    if (!(std::abs(a - b) <= 1e-9 * std::abs(b))) state.SkipWithError("fused and composed values differ");
  }
  auto grad_step = [&] {
    tg::make_vars(h_std, h_std_v);
    const Var mu_v(mu), phi_v(phi), sigma_v(sigma);
    const Var lp = sv(h_std_v, mu_v, phi_v, sigma_v, h_v, z_v, log_scale_v);
    lp.backward();
    tg::grads(h_std_v, g_h_std);
    g[0] = mu_v.grad();
    g[1] = phi_v.grad();
    g[2] = sigma_v.grad();
    benchmark::DoNotOptimize(lp.value());
    benchmark::DoNotOptimize(g_h_std.data());
    benchmark::DoNotOptimize(g);
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    double lp = sv(h_std, mu, phi, sigma, h_d, z_d, log_scale_d);
    benchmark::DoNotOptimize(lp);
  };
  auto eigen_primal = [&] {
    double lp = stochastic_volatility_eigen(h_std_e, mu, phi, sigma, y_e, h_e);
    benchmark::DoNotOptimize(lp);
  };
  run(state, grad_step, primal, eigen_primal);
}

// Idiomatic: reductions through tg::sum / tg::squared_norm (one statement each).
void BM_scalar_sum(benchmark::State& s) { scalar_sum<false>(s); }
void BM_scalar_log_sum_exp(benchmark::State& s) { scalar_log_sum_exp<false>(s); }
void BM_scalar_normal_log_pdf(benchmark::State& s) { scalar_normal_log_pdf<false>(s); }
// Fused ops: tg::fma for the AR(1), tg::normal_log_pdf[_log_scale] for the densities.
void BM_scalar_stochastic_volatility(benchmark::State& s) { scalar_stochastic_volatility<SvVersion::fused>(s); }
// The same model from + - * / exp log and the n-ary reductions (the previous BM_scalar_stochastic_volatility).
void BM_scalar_stochastic_volatility_composed(benchmark::State& s) {
  scalar_stochastic_volatility<SvVersion::composed>(s);
}
// Accumulation loops `s = s + ...` (one statement per element and operation).
void BM_scalar_sum_loop(benchmark::State& s) { scalar_sum<true>(s); }
void BM_scalar_log_sum_exp_loop(benchmark::State& s) { scalar_log_sum_exp<true>(s); }
void BM_scalar_normal_log_pdf_loop(benchmark::State& s) { scalar_normal_log_pdf<true>(s); }
void BM_scalar_stochastic_volatility_loop(benchmark::State& s) { scalar_stochastic_volatility<SvVersion::loop>(s); }

}  // namespace

BENCHMARK(BM_scalar_sum)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_log_sum_exp)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_normal_log_pdf)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_stochastic_volatility)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_stochastic_volatility_composed)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_sum_loop)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_log_sum_exp_loop)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_normal_log_pdf_loop)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_scalar_stochastic_volatility_loop)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
