// tropigrad/data/fashion_mnist.hpp
//
// Fashion-MNIST loader.
//
//   auto train = tropigrad::load_fashion_mnist(tropigrad::Split::train);
//   train.inputs: 60000 x 784 floats, normalised (x/255 - 0.2860) / 0.3530
//   train.labels: 60000 ints in 0..9, train.classes == 10
//
// Directory, first match wins:
//   1. FashionMnistOptions::directory (e.g. from a --data DIR flag),
//   2. the TROPIGRAD_DATA environment variable,
//   3. /usr/share/datasets/fashion-mnist (Debian package dataset-fashion-mnist).
// In that directory, or else in its fashion-mnist/ subdirectory, each file is
// looked up as <name>.gz, then <name> (uncompressed). A missing file throws
// DataError naming the paths tried and the fix (apt-get install
// dataset-fashion-mnist, or --data DIR / TROPIGRAD_DATA).
//
// Image and label files must agree in count (checked on the declared counts,
// even with a limit); images must be 28 x 28 (magic 0x00000803), labels
// 0x00000801 in 0..9. `limit` loads only the first N samples (and reads only
// that much of each file). `normalize = false` gives raw pixels in [0, 1].
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tropigrad/data/dataset.hpp"
#include "tropigrad/data/errors.hpp"
#include "tropigrad/data/idx.hpp"

namespace tropigrad {

inline constexpr float fashion_mnist_mean = 0.2860f;
inline constexpr float fashion_mnist_std = 0.3530f;
inline constexpr const char* fashion_mnist_default_directory = "/usr/share/datasets/fashion-mnist";

enum class Split { train, test };

struct FashionMnistOptions {
  /// Directory of the four files; empty: TROPIGRAD_DATA, then the default.
  std::string directory;
  /// true: (x/255 - 0.2860) / 0.3530; false: x/255 in [0, 1].
  bool normalize = true;
  /// Load only the first `limit` samples; 0 = all.
  std::size_t limit = 0;
};

/// The directory the loader reads: `directory` if not empty, else
/// $TROPIGRAD_DATA if set and not empty, else the Debian default.
inline std::filesystem::path fashion_mnist_directory(const std::string& directory = {}) {
  if (!directory.empty()) return directory;
  if (const char* env = std::getenv("TROPIGRAD_DATA"); env != nullptr && *env != '\0') return env;
  return fashion_mnist_default_directory;
}

namespace detail {

inline constexpr std::string_view fashion_where = "tropigrad::load_fashion_mnist";

/// Finds <dir>/<base>.gz, <dir>/<base>, <dir>/fashion-mnist/<base>.gz, ...
inline std::filesystem::path find_fashion_file(const std::filesystem::path& directory,
                                               const std::string& base) {
  std::vector<std::filesystem::path> tried;
  for (const auto& dir : {directory, directory / "fashion-mnist"}) {
    for (const auto& name : {base + ".gz", base}) {
      const auto candidate = dir / name;
      std::error_code ec;
      if (std::filesystem::is_regular_file(candidate, ec)) return candidate;
      tried.push_back(candidate);
    }
  }
  std::string what = "Fashion-MNIST file " + base + "(.gz) not found; tried";
  for (const auto& path : tried) what.append(" '").append(path.string()).append("'");
  const bool is_default = directory.lexically_normal() ==
                          std::filesystem::path(fashion_mnist_default_directory).lexically_normal();
  if (is_default) {
    what.append(". Fix: apt-get install dataset-fashion-mnist (installs it in ")
        .append(fashion_mnist_default_directory)
        .append("), or pass the directory (--data DIR) or set TROPIGRAD_DATA");
  } else {
    what.append(". Fix: pass the directory holding the Fashion-MNIST files (--data DIR or "
                "TROPIGRAD_DATA), or apt-get install dataset-fashion-mnist and use the default ")
        .append(fashion_mnist_default_directory);
  }
  throw_data_error(fashion_where, what);
}

}  // namespace detail

/// Loads one split of Fashion-MNIST. Throws DataError (missing, truncated,
/// corrupt or inconsistent files).
inline Dataset load_fashion_mnist(Split split, const FashionMnistOptions& options = {}) {
  const std::filesystem::path directory = fashion_mnist_directory(options.directory);
  const std::string prefix = split == Split::train ? "train" : "t10k";
  const auto image_path = detail::find_fashion_file(directory, prefix + "-images-idx3-ubyte");
  const auto label_path = detail::find_fashion_file(directory, prefix + "-labels-idx1-ubyte");

  IdxReadOptions image_options;
  image_options.expected_dims = 3;
  IdxReadOptions label_options;
  label_options.expected_dims = 1;
  if (options.limit > 0) image_options.max_rows = label_options.max_rows = options.limit;

  const IdxArray labels = read_idx(label_path, label_options);
  const IdxArray images = read_idx(image_path, image_options);
  if (images.shape[1] != 28 || images.shape[2] != 28) {
    detail::throw_file_error(detail::fashion_where, image_path.string(),
                             "expected 28 x 28 images, found " + std::to_string(images.shape[1]) +
                                 " x " + std::to_string(images.shape[2]));
  }
  if (images.declared_rows != labels.declared_rows) {
    detail::throw_data_error(detail::fashion_where,
                             "image/label count mismatch: '" + image_path.string() + "' has " +
                                 std::to_string(images.declared_rows) + " images but '" +
                                 label_path.string() + "' has " +
                                 std::to_string(labels.declared_rows) +
                                 " labels; expected equal counts");
  }

  const std::size_t n = images.rows();
  Dataset dataset;
  dataset.classes = 10;
  dataset.time_steps = 1;
  dataset.labels.resize(n);
  for (std::size_t i = 0; i < n; ++i) {
    const int label = labels.data[i];
    if (label >= dataset.classes) {
      detail::throw_file_error(detail::fashion_where, label_path.string(),
                               "label at index " + std::to_string(i) +
                                   " must be in 0..9, found " + std::to_string(label));
    }
    dataset.labels[i] = label;
  }
  constexpr Eigen::Index features = 28 * 28;
  dataset.inputs.resize(static_cast<Eigen::Index>(n), features);
  const float scale = options.normalize ? 1.0f / (255.0f * fashion_mnist_std) : 1.0f / 255.0f;
  const float shift = options.normalize ? -fashion_mnist_mean / fashion_mnist_std : 0.0f;
  float* out = dataset.inputs.data();
  const std::uint8_t* in = images.data.data();
  for (std::size_t i = 0, total = n * features; i < total; ++i) {
    out[i] = static_cast<float>(in[i]) * scale + shift;
  }
  return dataset;
}

/// Both splits.
struct FashionMnist {
  Dataset train;
  Dataset test;
};

/// Loads train and test (the limit applies to each split).
inline FashionMnist load_fashion_mnist(const FashionMnistOptions& options = {}) {
  FashionMnist data;
  data.train = load_fashion_mnist(Split::train, options);
  data.test = load_fashion_mnist(Split::test, options);
  return data;
}

}  // namespace tropigrad
