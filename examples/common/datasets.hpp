#pragma once
// The data sets of the spiking examples, by name, split into train and test:
//   fashion     Fashion-MNIST images (784 inputs, T set by the encoder)
//   seqfashion  Fashion-MNIST fed as 28 time steps of 28 pixels (image rows)
//   randman     Randman spike-time manifolds (100 channels, 50 steps, 10 classes,
//               600 samples per class drawn from `seed`; 5/6 train, 1/6 test)

#include <tropigrad/data.hpp>

#include <stdexcept>
#include <string>

namespace examples {

namespace tg = tropigrad;

struct DataOptions {
  std::string directory;    ///< Fashion-MNIST directory ("" = $TROPIGRAD_DATA, then the Debian default)
  bool normalize = true;    ///< fashion: standardised pixels (direct input) or [0, 1] intensities (rate coding)
  std::size_t limit = 0;    ///< first N training samples (0 = all)
  std::size_t test_limit = 0;
  std::uint64_t seed = 0;   ///< randman's generator seed
};

struct Splits {
  tg::Dataset train, test;
};

inline const char* dataset_names() { return "fashion | seqfashion | randman"; }

inline void truncate(tg::Dataset& d, std::size_t limit) {
  if (limit == 0 || limit >= d.size()) return;
  d.inputs.conservativeResize(static_cast<Eigen::Index>(limit), Eigen::NoChange);
  d.labels.resize(limit);
}

inline Splits load_splits(const std::string& name, const DataOptions& options) {
  Splits s;
  if (name == "fashion" || name == "seqfashion") {
    // seqfashion feeds analogue pixel rows: standardised like the direct encoder's input.
    tg::FashionMnistOptions fashion{options.directory, name == "seqfashion" || options.normalize, options.limit};
    s.train = tg::load_fashion_mnist(tg::Split::train, fashion);
    fashion.limit = options.test_limit;
    s.test = tg::load_fashion_mnist(tg::Split::test, fashion);
    if (name == "seqfashion") {
      s.train = tg::as_sequence(std::move(s.train), 28);
      s.test = tg::as_sequence(std::move(s.test), 28);
    }
    return s;
  }
  if (name == "randman") {
    tg::RandmanOptions randman;
    randman.seed = options.seed;
    randman.time_steps = 50;
    randman.samples_per_class = 600;
    const tg::Dataset all = tg::make_randman(randman);
    const auto split = static_cast<Eigen::Index>(all.size() * 5 / 6);
    s.train = {all.inputs.topRows(split), {all.labels.begin(), all.labels.begin() + split}, all.classes, all.time_steps};
    s.test = {all.inputs.bottomRows(static_cast<Eigen::Index>(all.size()) - split),
              {all.labels.begin() + split, all.labels.end()}, all.classes, all.time_steps};
    truncate(s.train, options.limit);
    truncate(s.test, options.test_limit);
    return s;
  }
  throw std::invalid_argument(std::string("--dataset must be one of ") + dataset_names() + ", got '" + name + "'");
}

}  // namespace examples
