#pragma once
// The plots of `compare`, drawn by gnuplot into <out>/plots/: for each plot a
// .dat file (one block per series), a .gp script and, when gnuplot is
// installed (Debian gnuplot-nox), the .png. Without gnuplot the data and
// scripts are still written and a message says how to get the pictures.
//
//   acc_vs_timesteps   test accuracy against T, per neuron
//   acc_vs_depth       test accuracy against the number of hidden layers
//   eps_over_training  the learned eps of the Ultra neurons during training
//   acc_vs_spike_rate  accuracy against binary spike rate, sparsity sweep
//   grad_norms_depth3  per-layer weight-gradient norms over training, 3 hidden layers

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "results_csv.hpp"
#include "summary.hpp"

namespace compare {

struct Point {
  double x, y, err;
  std::string label;
};
struct Series {
  std::string title;
  std::vector<Point> points;
};

struct PlotSpec {
  std::string name, title, xlabel, ylabel;
  std::string style;  ///< "yerrorlines", "lines" or "labelled"
  bool log_y;
  std::string extra;  ///< more gnuplot commands before `plot`
};

inline PlotSpec plot_spec(std::string name, std::string title, std::string xlabel, std::string ylabel,
                          std::string style = "yerrorlines", bool log_y = false, std::string extra = "") {
  return {std::move(name), std::move(title), std::move(xlabel), std::move(ylabel), std::move(style), log_y, std::move(extra)};
}

/// The gnuplot to use: $TROPIGRAD_GNUPLOT if set (empty = none), else `gnuplot` on PATH.
inline std::string find_gnuplot() {
  if (const char* forced = std::getenv("TROPIGRAD_GNUPLOT")) {
    std::error_code ec;
    return *forced != '\0' && std::filesystem::exists(forced, ec) ? forced : "";
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    std::error_code ec;
    const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / "gnuplot";
    if (std::filesystem::exists(candidate, ec)) return candidate.string();
  }
  return "";
}

inline std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

inline std::string shell_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// Writes <dir>/<name>.dat and .gp; returns false (writing nothing) without data.
inline bool write_plot(const std::filesystem::path& dir, const PlotSpec& spec, const std::vector<Series>& series) {
  std::size_t points = 0;
  for (const auto& s : series) points += s.points.size();
  if (series.empty() || points == 0) return false;
  std::ostringstream dat, gp;
  for (std::size_t i = 0; i < series.size(); ++i) {
    dat << "# " << series[i].title << "\n";
    for (const auto& p : series[i].points) dat << p.x << ' ' << p.y << ' ' << p.err << ' ' << (p.label.empty() ? "-" : p.label) << "\n";
    dat << "\n\n";
  }
  gp << "# gnuplot " << spec.name << ".gp (written by compare; run it in this directory)\n"
     << "set terminal pngcairo size 900,540 enhanced font 'sans,10'\n"
     << "set output " << quoted(spec.name + ".png") << "\n"
     << "set title " << quoted(spec.title) << "\n"
     << "set xlabel " << quoted(spec.xlabel) << "\nset ylabel " << quoted(spec.ylabel) << "\n"
     << "set key outside right top\nset grid\n";
  if (spec.log_y) gp << "set logscale y\n";
  gp << spec.extra;
  gp << "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const std::string source = (i == 0 ? quoted(spec.name + ".dat") : std::string("''")) + " index " + std::to_string(i);
    if (i) gp << ", \\\n     ";
    if (spec.style == "lines") {
      gp << source << " using 1:2 with lines lw 2 title " << quoted(series[i].title);
    } else if (spec.style == "labelled") {
      gp << source << " using 1:2 with linespoints pt 7 title " << quoted(series[i].title) << ", \\\n     " << source
         << " using 1:2:4 with labels offset 1.2,0.6 notitle";
    } else {
      gp << source << " using 1:2:3 with yerrorlines pt 7 title " << quoted(series[i].title);
    }
  }
  gp << "\n";
  write_atomically(dir / (spec.name + ".dat"), dat.str());
  write_atomically(dir / (spec.name + ".gp"), gp.str());
  return true;
}

/// The runs of one protocol (the first row's) matching `fixed` key values.
inline std::vector<const std::vector<std::string>*> select(const Table& t, const std::map<std::string, std::string>& fixed) {
  std::vector<const std::vector<std::string>*> out;
  if (t.rows.empty()) return out;
  std::map<std::string, std::string> want = fixed;
  for (const char* k : {"epochs", "limit", "test_limit", "hidden", "batch", "lr", "encoding"})
    want.emplace(k, t.rows.front()[t.column(k)]);
  for (const auto& row : t.rows) {
    bool ok = true;
    for (const auto& [k, v] : want) ok = ok && row[t.column(k)] == v;
    if (ok) out.push_back(&row);
  }
  return out;
}

/// Rows grouped by neuron (neurons in first-seen order), then by key(row):
/// the values value(row) of each group (a row whose value is empty is skipped).
template <class Key, class Value>
struct ByNeuron {
  std::vector<std::string> order;
  std::map<std::string, std::map<Key, std::vector<Value>>> groups;
};
template <class Key, class Value, class KeyOf, class ValueOf>
ByNeuron<Key, Value> group_by_neuron(const Table& t, const std::vector<const std::vector<std::string>*>& rows,
                                     KeyOf key_of, ValueOf value_of) {
  ByNeuron<Key, Value> out;
  for (const auto* row : rows) {
    const std::optional<Value> v = value_of(*row);
    if (!v) continue;
    const std::string& n = (*row)[t.column("neuron")];
    if (!out.groups.count(n)) out.order.push_back(n);
    out.groups[n][key_of(*row)].push_back(*v);
  }
  return out;
}

/// Series per neuron of mean +- std of `metric` against the key column `axis`, over seeds.
inline std::vector<Series> metric_against(const Table& runs, const std::vector<const std::vector<std::string>*>& rows,
                                          const std::string& axis, const std::string& metric, double scale) {
  const auto by = group_by_neuron<double, double>(
      runs, rows, [&](const auto& row) { return to_number(row[runs.column(axis)]); },
      [&](const auto& row) { return std::optional<double>(scale * to_number(row[runs.column(metric)])); });
  std::vector<Series> out;
  for (const auto& n : by.order) {
    const auto& values = by.groups.at(n);
    if (values.size() < 2) continue;  // a line needs two x values
    Series s{n, {}};
    for (const auto& [x, v] : values) {
      const Stats st = stats(v);
      s.points.push_back({x, st.mean, st.std, ""});
    }
    out.push_back(std::move(s));
  }
  return out;
}

/// Trace series (mean over seeds at each trace point) of the rows of `trace` matching `fixed`.
/// `layer` < 0: the eps column; otherwise grad_norms entry `layer`.
inline std::vector<Series> trace_series(const Table& trace, const std::map<std::string, std::string>& fixed, int layer,
                                        const std::string& suffix, bool ultra_only) {
  const auto value_of = [&](const auto& row) -> std::optional<double> {
    if (ultra_only && row[trace.column("neuron")].rfind("ultra-", 0) != 0) return std::nullopt;
    double v = 0;
    if (layer < 0) {
      v = to_number(row[trace.column("eps")]);
    } else {
      std::stringstream norms(row[trace.column("grad_norms")]);
      std::string item;
      for (int k = 0; k <= layer && std::getline(norms, item, ';'); ++k) v = to_number(item);
    }
    if (std::isnan(v)) return std::nullopt;
    return v;
  };
  const auto by = group_by_neuron<double, double>(
      trace, select(trace, fixed), [&](const auto& row) { return to_number(row[trace.column("epoch")]); }, value_of);
  std::vector<Series> out;
  for (const auto& n : by.order) {
    Series s{n + suffix, {}};
    for (const auto& [x, v] : by.groups.at(n)) s.points.push_back({x, stats(v).mean, 0, ""});
    out.push_back(std::move(s));
  }
  return out;
}

/// Writes every plot the tables have data for; runs gnuplot if present. Returns a report line per plot.
inline std::vector<std::string> draw_plots(const std::filesystem::path& dir, const Table& runs, const Table& trace) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  const std::map<std::string, std::string> base = {{"dataset", "fashion"}, {"eps_mode", "learned"}, {"sparsity", "0"}};
  auto with = [&](std::map<std::string, std::string> m, const std::map<std::string, std::string>& more) {
    for (const auto& [k, v] : more) m[k] = v;
    return m;
  };
  const char* acc_label = "test accuracy, soft spikes (%)";
  if (write_plot(dir, plot_spec("acc_vs_timesteps", "Fashion-MNIST: accuracy against time steps", "time steps T", acc_label),
                 metric_against(runs, select(runs, with(base, {{"depth", "1"}})), "timesteps", "acc_soft", 100)))
    written.push_back("acc_vs_timesteps");
  if (write_plot(dir, plot_spec("acc_vs_depth", "Fashion-MNIST: accuracy against depth", "hidden layers", acc_label,
                                     "yerrorlines", false, "set xtics 1\n"),
                 metric_against(runs, select(runs, with(base, {{"timesteps", "1"}})), "depth", "acc_soft", 100)))
    written.push_back("acc_vs_depth");
  if (write_plot(dir, plot_spec("eps_over_training", "Learned eps during training (first hidden layer, mean over seeds)",
                                     "epoch", "eps", "lines"),
                 trace_series(trace, with(base, {{"timesteps", "1"}, {"depth", "1"}}), -1, "", true)))
    written.push_back("eps_over_training");
  {
    // Accuracy against spike rate: one point per sparsity lambda, labelled with it.
    std::map<std::string, std::string> f = {{"dataset", "fashion"}, {"eps_mode", "learned"}, {"timesteps", "1"}, {"depth", "1"}};
    const auto by = group_by_neuron<std::string, std::pair<double, double>>(
        runs, select(runs, f), [&](const auto& row) { return row[runs.column("sparsity")]; },
        [&](const auto& row) {
          return std::optional<std::pair<double, double>>(
              {to_number(row[runs.column("spike_rate_binary")]), 100 * to_number(row[runs.column("acc_soft")])});
        });
    std::vector<Series> series;
    for (const auto& n : by.order) {
      const auto& cells = by.groups.at(n);
      if (cells.size() < 2) continue;
      Series s{n, {}};
      for (const auto& [lambda, points] : cells) {
        std::vector<double> rate, acc;
        for (const auto& [r, a] : points) {
          rate.push_back(r);
          acc.push_back(a);
        }
        s.points.push_back({stats(rate).mean, stats(acc).mean, 0, "λ=" + lambda});
      }
      std::sort(s.points.begin(), s.points.end(), [](const Point& a, const Point& b) { return a.x < b.x; });
      series.push_back(std::move(s));
    }
    if (write_plot(dir, plot_spec("acc_vs_spike_rate", "Sparsity sweep: accuracy against binary spike rate",
                                       "spike rate (binary)", acc_label, "labelled"),
                   series))
      written.push_back("acc_vs_spike_rate");
  }
  {
    std::vector<Series> series;
    for (int layer = 0; layer < 4; ++layer) {
      const std::string name = layer < 3 ? " layer " + std::to_string(layer + 1) : " readout";
      for (auto& s : trace_series(trace, with(base, {{"timesteps", "1"}, {"depth", "3"}}), layer, name, false))
        series.push_back(std::move(s));
    }
    if (write_plot(dir, plot_spec("grad_norms_depth3",
                                       "Weight-gradient norm per layer, 3 hidden layers (mean over seeds; a zero norm has no point on the log scale)",
                                       "epoch", "||grad W|| (Frobenius)", "lines", true),
                   series))
      written.push_back("grad_norms_depth3");
  }
  std::vector<std::string> report;
  const std::string gnuplot = find_gnuplot();
  for (const auto& name : written) {
    if (gnuplot.empty()) {
      report.push_back(name + ": data and script written; no gnuplot, so no PNG (apt-get install gnuplot-nox, then run "
                              "`gnuplot " + name + ".gp` in " + dir.string() + ")");
      continue;
    }
    const std::string command =
        "cd " + shell_quoted(dir.string()) + " && " + shell_quoted(gnuplot) + " " + shell_quoted(name + ".gp") + " 2>&1";
    const int status = std::system(command.c_str());
    report.push_back(name + (status == 0 ? ": " + (dir / (name + ".png")).string()
                                         : ": gnuplot failed (status " + std::to_string(status) + ") on " + name + ".gp"));
  }
  return report;
}

}  // namespace compare
