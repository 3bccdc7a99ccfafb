#include "tropigrad/data/dataset.hpp"

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;

TEST_CASE("data dataset: spike_raster views a row as T x channels", "[data][dataset]") {
  tg::Dataset d;
  d.time_steps = 3;
  d.classes = 2;
  d.inputs = tg::RowMatrixXf::Zero(2, 3 * 4);
  d.labels = {0, 1};
  d.inputs(1, 2 * 4 + 1) = 1.0f;  // sample 1, t = 2, channel 1
  CHECK(d.size() == 2);
  CHECK(d.features() == 12);
  CHECK(d.channels() == 4);
  const auto raster = tg::spike_raster(d, 1);
  CHECK(raster.rows() == 3);
  CHECK(raster.cols() == 4);
  CHECK(raster(2, 1) == 1.0f);
  CHECK(raster.sum() == 1.0f);
  CHECK(tg::spike_raster(d, 0).sum() == 0.0f);
  CHECK_THAT(data_test::data_error_of([&] { (void)tg::spike_raster(d, 2); }),
             Catch::Contains("sample must be < 2, got 2"));
}
