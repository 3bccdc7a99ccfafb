#include "tropigrad/ad/tensor_fma.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/scalar_arithmetic.hpp"
#include "tropigrad/ad/tensor_sum.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using RowArrayD = tg::RowArray<double>;
using TensorD = tg::Tensor<double>;

TEST_CASE("Tensor fma: values match a * b + c with every broadcast, one node", "[ad][tensor][fma]") {
  tg::tape<double>().reset();
  const RowArrayD a = random_array(4, 3, 1, -1e3, 1e3), b_row = random_array(1, 3, 2), c_col = random_array(4, 1, 3);
  const TensorD at(a), bt(b_row), ct(c_col, true);
  const std::size_t nodes = tg::tape<double>().num_nodes();
  const TensorD out = tg::fma(at, bt, ct);
  CHECK(tg::tape<double>().num_nodes() - nodes == 1);
  for (Eigen::Index r = 0; r < 4; ++r)
    for (Eigen::Index c = 0; c < 3; ++c) CHECK(out.value()(r, c) == Approx(a(r, c) * b_row(0, c) + c_col(r, 0)));
  const tg::Var<double> s(0.5), shift(-2.0);
  const TensorD affine = tg::fma(at, s, shift);
  CHECK((affine.value() - (a * 0.5 - 2.0)).abs().maxCoeff() < 1e-12);
  CHECK((tg::fma(2.0, at, 1.0).value() - (2.0 * a + 1.0)).abs().maxCoeff() < 1e-12);
  tg::tape<double>().reset();
}

TEST_CASE("Tensor fma gradcheck", "[ad][tensor][fma][gradcheck]") {
  for (double scale : {1.0, 1e3}) {
    auto run = [](const std::vector<tg::GradcheckInput>& in, auto f) {
      const auto r = tg::gradcheck(f, in);
      INFO(r.report);
      CHECK(r.passed);
    };
    run({{"a", random_array(3, 4, 11, -scale, scale)}, {"b", random_array(3, 4, 12)}, {"c", random_array(3, 4, 13)}},
        [](const std::vector<TensorD>& in) { return tg::fma(in[0], in[1], in[2]); });
    run({{"a", random_array(3, 4, 14, -scale, scale)}, {"b", random_array(1, 4, 15)}, {"c", random_array(3, 1, 16)}},
        [](const std::vector<TensorD>& in) { return tg::fma(in[0], in[1], in[2]); });
    // Scalar Var scale and shift (the affine map), a repeated operand.
    run({{"x", random_array(5, 2, 17, -scale, scale)}, {"p", RowArrayD::Constant(1, 1, 0.7)}},
        [](const std::vector<TensorD>& in) { return tg::fma(in[0], tg::sum(in[1]), tg::sum(in[1]) * 3.0); });
    run({{"x", random_array(2, 3, 18, -scale, scale)}}, [](const std::vector<TensorD>& in) { return tg::fma(in[0], in[0], in[0]); });
  }
}

TEST_CASE("Tensor fma: shapes that do not broadcast throw", "[ad][tensor][fma]") {
  tg::tape<double>().reset();
  const TensorD a(random_array(3, 4, 1)), c(random_array(2, 4, 2));
  const std::string m = tg_ops_test::invalid_argument_message([&] { (void)tg::fma(a, 2.0, c); });
  CHECK(m.find("tropigrad::fma") != std::string::npos);
  CHECK(m.find("3x4 and 2x4") != std::string::npos);
  tg::tape<double>().reset();
}
