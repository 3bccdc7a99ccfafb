#include "tropigrad/data/batches.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;
using Catch::Contains;

namespace {
std::vector<std::size_t> epoch_indices(tg::BatchSampler& sampler, std::uint64_t epoch) {
  sampler.set_epoch(epoch);
  std::vector<std::size_t> all;
  for (std::size_t b = 0; b < sampler.batches_per_epoch(); ++b) {
    const auto batch = sampler.batch(b);
    all.insert(all.end(), batch.begin(), batch.end());
  }
  return all;
}
}  // namespace

TEST_CASE("batches: every index exactly once per epoch", "[data][batches]") {
  tg::BatchSampler sampler(1003, 64, {.seed = 7});
  CHECK(sampler.batches_per_epoch() == 16);
  for (std::uint64_t epoch = 0; epoch < 3; ++epoch) {
    auto all = epoch_indices(sampler, epoch);
    CHECK(sampler.batch(15).size() == 1003 - 15 * 64);
    REQUIRE(all.size() == 1003);
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size(); ++i) REQUIRE(all[i] == i);
  }
}

TEST_CASE("batches: same seed same order, different seeds or epochs differ", "[data][batches]") {
  tg::BatchSampler a(500, 32, {.seed = 1}), b(500, 32, {.seed = 1}), c(500, 32, {.seed = 2});
  const auto a0 = epoch_indices(a, 0);
  CHECK(a0 == epoch_indices(b, 0));
  CHECK(a0 != epoch_indices(c, 0));
  const auto a1 = epoch_indices(a, 1);
  CHECK(a1 != a0);
  // The order of an epoch depends only on (seed, epoch), not on history.
  CHECK(epoch_indices(b, 1) == a1);
  CHECK(epoch_indices(a, 0) == a0);
  CHECK_FALSE(std::is_sorted(a0.begin(), a0.end()));
}

TEST_CASE("batches: no shuffle, drop_last", "[data][batches]") {
  tg::BatchSampler plain(10, 4, {.shuffle = false});
  CHECK(plain.batches_per_epoch() == 3);
  CHECK(std::vector<std::size_t>(plain.batch(2).begin(), plain.batch(2).end()) ==
        std::vector<std::size_t>{8, 9});
  tg::BatchSampler dropped(10, 4, {.seed = 3, .drop_last = true});
  CHECK(dropped.batches_per_epoch() == 2);
  CHECK(dropped.batch(1).size() == 4);
  CHECK_THAT(data_test::data_error_of([&] { (void)dropped.batch(2); }),
             Contains("batch index must be < 2, got 2"));
  CHECK(tg::BatchSampler(8, 4, {.drop_last = true}).batches_per_epoch() == 2);
  CHECK(tg::BatchSampler(0, 4).batches_per_epoch() == 0);
  CHECK_THAT(data_test::data_error_of([] { tg::BatchSampler(10, 0); }),
             Contains("batch_size must be >= 1"));
}

TEST_CASE("batches: gather_batch fills a preallocated buffer", "[data][batches]") {
  tg::Dataset d;
  d.classes = 3;
  d.inputs.resize(7, 3);
  for (int i = 0; i < 7; ++i) {
    d.inputs.row(i) << float(i), float(10 * i), float(100 * i);
    d.labels.push_back(i % 3);
  }
  tg::BatchSampler sampler(7, 3, {.seed = 5});
  tg::Batch batch(3, 3);
  const float* storage = batch.storage.data();
  for (std::uint64_t epoch = 0; epoch < 2; ++epoch) {
    sampler.set_epoch(epoch);
    for (std::size_t b = 0; b < sampler.batches_per_epoch(); ++b) {
      const auto indices = sampler.batch(b);
      tg::gather_batch(d, indices, batch);
      REQUIRE(batch.size() == indices.size());
      CHECK(batch.inputs().rows() == Eigen::Index(indices.size()));
      CHECK(batch.targets().size() == indices.size());
      for (std::size_t i = 0; i < indices.size(); ++i) {
        CHECK(batch.inputs()(Eigen::Index(i), 2) == float(100 * indices[i]));
        CHECK(batch.targets()[i] == int(indices[i] % 3));
      }
      CHECK(batch.storage.data() == storage);  // never reallocated
    }
  }
  tg::Batch small(2, 3);
  const std::vector<std::size_t> three = {0, 1, 2};
  CHECK_THAT(data_test::data_error_of([&] { tg::gather_batch(d, three, small); }),
             Contains("capacity must be >= 3 samples, got 2"));
  tg::Batch wide(3, 4);
  CHECK_THAT(data_test::data_error_of([&] { tg::gather_batch(d, three, wide); }),
             Contains("3 columns, got 3 x 4"));
  const std::vector<std::size_t> out_of_range = {0, 7};
  CHECK_THAT(data_test::data_error_of([&] { tg::gather_batch(d, out_of_range, batch); }),
             Contains("index must be < 7, got 7"));
}
