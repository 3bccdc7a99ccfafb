#include "tropigrad/data/sequential.hpp"

#include <cstdint>
#include <string>

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;
using Catch::Contains;

namespace {

/// A fake Fashion-MNIST test split of `n` images whose pixel k of image i is (i * 784 + k) mod 256.
void write_fake_test_split(const data_test::TempDir& dir, std::uint32_t n) {
  data_test::write_file(dir / "t10k-images-idx3-ubyte",
                        data_test::make_idx({n, 28, 28}, data_test::ramp(std::size_t(n) * 784)));
  data_test::Bytes labels(n);
  for (std::uint32_t i = 0; i < n; ++i) labels[i] = std::uint8_t((3 * i) % 10);
  data_test::write_file(dir / "t10k-labels-idx1-ubyte", data_test::make_idx({n}, labels));
}

}  // namespace

TEST_CASE("seqfashion: 28 steps of 28 pixels, step t is image row t", "[data][sequential]") {
  data_test::TempDir dir;
  write_fake_test_split(dir, 7);
  const tg::FashionMnistOptions options{dir.path().string(), /*normalize=*/false, 0};
  const tg::Dataset seq = tg::load_seq_fashion_mnist(tg::Split::test, options);
  REQUIRE(seq.size() == 7);
  CHECK(seq.time_steps == 28);
  CHECK(seq.channels() == 28);
  CHECK(seq.features() == 784);
  CHECK(seq.classes == 10);
  for (std::size_t n = 0; n < seq.size(); ++n) {
    CHECK(seq.labels[n] == int((3 * n) % 10));
    const auto raster = tg::spike_raster(seq, n);
    REQUIRE(raster.rows() == 28);
    REQUIRE(raster.cols() == 28);
    for (int row = 0; row < 28; ++row)
      for (int col = 0; col < 28; ++col) {
        // Pixel (row, col) of image n in the IDX file is byte n*784 + row*28 + col of the ramp.
        const auto byte = std::uint8_t((n * 784 + std::size_t(row) * 28 + std::size_t(col)) % 256);
        REQUIRE(raster(row, col) == Approx(byte / 255.0f).margin(1e-7));
      }
  }
  // Deterministic: a second load is identical.
  const tg::Dataset again = tg::load_seq_fashion_mnist(tg::Split::test, options);
  CHECK(again.inputs == seq.inputs);
  CHECK(again.labels == seq.labels);
}

TEST_CASE("as_sequence: shapes and errors", "[data][sequential]") {
  tg::Dataset d;
  d.inputs = tg::RowMatrixXf::Random(5, 12);
  d.labels = {0, 1, 0, 1, 1};
  d.classes = 2;
  const tg::Dataset s = tg::as_sequence(d, 4);
  CHECK(s.time_steps == 4);
  CHECK(s.channels() == 3);
  CHECK(tg::spike_raster(s, 2)(3, 1) == d.inputs(2, 3 * 3 + 1));
  CHECK_THROWS_WITH(tg::as_sequence(d, 5), Contains("tropigrad::as_sequence") && Contains("divide the 12 features") &&
                                               Contains("got 5"));
  CHECK_THROWS_WITH(tg::as_sequence(d, 0), Contains("time_steps must be >= 1"));
  CHECK_THROWS_WITH(tg::as_sequence(s, 2), Contains("must be static") && Contains("time_steps = 4"));
}

TEST_CASE("seqfashion: a missing directory names the fix", "[data][sequential]") {
  const tg::FashionMnistOptions options{"/nonexistent/tropigrad-seqfashion", true, 0};
  CHECK_THROWS_WITH(tg::load_seq_fashion_mnist(tg::Split::train, options), Contains("dataset-fashion-mnist"));
}
