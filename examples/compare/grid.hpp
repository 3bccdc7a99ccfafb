#pragma once
// The experiment grid of `compare`: a run is one training of one neuron model
// in one setting with one seed; a preset is a list of sub-grids (each the
// Cartesian product of its axes) sharing one training protocol.

#include <tropigrad/nn/neurons.hpp>

#include "../common/cli.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace compare {

/// The training protocol shared by every run of a preset.
struct Protocol {
  int epochs = 1;
  std::size_t limit = 0, test_limit = 0;  ///< first N train / test samples (0 = all)
  long hidden = 64;
  int batch = 128;
  double lr = 1e-3;
  std::string encoding = "poisson";
};

/// One run: everything that determines its result (its key) and nothing else.
struct RunSpec {
  std::string neuron, dataset;
  long timesteps = 1;
  int depth = 1;
  std::uint64_t seed = 1;
  std::string eps_mode = "learned";  ///< learned, or the fixed value ("0.5", "1", "2")
  std::string sparsity = "0";        ///< kept as text: it is part of the key
  Protocol protocol;

  bool ultra() const { return neuron.rfind("ultra-", 0) == 0; }
  double fixed_eps() const { return eps_mode == "learned" ? 0.0 : std::stod(eps_mode); }
  double sparsity_lambda() const { return std::stod(sparsity); }
};

/// The key columns of a run, in CSV order (the harness's results files start with them).
inline const std::vector<std::string>& key_columns() {
  static const std::vector<std::string> columns = {"neuron", "dataset",  "timesteps", "depth", "seed",
                                                   "eps_mode", "sparsity", "epochs", "limit", "test_limit",
                                                   "hidden", "batch",    "lr",        "encoding"};
  return columns;
}

inline std::string number_text(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

inline std::vector<std::string> key_fields(const RunSpec& r) {
  const Protocol& p = r.protocol;
  return {r.neuron,
          r.dataset,
          std::to_string(r.timesteps),
          std::to_string(r.depth),
          std::to_string(r.seed),
          r.eps_mode,
          r.sparsity,
          std::to_string(p.epochs),
          std::to_string(p.limit),
          std::to_string(p.test_limit),
          std::to_string(p.hidden),
          std::to_string(p.batch),
          number_text(p.lr),
          p.encoding};
}

inline std::string join(const std::vector<std::string>& fields, char separator) {
  std::string out;
  for (std::size_t i = 0; i < fields.size(); ++i) out += (i ? std::string(1, separator) : "") + fields[i];
  return out;
}

inline std::string run_key(const RunSpec& r) { return join(key_fields(r), ','); }

/// The axes of a sub-grid. Values are text, as on the command line.
struct Axes {
  std::vector<std::string> neurons, datasets, timesteps, depths, seeds, eps_modes, sparsities;
};

struct Preset {
  std::string name, description;
  Protocol protocol;
  std::vector<Axes> grids;
};

inline std::vector<std::string> all_neurons() { return tropigrad::nn::neuron_names(); }

inline std::vector<std::string> ultra_neurons() {
  std::vector<std::string> out;
  for (const auto& n : all_neurons())
    if (n.rfind("ultra-", 0) == 0) out.push_back(n);
  return out;
}

/// The named presets (see docs/harness.md for what each is for).
inline std::map<std::string, Preset> presets() {
  std::map<std::string, Preset> p;
  const std::vector<std::string> seeds3 = {"1", "2", "3"};
  const std::vector<std::string> ablation_neurons = {"ultra-lif", "ultra-plif", "lif-fast-sigmoid", "plif-fast-sigmoid",
                                                     "sigmoid-lif", "dspike"};
  p["tiny"] = {"tiny",
               "the test suite's grid: 2 neurons, 1 seed, 1 epoch on 500 samples",
               {1, 500, 500, 64, 128, 1e-3, "poisson"},
               {{{"ultra-plif", "lif-fast-sigmoid"}, {"fashion"}, {"1"}, {"1"}, {"1"}, {"learned"}, {"0"}}}};
  p["quick"] = {"quick",
                "every neuron on every data set and a slice of each ablation, 4 epochs on 10000 samples "
                "(scripts/demo --full; under 10 minutes on 2 cores)",
                {4, 10000, 5000, 64, 128, 2e-3, "poisson"},
                {{all_neurons(), {"fashion", "randman", "seqfashion"}, {"1"}, {"1"}, seeds3, {"learned"}, {"0"}},
                 {{"ultra-plif", "lif-fast-sigmoid"}, {"fashion"}, {"5", "10"}, {"1"}, seeds3, {"learned"}, {"0"}},
                 {{"ultra-lif", "lif-fast-sigmoid"}, {"fashion"}, {"1"}, {"2", "3"}, seeds3, {"learned"}, {"0"}},
                 {{"ultra-plif"}, {"fashion"}, {"1"}, {"1"}, seeds3, {"0.5", "1", "2"}, {"0"}},
                 {{"ultra-plif", "lif-fast-sigmoid"}, {"fashion"}, {"1"}, {"1"}, seeds3, {"learned"}, {"0.01", "0.1"}}}};
  p["paper"] = {"paper",
                "the paper's protocol: Fashion-MNIST 784-64-10, 100 epochs, Adam 1e-3 cosine, batch 128, Poisson gain 0.5",
                {100, 0, 0, 64, 128, 1e-3, "poisson"},
                {{all_neurons(), {"fashion"}, {"1", "10"}, {"1"}, seeds3, {"learned"}, {"0"}}}};
  p["depth"] = {"depth",
                "the depth ablation: 1, 2, 3 hidden layers, 20 epochs",
                {20, 0, 0, 64, 128, 1e-3, "poisson"},
                {{ablation_neurons, {"fashion"}, {"1"}, {"1", "2", "3"}, seeds3, {"learned"}, {"0"}}}};
  p["eps"] = {"eps",
              "the eps ablation: learned against fixed 0.5, 1, 2, 20 epochs",
              {20, 0, 0, 64, 128, 1e-3, "poisson"},
              {{ultra_neurons(), {"fashion"}, {"1"}, {"1"}, seeds3, {"learned", "0.5", "1", "2"}, {"0"}}}};
  p["sparsity"] = {"sparsity",
                   "the sparsity ablation: spike-rate penalty lambda 0, 0.01, 0.1, 20 epochs",
                   {20, 0, 0, 64, 128, 1e-3, "poisson"},
                   {{ablation_neurons, {"fashion"}, {"1"}, {"1"}, seeds3, {"learned"}, {"0", "0.01", "0.1"}}}};
  return p;
}

/// The time steps a data set imposes (temporal data sets set their own T).
inline long dataset_timesteps(const std::string& dataset, long requested) {
  if (dataset == "randman") return 50;
  if (dataset == "seqfashion") return 28;
  return requested;
}

inline long parse_long(const std::string& axis, const std::string& text, long min, long max) {
  if (const auto value = examples::parse_integer(text, min, max)) return static_cast<long>(*value);
  throw std::invalid_argument("compare: --" + axis + " values must be integers in [" + std::to_string(min) + ", " +
                              std::to_string(max) + "], got '" + text + "'");
}

inline double parse_double(const std::string& axis, const std::string& text, double min, double max) {
  if (const auto value = examples::parse_number(text, min, max)) return *value;
  throw std::invalid_argument("compare: --" + axis + " values must be numbers in [" + number_text(min) + ", " +
                              number_text(max) + "], got '" + text + "'");
}

/// Every run of the grids, in order, without duplicates. Combinations that do
/// not exist are left out: a fixed eps for a neuron without eps, and T other
/// than the data set's own for temporal data. Bad axis values throw.
inline std::vector<RunSpec> expand(const std::vector<Axes>& grids, const Protocol& protocol) {
  std::vector<RunSpec> runs;
  std::set<std::string> seen;
  const auto names = all_neurons();
  for (const Axes& g : grids) {
    for (const auto& neuron : g.neurons) {
      if (std::find(names.begin(), names.end(), neuron) == names.end())
        throw std::invalid_argument("compare: unknown neuron '" + neuron + "'; valid names: " + join(names, ' '));
      for (const auto& dataset : g.datasets) {
        if (dataset != "fashion" && dataset != "seqfashion" && dataset != "randman")
          throw std::invalid_argument("compare: --dataset values must be fashion, seqfashion or randman, got '" +
                                      dataset + "'");
        for (const auto& t : g.timesteps)
          for (const auto& d : g.depths)
            for (const auto& s : g.seeds)
              for (const auto& eps : g.eps_modes)
                for (const auto& lambda : g.sparsities) {
                  RunSpec r;
                  r.neuron = neuron;
                  r.dataset = dataset;
                  r.timesteps = dataset_timesteps(dataset, parse_long("timesteps", t, 1, 1000));
                  r.depth = static_cast<int>(parse_long("depth", d, 1, 16));
                  r.seed = static_cast<std::uint64_t>(parse_long("seeds", s, 0, 1L << 40));
                  if (eps != "learned") parse_double("eps", eps, 0.1, 20);  // the Ultra layers clamp eps to [0.1, 20]
                  r.eps_mode = eps;
                  parse_double("sparsity", lambda, 0, 1e6);
                  r.sparsity = lambda;
                  r.protocol = protocol;
                  if (eps != "learned" && !r.ultra()) continue;
                  if (seen.insert(run_key(r)).second) runs.push_back(r);
                }
      }
    }
  }
  return runs;
}

}  // namespace compare
