// Soft shortest paths on a grid: the gradient of the soft path length w.r.t.
// the edge weights is the expected edge usage, so summing it into each cell
// shows where the Gibbs distribution over paths (p ∝ exp(-length / eps))
// travels. As eps -> 0 it concentrates on the shortest path.
//
// A 24 x 24 grid of random positive cell costs; moves go right or down
// (a DAG), and entering a cell costs that cell's cost. For eps in {1, 0.1, 0.01}
// this prints the soft length, an ASCII heat map of the expected cell usage,
// and writes it as tropical_paths_eps<eps>.pgm (8 x 8 pixels per cell).
//
//   examples/tropical_paths [--out DIR]
#include <tropigrad/tropigrad.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace tg = tropigrad;
using Matrix = tg::RowArray<double>;

namespace {

constexpr Eigen::Index kSide = 24, kPixels = 8;

/// Expected visits of each cell: the usage of its in-edges (the start cell: 1).
Matrix cell_usage(const Eigen::Ref<const Matrix>& edge_usage) {
  Matrix usage = edge_usage.colwise().sum();
  usage(0, 0) += 1.0;
  return usage.reshaped<Eigen::RowMajor>(kSide, kSide);
}

void print_heat_map(const Matrix& usage) {
  static const std::string shades = " .:-=+*#%@";
  for (Eigen::Index r = 0; r < kSide; ++r) {
    std::string line;
    for (Eigen::Index c = 0; c < kSide; ++c) {
      const double u = std::clamp(usage(r, c), 0.0, 1.0);
      const auto k = static_cast<std::size_t>(u * static_cast<double>(shades.size() - 1) + 0.5);
      line += shades[k];
      line += shades[k];  // two characters per cell: roughly square in a terminal
    }
    std::cout << "  |" << line << "|\n";
  }
}

void write_pgm(const std::string& path, const Matrix& usage) {
  std::ofstream out(path, std::ios::binary);
  if (!out) throw std::runtime_error("tropical_paths: cannot write " + path);
  const Eigen::Index side = kSide * kPixels;
  out << "P5\n" << side << ' ' << side << "\n255\n";
  for (Eigen::Index y = 0; y < side; ++y)
    for (Eigen::Index x = 0; x < side; ++x) {
      const double u = std::clamp(usage(y / kPixels, x / kPixels), 0.0, 1.0);
      out.put(static_cast<char>(static_cast<unsigned char>(255.0 - 255.0 * u + 0.5)));  // dark = used
    }
  if (!out) throw std::runtime_error("tropical_paths: failed writing " + path);
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir = ".";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--out" && i + 1 < argc) {
      out_dir = argv[++i];
    } else {
      std::cerr << "usage: tropical_paths [--out DIR]\n";
      return arg == "--help" ? 0 : 2;
    }
  }

  std::mt19937 rng(7);
  std::uniform_real_distribution<double> cost(0.1, 1.0);
  Matrix cells(kSide, kSide);
  for (Eigen::Index i = 0; i < cells.size(); ++i) cells.data()[i] = cost(rng);

  const Eigen::Index nodes = kSide * kSide;
  Matrix W = Matrix::Constant(nodes, nodes, std::numeric_limits<double>::infinity());
  for (Eigen::Index r = 0; r < kSide; ++r)
    for (Eigen::Index c = 0; c < kSide; ++c) {
      const Eigen::Index v = r * kSide + c;
      if (c + 1 < kSide) W(v, v + 1) = cells(r, c + 1);
      if (r + 1 < kSide) W(v, v + kSide) = cells(r + 1, c);
    }

  std::printf("grid %ldx%ld, random cell costs in [0.1, 1], moves right/down, top-left -> bottom-right\n",
              static_cast<long>(kSide), static_cast<long>(kSide));
  {
    tg::Scope<double> scope;
    const double hard = tg::soft_shortest_path(tg::Tensor<double>(W), 0, nodes - 1, 0.0).value();
    std::printf("shortest path length (eps = 0): %.6f\n\n", hard);
  }
  for (const double eps : {1.0, 0.1, 0.01}) {
    tg::Scope<double> scope;
    tg::Tensor<double> weights(W, true);
    const auto length = tg::soft_shortest_path(weights, 0, nodes - 1, eps);
    length.backward();
    const Matrix usage = cell_usage(weights.grad());
    const std::string name = tg::format_number(eps);
    std::printf("eps = %s: soft length %.6f, expected number of cells visited %.3f\n", name.c_str(), length.value(),
                usage.sum());
    print_heat_map(usage);
    const std::string path = out_dir + "/tropical_paths_eps" + name + ".pgm";
    write_pgm(path, usage);
    std::printf("  wrote %s\n\n", path.c_str());
  }
  return 0;
}
