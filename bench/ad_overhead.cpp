// Tensor reverse mode (tropigrad::Tensor, one tape node per op over Eigen
// arrays) on the ADBenchmark suite's functions, against plain Eigen double code
// of the same function (vectorised, no needless temporaries). Counters:
//   primal_ns        : the plain Eigen version, ns per call
//   grad_ns          : tropigrad value + full gradient (incl. zero_grad and tape reset), ns per call
//   grad_over_primal : grad_ns / primal_ns (FastAD's published figure is the same ratio)
// Both times are the minimum over 7 trials of the mean thread-CPU time over a
// batch of calls, measured in the same process (the machine is shared; CPU time
// and the minimum are the least noisy estimates). Benchmark time is tropigrad's.

#include <benchmark/benchmark.h>

#include "timing.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <ctime>
#include <random>
#include <vector>

#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/scalar_exp_log.hpp"
#include "tropigrad/ad/scalar_power.hpp"
#include "tropigrad/ad/tensor_activations.hpp"
#include "tropigrad/ad/tensor_arithmetic.hpp"
#include "tropigrad/ad/tensor_concat.hpp"
#include "tropigrad/ad/tensor_cross_entropy.hpp"
#include "tropigrad/ad/tensor_dot.hpp"
#include "tropigrad/ad/tensor_exp.hpp"
#include "tropigrad/ad/tensor_fma.hpp"
#include "tropigrad/ad/tensor_linear_recurrence.hpp"
#include "tropigrad/ad/tensor_matmul.hpp"
#include "tropigrad/ad/tensor_normal_log_pdf.hpp"
#include "tropigrad/ad/tensor_normal_log_pdf_log_scale.hpp"
#include "tropigrad/ad/tensor_power.hpp"
#include "tropigrad/ad/tensor_slice.hpp"
#include "tropigrad/ad/tensor_sum.hpp"

namespace tg = tropigrad;

namespace {

using Var = tg::Var<double>;
using TensorD = tg::Tensor<double>;
using ArrayD = Eigen::ArrayXd;
using MatrixD = tg::RowMatrix<double>;

using bench::min_ns_per_call;
using bench::thread_cpu_ns;

template <class Scalar = double>
Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> random_array(Eigen::Index rows, Eigen::Index cols,
                                                                                   unsigned seed, double lo = -1.0,
                                                                                   double hi = 1.0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> d(lo, hi);
  Eigen::Array<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = static_cast<Scalar>(d(rng));
  return a;
}

/// Runs the loop over `grad_step` and sets the counters. Returns grad_ns.
template <class T, class Grad, class Primal>
double run(benchmark::State& state, Grad&& grad_step, Primal&& primal, int calls = 10) {
  tg::tape<T>().reset();
  for (int i = 0; i < 3; ++i) grad_step();  // warm up: arena and gradients reach their final size
  for (auto _ : state) grad_step();
  const double primal_ns = min_ns_per_call(primal, 2 * calls);
  const double grad_ns = min_ns_per_call(grad_step, calls);
  state.counters["primal_ns"] = primal_ns;
  state.counters["grad_ns"] = grad_ns;
  state.counters["grad_over_primal"] = grad_ns / primal_ns;
  return grad_ns;
}

template <class T>
void touch(const tg::Tensor<T>& leaf) {
  const T* g = leaf.grad().data();
  benchmark::DoNotOptimize(g);
  benchmark::DoNotOptimize(*g);
}

constexpr Eigen::Index kN = 16384;

// -- sum ---------------------------------------------------------------------
void BM_tensor_sum(benchmark::State& state) {
  const ArrayD xe = random_array(kN, 1, 1);
  TensorD x(xe, true);
  auto grad_step = [&] {
    x.zero_grad();
    const Var y = tg::sum(x);
    y.backward();
    touch(x);
    benchmark::DoNotOptimize(y.value());
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    double y = xe.sum();
    benchmark::DoNotOptimize(y);
  };
  run<double>(state, grad_step, primal);
}

// -- log(sum(exp(x))) ----------------------------------------------------------
void BM_tensor_log_sum_exp(benchmark::State& state) {
  const ArrayD xe = random_array(kN, 1, 2);
  TensorD x(xe, true);
  auto grad_step = [&] {
    x.zero_grad();
    const Var y = log(tg::sum(tg::exp(x)));
    y.backward();
    touch(x);
    benchmark::DoNotOptimize(y.value());
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    double y = std::log(xe.exp().sum());
    benchmark::DoNotOptimize(y);
  };
  run<double>(state, grad_step, primal);
}

// -- normal_log_pdf: sum -0.5 ((x - mu) / sigma)^2 - N log sigma ---------------
// With the library's fused tg::normal_log_pdf (one node, one pass forward, one
// backward), as a user would write it. It returns the full log density, i.e.
// also - N/2 log(2 pi); the primal adds that constant too.
void BM_tensor_normal_log_pdf(benchmark::State& state) {
  const ArrayD xe = random_array(kN, 1, 3);
  const double mu = -0.37, sigma = 1.3;
  const double half_log_2pi = 0.5 * std::log(2.0 * 3.14159265358979323846);
  TensorD x(xe, true);
  double g_mu = 0, g_sigma = 0;
  auto grad_step = [&] {
    x.zero_grad();
    const Var mu_v(mu), sigma_v(sigma);
    const Var y = tg::normal_log_pdf(x, mu_v, sigma_v);
    y.backward();
    touch(x);
    g_mu = mu_v.grad();
    g_sigma = sigma_v.grad();
    benchmark::DoNotOptimize(g_mu);
    benchmark::DoNotOptimize(g_sigma);
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    const double inv_sigma = 1.0 / sigma;
    double y = -0.5 * (xe - mu).square().sum() * (inv_sigma * inv_sigma) -
               static_cast<double>(kN) * (std::log(sigma) + half_log_2pi);
    benchmark::DoNotOptimize(y);
  };
  run<double>(state, grad_step, primal);
}

// -- normal_log_pdf_composed: the same, composed from generic ops (2 nodes over N) --
void BM_tensor_normal_log_pdf_composed(benchmark::State& state) {
  const ArrayD xe = random_array(kN, 1, 3);
  const double mu = -0.37, sigma = 1.3;
  TensorD x(xe, true);
  double g_mu = 0, g_sigma = 0;
  auto grad_step = [&] {
    x.zero_grad();
    const Var mu_v(mu), sigma_v(sigma);
    const Var inv_sigma = 1.0 / sigma_v;
    const Var y = -0.5 * tg::squared_norm(x - mu_v) * (inv_sigma * inv_sigma) - static_cast<double>(kN) * log(sigma_v);
    y.backward();
    touch(x);
    g_mu = mu_v.grad();
    g_sigma = sigma_v.grad();
    benchmark::DoNotOptimize(g_mu);
    benchmark::DoNotOptimize(g_sigma);
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    const double inv_sigma = 1.0 / sigma;
    double y = -0.5 * (xe - mu).square().sum() * (inv_sigma * inv_sigma) - static_cast<double>(kN) * std::log(sigma);
    benchmark::DoNotOptimize(y);
  };
  run<double>(state, grad_step, primal);
}

// -- matrix_product: sum(A B), 181 x 181 ---------------------------------------
void BM_tensor_matrix_product(benchmark::State& state) {
  constexpr Eigen::Index n = 181;
  const MatrixD Ae = random_array(n, n, 4).matrix(), Be = random_array(n, n, 5).matrix();
  TensorD A(Ae, true), B(Be, true);
  MatrixD C(n, n);
  auto grad_step = [&] {
    A.zero_grad();
    B.zero_grad();
    const Var y = tg::sum(tg::matmul(A, B));
    y.backward();
    touch(A);
    touch(B);
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    C.noalias() = Ae * Be;
    double y = C.sum();
    benchmark::DoNotOptimize(y);
  };
  run<double>(state, grad_step, primal);
}

// -- regression: normal(y | X w + b, sigma) + normal(w | 0, 1) + normal(b | 0, 1) --
void BM_tensor_regression(benchmark::State& state) {
  constexpr Eigen::Index n = 1000, p = 150;
  const MatrixD Xe = random_array(n, p, 6).matrix();
  const Eigen::VectorXd ye = random_array(n, 1, 7).matrix();
  const Eigen::VectorXd we = random_array(p, 1, 8).matrix();
  const double b = 0.3, sigma = 1.7;
  const TensorD X = TensorD::map(Xe);
  const TensorD y = TensorD::map(ye);
  TensorD w(we, true);
  Eigen::VectorXd z(n);
  double g_b = 0, g_sigma = 0;
  auto grad_step = [&] {
    w.zero_grad();
    const Var b_v(b), sigma_v(sigma);
    const Var inv_sigma = 1.0 / sigma_v;
    const Var lp = -0.5 * tg::squared_norm(y - tg::matmul(X, w) - b_v) * (inv_sigma * inv_sigma) -
                   static_cast<double>(n) * log(sigma_v) - 0.5 * tg::squared_norm(w) - 0.5 * b_v * b_v;
    lp.backward();
    touch(w);
    g_b = b_v.grad();
    g_sigma = sigma_v.grad();
    benchmark::DoNotOptimize(g_b);
    benchmark::DoNotOptimize(g_sigma);
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    z.noalias() = Xe * we;
    const double inv_sigma = 1.0 / sigma;
    double lp = -0.5 * ((ye - z).array() - b).square().sum() * (inv_sigma * inv_sigma) -
                static_cast<double>(n) * std::log(sigma) - 0.5 * we.squaredNorm() - 0.5 * b * b;
    benchmark::DoNotOptimize(lp);
  };
  run<double>(state, grad_step, primal);
}

// -- stochastic volatility, N = 8192 -------------------------------------------
// With k = h - mu: k[0] = sigma h_std[0] / sqrt(1 - phi^2), k[t] = sigma h_std[t] + phi k[t-1],
// a linear_recurrence. normal_lpdf(y | 0, exp(h/2)) = -0.5 y^2 exp(-h) - h/2 (+ const),
// written the same way on both sides.
double cauchy_log_density(double y, double scale) { return -std::log(scale * (1.0 + (y / scale) * (y / scale))); }
Var cauchy_log_density(const Var& y, double scale) {
  const Var c = y * (1.0 / scale);
  return -log(scale * (1.0 + c * c));
}

// Fused == true: as a user of the fused ops writes it (non-centred h = mu + sigma x):
//   x = linear_recurrence(h_std, phi, stationary)      (x[0] = h_std[0] / sqrt(1 - phi^2))
//   log p = normal_log_pdf_log_scale(y | 0, fma(x, sigma/2, mu/2)) + normal_log_pdf(h_std | 0, 1) + priors
// (4 tensor nodes: recurrence, fma, the two densities; plus scalar Var ops for the priors), with
// n log(2 pi) added back so the value equals the composed version's (checked at set-up).
// Fused == false: the composed version, 12 nodes (the previous BM_tensor_stochastic_volatility).
template <bool Fused>
void tensor_stochastic_volatility(benchmark::State& state) {
  constexpr Eigen::Index n = 8192;
  const double mu = -1.0, phi = 0.9, sigma = 0.3;
  const ArrayD h_std_e = random_array(n, 1, 9, -1.5, 1.5);
  ArrayD y2(n), y(n);
  {
    std::mt19937_64 rng(10);
    std::normal_distribution<double> normal(0.0, 1.0);
    double k = sigma * h_std_e[0] / std::sqrt(1 - phi * phi);
    for (Eigen::Index t = 0; t < n; ++t) {
      if (t > 0) k = sigma * h_std_e[t] + phi * k;
      const double yt = std::exp((k + mu) / 2) * normal(rng);
      y[t] = yt;
      y2[t] = yt * yt;
    }
  }
  const TensorD y2_t = TensorD::map(y2.data(), n, 1);
  const TensorD y_t = TensorD::map(y.data(), n, 1);
  const double log_2pi = std::log(2.0 * 3.14159265358979323846);
  auto fused_lp = [&](const TensorD& hs, const Var& mu_v, const Var& phi_v, const Var& sigma_v) {
    const TensorD x = tg::linear_recurrence(hs, phi_v, tg::RecurrenceStart::stationary);
    const TensorD log_scale = tg::fma(x, 0.5 * sigma_v, 0.5 * mu_v);  // log sd of y = h / 2
    return tg::normal_log_pdf_log_scale(y_t, 0.0, log_scale) + tg::normal_log_pdf(hs, 0.0, 1.0) +
           cauchy_log_density(sigma_v, 5.0) + cauchy_log_density(mu_v, 10.0) +
           (static_cast<double>(n) * log_2pi - std::log(2.0));
  };
  auto composed_lp = [&](const TensorD& hs, const Var& mu_v, const Var& phi_v, const Var& sigma_v) {
    const Var first_scale = sigma_v / sqrt(1.0 - phi_v * phi_v);
    const TensorD v = tg::concat({tg::slice_rows(hs, 0, 1) * first_scale, tg::slice_rows(hs, 1, n - 1) * sigma_v}, 0);
    const TensorD h = tg::linear_recurrence(v, phi_v) + mu_v;
    return -0.5 * tg::dot(y2_t, tg::exp(-h)) - 0.5 * tg::sum(h) - 0.5 * tg::squared_norm(hs) +
           cauchy_log_density(sigma_v, 5.0) + cauchy_log_density(mu_v, 10.0) - std::log(2.0);
  };
  {
    // Both versions compute the same function: check the value once.
    const TensorD hs(h_std_e, false);
    const double a = fused_lp(hs, Var(mu), Var(phi), Var(sigma)).value();
    const double b = composed_lp(hs, Var(mu), Var(phi), Var(sigma)).value();
    if (!(std::abs(a - b) <= 1e-9 * std::abs(b))) state.SkipWithError("fused and composed values differ");
    tg::tape<double>().reset();
  }
  TensorD h_std(h_std_e, true);
  ArrayD k_e(n);
  double g[3] = {0, 0, 0};
  auto grad_step = [&] {
    h_std.zero_grad();
    const Var mu_v(mu), phi_v(phi), sigma_v(sigma);
    const Var lp = Fused ? fused_lp(h_std, mu_v, phi_v, sigma_v) : composed_lp(h_std, mu_v, phi_v, sigma_v);
    lp.backward();
    touch(h_std);
    g[0] = mu_v.grad();
    g[1] = phi_v.grad();
    g[2] = sigma_v.grad();
    benchmark::DoNotOptimize(g);
    tg::tape<double>().reset();
  };
  auto primal = [&] {
    double k = sigma * h_std_e[0] / std::sqrt(1.0 - phi * phi);
    k_e[0] = k;
    for (Eigen::Index t = 1; t < n; ++t) k_e[t] = k = sigma * h_std_e[t] + phi * k;
    const double lp = -0.5 * (y2 * (-(k_e + mu)).exp()).sum() - 0.5 * (k_e.sum() + static_cast<double>(n) * mu) -
                      0.5 * h_std_e.square().sum() + cauchy_log_density(sigma, 5.0) + cauchy_log_density(mu, 10.0) -
                      std::log(2.0);
    benchmark::DoNotOptimize(lp);
  };
  const double grad_ns = run<double>(state, grad_step, primal);
  // The fused version's linear_recurrence runs its single chain as a blocked
  // scan (4 independent blocks), while `primal` is the plain serial loop, as
  // in ADBenchmark. For a like-for-like reading, the same primal with the
  // library's blocked scan (tg::detail::linear_scan) for the AR(1):
  ArrayD v_e(n);
  auto primal_blocked = [&] {
    v_e = sigma * h_std_e;
    tg::detail::linear_scan<1>(v_e.data(), k_e.data(), n, phi, 1.0 / std::sqrt(1.0 - phi * phi));
    const double lp = -0.5 * (y2 * (-(k_e + mu)).exp()).sum() - 0.5 * (k_e.sum() + static_cast<double>(n) * mu) -
                      0.5 * h_std_e.square().sum() + cauchy_log_density(sigma, 5.0) + cauchy_log_density(mu, 10.0) -
                      std::log(2.0);
    benchmark::DoNotOptimize(lp);
  };
  const double primal_blocked_ns = min_ns_per_call(primal_blocked, 20);
  state.counters["primal_blocked_scan_ns"] = primal_blocked_ns;
  state.counters["grad_over_primal_blocked_scan"] = grad_ns / primal_blocked_ns;
}

void BM_tensor_stochastic_volatility(benchmark::State& state) { tensor_stochastic_volatility<true>(state); }
void BM_tensor_stochastic_volatility_composed(benchmark::State& state) { tensor_stochastic_volatility<false>(state); }

// -- MLP step, float: 784-256-10, batch 128 -------------------------------------
void BM_tensor_mlp_step(benchmark::State& state) {
  constexpr Eigen::Index batch = 128, in = 784, hidden = 256, out = 10;
  using MatrixF = tg::RowMatrix<float>;
  using TensorF = tg::Tensor<float>;
  const MatrixF xe = random_array<float>(batch, in, 11, 0.0, 1.0).matrix();
  const MatrixF W1e = random_array<float>(hidden, in, 12, -0.05, 0.05).matrix();
  const MatrixF b1e = random_array<float>(1, hidden, 13, -0.05, 0.05).matrix();
  const MatrixF W2e = random_array<float>(out, hidden, 14, -0.1, 0.1).matrix();
  const MatrixF b2e = random_array<float>(1, out, 15, -0.1, 0.1).matrix();
  std::vector<int> labels(batch);
  for (Eigen::Index r = 0; r < batch; ++r) labels[static_cast<std::size_t>(r)] = static_cast<int>((r * 7) % out);
  const TensorF x = TensorF::map(xe);
  TensorF W1(W1e, true), b1(b1e, true), W2(W2e, true), b2(b2e, true);
  MatrixF H(batch, hidden), L(batch, out);
  auto grad_step = [&] {
    W1.zero_grad();
    b1.zero_grad();
    W2.zero_grad();
    b2.zero_grad();
    const tg::Var<float> loss = tg::cross_entropy(tg::linear(tg::relu(tg::linear(x, W1, b1)), W2, b2), labels);
    loss.backward();
    touch(W1);
    touch(b1);
    touch(W2);
    touch(b2);
    tg::tape<float>().reset();
  };
  auto primal = [&] {
    H.noalias() = xe * W1e.transpose();
    H = (H.rowwise() + b1e.row(0)).cwiseMax(0.0f);
    L.noalias() = H * W2e.transpose();
    L.rowwise() += b2e.row(0);
    float total = 0;
    for (Eigen::Index r = 0; r < batch; ++r) {
      const float m = L.row(r).maxCoeff();
      total += m + std::log((L.row(r).array() - m).exp().sum()) - L(r, labels[static_cast<std::size_t>(r)]);
    }
    float loss = total / static_cast<float>(batch);
    benchmark::DoNotOptimize(loss);
  };
  const double grad_ns = run<float>(state, grad_step, primal, 5);
  // Multiply-adds of the forward pass; forward + backward is ~3x that; 1 multiply-add = 2 flops.
  const double forward_madds = static_cast<double>(batch) * (in * hidden + hidden * out);
  state.counters["gflops"] = 3.0 * 2.0 * forward_madds / grad_ns;
}

}  // namespace

BENCHMARK(BM_tensor_sum)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_log_sum_exp)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_normal_log_pdf)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_normal_log_pdf_composed)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_matrix_product)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_regression)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_stochastic_volatility)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_stochastic_volatility_composed)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_tensor_mlp_step)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
