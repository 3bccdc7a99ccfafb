// libFuzzer target for the examples' command-line parser (examples/common/cli.hpp).
// The input is split at NUL bytes into argv[1..].
//
// Contract: parsing and reading every declared flag either succeeds or throws
// std::invalid_argument; a value read back is within its declared range.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "../../examples/common/cli.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args{"fuzz"};
  std::string current;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(current);
      current.clear();
    } else {
      current += static_cast<char>(data[i]);
    }
  }
  if (!current.empty()) args.push_back(current);
  if (args.size() > 64) return 0;
  std::vector<const char*> argv;
  for (const auto& a : args) argv.push_back(a.c_str());

  examples::CommandLine cli("fuzz", "fuzzing the flag parser");
  cli.option("epochs", "3", "epochs")
      .option("lr", "0.001", "learning rate")
      .option("neuron", "ultra-plif", "neuron names")
      .flag("binary", "binary spikes");
  try {
    std::string usage;
    if (!cli.parse(static_cast<int>(argv.size()), argv.data(), &usage)) {
      if (usage.empty()) __builtin_trap();
      return 0;
    }
    try {
      const long long epochs = cli.get_int("epochs", 1, 1000);
      if (epochs < 1 || epochs > 1000) __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
    try {
      const double lr = cli.get_double("lr", 0.0, 1.0);
      if (!(lr >= 0.0 && lr <= 1.0)) __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
    try {
      for (const auto& item : cli.get_list("neuron"))
        if (item.empty() || item.find(',') != std::string::npos) __builtin_trap();
    } catch (const std::invalid_argument&) {
    }
    (void)cli.is_set("binary");
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
