#include "tropigrad/ad/tensor_cross_entropy.hpp"

#include <cmath>
#include <vector>

#include <Eigen/Core>
#include <catch2/catch.hpp>

#include "tensor_ops_test_helpers.hpp"
#include "tropigrad/ad/gradcheck.hpp"

namespace tg = tropigrad;
using tg_ops_test::random_array;
using tg_ops_test::RowArrayD;

namespace {
/// -mean_r log(softmax(logits_r)[label_r]), naively in long double.
double naive_cross_entropy(const RowArrayD& logits, const std::vector<int>& labels) {
  long double total = 0;
  for (Eigen::Index r = 0; r < logits.rows(); ++r) {
    long double s = 0;
    for (Eigen::Index c = 0; c < logits.cols(); ++c) s += std::exp(static_cast<long double>(logits(r, c)));
    total -= std::log(std::exp(static_cast<long double>(logits(r, labels[static_cast<std::size_t>(r)]))) / s);
  }
  return static_cast<double>(total / logits.rows());
}
}  // namespace

TEST_CASE("cross_entropy: equals -mean(log softmax[label]) computed naively", "[ad][cross_entropy]") {
  tg::Scope<double> scope;
  const auto logits = random_array(6, 4, 81, -3.0, 3.0);
  const std::vector<int> labels{0, 3, 1, 1, 2, 0};
  CHECK(tg::cross_entropy(tg::Tensor<double>(logits), labels).value() ==
        Approx(naive_cross_entropy(logits, labels)).epsilon(1e-14));
  Eigen::VectorXi eigen_labels = Eigen::Map<const Eigen::VectorXi>(labels.data(), 6);
  CHECK(tg::cross_entropy(tg::Tensor<double>(logits), eigen_labels).value() ==
        Approx(naive_cross_entropy(logits, labels)).epsilon(1e-14));
  tg::Scope<float> sf;
  CHECK(tg::cross_entropy(tg::Tensor<float>(logits.cast<float>().eval()), labels).value() ==
        Approx(naive_cross_entropy(logits, labels)).epsilon(1e-5));
}

TEST_CASE("cross_entropy: gradcheck, and backward equals (softmax - onehot) / N", "[ad][cross_entropy]") {
  const auto logits = random_array(5, 3, 82, -2.0, 2.0);
  const std::vector<int> labels{2, 0, 0, 1, 2};
  CHECK(tg::gradcheck([&](const auto& in) { return tg::cross_entropy(in[0], labels); }, {{"logits", logits}}));
  tg::Scope<double> scope;
  tg::Tensor<double> t(logits, true);
  tg::cross_entropy(t, labels).backward();
  for (Eigen::Index r = 0; r < 5; ++r) {
    long double s = 0;
    for (Eigen::Index c = 0; c < 3; ++c) s += std::exp(static_cast<long double>(logits(r, c)));
    for (Eigen::Index c = 0; c < 3; ++c) {
      const double p = static_cast<double>(std::exp(static_cast<long double>(logits(r, c))) / s);
      CHECK(t.grad()(r, c) == Approx((p - (labels[static_cast<std::size_t>(r)] == c ? 1.0 : 0.0)) / 5).margin(1e-15));
    }
  }
}

TEST_CASE("cross_entropy: stable for huge logits", "[ad][cross_entropy]") {
  tg::Scope<double> scope;
  RowArrayD logits(2, 3);
  logits << 1e4, 0.0, -1e4, 1e30, 1e30, -1e30;
  tg::Tensor<double> t(logits, true);
  const auto loss = tg::cross_entropy(t, std::vector<int>{0, 1});
  CHECK(loss.value() == Approx(std::log(2.0) / 2));  // row 0: ~0; row 1: log 2
  loss.backward();
  CHECK(t.grad().allFinite());
}

TEST_CASE("cross_entropy: bad labels and batch mismatch are named", "[ad][cross_entropy]") {
  tg::Scope<double> scope;
  tg::Tensor<double> logits(RowArrayD::Zero(3, 4));
  auto m = tg_ops_test::invalid_argument_message([&] { tg::cross_entropy(logits, std::vector<int>{0, 4, 1}); });
  CHECK_THAT(m, Catch::Contains("label 4") && Catch::Contains("index 1"));
  m = tg_ops_test::invalid_argument_message([&] { tg::cross_entropy(logits, std::vector<int>{0, 1, -1}); });
  CHECK_THAT(m, Catch::Contains("label -1") && Catch::Contains("index 2"));
  m = tg_ops_test::invalid_argument_message([&] { tg::cross_entropy(logits, std::vector<int>{0, 1}); });
  CHECK_THAT(m, Catch::Contains("3 rows") && Catch::Contains("2 entries") && Catch::Contains("3x4"));
  tg::NoGrad<double> no_grad;
  tg::Tensor<double> p(RowArrayD::Zero(3, 4), true);
  CHECK(tg::cross_entropy(p, std::vector<int>{0, 1, 2}).is_constant());
}
