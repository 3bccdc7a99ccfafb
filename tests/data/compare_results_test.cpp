// The research harness's results files and statistics (examples/compare/):
// the CSV reader against hand-written files, including interrupted writes,
// and mean / std / the paired verdict against values computed by hand.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>

#include "../../examples/compare/results_csv.hpp"
#include "../../examples/compare/summary.hpp"
#include "data_test_helpers.hpp"

using Catch::Contains;

TEST_CASE("compare results: CSV parsing and interrupted lines", "[data][compare]") {
  const auto t = compare::parse_csv("a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,1", "f.csv");
  REQUIRE(t.header == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[1] == std::vector<std::string>{"6", "7", "8"});
  CHECK(t.skipped_lines == 2);  // "4,5" (short) and "9,10,1" (no line break: cut by an interruption)
  CHECK(t.column("c") == 2);
  CHECK_THROWS_WITH(t.column("z"), Contains("no column 'z'") && Contains("a,b,c"));
  CHECK(compare::parse_csv("", "f").rows.empty());
  CHECK(compare::parse_csv("x\r\n1\r\n", "f").rows.at(0).at(0) == "1");
  CHECK_THROWS_WITH(compare::parse_csv("a,,b\n", "f.csv"), Contains("'f.csv'") && Contains("empty column name"));
  CHECK_THROWS_WITH(compare::parse_csv("a,b,a\n", "f.csv"), Contains("column 'a' appears twice"));
}

TEST_CASE("compare results: appending survives a cut last line", "[data][compare]") {
  data_test::TempDir dir;
  const auto path = dir / "runs.csv";
  compare::append_rows(path, {"k", "v"}, {{"a", "1"}});
  data_test::write_file(path, [&] {
    auto bytes = data_test::read_file(path);
    for (char c : std::string("b,")) bytes.push_back(static_cast<std::uint8_t>(c));  // cut mid-row
    return bytes;
  }());
  compare::append_rows(path, {"k", "v"}, {{"c", "3"}});
  const auto t = compare::read_csv(path);
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0] == std::vector<std::string>{"a", "1"});
  CHECK(t.rows[1] == std::vector<std::string>{"c", "3"});
  CHECK(t.skipped_lines == 0);  // the cut line was dropped by the append
  CHECK_THROWS_WITH(compare::append_rows(path, {"k", "w"}, {}), Contains("other columns"));
  CHECK_THROWS_WITH(compare::append_rows(path, {"k", "v"}, {{"x,y", "1"}}), Contains("comma"));
}

TEST_CASE("compare results: mean, sample std and the paired verdict", "[data][compare]") {
  const auto s = compare::stats({1, 2, 3, 4});
  CHECK(s.mean == Approx(2.5));
  CHECK(s.std == Approx(std::sqrt(5.0 / 3.0)));  // sum of squared deviations 5, n - 1 = 3
  CHECK(compare::stats({7}).std == 0);
  CHECK(compare::stats({1, std::nan(""), 3}).n == 2);

  // Three seeds: ultra-lif beats dspike on seeds 1 and 2 only: no claim.
  std::string csv;
  for (std::size_t i = 0; i < compare::runs_header().size(); ++i) csv += (i ? "," : "") + compare::runs_header()[i];
  csv += "\n";
  auto row = [&](const std::string& neuron, int seed, double acc) {
    compare::RunSpec r;
    r.neuron = neuron;
    r.dataset = "fashion";
    r.seed = static_cast<std::uint64_t>(seed);
    auto fields = compare::key_fields(r);
    for (std::size_t m = 0; m < compare::metric_columns().size(); ++m) fields.push_back(m < 2 ? std::to_string(acc) : "0.5");
    csv += compare::join(fields, ',') + "\n";
  };
  row("ultra-lif", 1, 0.80), row("ultra-lif", 2, 0.81), row("ultra-lif", 3, 0.70);
  row("dspike", 1, 0.79), row("dspike", 2, 0.80), row("dspike", 3, 0.75);
  const auto table = compare::parse_csv(csv, "runs.csv");
  const auto md = compare::summary_markdown(table, "t", "compare");
  CHECK_THAT(md, Contains("+1.00 (seed 1), +1.00 (seed 2), -5.00 (seed 3)"));
  CHECK_THAT(md, Contains("no win on every seed"));
  CHECK_THAT(md, Contains("| ultra-lif | 3 | 77.00 +- 6.08 |"));  // mean 77, std sqrt(((3)^2 + 4^2 + 7^2) / 2)
  CHECK_THAT(md, Contains("| dspike | 3 | **78.00** +- 2.65 |"));

  // A better Ultra neuron on one seed only (an unfinished grid) does not displace the complete one.
  row("ultra-plif", 1, 0.95);
  const auto md2 = compare::summary_markdown(compare::parse_csv(csv, "runs.csv"), "t", "compare");
  CHECK_THAT(md2, Contains("best Ultra `ultra-lif` minus best baseline `dspike`"));
}
