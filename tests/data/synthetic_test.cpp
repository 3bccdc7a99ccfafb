#include "tropigrad/data/synthetic.hpp"

#include <cmath>

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;
using Catch::Contains;

TEST_CASE("synthetic: two moons", "[data][synthetic]") {
  const tg::Dataset d = tg::make_two_moons(200, 0.0, 1);
  CHECK(d.size() == 200);
  CHECK(d.inputs.cols() == 2);
  CHECK(d.classes == 2);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto row = Eigen::Index(i);
    const double x = d.inputs(row, 0), y = d.inputs(row, 1);
    CHECK(d.labels[i] == int(i % 2));
    // Noise-free points lie on their unit half circles.
    const double r = d.labels[i] == 0 ? std::hypot(x, y) : std::hypot(x - 1.0, y - 0.5);
    CHECK(r == Approx(1.0).margin(1e-5));
    CHECK((d.labels[i] == 0 ? y >= -1e-6 : y <= 0.5 + 1e-6));
  }
  CHECK(tg::make_two_moons(50, 0.1, 7).inputs == tg::make_two_moons(50, 0.1, 7).inputs);
  CHECK(tg::make_two_moons(50, 0.1, 7).inputs != tg::make_two_moons(50, 0.1, 8).inputs);
}

TEST_CASE("synthetic: xor", "[data][synthetic]") {
  const tg::Dataset d = tg::make_xor(400, 0.0, 2);
  CHECK(d.size() == 400);
  for (std::size_t i = 0; i < d.size(); ++i) {
    const auto row = Eigen::Index(i);
    const bool positive_x = d.inputs(row, 0) > 0, positive_y = d.inputs(row, 1) > 0;
    CHECK(d.labels[i] == int(positive_x != positive_y));
    CHECK(std::abs(d.inputs(row, 0)) <= 1.0f);
  }
  CHECK(tg::make_xor(50, 0.2, 3).inputs == tg::make_xor(50, 0.2, 3).inputs);
}

TEST_CASE("synthetic: invalid arguments throw DataError", "[data][synthetic]") {
  CHECK_THAT(data_test::data_error_of([] { (void)tg::make_two_moons(0); }),
             Contains("samples must be in 1..2^30, got 0"));
  CHECK_THAT(data_test::data_error_of([] { (void)tg::make_xor(10, -1.0); }),
             Contains("noise must be a finite number >= 0"));
  CHECK_THAT(data_test::data_error_of([] { (void)tg::make_xor(10, NAN); }),
             Contains("noise must be a finite number >= 0"));
}
