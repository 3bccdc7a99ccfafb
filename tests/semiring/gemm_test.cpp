#include "tropigrad/semiring/gemm.hpp"

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "tropigrad/semiring/matmul.hpp"

namespace tg = tropigrad;

namespace {
template <class T>
using ColM = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>;
template <class T>
using RowM = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using IndexM = Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic>;

/// Uniform entries in [lo, hi]; a fraction `special` of them set to `value`.
template <class T>
ColM<T> random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed, double lo, double hi,
                      double special = 0.0, double value = 0.0) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi), coin(0.0, 1.0);
  ColM<T> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(coin(rng) < special ? value : u(rng));
  return m;
}

/// Small integers: many exact ties.
template <class T>
ColM<T> integer_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> u(-3, 3);
  ColM<T> m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<T>(u(rng));
  return m;
}

template <class F>
std::string message_of(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

/// Naive LSE_eps(A.row(i) + B.col(j)) in long double, shifted by the exact max
/// of the terms (the inputs are the float/double values as given).
template <class T>
long double naive_lse(double eps, const ColM<T>& A, const ColM<T>& B, Eigen::Index i, Eigen::Index j) {
  long double m = -INFINITY;
  for (Eigen::Index k = 0; k < A.cols(); ++k) m = std::max(m, static_cast<long double>(A(i, k)) + B(k, j));
  if (!std::isfinite(static_cast<double>(m))) return m;
  long double s = 0;
  for (Eigen::Index k = 0; k < A.cols(); ++k)
    s += std::exp((static_cast<long double>(A(i, k)) + B(k, j) - m) / eps);
  return m + eps * std::log(s);
}

const Eigen::Index shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {13, 17, 29}, {101, 300, 37}, {25, 64, 70}};

template <class T, class S>
void check_hard_against_reference(const S& s, double zero_value) {
  for (const auto& shape : shapes) {
    const Eigen::Index m = shape[0], k = shape[1], n = shape[2];
    INFO("shape " << m << "x" << k << "x" << n);
    const ColM<T> A = random_matrix<T>(m, k, 1, -5, 5, 0.2, zero_value);
    const ColM<T> B = random_matrix<T>(k, n, 2, -5, 5, 0.2, zero_value);
    const ColM<T> want = tg::matmul(s, A, B);
    CHECK(tg::gemm(s, A, B) == want);  // max/min of the same sums: bitwise equal
    RowM<T> row_major;
    tg::gemm(s, A, B, row_major);
    CHECK(row_major == want);
    // Row-major inputs, a map output, several threads.
    const RowM<T> Ar = A, Br = B;
    ColM<T> out(m, n);
    tg::gemm(s, Ar, Br, Eigen::Map<ColM<T>>(out.data(), m, n), tg::GemmOptions{3});
    CHECK(out == want);
  }
}
}  // namespace

TEST_CASE("gemm: MaxPlus and MinPlus equal the reference loop (odd sizes, semiring zeros)", "[semiring][gemm]") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  check_hard_against_reference<float>(tg::MaxPlus{}, -inf);
  check_hard_against_reference<double>(tg::MaxPlus{}, -inf);
  check_hard_against_reference<float>(tg::MinPlus{}, inf);
  check_hard_against_reference<double>(tg::MinPlus{}, inf);
  // +inf in A alone (no -inf anywhere) is fine for MaxPlus.
  const ColM<double> A = random_matrix<double>(9, 40, 3, -1, 1, 0.05, inf);
  const ColM<double> B = random_matrix<double>(40, 11, 4, -1, 1);
  CHECK(tg::gemm(tg::MaxPlus{}, A, B) == tg::matmul(tg::MaxPlus{}, A, B));
  // A row of only zeros gives a row of zeros.
  ColM<double> Z = A;
  Z.row(2).setConstant(-inf);
  Z.row(2)(0) = -inf;
  const ColM<double> C = tg::gemm(tg::MaxPlus{}, Z.cwiseMin(1.0), B);
  CHECK((C.row(2).array() == -inf).all());
}

TEST_CASE("gemm: block expressions and empty inner dimension", "[semiring][gemm]") {
  const ColM<double> A = random_matrix<double>(20, 30, 5, -2, 2);
  const ColM<double> B = random_matrix<double>(30, 20, 6, -2, 2);
  ColM<double> C = ColM<double>::Zero(20, 20);
  tg::gemm(tg::MaxPlus{}, A.topRows(7), B.leftCols(9) * 2.0, C.block(3, 4, 7, 9));
  CHECK(C.block(3, 4, 7, 9) == tg::matmul(tg::MaxPlus{}, A.topRows(7), (B.leftCols(9) * 2.0).eval()));
  CHECK(C(0, 0) == 0.0);  // untouched outside the block
  const ColM<double> empty_a(4, 0), empty_b(0, 3);
  const ColM<double> Z = tg::gemm(tg::MinPlus{}, empty_a, empty_b);
  CHECK((Z.array() == std::numeric_limits<double>::infinity()).all());
  CHECK((tg::gemm(tg::SumProduct{}, empty_a, empty_b).array() == 0.0).all());
}

TEST_CASE("gemm: threads give bitwise identical hard results", "[semiring][gemm]") {
  const ColM<float> A = random_matrix<float>(150, 300, 7, -3, 3);
  const ColM<float> B = random_matrix<float>(300, 70, 8, -3, 3);
  const ColM<float> one = tg::gemm(tg::MaxPlus{}, A, B);
  CHECK(tg::gemm(tg::MaxPlus{}, A, B, tg::GemmOptions{2}) == one);
  CHECK(tg::gemm(tg::MaxPlus{}, A, B, tg::GemmOptions{4}) == one);
  const tg::LogSumExp<double> soft(0.5);
  CHECK(tg::gemm(soft, A, B, tg::GemmOptions{3}) == tg::gemm(soft, A, B, tg::GemmOptions{3}));
  CHECK((tg::gemm(soft, A, B, tg::GemmOptions{3}) - tg::gemm(soft, A, B)).cwiseAbs().maxCoeff() < 1e-4);
}

TEST_CASE("gemm: bad input throws naming the argument and position", "[semiring][gemm]") {
  constexpr double inf = std::numeric_limits<double>::infinity();
  ColM<double> A = random_matrix<double>(3, 4, 9, -1, 1);
  ColM<double> B = random_matrix<double>(4, 2, 10, -1, 1);
  const ColM<double> B5 = random_matrix<double>(5, 2, 10, -1, 1);
  CHECK(message_of([&] { tg::gemm(tg::MaxPlus{}, A, B5); }) ==
        "tropigrad::gemm: A is 3x4 but B is 5x2; A.cols() must equal B.rows()");
  ColM<double> wrong(2, 2);
  CHECK(message_of([&] { tg::gemm(tg::MaxPlus{}, A, B, wrong.block(0, 0, 2, 2)); }) ==
        "tropigrad::gemm: C is 2x2 but A ⊗ B is 3x2");
  A(1, 2) = std::nan("");
  for (const std::string& msg : {message_of([&] { tg::gemm(tg::MaxPlus{}, A, B); }),
                                 message_of([&] { tg::gemm(tg::LogSumExp<double>(1.0), A, B); }),
                                 message_of([&] { tg::gemm(tg::SumProduct{}, A, B); })})
    CHECK(msg == "tropigrad::gemm: A is NaN at (1, 2); inputs must not contain NaN");
  A(1, 2) = 0.0;
  B(3, 1) = std::nan("");
  CHECK(message_of([&] { tg::gemm(tg::MinPlus{}, A, B); }) ==
        "tropigrad::gemm: B is NaN at (3, 1); inputs must not contain NaN");
  B(3, 1) = -inf;
  A(2, 3) = inf;
  CHECK(message_of([&] { tg::gemm(tg::MaxPlus{}, A, B); }) ==
        "tropigrad::gemm: A(2, 3) = inf and B(3, 1) = -inf: their product inf + -inf is undefined (NaN)");
  CHECK(message_of([&] { tg::gemm(tg::LogSumExp<double>(0.1), A, B); }) != "");
  B(3, 1) = 0.0;
  CHECK(message_of([&] { tg::gemm(tg::SumProduct{}, A, B); }) ==
        "tropigrad::gemm: A(2, 3) = inf and B(3, 1) = 0: their product 0 * inf is undefined (NaN)");
  A(2, 3) = 1.0;
  A(0, 0) = inf;
  A(0, 1) = -inf;
  B.setOnes();
  CHECK(message_of([&] { tg::gemm(tg::SumProduct{}, A, B); }).find("C(0, 0) is inf - inf") != std::string::npos);
}

TEST_CASE("gemm_argmax: the lowest winning k, against brute force with many ties", "[semiring][gemm]") {
  for (const auto& shape : shapes) {
    const Eigen::Index m = shape[0], k = shape[1], n = shape[2];
    INFO("shape " << m << "x" << k << "x" << n);
    const ColM<float> A = integer_matrix<float>(m, k, 11);
    const ColM<float> B = integer_matrix<float>(k, n, 12);
    for (int which = 0; which < 2; ++which) {
      ColM<float> C;
      IndexM K;
      if (which == 0) tg::gemm_argmax(tg::MaxPlus{}, A, B, C, K);
      else tg::gemm_argmax(tg::MinPlus{}, A, B, C, K);
      RowM<float> Cr;
      Eigen::Matrix<std::int32_t, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> Kr;
      if (which == 0) tg::gemm_argmax(tg::MaxPlus{}, A, B, Cr, Kr, tg::GemmOptions{2});
      else tg::gemm_argmax(tg::MinPlus{}, A, B, Cr, Kr, tg::GemmOptions{2});
      bool ok = true;
      for (Eigen::Index i = 0; i < m; ++i)
        for (Eigen::Index j = 0; j < n; ++j) {
          Eigen::Index best = 0;
          for (Eigen::Index p = 1; p < k; ++p) {
            const float x = A(i, p) + B(p, j), y = A(i, best) + B(best, j);
            if (which == 0 ? x > y : x < y) best = p;
          }
          ok = ok && K(i, j) == best && Kr(i, j) == best && C(i, j) == A(i, best) + B(best, j) && Cr(i, j) == C(i, j);
        }
      CHECK(ok);
    }
  }
}

TEST_CASE("gemm: LogSumExp within 1e-5 (float) of a naive reference over wide ranges, no overflow",
          "[semiring][gemm]") {
  // (range of the entries, eps): moderate, huge magnitudes, and spreads far
  // beyond exp's range that force the exact fallback for most outputs.
  const double cases[][2] = {{1, 1}, {10, 0.1}, {50, 1}, {1e3, 1}, {1e30, 1e29}, {1e30, 1}, {1e3, 100}, {5, 1e-3}};
  for (const auto& c : cases) {
    const double range = c[0], eps = c[1];
    INFO("range " << range << " eps " << eps);
    const ColM<float> A = random_matrix<float>(37, 300, 13, -range, range, 0.1,
                                               -std::numeric_limits<double>::infinity());
    const ColM<float> B = random_matrix<float>(300, 29, 14, -range, range);
    const ColM<float> got = tg::gemm(tg::LogSumExp<float>(static_cast<float>(eps)), A, B);
    const ColM<double> got_double = tg::gemm(tg::LogSumExp<double>(eps), A.cast<double>().eval(), B.cast<double>().eval());
    double worst = 0, worst_double = 0;
    for (Eigen::Index i = 0; i < got.rows(); ++i)
      for (Eigen::Index j = 0; j < got.cols(); ++j) {
        const double ref = static_cast<double>(naive_lse(eps, A, B, i, j));
        REQUIRE(std::isfinite(got(i, j)));
        const double scale = std::max(std::abs(ref), eps);
        worst = std::max(worst, std::abs(got(i, j) - ref) / scale);
        worst_double = std::max(worst_double, std::abs(got_double(i, j) - ref) / scale);
      }
    CHECK(worst <= 1e-5);
    CHECK(worst_double <= 1e-12);
  }
  // Every term underflows in the exp domain: C = -200 + log 2 exactly.
  ColM<float> A(1, 3), B(3, 1);
  A << 0, -200, -100;
  B << -200, 0, -1e4;
  const ColM<float> C = tg::gemm(tg::LogSumExp<float>(1.0f), A, B);
  CHECK(C(0, 0) == Approx(-200.0 + std::log(2.0)).epsilon(1e-7));
  // Infinite rows and columns.
  constexpr float inf = std::numeric_limits<float>::infinity();
  A << -inf, -inf, -inf;
  CHECK(tg::gemm(tg::LogSumExp<float>(1.0f), A, B)(0, 0) == -inf);
  A << 0, inf, 1;
  CHECK(tg::gemm(tg::LogSumExp<float>(1.0f), A, B)(0, 0) == inf);
}

TEST_CASE("gemm: LogSumExp tends to MaxPlus within eps * log(k)", "[semiring][gemm]") {
  const ColM<double> A = random_matrix<double>(10, 50, 15, -3, 3);
  const ColM<double> B = random_matrix<double>(50, 12, 16, -3, 3);
  const ColM<double> hard = tg::gemm(tg::MaxPlus{}, A, B);
  for (double eps : {1.0, 0.1, 1e-3, 1e-6}) {
    const ColM<double> diff = tg::gemm(tg::LogSumExp<double>(eps), A, B) - hard;
    CHECK(diff.minCoeff() >= -1e-12);
    CHECK(diff.maxCoeff() <= eps * std::log(50.0) + 1e-12);
  }
}

TEST_CASE("gemm: SumProduct equals Eigen and the reference loop", "[semiring][gemm]") {
  const ColM<float> A = random_matrix<float>(33, 17, 17, -1, 1);
  const ColM<float> B = random_matrix<float>(17, 9, 18, -1, 1);
  const ColM<float> got = tg::gemm(tg::SumProduct{}, A, B);
  CHECK((got - A * B).cwiseAbs().maxCoeff() < 1e-6f);
  CHECK((got - tg::matmul(tg::SumProduct{}, A, B)).cwiseAbs().maxCoeff() < 1e-5f);
}
