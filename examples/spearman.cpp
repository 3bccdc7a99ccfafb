// Learning to rank with the soft Spearman loss.
//
// Each "query" is a list of items with features x (d numbers each). A hidden
// scorer gives each item a relevance tanh(x . w_true) plus a little noise; only
// the ranking of the relevances within a list matters. We fit a linear scorer
// (nn::Linear, d -> 1) by minimising spearman_loss(scores, relevances), i.e.
// 1 - the correlation between the soft ranks of the scores and the true ranks,
// and print the hard Spearman correlation on held-out lists after each epoch.

#include <tropigrad/tropigrad.hpp>

#include <cstdio>
#include <random>
#include <vector>

namespace tg = tropigrad;

namespace {

constexpr Eigen::Index kFeatures = 10, kItems = 32;

struct List {
  tg::RowArray<float> x;          // kItems x kFeatures
  tg::RowArray<float> relevance;  // kItems x 1
};

std::vector<List> make_lists(int count, const Eigen::VectorXf& w_true, std::mt19937& rng) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<List> lists(static_cast<std::size_t>(count));
  for (auto& list : lists) {
    list.x.resize(kItems, kFeatures);
    list.relevance.resize(kItems, 1);
    for (Eigen::Index i = 0; i < list.x.size(); ++i) list.x.data()[i] = normal(rng);
    const Eigen::VectorXf score = list.x.matrix() * w_true;
    for (Eigen::Index i = 0; i < kItems; ++i) list.relevance(i, 0) = std::tanh(score(i)) + 0.02f * normal(rng);
  }
  return lists;
}

/// Mean over lists of Spearman's rho between the model's scores and the relevances (hard ranks).
float held_out_spearman(const tg::nn::Linear<float>& model, const std::vector<List>& lists) {
  tg::NoGrad<float> no_grad;
  float total = 0;
  for (const auto& list : lists) {
    const tg::Tensor<float> scores = model(tg::Tensor<float>(list.x));
    tg::SoftSortOptions hard;
    hard.strength = 0;  // exact ranks: 1 - loss is Spearman's rho
    hard.axis = 0;
    total += 1.0f - tg::spearman_loss(scores, tg::Tensor<float>(list.relevance), hard).value();
  }
  tg::tape<float>().reset();
  return total / static_cast<float>(lists.size());
}

}  // namespace

int main() {
  std::mt19937 rng(7);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  Eigen::VectorXf w_true(kFeatures);
  for (Eigen::Index i = 0; i < kFeatures; ++i) w_true(i) = 0.4f * normal(rng);
  const std::vector<List> train = make_lists(512, w_true, rng);
  const std::vector<List> held_out = make_lists(128, w_true, rng);

  tg::nn::Linear<float> model(kFeatures, 1, /*seed=*/3);
  tg::nn::AdamOptions adam;
  adam.lr = 0.02;
  tg::nn::Adam<float> optimizer(model.parameters(), adam);

  tg::SoftSortOptions soft;
  soft.strength = 0.1f;  // soft ranks of the scores; the targets' ranks are hard
  soft.axis = 0;         // each list is a column of scores
  const int lists_per_step = 16, epochs = 15;
  std::printf("epoch 0  held-out Spearman %.4f\n", held_out_spearman(model, held_out));
  float rho = 0;
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    float epoch_loss = 0;
    for (std::size_t start = 0; start < train.size(); start += lists_per_step) {
      optimizer.zero_grad();
      tg::Var<float> loss = 0.0f;
      for (std::size_t k = start; k < start + lists_per_step; ++k) {
        const tg::Tensor<float> scores = model(tg::Tensor<float>(train[k].x));
        loss = loss + tg::spearman_loss(scores, tg::Tensor<float>(train[k].relevance), soft);
      }
      loss = loss / static_cast<float>(lists_per_step);
      loss.backward();
      optimizer.step();
      epoch_loss += loss.value();
      tg::tape<float>().reset();
    }
    rho = held_out_spearman(model, held_out);
    std::printf("epoch %d  train soft loss %.4f  held-out Spearman %.4f\n", epoch,
                epoch_loss / static_cast<float>(train.size() / lists_per_step), rho);
  }
  std::printf("%s: held-out Spearman %.4f (target >= 0.95)\n", rho >= 0.95f ? "reached" : "NOT reached", rho);
  return rho >= 0.95f ? 0 : 1;
}
