#pragma once
// results/<preset>/summary.md from runs.csv: one table per setting (every key
// but the neuron and the seed), one row per neuron with mean +- std over its
// seeds, the best value per column in bold, the paper's published numbers
// where the setting is the paper's, and, with 3 or more common seeds, the
// paired comparison of the best Ultra neuron with the best baseline.

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "grid.hpp"
#include "results_csv.hpp"

namespace compare {

/// The metric columns of runs.csv, after the key columns.
inline const std::vector<std::string>& metric_columns() {
  static const std::vector<std::string> columns = {
      "acc_soft", "acc_binary", "best_acc_soft", "spike_rate", "spike_rate_binary", "energy", "synops",
      "seconds_per_epoch", "final_eps", "final_tau", "train_loss"};
  return columns;
}

inline std::vector<std::string> runs_header() {
  auto h = key_columns();
  h.insert(h.end(), metric_columns().begin(), metric_columns().end());
  return h;
}

struct Stats {
  double mean = 0, std = 0;
  std::size_t n = 0;
};

/// Mean and sample standard deviation (n - 1); std = 0 for one value. NaNs are left out.
inline Stats stats(const std::vector<double>& values) {
  Stats s;
  for (double v : values)
    if (!std::isnan(v)) {
      s.mean += v;
      ++s.n;
    }
  if (s.n == 0) return {std::nan(""), 0, 0};
  s.mean /= static_cast<double>(s.n);
  if (s.n > 1) {
    double ss = 0;
    for (double v : values)
      if (!std::isnan(v)) ss += (v - s.mean) * (v - s.mean);
    s.std = std::sqrt(ss / static_cast<double>(s.n - 1));
  }
  return s;
}

/// The paper's published Fashion-MNIST accuracy (%) for a neuron in a setting, if any (DESIGN.md).
inline std::optional<std::string> paper_number(const std::map<std::string, std::string>& key, const std::string& neuron) {
  auto is = [&](const char* column, const char* value) { return key.at(column) == value; };
  if (!(is("dataset", "fashion") && is("depth", "1") && is("eps_mode", "learned") && is("sparsity", "0") &&
        is("hidden", "64") && is("encoding", "poisson") && is("limit", "0") && is("test_limit", "0")))
    return std::nullopt;
  if (is("timesteps", "1") && neuron == "ultra-plif") return "83.02";
  if (is("timesteps", "1") && neuron == "dspike") return "82.67 (DSpike+)";
  if (is("timesteps", "10") && neuron == "ultra-plif") return "85.69";
  return std::nullopt;
}

struct Column {
  const char* metric;  ///< column of runs.csv
  const char* title;
  double scale;        ///< shown value = scale * stored value
  int precision;
  bool higher_is_better;
};

inline const std::vector<Column>& summary_columns() {
  static const std::vector<Column> columns = {
      {"acc_soft", "acc soft (%)", 100, 2, true},
      {"acc_binary", "acc binary (%)", 100, 2, true},
      {"spike_rate_binary", "spike rate", 1, 4, false},
      {"energy", "energy (rate x T)", 1, 4, false},
      {"synops", "SynOps/sample", 1, 0, false},
      {"seconds_per_epoch", "s/epoch", 1, 2, false},
  };
  return columns;
}

inline std::string fixed(double v, int precision) {
  if (std::isnan(v)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", precision, v);
  return buffer;
}

inline double to_number(const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    return used == text.size() ? v : std::nan("");
  } catch (const std::exception&) {
    return std::nan("");  // "nan", "" or garbage: not a measurement
  }
}

/// One setting's runs: neuron -> seed -> row.
struct Setting {
  std::map<std::string, std::string> key;  ///< the key columns but neuron and seed
  std::vector<std::string> neurons;         ///< in order of first appearance
  std::map<std::string, std::map<std::string, const std::vector<std::string>*>> rows;
};

inline std::vector<Setting> group_settings(const Table& runs) {
  std::vector<Setting> settings;
  std::map<std::string, std::size_t> index;
  const auto& keys = key_columns();
  for (const auto& row : runs.rows) {
    std::map<std::string, std::string> key;
    std::string id;
    for (const auto& k : keys)
      if (k != "neuron" && k != "seed") {
        key[k] = row[runs.column(k)];
        id += key[k] + ',';
      }
    auto [it, fresh] = index.emplace(id, settings.size());
    if (fresh) settings.push_back({key, {}, {}});
    Setting& s = settings[it->second];
    const std::string& neuron = row[runs.column("neuron")];
    if (!s.rows.count(neuron)) s.neurons.push_back(neuron);
    s.rows[neuron][row[runs.column("seed")]] = &row;  // a re-run of a key: the last row wins
  }
  return settings;
}

inline std::string setting_title(const std::map<std::string, std::string>& k) {
  std::string title = k.at("dataset") + ", T=" + k.at("timesteps") + ", " + k.at("depth") + " hidden layer" +
                      (k.at("depth") == "1" ? "" : "s") + ", eps " + k.at("eps_mode") + ", sparsity lambda " + k.at("sparsity");
  const std::string train = k.at("limit") == "0" ? "all" : k.at("limit");
  const std::string test = k.at("test_limit") == "0" ? "all" : k.at("test_limit");
  return title + " (" + k.at("epochs") + (k.at("epochs") == "1" ? " epoch, " : " epochs, ") + train + " train / " + test + " test samples, hidden " +
         k.at("hidden") + ", batch " + k.at("batch") + ", lr " + k.at("lr") + ", " + k.at("encoding") + ")";
}

/// Values of `metric` of a neuron's runs, by seed.
inline std::map<std::string, double> by_seed(const Table& runs, const Setting& s, const std::string& neuron,
                                             const std::string& metric) {
  std::map<std::string, double> out;
  for (const auto& [seed, row] : s.rows.at(neuron)) out[seed] = to_number((*row)[runs.column(metric)]);
  return out;
}

inline std::vector<double> values_of(const std::map<std::string, double>& m) {
  std::vector<double> v;
  for (const auto& e : m) v.push_back(e.second);
  return v;
}

/// The paired comparison of one metric: best Ultra neuron vs best baseline, on their common seeds.
inline std::string paired_comparison(const Table& runs, const Setting& s, const std::string& metric, const char* label) {
  std::string best_ultra, best_base;
  double ultra_mean = -1, base_mean = -1;
  // Candidates are the neurons run on the most seeds: a neuron with fewer seeds
  // (an unfinished grid) must not displace a complete one from the comparison.
  std::size_t most_seeds = 0;
  for (const auto& n : s.neurons) most_seeds = std::max(most_seeds, s.rows.at(n).size());
  for (const auto& n : s.neurons) {
    if (s.rows.at(n).size() < most_seeds) continue;
    const double m = stats(values_of(by_seed(runs, s, n, metric))).mean;
    if (std::isnan(m)) continue;
    const bool ultra = n.rfind("ultra-", 0) == 0;
    if (ultra && m > ultra_mean) ultra_mean = m, best_ultra = n;
    if (!ultra && m > base_mean) base_mean = m, best_base = n;
  }
  if (best_ultra.empty() || best_base.empty()) return "";
  const auto u = by_seed(runs, s, best_ultra, metric), b = by_seed(runs, s, best_base, metric);
  std::string per_seed;
  int wins = 0, losses = 0, common = 0;
  for (const auto& [seed, value] : u) {
    const auto other = b.find(seed);
    if (other == b.end() || std::isnan(value) || std::isnan(other->second)) continue;
    const double diff = 100 * (value - other->second);
    per_seed += (common ? ", " : "") + std::string(diff > 0 ? "+" : "") + fixed(diff, 2) + " (seed " + seed + ")";
    ++common;
    wins += diff > 0;
    losses += diff < 0;
  }
  if (common < 3)
    return "- " + std::string(label) + ": " + std::to_string(common) +
           " common seed(s); a paired comparison needs 3 or more.\n";
  std::string verdict = wins == common     ? "**" + best_ultra + " wins on every seed**"
                        : losses == common ? "**" + best_base + " wins on every seed**"
                                           : "no win on every seed: no claim";
  return "- " + std::string(label) + ", best Ultra `" + best_ultra + "` minus best baseline `" + best_base +
         "` (points): " + per_seed + ". " + verdict + ".\n";
}

/// The Markdown summary of a runs table.
inline std::string summary_markdown(const Table& runs, const std::string& title, const std::string& command) {
  std::string md = "# " + title + "\n\n";
  md += "Generated by `" + command + "` from runs.csv (" + std::to_string(runs.rows.size()) + " runs";
  if (runs.skipped_lines) md += ", " + std::to_string(runs.skipped_lines) + " incomplete line(s) skipped";
  md += "). Mean +- sample standard deviation over seeds; the best value of each column is bold. Accuracy is the "
        "test accuracy after the last epoch, with soft spikes and with binary (Heaviside) spikes; spike rate, energy "
        "(spike rate x T) and SynOps (input events and spikes times their fan-out, per sample) are measured with "
        "binary spikes; s/epoch is the training time of one epoch.\n";
  for (const Setting& s : group_settings(runs)) {
    md += "\n## " + setting_title(s.key) + "\n\n";
    bool any_paper = false;
    for (const auto& n : s.neurons) any_paper = any_paper || paper_number(s.key, n).has_value();
    md += "| neuron | seeds |";
    for (const auto& c : summary_columns()) md += std::string(" ") + c.title + " |";
    if (any_paper) md += " paper acc (%, 100 epochs) |";
    md += "\n|---|---|";
    for (std::size_t i = 0; i < summary_columns().size() + (any_paper ? 1 : 0); ++i) md += "---|";
    md += "\n";
    // The best mean of each column (compared as shown, so that ties in the table tie in bold).
    std::vector<std::string> best(summary_columns().size());
    std::vector<double> best_value(summary_columns().size(), std::nan(""));
    for (std::size_t c = 0; c < summary_columns().size(); ++c) {
      const Column& col = summary_columns()[c];
      for (const auto& n : s.neurons) {
        const double m = stats(values_of(by_seed(runs, s, n, col.metric))).mean * col.scale;
        if (std::isnan(m)) continue;
        const double shown = to_number(fixed(m, col.precision));
        if (std::isnan(best_value[c]) || (col.higher_is_better ? shown > best_value[c] : shown < best_value[c]))
          best_value[c] = shown;
      }
    }
    for (const auto& n : s.neurons) {
      md += "| " + n + " | " + std::to_string(s.rows.at(n).size()) + " |";
      for (std::size_t c = 0; c < summary_columns().size(); ++c) {
        const Column& col = summary_columns()[c];
        const Stats st = stats(values_of(by_seed(runs, s, n, col.metric)));
        std::string mean = fixed(st.mean * col.scale, col.precision);
        if (s.neurons.size() > 1 && !std::isnan(st.mean) && to_number(mean) == best_value[c]) mean = "**" + mean + "**";
        md += " " + mean + (st.n > 1 ? " +- " + fixed(st.std * col.scale, col.precision) : "") + " |";
      }
      if (any_paper) md += " " + paper_number(s.key, n).value_or("-") + " |";
      md += "\n";
    }
    const std::string soft = paired_comparison(runs, s, "acc_soft", "Soft-spike accuracy");
    const std::string binary = paired_comparison(runs, s, "acc_binary", "Binary-spike accuracy");
    if (!soft.empty() || !binary.empty()) md += "\n" + soft + binary;
  }
  return md;
}

}  // namespace compare
