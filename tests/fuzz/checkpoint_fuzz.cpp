// libFuzzer target for the checkpoint loader (scripts/fuzz builds and runs it).
//
// Contract: every input parses or throws tropigrad::nn::CheckpointError.
// Anything else (a crash, a sanitizer report, another exception, an
// allocation the input's size cannot justify) is a bug. A parsed checkpoint
// must be internally consistent and must round-trip through save.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tropigrad/nn/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    const auto tensors = tropigrad::nn::parse_checkpoint(bytes, "fuzz");
    std::size_t values = 0;
    for (const auto& t : tensors) {
      if (t.rows < 0 || t.cols < 0) __builtin_trap();
      if (t.values.size() != static_cast<std::size_t>(t.rows) * static_cast<std::size_t>(t.cols)) __builtin_trap();
      values += t.values.size();
    }
    // Every value takes at least 4 bytes of the input.
    if (values > size / 4) __builtin_trap();
  } catch (const tropigrad::nn::CheckpointError&) {
  }
  return 0;
}
