// Semiring matrix products (tropigrad::gemm) against Eigen's own GEMM of the
// same scalar type and size, single thread. Counters:
//   gops           : 2 n^3 / time, in 1e9 element-pair operations per second
//   ratio_to_eigen : time / time of Eigen's C.noalias() = A * B, same run
// and for the Tensor op tropical_matmul(MaxPlus{}, A, B) at n = 1024 (float):
//   forward_ns, backward_ns : the op's forward (which records the winning k)
//                             and its backward (routing G to the winners)
//   backward_over_forward   : backward_ns / forward_ns
//   forward_over_plain      : forward_ns / plain gemm (no recording)
//   total_over_plain        : (forward_ns + backward_ns) / plain gemm
// All times are the minimum over trials of thread-CPU time (bench/timing.hpp).
// Inputs are uniform in [-10, 10]; LogSumExp uses eps = 1 (its exp-domain fast
// path; the exact fallback for underflowing outputs is not timed here).

#include <benchmark/benchmark.h>

#include "timing.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <random>
#include <utility>
#include <string>

#include "tropigrad/ad/scope.hpp"
#include "tropigrad/ad/tensor_sum.hpp"
#include "tropigrad/ad/tensor_tropical_matmul.hpp"
#include "tropigrad/semiring/gemm.hpp"

namespace tg = tropigrad;

namespace {

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

template <class T>
Matrix<T> random_matrix(Eigen::Index n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-10.0, 10.0);
  Matrix<T> m(n, n);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(u(rng));
  return m;
}

int calls_for(Eigen::Index n) { return n >= 1024 ? 1 : n >= 512 ? 4 : 16; }

template <class T, class S>
void bm_gemm(benchmark::State& state, S semiring) {
  const Eigen::Index n = state.range(0);
  const Matrix<T> A = random_matrix<T>(n, 1), B = random_matrix<T>(n, 2);
  Matrix<T> C(n, n), E(n, n);
  auto ours = [&] { tg::gemm(semiring, A, B, C); };
  auto eigen = [&] { E.noalias() = A * B; };
  ours();
  for (auto _ : state) {
    ours();
    benchmark::DoNotOptimize(C.data());
  }
  const int calls = calls_for(n);
  const auto [ours_ns, eigen_ns] = bench::interleaved_min_ns(7, bench::batch(ours, calls), bench::batch(eigen, calls));
  state.counters["gops"] = 2.0 * static_cast<double>(n) * n * n / ours_ns;
  state.counters["ratio_to_eigen"] = ours_ns / eigen_ns;
}

void bm_tropical_matmul_backward(benchmark::State& state) {
  using T = float;
  const Eigen::Index n = state.range(0);
  const Matrix<T> Av = random_matrix<T>(n, 3), Bv = random_matrix<T>(n, 4);
  tg::Tensor<T> A(Av, true), B(Bv, true);
  Matrix<T> C(n, n);
  auto plain = [&] { tg::gemm(tg::MaxPlus{}, Av, Bv, C); };
  auto forward = [&] {
    tg::Scope<T> scope;
    const auto out = tg::tropical_matmul(tg::MaxPlus{}, A, B);
    benchmark::DoNotOptimize(out.value().data());
  };
  auto forward_backward = [&] {
    tg::Scope<T> scope;
    A.zero_grad();
    B.zero_grad();
    tg::sum(tg::tropical_matmul(tg::MaxPlus{}, A, B)).backward();
    benchmark::DoNotOptimize(A.grad().data());
  };
  forward_backward();
  for (auto _ : state) forward_backward();
  const auto [plain_ns, forward_ns] = bench::interleaved_min_ns(7, bench::batch(plain, 1), bench::batch(forward, 1));
  const auto [total_ns, forward_again_ns] =
      bench::interleaved_min_ns(7, bench::batch(forward_backward, 1), bench::batch(forward, 1));
  benchmark::DoNotOptimize(forward_again_ns);
  const double backward_ns = total_ns - forward_ns;
  state.counters["forward_ns"] = forward_ns;
  state.counters["backward_ns"] = backward_ns;
  state.counters["backward_over_forward"] = backward_ns / forward_ns;
  state.counters["forward_over_plain"] = forward_ns / plain_ns;
  state.counters["total_over_plain"] = total_ns / plain_ns;
}

void sizes(benchmark::internal::Benchmark* b) {
  b->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond)->MinTime(0.2);
}

}  // namespace

// One named function per semiring and type, so the names read BM_gemm_<semiring>_<type>/<n>.
#define TROPIGRAD_BENCH_GEMM(name, type, semiring)                               \
  void BM_gemm_##name(benchmark::State& state) { bm_gemm<type>(state, semiring); } \
  BENCHMARK(BM_gemm_##name)->Apply(sizes);

TROPIGRAD_BENCH_GEMM(maxplus_f32, float, tg::MaxPlus{})
TROPIGRAD_BENCH_GEMM(maxplus_f64, double, tg::MaxPlus{})
TROPIGRAD_BENCH_GEMM(minplus_f32, float, tg::MinPlus{})
TROPIGRAD_BENCH_GEMM(minplus_f64, double, tg::MinPlus{})
TROPIGRAD_BENCH_GEMM(logsumexp_f32, float, tg::LogSumExp<float>(1.0f))
TROPIGRAD_BENCH_GEMM(logsumexp_f64, double, tg::LogSumExp<double>(1.0))
TROPIGRAD_BENCH_GEMM(sumproduct_f32, float, tg::SumProduct{})
TROPIGRAD_BENCH_GEMM(sumproduct_f64, double, tg::SumProduct{})

BENCHMARK(bm_tropical_matmul_backward)
    ->Name("BM_tropical_matmul_backward_maxplus_f32")
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->MinTime(0.2);

BENCHMARK_MAIN();
