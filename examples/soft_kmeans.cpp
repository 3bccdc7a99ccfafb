// Soft k-means on Fashion-MNIST: clusters the 10 000 test images, projected to
// 64 dimensions by a fixed random Gaussian projection, with soft k-means at three
// temperatures and with hard (Lloyd) k-means from the same k-means++ seeds, and
// prints the adjusted Rand index (ARI) against the labels, mean +- std over 5 seeds.
//
// eps has units of squared distance, so it is given relative to the data:
//   eps = eps_rel * s,  s = mean squared distance of the points to their mean,
// with eps_rel in {1, 0.1, 0.01}. A point's soft label is argmax_k r_ik.
//
// Then one gradient: d(within-cluster loss)/d eps through the implicit backward,
// whose tape memory does not grow with the 100 iterations.
//
//   examples/soft_kmeans [--data DIR]
#include <tropigrad/tropigrad.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <random>
#include <string>
#include <vector>

namespace tg = tropigrad;
using Matrix = tg::RowArray<double>;

namespace {

constexpr int kClusters = 10, kDims = 64, kSeeds = 5, kIterations = 100;

/// Adjusted Rand index of two labelings (Hubert and Arabie, 1985).
double adjusted_rand_index(const std::vector<int>& a, const std::vector<Eigen::Index>& b, int ka, int kb) {
  Eigen::MatrixXd table = Eigen::MatrixXd::Zero(ka, kb);
  for (std::size_t i = 0; i < a.size(); ++i) table(a[i], b[i]) += 1;
  auto pairs = [](double m) { return m * (m - 1) / 2; };
  double both = 0, rows = 0, cols = 0;
  for (int i = 0; i < ka; ++i)
    for (int j = 0; j < kb; ++j) both += pairs(table(i, j));
  for (int i = 0; i < ka; ++i) rows += pairs(table.row(i).sum());
  for (int j = 0; j < kb; ++j) cols += pairs(table.col(j).sum());
  const double expected = rows * cols / pairs(static_cast<double>(a.size()));
  const double max_index = (rows + cols) / 2;
  return (both - expected) / (max_index - expected);
}

/// k-means++ seeding: each new centre is a point drawn with probability proportional
/// to its squared distance to the nearest centre chosen so far.
Matrix kmeans_plus_plus(const Matrix& x, int k, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Eigen::Index n = x.rows();
  Matrix centres(k, x.cols());
  centres.row(0) = x.row(std::uniform_int_distribution<Eigen::Index>(0, n - 1)(rng));
  Eigen::ArrayXd nearest = (x.rowwise() - centres.row(0)).square().rowwise().sum();
  for (int j = 1; j < k; ++j) {
    std::discrete_distribution<Eigen::Index> pick(nearest.data(), nearest.data() + n);
    centres.row(j) = x.row(pick(rng));
    nearest = nearest.min((x.rowwise() - centres.row(j)).square().rowwise().sum());
  }
  return centres;
}

struct Stats {
  std::vector<double> values;
  double mean() const {
    double s = 0;
    for (double v : values) s += v;
    return s / static_cast<double>(values.size());
  }
  double std() const {  // sample standard deviation
    const double m = mean();
    double s = 0;
    for (double v : values) s += (v - m) * (v - m);
    return std::sqrt(s / static_cast<double>(values.size() - 1));
  }
};

}  // namespace

int main(int argc, char** argv) {
  tg::FashionMnistOptions options;
  for (int i = 1; i + 1 < argc; ++i)
    if (std::string(argv[i]) == "--data") options.directory = argv[i + 1];
  const auto start = std::chrono::steady_clock::now();
  const tg::Dataset test = tg::load_fashion_mnist(tg::Split::test, options);

  // Fixed random projection 784 -> 64, entries N(0, 1/64).
  std::mt19937_64 rng(2024);
  std::normal_distribution<double> normal(0.0, 1.0 / std::sqrt(static_cast<double>(kDims)));
  tg::RowMatrix<double> projection(test.features(), kDims);
  for (Eigen::Index i = 0; i < projection.size(); ++i) projection.data()[i] = normal(rng);
  const Matrix x = (test.inputs.cast<double>() * projection).array();
  const double s = (x.rowwise() - x.colwise().mean()).square().rowwise().sum().mean();
  std::printf("Fashion-MNIST test: %td images, random projection to %d dims, k = %d, %d iterations\n", x.rows(),
              kDims, kClusters, kIterations);
  std::printf("s = mean squared distance to the data mean = %.2f\n\n", s);

  const std::vector<double> eps_rel = {1.0, 0.1, 0.01};
  std::vector<Stats> soft(eps_rel.size());
  Stats hard;
  const tg::Tensor<double> points = tg::Tensor<double>::map(x.data(), x.rows(), x.cols());
  for (int seed = 0; seed < kSeeds; ++seed) {
    const Matrix init = kmeans_plus_plus(x, kClusters, static_cast<std::uint64_t>(seed));
    const auto lloyd = tg::kmeans(x, init, kIterations);
    hard.values.push_back(adjusted_rand_index(test.labels, lloyd.labels, 10, kClusters));
    tg::NoGrad<double> no_grad;  // forward only here
    for (std::size_t e = 0; e < eps_rel.size(); ++e) {
      const auto r = tg::soft_kmeans(points, tg::Tensor<double>(init), {eps_rel[e] * s, kIterations});
      std::vector<Eigen::Index> labels(static_cast<std::size_t>(x.rows()));
      for (Eigen::Index i = 0; i < x.rows(); ++i) r.assignments.value().row(i).maxCoeff(&labels[static_cast<std::size_t>(i)]);
      soft[e].values.push_back(adjusted_rand_index(test.labels, labels, 10, kClusters));
      tg::tape<double>().reset();
    }
  }
  std::printf("| method | eps (relative to s) | ARI mean +- std (5 seeds) |\n|---|---|---|\n");
  for (std::size_t e = 0; e < eps_rel.size(); ++e)
    std::printf("| soft k-means | %g | %.4f +- %.4f |\n", eps_rel[e], soft[e].mean(), soft[e].std());
  std::printf("| hard k-means (Lloyd) | - | %.4f +- %.4f |\n", hard.mean(), hard.std());

  // A learnable temperature: the gradient of the mean within-cluster squared
  // distance w.r.t. eps, through the implicit backward (one tape node).
  tg::Tensor<double> eps(0.1 * s, /*requires_grad=*/true);
  const Matrix init = kmeans_plus_plus(x, kClusters, 0);
  const auto r = tg::soft_kmeans(points, tg::Tensor<double>(init), {eps, kIterations, tg::SoftKMeansBackward::implicit});
  // sum_ik r_ik ||x_i - mu_k||^2 / n = (sum_i ||x_i||^2 - 2 sum_ik r_ik x_i.mu_k + sum_ik r_ik ||mu_k||^2) / n
  const auto cross = tg::matmul(points, tg::transpose(r.centroids));  // n x k
  const auto mu_sq = tg::transpose(tg::sum(r.centroids * r.centroids, 1));  // 1 x k
  const tg::Var loss = (x.square().sum() + tg::sum(r.assignments * (mu_sq - 2.0 * cross))) / static_cast<double>(x.rows());
  loss.backward();
  std::printf("\nwithin-cluster loss at eps = 0.1 s: %.4f, d loss / d eps = %.6f (implicit, tape %zu bytes)\n",
              loss.value(), eps.grad()(0, 0), tg::tape<double>().arena().bytes_used());
  std::printf("elapsed %.1f s\n", std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}
