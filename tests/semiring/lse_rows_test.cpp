#include "tropigrad/semiring/lse_rows.hpp"

#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "tropigrad/semiring/lse.hpp"
#include "tropigrad/semiring/softmax.hpp"

namespace tg = tropigrad;

namespace {
using RowArrayD = Eigen::Array<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowArrayF = Eigen::Array<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
constexpr double inf = std::numeric_limits<double>::infinity();

RowArrayD random_matrix(Eigen::Index rows, Eigen::Index cols, double scale, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(-scale, scale);
  RowArrayD m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = u(rng);
  return m;
}

std::vector<double> row_of(const RowArrayD& m, Eigen::Index r) {
  std::vector<double> v(static_cast<std::size_t>(m.cols()));
  for (Eigen::Index c = 0; c < m.cols(); ++c) v[static_cast<std::size_t>(c)] = m(r, c);
  return v;
}

std::string message_of(auto&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no exception>";
}
}  // namespace

TEST_CASE("lse_rows and lse_cols agree with the scalar kernel on each line", "[semiring][lse_rows]") {
  for (double eps : {1e-3, 0.1, 1.0, 30.0}) {
    const RowArrayD x = random_matrix(5, 7, 20.0, 3);
    Eigen::ArrayXd rows(5);
    tg::lse_rows(eps, x, rows);
    for (Eigen::Index r = 0; r < 5; ++r) CHECK(rows(r) == Approx(tg::lse(eps, row_of(x, r))).epsilon(1e-14));
    Eigen::Array<double, 1, Eigen::Dynamic> cols(7);
    tg::lse_cols(eps, x, cols);
    const RowArrayD xt = x.transpose();
    for (Eigen::Index c = 0; c < 7; ++c) CHECK(cols(c) == Approx(tg::lse(eps, row_of(xt, c))).epsilon(1e-14));
  }
}

TEST_CASE("softmax_rows, softmax_cols and log_softmax_rows agree with the scalar softmax", "[semiring][lse_rows]") {
  const RowArrayD x = random_matrix(4, 6, 5.0, 4);
  for (double eps : {0.05, 1.0, 10.0}) {
    RowArrayD p(4, 6), lp(4, 6), pc(4, 6);
    tg::softmax_rows(eps, x, p);
    tg::log_softmax_rows(eps, x, lp);
    tg::softmax_cols(eps, x, pc);
    for (Eigen::Index r = 0; r < 4; ++r) {
      const auto ref = tg::softmax(eps, row_of(x, r));
      for (Eigen::Index c = 0; c < 6; ++c) {
        CHECK(p(r, c) == Approx(ref[static_cast<std::size_t>(c)]).epsilon(1e-13).margin(1e-300));
        CHECK(lp(r, c) == Approx(std::log(ref[static_cast<std::size_t>(c)])).epsilon(1e-12).margin(1e-12));
      }
    }
    const RowArrayD xt = x.transpose();
    for (Eigen::Index c = 0; c < 6; ++c) {
      const auto ref = tg::softmax(eps, row_of(xt, c));
      for (Eigen::Index r = 0; r < 4; ++r) CHECK(pc(r, c) == Approx(ref[static_cast<std::size_t>(r)]).epsilon(1e-13));
    }
  }
}

TEST_CASE("lse_rows: in-place softmax, huge magnitudes and extreme eps stay finite", "[semiring][lse_rows]") {
  RowArrayD x(2, 3);
  x << 1e30, -1e30, 1e30 - 1e15, -5e29, 3e29, 1e29;
  for (double eps : {1e-6, 1.0, 1e6}) {
    Eigen::ArrayXd l(2);
    tg::lse_rows(eps, x, l);
    CHECK(l.allFinite());
    CHECK(l(0) >= 1e30);
    RowArrayD p = x;
    tg::softmax_rows(eps, p, p);  // in place
    CHECK(p.allFinite());
    CHECK(p.rowwise().sum().isApprox(Eigen::ArrayXd::Ones(2).transpose().transpose(), 1e-12));
  }
  RowArrayF xf = x.cast<float>();
  Eigen::ArrayXf lf(2);
  tg::lse_rows(1e-6f, xf, lf);
  CHECK(lf.allFinite());
}

TEST_CASE("lse_rows: -inf, +inf, empty and NaN conventions", "[semiring][lse_rows]") {
  RowArrayD x(3, 3);
  x << -inf, 0.0, 1.0, -inf, -inf, -inf, inf, 2.0, inf;
  Eigen::ArrayXd l(3);
  tg::lse_rows(0.5, x, l);
  CHECK(l(0) == Approx(tg::lse(0.5, 0.0, 1.0)));
  CHECK(l(1) == -inf);
  CHECK(l(2) == inf);

  RowArrayD p(3, 3);
  const std::string all_inf = message_of([&] { tg::softmax_rows(0.5, x, p); });
  CHECK_THAT(all_inf, Catch::Contains("row 1") && Catch::Contains("-inf"));
  RowArrayD ok = x.topRows(1);
  RowArrayD q(1, 3);
  tg::softmax_rows(0.5, ok, q);
  CHECK(q(0, 0) == 0.0);
  RowArrayD big = x.bottomRows(1);
  tg::softmax_rows(0.5, big, q);
  CHECK(q(0, 0) == 0.5);
  CHECK(q(0, 1) == 0.0);
  CHECK(q(0, 2) == 0.5);

  RowArrayD empty(2, 0);
  Eigen::ArrayXd le(2);
  tg::lse_rows(1.0, empty, le);
  CHECK(le(0) == -inf);

  RowArrayD nan_in(2, 2);
  nan_in << 1, 2, 3, std::nan("");
  const std::string nan_msg = message_of([&] { tg::lse_rows(1.0, nan_in, l.head(2)); });
  CHECK_THAT(nan_msg, Catch::Contains("NaN") && Catch::Contains("row 1") && Catch::Contains("position 1"));
  const std::string nan_col = message_of([&] { tg::softmax_cols(1.0, nan_in, p.topLeftCorner(2, 2)); });
  CHECK_THAT(nan_col, Catch::Contains("NaN") && Catch::Contains("column 1"));
}

TEST_CASE("lse_rows: invalid eps and size mismatch throw", "[semiring][lse_rows]") {
  const RowArrayD x = random_matrix(2, 2, 1.0, 5);
  Eigen::ArrayXd l(2);
  for (double eps : {0.0, -1.0, std::nan("")}) {
    const std::string m = message_of([&] { tg::lse_rows(eps, x, l); });
    CHECK_THAT(m, Catch::Contains("eps") && Catch::Contains(tg::format_number(eps)));
  }
  Eigen::ArrayXd wrong(3);
  CHECK_THROWS_AS(tg::lse_rows(1.0, x, wrong), std::invalid_argument);
}

TEST_CASE("lse_rows_parts: max + eps * log_sum equals lse_rows; keeps digits at 1e30", "[semiring][lse_rows]") {
  const RowArrayD x = random_matrix(3, 4, 8.0, 6);
  Eigen::ArrayXd m(3), ls(3), l(3);
  tg::lse_rows_parts(0.3, x, m, ls);
  tg::lse_rows(0.3, x, l);
  for (Eigen::Index r = 0; r < 3; ++r) {
    CHECK(m(r) == x.row(r).maxCoeff());
    CHECK(m(r) + 0.3 * ls(r) == Approx(l(r)).epsilon(1e-15));
  }
  RowArrayD big(1, 2);
  big << 1e30, 1e30;
  Eigen::ArrayXd mb(1), lb(1);
  tg::lse_rows_parts(1.0, big, mb, lb);
  CHECK(mb(0) == 1e30);
  CHECK(lb(0) == Approx(std::log(2.0)).epsilon(1e-15));
}
