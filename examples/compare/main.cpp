// compare: the experiment harness. Runs a grid of spiking-MLP trainings
// (neuron x data set x T x depth x seed x eps mode x sparsity), one CSV row per
// run, resumable; then writes summary.md and the plots.
//
//   compare --preset quick                      # results/quick/{runs,epochs,trace}.csv, summary.md, plots/
//   compare --preset paper --timesteps 1        # any axis or protocol flag overrides the preset
//   compare --preset quick --list               # the runs, and which are done
//
// scripts/compare builds it and passes its arguments; docs/harness.md is the guide.

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "../common/cli.hpp"
#include "../common/datasets.hpp"
#include "../common/snn_trainer.hpp"
#include "grid.hpp"
#include "plots.hpp"
#include "results_csv.hpp"
#include "summary.hpp"

namespace {

using compare::RunSpec;

std::vector<std::string> with_key(const RunSpec& r, std::vector<std::string> tail) {
  auto fields = compare::key_fields(r);
  fields.insert(fields.end(), tail.begin(), tail.end());
  return fields;
}

std::vector<std::string> header_with(std::vector<std::string> tail) {
  auto h = compare::key_columns();
  h.insert(h.end(), tail.begin(), tail.end());
  return h;
}

std::string num(double v) { return std::isnan(v) ? "nan" : compare::number_text(v); }

std::string describe(const RunSpec& r) {
  return r.neuron + " " + r.dataset + " T=" + std::to_string(r.timesteps) + " depth=" + std::to_string(r.depth) +
         " seed=" + std::to_string(r.seed) + " eps=" + r.eps_mode + " lambda=" + r.sparsity;
}

/// Loaded data sets, shared by the runs that use the same one.
class DataCache {
public:
  explicit DataCache(std::string directory) : directory_(std::move(directory)) {}
  const examples::Splits& get(const RunSpec& r) {
    examples::DataOptions o{directory_, r.protocol.encoding == "direct", r.protocol.limit, r.protocol.test_limit,
                            r.dataset == "randman" ? r.seed : 0};
    const std::string key = r.dataset + "/" + std::to_string(o.normalize) + "/" + std::to_string(o.limit) + "/" +
                            std::to_string(o.test_limit) + "/" + std::to_string(o.seed);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, examples::load_splits(r.dataset, o)).first;
    return it->second;
  }

private:
  std::string directory_;
  std::map<std::string, examples::Splits> cache_;
};

/// Trains one run and appends its rows: epochs.csv and trace.csv first, runs.csv last (the commit mark).
void run_one(const RunSpec& r, int threads, DataCache& data, const std::filesystem::path& out) {
  const auto& splits = data.get(r);
  examples::TrainConfig c;
  c.neuron = r.neuron;
  c.hidden = r.protocol.hidden;
  c.layers = r.depth;
  c.timesteps = r.timesteps;
  c.epochs = r.protocol.epochs;
  c.batch = r.protocol.batch;
  c.lr = r.protocol.lr;
  c.seed = r.seed;
  c.encoding = r.protocol.encoding;
  c.sparsity = r.sparsity_lambda();
  c.threads = threads;
  c.fixed_eps = r.fixed_eps();
  c.trace_points = std::max(1, 40 / std::max(1, c.epochs));  // about 40 trace points per run
  examples::Trainer trainer(c, splits.train, splits.test);
  std::vector<std::vector<std::string>> epoch_rows, trace_rows;
  examples::EpochResult last;
  double best_soft = 0, seconds = 0;
  for (int e = 0; e < c.epochs; ++e) {
    last = trainer.epoch(e);
    best_soft = std::max(best_soft, last.test_accuracy_soft);
    seconds += last.seconds;
    epoch_rows.push_back(with_key(r, {std::to_string(e + 1), num(last.train_loss), num(last.test_accuracy_soft),
                                      num(last.test_accuracy_binary), num(last.spike_rate), num(last.spike_rate_binary),
                                      num(last.eps), num(last.tau), num(last.seconds)}));
    for (const auto& p : last.trace) {
      std::vector<std::string> norms;
      for (double g : p.grad_norms) norms.push_back(num(g));
      trace_rows.push_back(with_key(r, {num(p.epoch), num(p.eps), compare::join(norms, ';')}));
    }
  }
  compare::append_rows(out / "epochs.csv",
                       header_with({"epoch", "train_loss", "acc_soft", "acc_binary", "spike_rate", "spike_rate_binary",
                                    "eps", "tau", "seconds"}),
                       epoch_rows);
  compare::append_rows(out / "trace.csv", header_with({"epoch", "eps", "grad_norms"}), trace_rows);
  const double T = static_cast<double>(r.timesteps);
  compare::append_rows(out / "runs.csv", compare::runs_header(),
                       {with_key(r, {num(last.test_accuracy_soft), num(last.test_accuracy_binary), num(best_soft),
                                     num(last.spike_rate), num(last.spike_rate_binary), num(last.spike_rate_binary * T),
                                     num(last.synops), num(seconds / c.epochs), num(last.eps), num(last.tau),
                                     num(last.train_loss)})});
  std::printf("  acc soft %.2f%%  binary %.2f%%  spike rate %.4f  %.2f s/epoch\n", 100 * last.test_accuracy_soft,
              100 * last.test_accuracy_binary, last.spike_rate_binary, seconds / c.epochs);
}

/// Keys of the runs in runs.csv.
std::set<std::string> finished(const compare::Table& runs) {
  std::set<std::string> keys;
  for (const auto& row : runs.rows) {
    std::vector<std::string> fields;
    for (const auto& k : compare::key_columns()) fields.push_back(row[runs.column(k)]);
    keys.insert(compare::join(fields, ','));
  }
  return keys;
}

std::vector<std::string> expand_neurons(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const auto& n : names) {
    const auto group = n == "all" ? compare::all_neurons() : n == "ultra" ? compare::ultra_neurons() : std::vector{n};
    out.insert(out.end(), group.begin(), group.end());
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  examples::CommandLine cli("compare", "Run a grid of spiking-MLP trainings, resumable; write results CSVs, summary.md and plots.");
  cli.option("preset", "quick", "tiny | quick | paper | depth | eps | sparsity")
      .option("out", "", "results directory (default: results/<preset>)")
      .option("neuron", "", "override: neuron names, comma-separated ('all', 'ultra' allowed)")
      .option("dataset", "", "override: fashion,seqfashion,randman")
      .option("timesteps", "", "override: T values (temporal data sets keep their own)")
      .option("depth", "", "override: numbers of hidden layers")
      .option("seeds", "", "override: seeds")
      .option("eps", "", "override: eps modes, 'learned' or a fixed value in [0.1, 20]")
      .option("sparsity", "", "override: spike-rate penalty lambdas")
      .option("epochs", "", "override: epochs")
      .option("limit", "", "override: train on the first N samples (0 = all)")
      .option("test-limit", "", "override: test on the first N samples (0 = all)")
      .option("hidden", "", "override: neurons per hidden layer")
      .option("lr", "", "override: Adam learning rate")
      .option("threads", "2", "worker threads per run")
      .data_option()
      .option("max-runs", "0", "stop after this many new runs (0 = no limit); the rest is resumed by the next call")
      .flag("list", "print the runs of the grid, marking those already done, and exit")
      .flag("summary-only", "rewrite summary.md and the plots from the CSVs, without training");
  try {
    std::string usage;
    if (!cli.parse(argc, argv, &usage)) {
      std::cout << usage;
      return 0;
    }
    const auto all = compare::presets();
    const std::string preset_name = cli.get("preset");
    const auto found = all.find(preset_name);
    if (found == all.end()) {
      std::string names;
      for (const auto& [n, p] : all) names += (names.empty() ? "" : ", ") + n;
      throw std::invalid_argument("compare: unknown --preset '" + preset_name + "'; valid presets: " + names);
    }
    compare::Preset preset = found->second;
    auto override_axis = [&](const char* flag, auto member, bool neurons = false) {
      if (cli.get(flag).empty()) return;
      const auto values = neurons ? expand_neurons(cli.get_list(flag)) : cli.get_list(flag);
      for (auto& g : preset.grids) g.*member = values;
    };
    override_axis("neuron", &compare::Axes::neurons, true);
    override_axis("dataset", &compare::Axes::datasets);
    override_axis("timesteps", &compare::Axes::timesteps);
    override_axis("depth", &compare::Axes::depths);
    override_axis("seeds", &compare::Axes::seeds);
    override_axis("eps", &compare::Axes::eps_modes);
    override_axis("sparsity", &compare::Axes::sparsities);
    compare::Protocol& p = preset.protocol;
    if (!cli.get("epochs").empty()) p.epochs = static_cast<int>(cli.get_int("epochs", 1, 100000));
    if (!cli.get("limit").empty()) p.limit = static_cast<std::size_t>(cli.get_int("limit", 0, 1 << 30));
    if (!cli.get("test-limit").empty()) p.test_limit = static_cast<std::size_t>(cli.get_int("test-limit", 0, 1 << 30));
    if (!cli.get("hidden").empty()) p.hidden = cli.get_int("hidden", 1, 1 << 16);
    if (!cli.get("lr").empty()) p.lr = cli.get_double("lr", 1e-12, 10);
    const int threads = static_cast<int>(cli.get_int("threads", 1, 256));
    const auto max_runs = cli.get_int("max-runs", 0, 1L << 40);
    const std::filesystem::path out = cli.get("out").empty() ? std::filesystem::path("results") / preset_name
                                                             : std::filesystem::path(cli.get("out"));
    std::string command = "compare";
    for (int i = 1; i < argc; ++i) command += std::string(" ") + argv[i];

    const auto runs = compare::expand(preset.grids, preset.protocol);
    std::filesystem::create_directories(out);
    const compare::Table done_table = compare::read_csv(out / "runs.csv");
    const auto done = finished(done_table);
    if (done_table.skipped_lines)
      std::cout << "compare: " << done_table.skipped_lines << " incomplete line(s) in " << (out / "runs.csv").string()
                << " (an interrupted write) are ignored; those runs are done again\n";
    if (cli.is_set("list")) {
      for (const auto& r : runs) std::cout << (done.count(compare::run_key(r)) ? "done  " : "todo  ") << describe(r) << "\n";
      return 0;
    }
    std::size_t pending = 0;
    for (const auto& r : runs) pending += !done.count(compare::run_key(r));
    std::cout << "compare: preset " << preset_name << " (" << preset.description << "): " << runs.size() << " runs, "
              << runs.size() - pending << " already done (skipped), " << pending << " to run; results in " << out.string()
              << "\n";
    if (!cli.is_set("summary-only")) {
      DataCache data(cli.get("data"));
      std::size_t k = 0, ran = 0;
      for (const auto& r : runs) {
        ++k;
        if (done.count(compare::run_key(r))) continue;
        if (max_runs > 0 && ran == static_cast<std::size_t>(max_runs)) {
          std::cout << "compare: stopped after --max-runs " << max_runs << "; run the same command again to go on\n";
          break;
        }
        std::cout << "[" << k << "/" << runs.size() << "] " << describe(r) << std::endl;
        run_one(r, threads, data, out);
        ++ran;
      }
    }
    const compare::Table runs_table = compare::read_csv(out / "runs.csv");
    const compare::Table trace_table = compare::read_csv(out / "trace.csv");
    compare::write_atomically(out / "summary.md",
                              compare::summary_markdown(runs_table, "compare: preset " + preset_name, command));
    std::cout << "compare: wrote " << (out / "summary.md").string() << "\n";
    for (const auto& line : compare::draw_plots(out / "plots", runs_table, trace_table)) std::cout << "  plot " << line << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << error.what() << "\n";
    return 1;
  }
}
