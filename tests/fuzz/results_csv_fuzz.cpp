// libFuzzer target for the research harness's results reader
// (examples/compare/results_csv.hpp) and the summary built from what it reads.
//
// Contract: any bytes either parse or throw compare::ResultsError; every
// parsed row has the header's field count; the summary of a parsed table is
// written or throws ResultsError (a missing column), nothing else.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "../../examples/compare/results_csv.hpp"
#include "../../examples/compare/summary.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const compare::Table table = compare::parse_csv(text, "fuzz.csv");
    for (const auto& row : table.rows)
      if (row.size() != table.header.size()) __builtin_trap();
    try {
      const std::string md = compare::summary_markdown(table, "fuzz", "fuzz");
      if (md.empty()) __builtin_trap();
    } catch (const compare::ResultsError&) {
    }
  } catch (const compare::ResultsError&) {
  }
  return 0;
}
