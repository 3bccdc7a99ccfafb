#pragma once
// The pieces of the imbalanced example: the model (an MLP or an UltraLIF SNN),
// the losses under comparison, a training run and the test-set evaluation.

#include <tropigrad/ad.hpp>
#include <tropigrad/data.hpp>
#include <tropigrad/loss.hpp>
#include <tropigrad/nn.hpp>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace imbalanced {

namespace tg = tropigrad;
using Tensor = tg::Tensor<float>;
using Array = tg::RowArray<float>;

struct Config {
  tg::Index hidden = 128;
  int epochs = 3;
  int batch = 256;
  double lr = 1e-3;
  std::optional<double> amplification = 73.0;  ///< AnyLoss L; std::nullopt: no amplification
  bool snn = false;
  std::string neuron = "ultra-lif";
  tg::Index timesteps = 1;
  bool binary_spikes = false;  ///< SNN evaluation with hard spikes (else soft)
};

/// 784 -> hidden -> outputs: ReLU MLP, or Linear -> spiking neuron -> Linear (direct input encoding).
class Net {
public:
  Net(const Config& c, tg::Index inputs, tg::Index outputs, std::uint64_t seed) : config_(c) {
    if (c.snn) {
      const std::string neuron = c.neuron;
      snn_ = std::make_unique<tg::nn::SpikingMLP<float>>(
          inputs, std::vector<tg::Index>{c.hidden}, outputs,
          [neuron](tg::Index features) { return tg::nn::make_neuron<float>(neuron, features); }, seed);
      for (auto& n : snn_->neurons()) n->eval_binary = c.binary_spikes;
    } else {
      fc1_ = std::make_unique<tg::nn::Linear<float>>(inputs, c.hidden, seed);
      fc2_ = std::make_unique<tg::nn::Linear<float>>(c.hidden, outputs, seed + 7919);
    }
  }

  Tensor forward(const Tensor& x) const {
    if (snn_) return snn_->forward(tg::nn::direct_encode(x, config_.timesteps), config_.timesteps);
    return fc2_->forward(tg::relu(fc1_->forward(x)));
  }

  std::vector<Tensor> parameters() const {
    if (snn_) return snn_->parameters();
    auto p = fc1_->parameters();
    for (auto& q : fc2_->parameters()) p.push_back(q);
    return p;
  }

  void train(bool on) {
    if (snn_) snn_->train(on);
  }

private:
  Config config_;
  std::unique_ptr<tg::nn::SpikingMLP<float>> snn_;
  std::unique_ptr<tg::nn::Linear<float>> fc1_, fc2_;
};

/// The loss named `name` of a batch: binary losses take N x 1 logits and 0/1
/// targets; "ce" and "macro-f1" take N x 10 logits and class labels.
inline tg::Var<float> batch_loss(const std::string& name, const Tensor& logits, const Array& targets,
                                 const std::vector<int>& labels, double pos_weight,
                                 std::optional<double> amplification) {
  const tg::SoftConfusionOptions soft{amplification};
  if (name == "bce") return tg::binary_cross_entropy(logits, targets);
  if (name == "wbce") return tg::binary_cross_entropy(logits, targets, {tg::ScoreType::logits, pos_weight});
  if (name == "focal") return tg::focal_loss(logits, targets);
  if (name == "f1") return tg::f1_loss(tg::soft_confusion(logits, targets, soft));
  if (name == "gmean") return tg::g_mean_loss(tg::soft_confusion(logits, targets, soft));
  if (name == "balacc") return tg::balanced_accuracy_loss(tg::soft_confusion(logits, targets, soft));
  if (name == "mcc") return tg::mcc_loss(tg::soft_confusion(logits, targets, soft));
  if (name == "ce") return tg::cross_entropy(logits, labels);
  if (name == "macro-f1") return tg::f1_loss(tg::soft_confusion_multiclass(logits, labels, soft), tg::Average::macro);
  throw std::invalid_argument("imbalanced: unknown loss '" + name +
                              "' (binary: bce, wbce, focal, f1, gmean, balacc, mcc; multi-class: ce, macro-f1)");
}

/// A training set as row indices into the loaded data plus the task's labels.
struct Task {
  const tg::Dataset* data = nullptr;
  std::vector<std::size_t> rows;  ///< the samples used
  bool multiclass = false;
  int positive_class = 6;

  int target(std::size_t row) const { return multiclass ? data->labels[row] : data->labels[row] == positive_class; }
  double positive_weight() const {  // n_negative / n_positive, for weighted BCE
    double pos = 0;
    for (auto r : rows) pos += target(r);
    return pos > 0 ? (static_cast<double>(rows.size()) - pos) / pos : 1.0;
  }
};

/// Keeps every negative and enough positives (chosen at random) for the given positive rate.
inline std::vector<std::size_t> subsample_positives(const tg::Dataset& d, int positive_class, double rate, std::uint64_t seed) {
  std::vector<std::size_t> pos, out;
  for (std::size_t i = 0; i < d.size(); ++i) (d.labels[i] == positive_class ? pos : out).push_back(i);
  const auto keep = static_cast<std::size_t>(std::llround(rate / (1 - rate) * static_cast<double>(out.size())));
  std::mt19937_64 rng(seed);
  std::shuffle(pos.begin(), pos.end(), rng);
  pos.resize(std::min(keep, pos.size()));
  out.insert(out.end(), pos.begin(), pos.end());
  std::sort(out.begin(), out.end());
  return out;
}

/// Trains a fresh model on `task` with `loss`; returns it.
inline std::unique_ptr<Net> train(const Config& c, const Task& task, const std::string& loss, std::uint64_t seed) {
  const tg::Index outputs = task.multiclass ? task.data->classes : 1;
  auto net = std::make_unique<Net>(c, task.data->features(), outputs, seed);
  tg::nn::Adam<float> optimizer(net->parameters(), tg::nn::AdamOptions{.lr = c.lr});
  const double pos_weight = task.positive_weight();
  tg::BatchSampler sampler(task.rows.size(), static_cast<std::size_t>(c.batch), {.seed = seed, .shuffle = true, .drop_last = true});
  Array x(c.batch, task.data->features()), y(c.batch, 1);
  std::vector<int> labels(static_cast<std::size_t>(c.batch));
  net->train(true);
  for (int e = 0; e < c.epochs; ++e) {
    sampler.set_epoch(static_cast<std::uint64_t>(e));
    for (std::size_t b = 0; b < sampler.batches_per_epoch(); ++b) {
      const auto idx = sampler.batch(b);
      for (std::size_t i = 0; i < idx.size(); ++i) {
        const std::size_t row = task.rows[idx[i]];
        x.row(static_cast<tg::Index>(i)) = task.data->inputs.row(static_cast<tg::Index>(row)).array();
        labels[i] = task.target(row);
        y(static_cast<tg::Index>(i), 0) = static_cast<float>(labels[i]);
      }
      tg::tape<float>().reset();
      for (auto& p : net->parameters()) p.zero_grad();
      batch_loss(loss, net->forward(Tensor::map(x)), y, labels, pos_weight, c.amplification).backward();
      optimizer.step();
    }
  }
  tg::tape<float>().reset();
  return net;
}

/// Test-set confusion matrices: one (binary, logit > 0) or one per class (argmax).
inline std::vector<tg::ConfusionMatrix> evaluate(Net& net, const Task& test) {
  net.train(false);
  tg::NoGrad<float> no_grad;
  const auto n = static_cast<tg::Index>(test.rows.size());
  const tg::Index chunk = 1000;
  std::vector<tg::ConfusionMatrix> total;
  for (tg::Index lo = 0; lo < n; lo += chunk) {
    const tg::Index rows = std::min(chunk, n - lo);
    Array x(rows, test.data->features()), y(rows, 1);
    std::vector<int> labels(static_cast<std::size_t>(rows));
    for (tg::Index i = 0; i < rows; ++i) {
      const std::size_t row = test.rows[static_cast<std::size_t>(lo + i)];
      x.row(i) = test.data->inputs.row(static_cast<tg::Index>(row)).array();
      labels[static_cast<std::size_t>(i)] = test.target(row);
      y(i, 0) = static_cast<float>(labels[static_cast<std::size_t>(i)]);
    }
    const Array logits = net.forward(Tensor::map(x)).value();
    const auto part = test.multiclass ? tg::confusion_matrix_multiclass(logits, labels) : tg::confusion_matrix(logits, y);
    if (total.empty()) total.resize(part.size());
    for (std::size_t k = 0; k < part.size(); ++k) {
      total[k].tp += part[k].tp;
      total[k].fp += part[k].fp;
      total[k].fn += part[k].fn;
      total[k].tn += part[k].tn;
    }
    tg::tape<float>().reset();
  }
  return total;
}

}  // namespace imbalanced
