// Tests of loss/soft_confusion.hpp, loss/metric_losses.hpp and loss/metrics.hpp:
// forward against loops written here, gradchecks of every metric loss in every
// mode, float32 gradients at L = 73, the L -> infinity limit, hard metrics
// against an independent count-by-loop reference, and the edge cases.

#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tropigrad/ad/gradcheck.hpp"
#include "tropigrad/ad/tensor_slice.hpp"
#include "tropigrad/loss.hpp"

namespace tg = tropigrad;
using A = tg::RowArray<double>;
using TD = tg::Tensor<double>;

namespace {

A uniform(Eigen::Index rows, Eigen::Index cols, double lo, double hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(lo, hi);
  A a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = u(rng);
  return a;
}

/// 0/1 targets with each row/column mixed (so every metric's denominators are non-zero).
A bernoulli(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 rng(seed);
  A a(rows, cols);
  for (Eigen::Index i = 0; i < a.size(); ++i) a.data()[i] = static_cast<double>(rng() % 2);
  for (Eigen::Index c = 0; c < cols; ++c) {
    a(0, c) = 1;
    a(1, c) = 0;
  }
  return a;
}

std::vector<int> class_labels(Eigen::Index rows, int classes, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<int> l(static_cast<std::size_t>(rows));
  for (auto& v : l) v = static_cast<int>(rng() % static_cast<unsigned>(classes));
  for (int c = 0; c < classes && c < rows; ++c) l[static_cast<std::size_t>(c)] = c;
  return l;
}

long double sig(long double x) { return 1.0L / (1.0L + std::exp(-x)); }

/// TP, FP, FN, TN per column, by loop in long double, straight from the definitions.
A reference_counts(const A& scores, const A& y, bool softmax, bool logits, double L, double total = -1) {
  const Eigen::Index n = scores.rows(), c = scores.cols();
  A out = A::Zero(4, c);
  for (Eigen::Index r = 0; r < n; ++r) {
    long double norm = 0;
    if (softmax)
      for (Eigen::Index k = 0; k < c; ++k) norm += std::exp(static_cast<long double>(scores(r, k)));
    for (Eigen::Index k = 0; k < c; ++k) {
      long double p = scores(r, k);
      if (softmax) p = std::exp(p) / norm;
      else if (logits) p = sig(p);
      const long double a = L > 0 ? sig(L * (p - 0.5L)) : p;
      out(0, k) += static_cast<double>(y(r, k) * a);
      out(1, k) += static_cast<double>((1 - y(r, k)) * a);
      out(2, k) += static_cast<double>(y(r, k) * (1 - a));
      out(3, k) += static_cast<double>((1 - y(r, k)) * (1 - a));
    }
  }
  if (total > 0) out.row(3) += total - static_cast<double>(n);
  return out;
}

A onehot(const std::vector<int>& labels, Eigen::Index classes) {
  A y = A::Zero(static_cast<Eigen::Index>(labels.size()), classes);
  for (std::size_t r = 0; r < labels.size(); ++r) y(static_cast<Eigen::Index>(r), labels[r]) = 1;
  return y;
}

/// The metric formulas, written independently of metrics.hpp (0 for a zero denominator).
double reference_metric(const tg::Metric& m, double tp, double fp, double fn, double tn) {
  auto div = [](double a, double b) { return b == 0 ? 0.0 : a / b; };
  const double rec = div(tp, tp + fn), spec = div(tn, tn + fp);
  switch (m.kind) {
    case tg::MetricKind::accuracy: return div(tp + tn, tp + fp + fn + tn);
    case tg::MetricKind::precision: return div(tp, tp + fp);
    case tg::MetricKind::recall: return rec;
    case tg::MetricKind::specificity: return spec;
    case tg::MetricKind::f_beta: {
      const double prec = div(tp, tp + fp), b2 = m.beta * m.beta;
      return div((1 + b2) * prec * rec, b2 * prec + rec);
    }
    case tg::MetricKind::g_mean: return std::sqrt(rec * spec);
    case tg::MetricKind::balanced_accuracy: return (rec + spec) / 2;
    case tg::MetricKind::mcc: return div(tp * tn - fp * fn, std::sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)));
    case tg::MetricKind::jaccard: return div(tp, tp + fp + fn);
    case tg::MetricKind::tversky: return div(tp, tp + m.alpha * fp + m.tversky_beta * fn);
  }
  return NAN;
}

std::vector<tg::Metric> all_metrics() {
  return {tg::Metric::accuracy(),  tg::Metric::precision(), tg::Metric::recall(),          tg::Metric::specificity(),
          tg::Metric::f1(),        tg::Metric::f_beta(2.0), tg::Metric::g_mean(),          tg::Metric::balanced_accuracy(),
          tg::Metric::mcc(),       tg::Metric::jaccard(),   tg::Metric::tversky(0.3, 0.7)};
}

template <class F>
void check_gradient(F f, const std::vector<tg::GradcheckInput>& inputs, const tg::GradcheckOptions& opt = {}) {
  const auto r = tg::gradcheck(f, inputs, opt);
  INFO(r.report);
  CHECK(r.passed);
}

template <class F>
std::string invalid_message(F f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

const tg::SoftConfusionOptions kProbs{73.0, tg::ScoreType::probabilities, std::nullopt};
const tg::SoftConfusionOptions kPlain{std::nullopt, tg::ScoreType::logits, std::nullopt};
const tg::SoftConfusionOptions kPlainProbs{std::nullopt, tg::ScoreType::probabilities, std::nullopt};

}  // namespace

TEST_CASE("soft_confusion: counts against a long double loop, every mode", "[loss][soft_confusion]") {
  tg::Scope<double> scope;
  const A z = uniform(9, 3, -3, 3, 1), y = bernoulli(9, 3, 2), zb = uniform(9, 1, -0.1, 0.1, 3), yb = bernoulli(9, 1, 4);
  const A p = uniform(9, 3, 0, 1, 5);
  const auto labels = class_labels(9, 3, 6);
  auto same = [](const TD& got, const A& want) {
    REQUIRE(got.rows() == 4);
    for (Eigen::Index i = 0; i < want.size(); ++i) CHECK(got.value().data()[i] == Approx(want.data()[i]).epsilon(1e-12).margin(1e-12));
  };
  same(tg::soft_confusion(TD(z), y).counts, reference_counts(z, y, false, true, 73));
  same(tg::soft_confusion(TD(zb), yb).counts, reference_counts(zb, yb, false, true, 73));
  same(tg::soft_confusion(TD(z), y, kPlain).counts, reference_counts(z, y, false, true, 0));
  same(tg::soft_confusion(TD(p), y, kProbs).counts, reference_counts(p, y, false, false, 73));
  same(tg::soft_confusion(TD(p), y, kPlainProbs).counts, reference_counts(p, y, false, false, 0));
  same(tg::soft_confusion(TD(z), y, {10.0, tg::ScoreType::logits, 1000.0}).counts, reference_counts(z, y, false, true, 10, 1000));
  same(tg::soft_confusion_multiclass(TD(z), labels).counts, reference_counts(z, onehot(labels, 3), true, true, 73));
  same(tg::soft_confusion_multiclass(TD(z), labels, kPlain).counts, reference_counts(z, onehot(labels, 3), true, true, 0));
  same(tg::soft_confusion_multiclass(TD(p), labels, kProbs).counts, reference_counts(p, onehot(labels, 3), false, false, 73));
  // Integer-vector targets give the same as an Eigen column.
  std::vector<int> yv(9);
  for (int i = 0; i < 9; ++i) yv[static_cast<std::size_t>(i)] = static_cast<int>(yb(i, 0));
  same(tg::soft_confusion(TD(zb), yv).counts, reference_counts(zb, yb, false, true, 73));
  // Integer Eigen targets: a vector (N x 1) and a multi-label N x C array.
  same(tg::soft_confusion(TD(zb), Eigen::VectorXi(yb.cast<int>().col(0))).counts, reference_counts(zb, yb, false, true, 73));
  same(tg::soft_confusion(TD(z), Eigen::ArrayXXi(y.cast<int>())).counts, reference_counts(z, y, false, true, 73));
  // The row accessors.
  const auto cm = tg::soft_confusion(TD(z), y);
  CHECK(cm.classes() == 3);
  CHECK(cm.fn()(0, 2) == cm.counts(2, 2));
  CHECK(cm.tn()(0, 1) == cm.counts(3, 1));
}

TEST_CASE("soft_confusion: gradcheck, every mode, random / near 0.5 / large logits", "[loss][soft_confusion]") {
  const A y = bernoulli(7, 3, 11), yb = bernoulli(7, 1, 12);
  const auto labels = class_labels(7, 3, 13);
  std::vector<std::pair<std::string, A>> inputs = {{"random", uniform(7, 3, -3, 3, 14)},
                                                   {"near 0.5", uniform(7, 3, -0.03, 0.03, 15)},
                                                   {"large", uniform(7, 3, 8, 30, 16) * bernoulli(7, 3, 17).unaryExpr([](double v) { return 2 * v - 1; })}};
  for (const auto& [name, z] : inputs) {
    INFO(name);
    const A zb = z.leftCols(1);
    for (const auto& opt : {tg::SoftConfusionOptions{}, kPlain, tg::SoftConfusionOptions{5.0, tg::ScoreType::logits, 20.0}}) {
      check_gradient([&](const auto& in) { return tg::soft_confusion(in[0], y, opt).counts; }, {{"z", z}});
      check_gradient([&](const auto& in) { return tg::soft_confusion(in[0], yb, opt).counts; }, {{"z", zb}});
      check_gradient([&](const auto& in) { return tg::soft_confusion_multiclass(in[0], labels, opt).counts; }, {{"z", z}});
    }
  }
  const A p = uniform(7, 3, 0.02, 0.98, 18), p_half = uniform(7, 3, 0.49, 0.51, 19);
  for (const A& q : {p, p_half})
    for (const auto& opt : {kProbs, kPlainProbs}) {
      check_gradient([&](const auto& in) { return tg::soft_confusion(in[0], y, opt).counts; }, {{"p", q}});
      check_gradient([&](const auto& in) { return tg::soft_confusion_multiclass(in[0], labels, opt).counts; }, {{"p", q}});
    }
}

TEST_CASE("metric_loss: gradcheck of every metric on random counts, every average", "[loss][metric_loss]") {
  A counts = uniform(4, 3, 0.5, 20, 21);
  counts(0, 1) = 0.01;  // a class almost without true positives
  for (const auto& m : all_metrics())
    for (auto avg : {tg::Average::macro, tg::Average::micro, tg::Average::weighted}) {
      INFO(m.name() << " average " << static_cast<int>(avg));
      check_gradient([&](const auto& in) { return tg::metric_loss(in[0], m, avg); }, {{"counts", counts}});
      check_gradient([&](const auto& in) { return tg::metric_loss(in[0], m, avg); }, {{"counts", A(counts.leftCols(1))}});
    }
}

TEST_CASE("metric losses end to end: gradcheck of every metric, binary / multi-label / multi-class", "[loss][metric_loss]") {
  const A y = bernoulli(8, 3, 31), yb = bernoulli(8, 1, 32);
  const auto labels = class_labels(8, 3, 33);
  const std::vector<std::pair<std::string, A>> inputs = {{"random", uniform(8, 3, -2, 2, 34)},
                                                         {"near 0.5", uniform(8, 3, -0.03, 0.03, 35)}};
  for (const auto& [name, z] : inputs)
    for (const auto& m : all_metrics()) {
      INFO(name << ": " << m.name());
      const A zb = z.leftCols(1);
      check_gradient([&](const auto& in) { return tg::metric_loss(tg::soft_confusion(in[0], yb), m); }, {{"z", zb}});
      for (auto avg : {tg::Average::macro, tg::Average::micro, tg::Average::weighted}) {
        INFO("average " << static_cast<int>(avg));
        check_gradient([&](const auto& in) { return tg::metric_loss(tg::soft_confusion(in[0], y), m, avg); }, {{"z", z}});
        check_gradient([&](const auto& in) { return tg::metric_loss(tg::soft_confusion_multiclass(in[0], labels), m, avg); },
                       {{"z", z}});
      }
      check_gradient([&](const auto& in) { return tg::metric_loss(tg::soft_confusion(in[0], y, kPlain), m); }, {{"z", z}});
    }
}

TEST_CASE("metric losses: the shortcuts are 1 - metric", "[loss][metric_loss]") {
  tg::Scope<double> scope;
  const A z = uniform(10, 2, -2, 2, 41), y = bernoulli(10, 2, 42);
  const auto cm = tg::soft_confusion(TD(z), y);
  const A c = cm.counts.value();
  auto macro = [&](const tg::Metric& m) {
    return 1 - (reference_metric(m, c(0, 0), c(1, 0), c(2, 0), c(3, 0)) + reference_metric(m, c(0, 1), c(1, 1), c(2, 1), c(3, 1))) / 2;
  };
  const double tol = 1e-6;  // the epsilon of 1e-7 in the denominators
  CHECK(tg::accuracy_loss(cm).value() == Approx(macro(tg::Metric::accuracy())).margin(tol));
  CHECK(tg::precision_loss(cm).value() == Approx(macro(tg::Metric::precision())).margin(tol));
  CHECK(tg::recall_loss(cm).value() == Approx(macro(tg::Metric::recall())).margin(tol));
  CHECK(tg::f1_loss(cm).value() == Approx(macro(tg::Metric::f1())).margin(tol));
  CHECK(tg::f_beta_loss(cm, 0.5).value() == Approx(macro(tg::Metric::f_beta(0.5))).margin(tol));
  CHECK(tg::g_mean_loss(cm).value() == Approx(macro(tg::Metric::g_mean())).margin(tol));
  CHECK(tg::balanced_accuracy_loss(cm).value() == Approx(macro(tg::Metric::balanced_accuracy())).margin(tol));
  CHECK(tg::mcc_loss(cm).value() == Approx(macro(tg::Metric::mcc())).margin(tol));
  CHECK(tg::jaccard_loss(cm).value() == Approx(macro(tg::Metric::jaccard())).margin(tol));
  CHECK(tg::tversky_loss(cm, 0.2, 0.8).value() == Approx(macro(tg::Metric::tversky(0.2, 0.8))).margin(tol));
  // Micro: the metric of the summed columns. Weighted: weights = support.
  const A s = c.rowwise().sum();
  CHECK(tg::f1_loss(cm, tg::Average::micro).value() == Approx(1 - reference_metric(tg::Metric::f1(), s(0), s(1), s(2), s(3))).margin(tol));
  const double s0 = c(0, 0) + c(2, 0), s1 = c(0, 1) + c(2, 1);
  const double weighted = (s0 * reference_metric(tg::Metric::mcc(), c(0, 0), c(1, 0), c(2, 0), c(3, 0)) +
                           s1 * reference_metric(tg::Metric::mcc(), c(0, 1), c(1, 1), c(2, 1), c(3, 1))) / (s0 + s1);
  CHECK(tg::mcc_loss(cm, tg::Average::weighted).value() == Approx(1 - weighted).margin(tol));
}

TEST_CASE("soft_confusion: float32 keeps non-zero gradients at L = 73 for p in [0.01, 0.99]", "[loss][soft_confusion][float]") {
  tg::Scope<float> scope;
  const int n = 99;
  tg::RowArray<float> z(n, 1), p(n, 1), y(n, 1);
  for (int i = 0; i < n; ++i) {
    const double pi = 0.01 * (i + 1);
    p(i, 0) = static_cast<float>(pi);
    z(i, 0) = static_cast<float>(std::log(pi / (1 - pi)));
    y(i, 0) = static_cast<float>(i % 2);
  }
  // Why: the textbook derivative A (1 - A) is exactly 0 in float already at p = 0.99.
  const float a_naive = 1.0f / (1.0f + std::exp(-73.0f * (0.99f - 0.5f)));
  CHECK(a_naive * (1.0f - a_naive) == 0.0f);
  for (auto input : {tg::ScoreType::logits, tg::ScoreType::probabilities}) {
    INFO("input " << static_cast<int>(input));
    tg::Tensor<float> x(input == tg::ScoreType::logits ? z : p, true);
    // d(TP + FP) / d x_i = dA/dx_i for every sample.
    const auto cm = tg::soft_confusion(x, y, {73.0, input, std::nullopt});
    tg::sum(tg::slice_rows(cm.counts, 0, 2)).backward();
    for (int i = 0; i < n; ++i) {
      INFO("p = " << p(i, 0));
      CHECK(x.grad()(i, 0) > 0.0f);
      // And it is accurate: the same derivative in long double.
      const long double pd = 0.01L * (i + 1);
      const long double a = sig(73 * (pd - 0.5L));
      const long double want = 73 * a * (1 - a) * (input == tg::ScoreType::logits ? pd * (1 - pd) : 1.0L);
      CHECK(static_cast<double>(x.grad()(i, 0)) == Approx(static_cast<double>(want)).epsilon(1e-3));
    }
  }
}

TEST_CASE("soft metrics converge to the hard metrics as L -> infinity", "[loss][limit]") {
  tg::Scope<double> scope;
  // Probabilities at least 0.02 away from 0.5, so the hard prediction is unambiguous.
  A z = uniform(40, 3, 0.08, 4, 51);
  const A sign = bernoulli(40, 3, 52);
  z = z * (2 * sign - 1);
  const A y = bernoulli(40, 3, 53);
  const auto labels = class_labels(40, 3, 54);
  const auto hard_ml = tg::confusion_matrix(z, y);
  // One-vs-rest predicts class k where softmax_k > 0.5 (not the argmax), so the
  // limit is the hard matrix of those predictions; rows with a probability within
  // 0.01 of 0.5 would make it ambiguous, so those get their first logit moved.
  A zmc = z, prob;
  for (int pass = 0; pass < 100; ++pass) {
    prob = zmc.exp();
    prob.colwise() /= prob.rowwise().sum();
    const auto near = ((prob - 0.5).abs() <= 0.01).rowwise().any();
    if (!near.any()) break;
    for (Eigen::Index r = 0; r < zmc.rows(); ++r) zmc(r, 0) += near(r) ? 0.5 : 0.0;
  }
  REQUIRE(((prob - 0.5).abs() > 0.01).all());
  const auto hard_mc = tg::confusion_matrix(prob, onehot(labels, 3), /*from_logits=*/false);
  for (const auto& m : all_metrics()) {
    for (auto avg : {tg::Average::macro, tg::Average::micro, tg::Average::weighted}) {
      INFO(m.name() << " average " << static_cast<int>(avg));
      const double want_ml = tg::score(m, hard_ml, avg), want_mc = tg::score(m, hard_mc, avg);
      double previous_ml = 1e300, previous_mc = 1e300;
      for (double L : {73.0, 1e3, 1e4, 1e6}) {
        const double err_ml = std::abs(1 - tg::metric_loss(tg::soft_confusion(TD(z), y, {L}), m, avg).value() - want_ml);
        const double err_mc = std::abs(1 - tg::metric_loss(tg::soft_confusion_multiclass(TD(zmc), labels, {L}), m, avg).value() - want_mc);
        CHECK(err_ml <= previous_ml + 1e-12);
        CHECK(err_mc <= previous_mc + 1e-12);
        previous_ml = err_ml;
        previous_mc = err_mc;
      }
      CHECK(previous_ml < 1e-6);  // what remains is the 1e-7 in the denominators
      CHECK(previous_mc < 1e-6);
    }
  }
}

TEST_CASE("hard confusion matrix and metrics against a count-by-loop reference", "[loss][metrics]") {
  const A z = uniform(50, 4, -2, 2, 61), y = bernoulli(50, 4, 62);
  const auto labels = class_labels(50, 4, 63);
  const auto ml = tg::confusion_matrix(z, y);
  const auto mc = tg::confusion_matrix_multiclass(z, labels);
  const A p = (1 + (-z).exp()).inverse();
  CHECK(tg::confusion_matrix(p, y, /*from_logits=*/false)[2].tp == ml[2].tp);
  for (Eigen::Index k = 0; k < 4; ++k) {
    double tp = 0, fp = 0, fn = 0, tn = 0, mtp = 0, mfp = 0, mfn = 0, mtn = 0;
    for (Eigen::Index r = 0; r < 50; ++r) {
      const bool pred = z(r, k) > 0, act = y(r, k) == 1;
      tp += pred && act;
      fp += pred && !act;
      fn += !pred && act;
      tn += !pred && !act;
      Eigen::Index best = 0;
      for (Eigen::Index j = 1; j < 4; ++j)
        if (z(r, j) > z(r, best)) best = j;
      const bool mpred = best == k, mact = labels[static_cast<std::size_t>(r)] == k;
      mtp += mpred && mact;
      mfp += mpred && !mact;
      mfn += !mpred && mact;
      mtn += !mpred && !mact;
    }
    const auto& c = ml[static_cast<std::size_t>(k)];
    CHECK((c.tp == tp && c.fp == fp && c.fn == fn && c.tn == tn));
    const auto& d = mc[static_cast<std::size_t>(k)];
    CHECK((d.tp == mtp && d.fp == mfp && d.fn == mfn && d.tn == mtn));
    for (const auto& m : all_metrics()) CHECK(tg::score(m, c) == Approx(reference_metric(m, tp, fp, fn, tn)).epsilon(1e-14));
  }
  // A hand-worked case: TP 3, FP 1, FN 2, TN 4.
  const tg::ConfusionMatrix h{3, 1, 2, 4};
  CHECK(tg::score(tg::Metric::f1(), h) == Approx(6.0 / 9.0));
  CHECK(tg::score(tg::Metric::accuracy(), h) == Approx(0.7));
  CHECK(tg::score(tg::Metric::balanced_accuracy(), h) == Approx((0.6 + 0.8) / 2));
  CHECK(tg::score(tg::Metric::mcc(), h) == Approx(10.0 / std::sqrt(4.0 * 5 * 5 * 6)));
  CHECK(tg::score(tg::Metric::jaccard(), h) == Approx(0.5));
  CHECK(tg::score(tg::Metric::tversky(0.5, 0.5), h) == Approx(6.0 / 9.0));  // = F1
  // Averages over classes by hand.
  const std::vector<tg::ConfusionMatrix> two{{3, 1, 2, 4}, {0, 2, 0, 8}};
  CHECK(tg::score(tg::Metric::recall(), two, tg::Average::macro) == Approx(0.3));  // (0.6 + 0) / 2
  CHECK(tg::score(tg::Metric::recall(), two, tg::Average::micro) == Approx(0.6));
  CHECK(tg::score(tg::Metric::recall(), two, tg::Average::weighted) == Approx(0.6));  // all support in class 0
}

TEST_CASE("edge cases: no positives, no negatives (documented values, no NaN)", "[loss][edge]") {
  tg::Scope<double> scope;
  const A z = uniform(6, 1, -2, 2, 71);
  for (int all : {0, 1}) {
    INFO((all == 0 ? "no positives" : "no negatives"));
    const A y = A::Constant(6, 1, all);
    tg::Tensor<double> x(z, true);
    const auto cm = tg::soft_confusion(x, y);
    const A c = cm.counts.value();
    const double spec = c(3, 0) / (c(3, 0) + c(1, 0)), rec = c(0, 0) / (c(0, 0) + c(2, 0));
    for (const auto& m : all_metrics()) {
      INFO(m.name());
      x.zero_grad();
      const auto loss = tg::metric_loss(cm, m);
      loss.backward();
      CHECK(std::isfinite(loss.value()));
      CHECK(x.grad().allFinite());
      double want = NAN;  // the documented value of the metric
      switch (m.kind) {
        case tg::MetricKind::accuracy: want = (c(0, 0) + c(3, 0)) / 6; break;
        case tg::MetricKind::balanced_accuracy: want = all == 0 ? spec / 2 : rec / 2; break;
        case tg::MetricKind::specificity: want = all == 0 ? spec : 0; break;
        case tg::MetricKind::precision: want = all == 0 ? 0 : 1; break;
        case tg::MetricKind::recall: want = all == 0 ? 0 : rec; break;
        case tg::MetricKind::mcc: case tg::MetricKind::g_mean: want = 0; break;
        default: want = all == 0 ? 0 : reference_metric(m, c(0, 0), 0, c(2, 0), 0); break;
      }
      CHECK(1 - loss.value() == Approx(want).margin(1e-6));
    }
  }
  // Hard metrics with zero denominators are 0 (scikit-learn's zero_division = 0).
  const tg::ConfusionMatrix none{0, 0, 0, 5};
  for (const auto& m : {tg::Metric::precision(), tg::Metric::recall(), tg::Metric::f1(), tg::Metric::mcc(), tg::Metric::g_mean()})
    CHECK(tg::score(m, none) == 0);
  CHECK(tg::score(tg::Metric::balanced_accuracy(), none) == 0.5);
}

TEST_CASE("errors: empty batch, bad labels (value and index), shape mismatch, bad options", "[loss][errors]") {
  tg::Scope<double> scope;
  const A z = uniform(5, 2, -1, 1, 81);
  A y = bernoulli(5, 2, 82);
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(A(0, 1)), A(0, 1)); }), Catch::Contains("empty"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion_multiclass(TD(A(0, 3)), std::vector<int>{}); }), Catch::Contains("empty"));
  y(3, 1) = 2;
  const auto bad = invalid_message([&] { tg::soft_confusion(TD(z), y); });
  CHECK_THAT(bad, Catch::Contains("soft_confusion") && Catch::Contains("got 2") && Catch::Contains("(3, 1)"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(A(z.leftCols(1))), std::vector<int>{0, 1, 0, -1, 1}); }),
             Catch::Contains("got -1") && Catch::Contains("index 3"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion_multiclass(TD(z), std::vector<int>{0, 1, 0, 1, 2}); }),
             Catch::Contains("label 2") && Catch::Contains("index 4") && Catch::Contains("[0, 2)"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(z), A::Zero(5, 3)); }), Catch::Contains("5x2") && Catch::Contains("5x3"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(z), std::vector<int>{0, 1}); }), Catch::Contains("shape"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion_multiclass(TD(z), std::vector<int>{0, 1}); }), Catch::Contains("2 entries"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(z), A::Zero(5, 2), kProbs); }),
             Catch::Contains("[0, 1]") && Catch::Contains("got -0.04") && Catch::Contains("index (0, 0)"));
  A with_nan = z;
  with_nan(4, 0) = NAN;
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(with_nan), A::Zero(5, 2)); }), Catch::Contains("NaN") && Catch::Contains("(4, 0)"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(z), A::Zero(5, 2), {-1.0}); }), Catch::Contains("amplification"));
  CHECK_THAT(invalid_message([&] { tg::soft_confusion(TD(z), A::Zero(5, 2), {73.0, tg::ScoreType::logits, 3.0}); }),
             Catch::Contains("total") && Catch::Contains("got 3"));
  CHECK_THAT(invalid_message([&] { tg::metric_loss(TD(A::Ones(3, 2)), tg::Metric::f1()); }), Catch::Contains("4 x C") && Catch::Contains("3x2"));
  CHECK_THAT(invalid_message([] { tg::Metric::f_beta(0); }), Catch::Contains("beta") && Catch::Contains("got 0"));
  CHECK_THAT(invalid_message([] { tg::Metric::tversky(-1, 0.5); }), Catch::Contains("alpha = -1"));
  CHECK_THAT(invalid_message([&] { tg::confusion_matrix(z, A::Zero(4, 2)); }), Catch::Contains("4x2"));
}
