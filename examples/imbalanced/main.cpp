// imbalanced: optimise the metric you report. Fashion-MNIST one-vs-rest "is it
// a shirt?" (class 6, the hardest class) at its natural 10% positive rate and
// at 1% (positives subsampled in training; the test set untouched). The same
// MLP (784-128-1, Adam) is trained with BCE, weighted BCE, focal loss and the
// AnyLoss metric losses (F1, G-mean, balanced accuracy, MCC); the table gives
// test F1, balanced accuracy, MCC, precision and recall, mean ± std over seeds.
//
//   imbalanced                                   # the full table
//   imbalanced --epochs 1 --seeds 1 --subset 5000 --test-subset 2000   # seconds
//   imbalanced --snn                             # an UltraLIF SNN instead of the MLP
//   imbalanced --multiclass                      # 10 classes: cross-entropy vs macro-F1 loss

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "../common/cli.hpp"
#include "experiment.hpp"

namespace {

namespace tg = tropigrad;

struct Stat {
  std::vector<double> values;
  std::string text() const {
    double mean = 0, var = 0;
    for (double v : values) mean += v;
    mean /= static_cast<double>(values.size());
    for (double v : values) var += (v - mean) * (v - mean);
    const double std = values.size() > 1 ? std::sqrt(var / static_cast<double>(values.size() - 1)) : 0.0;
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.3f ± %.3f", mean, std);
    return buffer;
  }
};

std::string pretty(const std::string& loss) {
  if (loss == "bce") return "BCE";
  if (loss == "wbce") return "weighted BCE";
  if (loss == "focal") return "focal (γ=2, α=0.25)";
  if (loss == "f1") return "AnyLoss-F1";
  if (loss == "gmean") return "AnyLoss-G-mean";
  if (loss == "balacc") return "AnyLoss-BalAcc";
  if (loss == "mcc") return "AnyLoss-MCC";
  if (loss == "ce") return "cross-entropy";
  if (loss == "macro-f1") return "AnyLoss macro-F1";
  return loss;
}

double seconds_since(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  examples::CommandLine cli("imbalanced", "Metric losses (AnyLoss) vs BCE / weighted BCE / focal on imbalanced Fashion-MNIST.");
  cli.option("epochs", "3", "training epochs per run")
      .option("seeds", "3", "seeds per configuration (mean ± std over them)")
      .option("seed", "1", "first seed")
      .option("losses", "", "comma-separated losses (default: bce,wbce,focal,f1,gmean,balacc,mcc; --multiclass: ce,macro-f1)")
      .option("rates", "0.10,0.01", "training positive rates; the natural rate of class 6 is 0.10")
      .option("class", "6", "the positive class (6 = shirt)")
      .option("hidden", "128", "hidden units")
      .option("batch", "256", "mini-batch size")
      .option("lr", "0.001", "Adam learning rate")
      .option("amplification", "73", "AnyLoss L, or none (plain probabilities in the soft confusion matrix)")
      .option("subset", "0", "use the first N training images only (0 = all 60000)")
      .option("test-subset", "0", "use the first N test images only (0 = all 10000)")
      .data_option()
      .option("neuron", "ultra-lif", "with --snn: the neuron model")
      .option("timesteps", "1", "with --snn: time steps (direct encoding)")
      .flag("snn", "train a spiking MLP (784-hidden-1 with UltraLIF neurons) instead of the ReLU MLP")
      .flag("binary-spikes", "with --snn: evaluate with hard (Heaviside) spikes instead of soft ones")
      .flag("multiclass", "all 10 classes: cross-entropy vs AnyLoss macro-F1");
  try {
    std::string usage;
    if (!cli.parse(argc, argv, &usage)) {
      std::cout << usage;
      return 0;
    }
    imbalanced::Config config;
    config.epochs = static_cast<int>(cli.get_int("epochs", 1, 1000));
    config.hidden = cli.get_int("hidden", 1, 1 << 16);
    config.batch = static_cast<int>(cli.get_int("batch", 1, 1 << 20));
    config.lr = cli.get_double("lr", 1e-9, 10);
    if (cli.get("amplification") == "none") config.amplification = std::nullopt;
    else config.amplification = cli.get_double("amplification", 1e-9, 1e9);
    config.snn = cli.is_set("snn");
    config.neuron = cli.get("neuron");
    config.timesteps = cli.get_int("timesteps", 1, 1000);
    config.binary_spikes = cli.is_set("binary-spikes");
    const int seeds = static_cast<int>(cli.get_int("seeds", 1, 1000));
    const auto first_seed = static_cast<std::uint64_t>(cli.get_int("seed", 0, 1LL << 40));
    const bool multiclass = cli.is_set("multiclass");
    const int positive = static_cast<int>(cli.get_int("class", 0, 9));
    const auto losses = cli.get("losses").empty()
                            ? (multiclass ? std::vector<std::string>{"ce", "macro-f1"}
                                          : std::vector<std::string>{"bce", "wbce", "focal", "f1", "gmean", "balacc", "mcc"})
                            : cli.get_list("losses");
    std::vector<double> rates;
    for (const auto& r : cli.get_list("rates")) rates.push_back(std::stod(r));
    if (config.snn) (void)tg::nn::make_neuron<float>(config.neuron, 1);  // fail early on a bad name

    tg::FashionMnistOptions options{cli.get("data"), true, static_cast<std::size_t>(cli.get_int("subset", 0, 1 << 30))};
    const tg::Dataset train_data = tg::load_fashion_mnist(tg::Split::train, options);
    options.limit = static_cast<std::size_t>(cli.get_int("test-subset", 0, 1 << 30));
    const tg::Dataset test_data = tg::load_fashion_mnist(tg::Split::test, options);
    imbalanced::Task test{&test_data, {}, multiclass, positive};
    for (std::size_t i = 0; i < test_data.size(); ++i) test.rows.push_back(i);

    const std::string model = config.snn ? "SNN 784-" + std::to_string(config.hidden) + "(" + config.neuron + ", T=" +
                                               std::to_string(config.timesteps) + ", " +
                                               (config.binary_spikes ? "binary" : "soft") + " spikes at test)-"
                                         : "MLP 784-" + std::to_string(config.hidden) + "-";
    std::cout << "# " << model << (multiclass ? "10" : "1") << ", Adam lr " << config.lr << ", batch " << config.batch
              << ", " << config.epochs << " epoch(s), " << seeds << " seed(s), L = "
              << (config.amplification ? std::to_string(*config.amplification) : std::string("none")) << ", "
              << train_data.size() << " training / " << test_data.size() << " test images\n";
    const auto start = std::chrono::steady_clock::now();
    if (multiclass) rates = {0};  // the class balance is Fashion-MNIST's own
    for (double rate : rates) {
      if (multiclass) {
        std::cout << "\n## 10 classes\n\n| loss | accuracy | macro-F1 | balanced accuracy (macro recall) | macro precision |\n|---|---|---|---|---|\n";
      } else {
        std::cout << "\n## class " << positive << " vs rest, " << rate * 100 << "% positives in training\n\n"
                  << "| loss | F1 | balanced accuracy | MCC | precision | recall |\n|---|---|---|---|---|---|\n";
      }
      for (const auto& loss : losses) {
        Stat a, b, c, d, e;
        for (int s = 0; s < seeds; ++s) {
          const std::uint64_t seed = first_seed + static_cast<std::uint64_t>(s);
          imbalanced::Task train{&train_data, {}, multiclass, positive};
          if (multiclass || std::abs(rate - 0.10) < 1e-12) {
            for (std::size_t i = 0; i < train_data.size(); ++i) train.rows.push_back(i);
          } else {
            train.rows = imbalanced::subsample_positives(train_data, positive, rate, seed);
          }
          auto net = imbalanced::train(config, train, loss, seed);
          const auto cm = imbalanced::evaluate(*net, test);
          if (multiclass) {
            double correct = 0, total = 0;
            for (const auto& m : cm) correct += m.tp;
            total = cm[0].total();
            a.values.push_back(correct / total);
            b.values.push_back(tg::score(tg::Metric::f1(), cm, tg::Average::macro));
            c.values.push_back(tg::score(tg::Metric::recall(), cm, tg::Average::macro));
            d.values.push_back(tg::score(tg::Metric::precision(), cm, tg::Average::macro));
          } else {
            a.values.push_back(tg::score(tg::Metric::f1(), cm[0]));
            b.values.push_back(tg::score(tg::Metric::balanced_accuracy(), cm[0]));
            c.values.push_back(tg::score(tg::Metric::mcc(), cm[0]));
            d.values.push_back(tg::score(tg::Metric::precision(), cm[0]));
            e.values.push_back(tg::score(tg::Metric::recall(), cm[0]));
          }
        }
        std::cout << "| " << pretty(loss) << " | " << a.text() << " | " << b.text() << " | " << c.text() << " | " << d.text();
        if (!multiclass) std::cout << " | " << e.text();
        std::cout << " |" << std::endl;
      }
    }
    std::printf("\n(%.0f s)\n", seconds_since(start));
  } catch (const std::exception& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
