// libFuzzer target for the IDX reader (raw and gzip; compression is detected
// from the content, so one target covers both).
//
//   clang++ -std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined \
//     -I include -isystem /usr/include/eigen3 tests/fuzz/idx_fuzz.cpp -lz -o idx_fuzz
//   ./idx_fuzz -max_total_time=60 -rss_limit_mb=512 tests/fuzz/corpus/idx
//
// Contract: every input parses or throws tropigrad::DataError. Anything else
// (a crash, a sanitizer report, another exception, an allocation beyond what
// the input can hold) is a bug. The element cap is lowered so that a valid
// parse can never allocate more than 1032 x the input size + 1 MiB.
#include <cstddef>
#include <cstdint>
#include <span>

#include "tropigrad/data/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  tropigrad::IdxReadOptions options;
  options.max_elements = std::uint64_t{1} << 26;
  try {
    const auto array =
        tropigrad::read_idx_bytes(std::span<const std::uint8_t>(data, size), "fuzz", options);
    std::size_t product = 1;
    for (std::size_t d : array.shape) product *= d;
    if (array.data.size() != product) __builtin_trap();
    // A prefix read must agree with the full read.
    options.max_rows = 1;
    const auto first = tropigrad::read_idx_bytes(std::span<const std::uint8_t>(data, size),
                                                 "fuzz", options);
    if (first.data.size() > array.data.size()) __builtin_trap();
  } catch (const tropigrad::DataError&) {
  }
  return 0;
}
