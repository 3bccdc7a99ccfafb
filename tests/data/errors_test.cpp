#include "tropigrad/data/errors.hpp"

#include <stdexcept>
#include <string>
#include <type_traits>

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;

TEST_CASE("data errors: DataError is a std::runtime_error", "[data][errors]") {
  STATIC_REQUIRE(std::is_base_of_v<std::runtime_error, tg::DataError>);
  CHECK_THROWS_AS(tg::detail::throw_data_error("tropigrad::f", "x"), std::runtime_error);
}

TEST_CASE("data errors: messages join function, path and problem", "[data][errors]") {
  CHECK(data_test::data_error_of([] { tg::detail::throw_data_error("tropigrad::f", "bad x"); }) ==
        "tropigrad::f: bad x");
  CHECK(data_test::data_error_of([] {
          tg::detail::throw_file_error("tropigrad::read_idx", "/tmp/a.gz", "truncated");
        }) == "tropigrad::read_idx: '/tmp/a.gz': truncated");
}
