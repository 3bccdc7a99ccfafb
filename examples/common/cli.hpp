#pragma once
// A small command-line parser for the examples: "--name value" and "--flag".
// Every error (unknown flag, missing value, malformed number) throws
// std::invalid_argument naming the flag, the value and what was expected.

#include <charconv>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace examples {

/// The whole of `text` as an integer in [min, max], or nothing.
inline std::optional<long long> parse_integer(const std::string& text, long long min, long long max) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value < min || value > max) return std::nullopt;
  return value;
}

/// The whole of `text` as a number in [min, max] (NaN never is), or nothing.
inline std::optional<double> parse_number(const std::string& text, double min, double max) {
  double value = 0;
  std::size_t used = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  if (used == 0 || used != text.size() || !(value >= min && value <= max)) return std::nullopt;
  return value;
}

class CommandLine {
public:
  /// The --data flag of the Fashion-MNIST examples (tg::fashion_mnist_directory resolves "").
  CommandLine& data_option() {
    return option("data", "", "Fashion-MNIST directory (default: $TROPIGRAD_DATA, then /usr/share/datasets/fashion-mnist)");
  }

  struct Flag {
    std::string name, default_value, help;
    bool is_switch = false;
  };

  explicit CommandLine(std::string program, std::string summary) : program_(std::move(program)), summary_(std::move(summary)) {}

  CommandLine& option(std::string name, std::string default_value, std::string help) {
    flags_.push_back({std::move(name), std::move(default_value), std::move(help), false});
    return *this;
  }
  CommandLine& flag(std::string name, std::string help) {
    flags_.push_back({std::move(name), "", std::move(help), true});
    return *this;
  }

  /// Parses argv; returns false if --help was given (usage printed to `out`).
  bool parse(int argc, const char* const* argv, std::string* usage_out = nullptr) {
    for (const Flag& f : flags_) values_[f.name] = f.default_value;
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i] == nullptr ? "" : argv[i];
      if (arg == "--help" || arg == "-h") {
        if (usage_out) *usage_out = usage();
        return false;
      }
      if (arg.size() < 3 || arg.substr(0, 2) != "--")
        throw std::invalid_argument(program_ + ": unexpected argument '" + std::string(arg) + "'; flags look like --name value (try --help)");
      const std::string name(arg.substr(2));
      const Flag* flag = find(name);
      if (flag == nullptr) throw std::invalid_argument(program_ + ": unknown flag --" + name + " (try --help)");
      if (flag->is_switch) {
        values_[name] = "1";
      } else {
        if (i + 1 >= argc || argv[i + 1] == nullptr)
          throw std::invalid_argument(program_ + ": flag --" + name + " needs a value (" + flag->help + ")");
        values_[name] = argv[++i];
      }
    }
    return true;
  }

  std::string get(const std::string& name) const {
    const auto it = values_.find(name);
    if (it == values_.end()) throw std::logic_error(program_ + ": flag --" + name + " was not declared");
    return it->second;
  }
  bool is_set(const std::string& name) const { return get(name) == "1"; }

  long long get_int(const std::string& name, long long min, long long max) const {
    const std::string text = get(name);
    if (const auto value = parse_integer(text, min, max)) return *value;
    throw std::invalid_argument(program_ + ": --" + name + " must be an integer in [" + std::to_string(min) + ", " +
                                std::to_string(max) + "], got '" + text + "'");
  }

  double get_double(const std::string& name, double min, double max) const {
    const std::string text = get(name);
    if (const auto value = parse_number(text, min, max)) return *value;
    throw std::invalid_argument(program_ + ": --" + name + " must be a number in [" + std::to_string(min) + ", " +
                                std::to_string(max) + "], got '" + text + "'");
  }

  /// Comma-separated list.
  std::vector<std::string> get_list(const std::string& name) const {
    std::vector<std::string> items;
    std::string text = get(name), item;
    for (char c : text + ",") {
      if (c == ',') {
        if (!item.empty()) items.push_back(item);
        item.clear();
      } else {
        item += c;
      }
    }
    if (items.empty()) throw std::invalid_argument(program_ + ": --" + name + " needs at least one value");
    return items;
  }

  std::string usage() const {
    std::string text = "usage: " + program_ + " [flags]\n" + summary_ + "\n\nflags:\n";
    for (const Flag& f : flags_) {
      text += "  --" + f.name + (f.is_switch ? "" : " <value>");
      text += "\n      " + f.help + (f.is_switch || f.default_value.empty() ? "" : " (default: " + f.default_value + ")") + "\n";
    }
    return text;
  }

private:
  const Flag* find(const std::string& name) const {
    for (const Flag& f : flags_)
      if (f.name == name) return &f;
    return nullptr;
  }

  std::string program_, summary_;
  std::vector<Flag> flags_;
  std::map<std::string, std::string> values_;
};

}  // namespace examples
