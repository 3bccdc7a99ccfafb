// Numerical robustness sweep of the losses of loss/ (the contract and how to
// add an op: tests/robustness_sweep.hpp). Metrics and averagings are looped
// over, so a new Metric factory joins by being added to `metrics` below.

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "../robustness_sweep.hpp"
#include "tropigrad/loss.hpp"

namespace tg = tropigrad;
using tropigrad_sweep::Domain;
using tropigrad_sweep::Sweep;
using tropigrad_sweep::report;

namespace {

const std::vector<tg::Metric>& metrics() {
  static const std::vector<tg::Metric> m = {
      tg::Metric::accuracy(), tg::Metric::precision(),         tg::Metric::recall(),
      tg::Metric::specificity(), tg::Metric::f1(),             tg::Metric::f_beta(2),
      tg::Metric::g_mean(),   tg::Metric::balanced_accuracy(), tg::Metric::mcc(),
      tg::Metric::jaccard(),  tg::Metric::tversky(0.3, 0.7)};
  return m;
}

std::string average_name(tg::Average a) {
  return a == tg::Average::macro ? "macro" : a == tg::Average::micro ? "micro" : "weighted";
}

// Fixed 0/1 targets of a 3 x 4 batch: every column holds both classes.
Eigen::ArrayXXd targets() {
  Eigen::ArrayXXd y(3, 4);
  y << 1, 0, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1;
  return y;
}

}  // namespace

TEST_CASE("robustness sweep: soft confusion and metric losses", "[loss][robustness]") {
  Sweep sweep;
  const Eigen::ArrayXXd y = targets();
  const std::vector<int> labels = {0, 3, 1};
  // Logits: any real, +-inf included (a saturated sigmoid / softmax). Probabilities live in [0, 1].
  sweep.unary("soft_confusion", Domain::all, [y](const auto& s) { return tg::soft_confusion(s, y).counts; });
  sweep.unary("soft_confusion probabilities", Domain::closed(0, 1), [y](const auto& s) {
    return tg::soft_confusion(s, y, {73.0, tg::ScoreType::probabilities}).counts; });
  sweep.unary("soft_confusion no amplification", Domain::all, [y](const auto& s) {
    return tg::soft_confusion(s, y, {std::nullopt}).counts; });
  sweep.unary("soft_confusion_multiclass", Domain::all, [labels](const auto& s) {
    return tg::soft_confusion_multiclass(s, labels).counts; });
  for (const tg::Metric& m : metrics()) {
    for (const tg::Average a : {tg::Average::macro, tg::Average::micro, tg::Average::weighted}) {
      const std::string tag = m.name() + " " + average_name(a);
      // Counts are sums of weights in [0, 1]: nonnegative and finite (inf / inf is undefined).
      sweep.unary("metric_loss " + tag, Domain::closed(0, 1e30), [m, a](const auto& c) {
        return tg::metric_loss(c, m, a); }, 4, 3);
      sweep.unary("soft_confusion " + tag, Domain::all, [m, a, y](const auto& s) {
        return tg::metric_loss(tg::soft_confusion(s, y), m, a); });
      sweep.unary("soft_confusion_multiclass " + tag, Domain::all, [m, a, labels](const auto& s) {
        return tg::metric_loss(tg::soft_confusion_multiclass(s, labels), m, a); });
    }
  }
  report(sweep);
}

TEST_CASE("robustness sweep: cross-entropy baselines", "[loss][robustness]") {
  Sweep sweep;
  const Eigen::ArrayXXd y = targets();
  Eigen::ArrayXXd soft_y = y * 0.8 + 0.1;  // soft targets in (0, 1)
  sweep.unary("binary_cross_entropy", Domain::all, [y](const auto& s) { return tg::binary_cross_entropy(s, y); });
  sweep.unary("binary_cross_entropy soft targets", Domain::all, [soft_y](const auto& s) {
    return tg::binary_cross_entropy(s, soft_y); });
  sweep.unary("binary_cross_entropy weighted", Domain::all, [y](const auto& s) {
    return tg::binary_cross_entropy(s, y, {tg::ScoreType::logits, 3.0}); });
  sweep.unary("binary_cross_entropy probabilities", Domain::closed(0, 1), [y](const auto& s) {
    return tg::binary_cross_entropy(s, y, {tg::ScoreType::probabilities, 1.0}); });
  sweep.unary("binary_cross_entropy probabilities weighted", Domain::closed(0, 1), [soft_y](const auto& s) {
    return tg::binary_cross_entropy(s, soft_y, {tg::ScoreType::probabilities, 0.25}); });
  sweep.unary("binary_cross_entropy int targets", Domain::all, [](const auto& s) {
    return tg::binary_cross_entropy(s, std::vector<int>{1, 0, 1}); }, 3, 1);
  for (const double gamma : {0.0, 0.5, 2.0})
    for (const double alpha : {-1.0, 0.25, 1.0})
      sweep.unary("focal_loss gamma=" + tg::format_number(gamma) + " alpha=" + tg::format_number(alpha), Domain::all,
                  [y, gamma, alpha](const auto& s) { return tg::focal_loss(s, y, {gamma, alpha}); });
  report(sweep);
}
