// train_snn: train spiking MLPs (the UltraLIF family and surrogate-gradient
// baselines) on Fashion-MNIST or Randman, and compare them side by side.
//
//   train_snn --neuron ultra-plif,lif-fast-sigmoid --epochs 1 --timesteps 1
//
// Each epoch prints train loss, test accuracy with soft and with binary
// spikes, spike rate, the learned eps and tau, and samples/s.

#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "../common/cli.hpp"
#include "../common/datasets.hpp"
#include "../common/snn_trainer.hpp"

namespace {

std::string format(double value, int precision = 4) {
  if (std::isnan(value)) return "-";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", precision, value);
  return buffer;
}

void append_csv(const std::string& path, const examples::TrainConfig& c, const std::string& dataset,
                const examples::EpochResult& r) {
  const bool fresh = !std::filesystem::exists(path);
  std::ofstream out(path, std::ios::app);
  if (!out) throw std::runtime_error("train_snn: cannot write --csv file '" + path + "'");
  if (fresh)
    out << "neuron,dataset,hidden,layers,timesteps,batch,lr,seed,encoding,sparsity,threads,epoch,train_loss,"
           "test_acc_soft,test_acc_binary,spike_rate,eps,tau,samples_per_s,seconds\n";
  out << c.neuron << ',' << dataset << ',' << c.hidden << ',' << c.layers << ',' << c.timesteps << ',' << c.batch << ','
      << c.lr << ',' << c.seed << ',' << c.encoding << ',' << c.sparsity << ',' << c.threads << ',' << r.epoch << ','
      << r.train_loss << ',' << r.test_accuracy_soft << ',' << r.test_accuracy_binary << ',' << r.spike_rate << ','
      << r.eps << ',' << r.tau << ',' << r.samples_per_second << ',' << r.seconds << '\n';
}

struct Summary {
  std::string neuron;
  examples::EpochResult last;
  double best_soft = 0, best_binary = 0;
};

}  // namespace

int main(int argc, char** argv) {
  namespace tg = tropigrad;
  examples::CommandLine cli("train_snn", "Train spiking MLPs (fc -> neuron -> ... -> fc, logits = mean over T).");
  cli.option("neuron", "ultra-plif", "neuron model(s), comma-separated; run with --neuron help for the list")
      .option("hidden", "64", "neurons per hidden layer")
      .option("layers", "1", "hidden layers")
      .option("timesteps", "1", "time steps T (temporal data sets set their own)")
      .option("epochs", "1", "training epochs")
      .option("batch", "128", "mini-batch size")
      .option("lr", "0.001", "Adam learning rate (cosine schedule over the epochs)")
      .option("seed", "42", "seed of weights, batches and spike encoding")
      .option("encoding", "poisson", "poisson | direct | latency")
      .option("gain", "0.5", "Poisson rate-coding gain")
      .option("sparsity", "0", "lambda of the spike-rate penalty")
      .option("dataset", "fashion", examples::dataset_names())
      .data_option()
      .option("limit", "0", "train on the first N samples only (0 = all)")
      .option("test-limit", "0", "evaluate on the first N test samples only (0 = all)")
      .option("threads", "1", "worker threads; the batch is split across them")
      .option("csv", "", "append one row per epoch to this CSV file")
      .option("save", "", "save the model after each epoch (atomic) to this path; with several neurons, <path>.<neuron>");
  try {
    std::string usage;
    if (!cli.parse(argc, argv, &usage)) {
      std::cout << usage;
      return 0;
    }
    if (cli.get("neuron") == "help") {
      for (const auto& n : tg::nn::neuron_names()) std::cout << n << "\n";
      return 0;
    }
    examples::TrainConfig base;
    base.hidden = cli.get_int("hidden", 1, 1 << 16);
    base.layers = static_cast<int>(cli.get_int("layers", 1, 16));
    base.timesteps = cli.get_int("timesteps", 1, 1000);
    base.epochs = static_cast<int>(cli.get_int("epochs", 1, 100000));
    base.batch = static_cast<int>(cli.get_int("batch", 1, 1 << 20));
    base.lr = cli.get_double("lr", 1e-12, 10);
    base.seed = static_cast<std::uint64_t>(cli.get_int("seed", 0, std::numeric_limits<long long>::max()));
    base.encoding = cli.get("encoding");
    if (base.encoding != "poisson" && base.encoding != "direct" && base.encoding != "latency")
      throw std::invalid_argument("train_snn: --encoding must be poisson, direct or latency, got '" + base.encoding + "'");
    base.gain = cli.get_double("gain", 0, 1);
    base.sparsity = cli.get_double("sparsity", 0, 1e6);
    base.threads = static_cast<int>(cli.get_int("threads", 1, 256));
    const auto neurons = cli.get_list("neuron");
    for (const auto& n : neurons) (void)tg::nn::make_neuron<float>(n, 1);  // fail early on a bad name
    const std::string dataset = cli.get("dataset");
    const auto limit = static_cast<std::size_t>(cli.get_int("limit", 0, 1 << 30));
    const auto test_limit = static_cast<std::size_t>(cli.get_int("test-limit", 0, 1 << 30));

    examples::DataOptions data_options{cli.get("data"), base.encoding == "direct", limit, test_limit, base.seed};
    auto [train, test] = examples::load_splits(dataset, data_options);

    const bool tty = ::isatty(STDOUT_FILENO) != 0;
    std::vector<Summary> summaries;
    for (const auto& neuron : neurons) {
      examples::TrainConfig config = base;
      config.neuron = neuron;
      examples::Trainer trainer(config, train, test);
      std::cout << "== " << neuron << ": " << dataset << ", " << train.channels() << "-" << config.hidden << "x"
                << config.layers << "-" << train.classes << ", T=" << (train.time_steps > 1 ? train.time_steps : config.timesteps)
                << ", " << train.size() << " training samples, " << config.threads << " thread(s)\n";
      Summary summary{neuron, {}, 0, 0};
      for (int e = 0; e < config.epochs; ++e) {
        const auto result = trainer.epoch(e, [&](std::size_t done, std::size_t total, double seconds) {
          if (!tty) return;
          const double rate = static_cast<double>(done) / seconds;
          std::printf("\r  epoch %d  %zu/%zu  %.0f samples/s  ETA %.0fs   ", e + 1, done, total, rate,
                      static_cast<double>(total - done) / rate);
          std::fflush(stdout);
        });
        if (tty) std::printf("\r%70s\r", "");
        std::cout << "  epoch " << e + 1 << "  loss " << format(result.train_loss) << "  test acc soft "
                  << format(100 * result.test_accuracy_soft, 2) << "%  binary " << format(100 * result.test_accuracy_binary, 2)
                  << "%  spike rate " << format(result.spike_rate) << "  eps " << format(result.eps, 3) << "  tau "
                  << format(result.tau, 3) << "  " << format(result.samples_per_second, 0) << " samples/s" << std::endl;
        if (!cli.get("csv").empty()) append_csv(cli.get("csv"), config, dataset, result);
        if (!cli.get("save").empty())
          trainer.model().save(neurons.size() == 1 ? cli.get("save") : cli.get("save") + "." + neuron);
        summary.last = result;
        summary.best_soft = std::max(summary.best_soft, result.test_accuracy_soft);
        summary.best_binary = std::max(summary.best_binary, result.test_accuracy_binary);
      }
      summaries.push_back(summary);
    }
    if (summaries.size() > 1) {
      std::printf("\n%-22s %10s %10s %11s %12s\n", "neuron", "acc soft", "acc binary", "spike rate", "samples/s");
      for (const auto& s : summaries)
        std::printf("%-22s %9.2f%% %9.2f%% %11.4f %12.0f\n", s.neuron.c_str(), 100 * s.best_soft, 100 * s.best_binary,
                    s.last.spike_rate, s.last.samples_per_second);
    }
    // Read by tests/train_snn_memory.sh: the tape arena must not grow with the epochs.
    rusage usage_stats{};
    getrusage(RUSAGE_SELF, &usage_stats);
    std::printf("peak RSS: %ld KiB\n", usage_stats.ru_maxrss);
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "train_snn: " << error.what() << "\n";
    return 1;
  }
}
