#include "tropigrad/data/randman.hpp"

#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;
using Catch::Contains;

namespace {
tg::RandmanOptions small_options(std::uint64_t seed) {
  return {.classes = 5, .channels = 40, .time_steps = 25, .samples_per_class = 120,
          .manifold_dim = 1, .seed = seed};
}
}  // namespace

TEST_CASE("randman: shapes, binary raster, one spike per channel", "[data][randman]") {
  const tg::Dataset d = tg::make_randman(small_options(1));
  CHECK(d.size() == 600);
  CHECK(d.inputs.rows() == 600);
  CHECK(d.inputs.cols() == 25 * 40);
  CHECK(d.classes == 5);
  CHECK(d.time_steps == 25);
  CHECK(d.channels() == 40);
  CHECK((d.inputs.array() * (1.0f - d.inputs.array())).cwiseAbs().maxCoeff() == 0.0f);
  std::vector<int> per_class(5, 0);
  for (std::size_t n = 0; n < d.size(); ++n) {
    const auto raster = tg::spike_raster(d, n);
    // Every channel fires exactly once (spikes_per_channel = 1).
    REQUIRE((raster.colwise().sum().array() == 1.0f).all());
    ++per_class[std::size_t(d.labels[n])];
  }
  for (int c : per_class) CHECK(c == 120);
  // Spike times cover the whole window.
  const auto steps_used = (d.inputs.colwise().sum().reshaped(40, 25).colwise().sum().array() > 0)
                              .count();
  CHECK(steps_used == 25);
}

TEST_CASE("randman: deterministic for a seed, different across seeds", "[data][randman]") {
  const tg::Dataset a = tg::make_randman(small_options(3));
  const tg::Dataset b = tg::make_randman(small_options(3));
  const tg::Dataset c = tg::make_randman(small_options(4));
  CHECK(a.inputs == b.inputs);
  CHECK(a.labels == b.labels);
  CHECK(a.inputs != c.inputs);
  auto unshuffled = small_options(3);
  unshuffled.shuffle = false;
  const tg::Dataset grouped = tg::make_randman(unshuffled);
  CHECK(grouped.labels[0] == 0);
  CHECK(grouped.labels[599] == 4);
  CHECK(std::is_sorted(grouped.labels.begin(), grouped.labels.end()));
  CHECK(grouped.inputs.sum() == a.inputs.sum());
}

TEST_CASE("randman: classes are distinguishable by nearest class mean", "[data][randman]") {
  auto options = small_options(11);
  options.manifold_dim = 2;
  const tg::Dataset d = tg::make_randman(options);
  // Class means of spike times (per channel) on the first half, then classify
  // the second half by the nearest mean spike-time vector.
  const auto channels = d.channels();
  auto spike_times = [&](std::size_t n) {
    Eigen::VectorXd times = Eigen::VectorXd::Zero(channels);
    const auto raster = tg::spike_raster(d, n);
    for (Eigen::Index t = 0; t < raster.rows(); ++t)
      for (Eigen::Index c = 0; c < channels; ++c)
        if (raster(t, c) > 0.5f) times(c) = double(t);
    return times;
  };
  const std::size_t half = d.size() / 2;
  Eigen::MatrixXd means = Eigen::MatrixXd::Zero(d.classes, channels);
  Eigen::VectorXd counts = Eigen::VectorXd::Zero(d.classes);
  for (std::size_t n = 0; n < half; ++n) {
    means.row(d.labels[n]) += spike_times(n).transpose();
    counts(d.labels[n]) += 1;
  }
  for (int k = 0; k < d.classes; ++k) means.row(k) /= counts(k);
  int correct = 0;
  for (std::size_t n = half; n < d.size(); ++n) {
    Eigen::Index best = 0;
    (means.rowwise() - spike_times(n).transpose()).rowwise().squaredNorm().minCoeff(&best);
    correct += int(best) == d.labels[n];
  }
  const double accuracy = double(correct) / double(d.size() - half);
  INFO("nearest-class-mean accuracy " << accuracy << " (chance 0.2)");
  CHECK(accuracy > 0.8);
}

TEST_CASE("randman: several spikes per channel", "[data][randman]") {
  auto options = small_options(2);
  options.spikes_per_channel = 3;
  const tg::Dataset d = tg::make_randman(options);
  const auto raster = tg::spike_raster(d, 0);
  CHECK((raster.colwise().sum().array() >= 1.0f).all());
  CHECK((raster.colwise().sum().array() <= 3.0f).all());
  CHECK(raster.sum() > 40.0f);
}

TEST_CASE("randman: invalid options throw DataError", "[data][randman]") {
  auto bad = small_options(1);
  bad.classes = 0;
  CHECK_THAT(data_test::data_error_of([&] { (void)tg::make_randman(bad); }),
             Contains("classes must be in 1.."));
  bad = small_options(1);
  bad.alpha = -1;
  CHECK_THAT(data_test::data_error_of([&] { (void)tg::make_randman(bad); }),
             Contains("alpha must be a finite number > 0"));
  bad = small_options(1);
  bad.channels = 100000;
  bad.time_steps = 100000;
  CHECK_THAT(data_test::data_error_of([&] { (void)tg::make_randman(bad); }),
             Contains("<= 2^31"));
}
