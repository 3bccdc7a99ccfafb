#include "tropigrad/semiring/errors.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "semiring_test_helpers.hpp"

namespace tg = tropigrad;

namespace {
std::string message_of(auto&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "<no exception>";
}
}  // namespace

TEST_CASE("errors: throw_invalid joins where and what", "[semiring][errors]") {
  CHECK(message_of([] { tg::throw_invalid("tropigrad::f", "x must be > 0, got -2"); }) ==
        "tropigrad::f: x must be > 0, got -2");
}

TEST_CASE("errors: format_number is the shortest round-trip text", "[semiring][errors]") {
  CHECK(tg::format_number(-1.0) == "-1");
  CHECK(tg::format_number(0.1) == "0.1");
  CHECK(tg::format_number(std::numeric_limits<double>::infinity()) == "inf");
  CHECK(tg::format_number(-std::numeric_limits<double>::infinity()) == "-inf");
  CHECK(tg::format_number(std::nan("")).find("nan") != std::string::npos);
}

TEST_CASE("errors: check_eps accepts finite positive eps", "[semiring][errors]") {
  CHECK_NOTHROW(tg::check_eps(1e-6, "w"));
  CHECK_NOTHROW(tg::check_eps(1e6f, "w"));
  CHECK_NOTHROW(tg::check_eps(std::numeric_limits<double>::denorm_min(), "w"));
  CHECK_NOTHROW(tg::check_eps(tg_test::Num(0.5), "w"));
}

TEST_CASE("errors: check_eps message names eps and its value", "[semiring][errors]") {
  CHECK(message_of([] { tg::check_eps(-1.0, "tropigrad::lse"); }) ==
        "tropigrad::lse: eps must be a finite number > 0, got -1 (pass a positive temperature, e.g. eps = 0.1)");
  CHECK(message_of([] { tg::check_eps(0.0f, "tropigrad::lse"); }).find("got 0 ") != std::string::npos);
  CHECK(message_of([] { tg::check_eps(-0.0, "w"); }).find("got -0 ") != std::string::npos);
  CHECK(message_of([] { tg::check_eps(std::nan(""), "w"); }).find("got nan") != std::string::npos);
  CHECK(message_of([] { tg::check_eps(std::numeric_limits<float>::infinity(), "w"); }).find("got inf") !=
        std::string::npos);
  CHECK(message_of([] { tg::check_eps(-2.5, "w", "temperature"); }) ==
        "w: temperature must be a finite number > 0, got -2.5 (pass a positive temperature, e.g. temperature = 0.1)");
  // A user scalar type goes through value_of() found by argument-dependent lookup.
  CHECK(message_of([] { tg::check_eps(tg_test::Num(-3.0), "w"); }).find("eps must be a finite number > 0, got -3") !=
        std::string::npos);
}

TEST_CASE("errors: NaN messages name the argument and the index", "[semiring][errors]") {
  CHECK(message_of([] { tg::throw_nan_at("tropigrad::softmax", "values", 7); }) ==
        "tropigrad::softmax: values is NaN at index 7; inputs must not contain NaN");
  CHECK(message_of([] { tg::throw_nan("tropigrad::lse", "argument b"); }) ==
        "tropigrad::lse: argument b is NaN; inputs must not contain NaN");
}
