#pragma once
// Linear: y = x W^T + b, with PyTorch's layout (W is out x in, b is 1 x out)
// and PyTorch's default initialisation: W and b uniform in
// [-1/sqrt(in), 1/sqrt(in)] (kaiming_uniform with a = sqrt(5)).

#include <cmath>
#include <random>
#include <string>

#include "../ad/tensor_matmul.hpp"
#include "module.hpp"

namespace tropigrad::nn {

template <class T = float>
class Linear : public Module<T> {
public:
  /// Seeded for reproducibility; pass the same seed to get the same weights.
  Linear(Index in_features, Index out_features, std::uint64_t seed = 0, bool bias = true)
      : in_features_(in_features), out_features_(out_features) {
    if (in_features <= 0 || out_features <= 0)
      throw std::invalid_argument("tropigrad::nn::Linear: in_features and out_features must be > 0, got " +
                                  std::to_string(in_features) + " and " + std::to_string(out_features));
    std::mt19937_64 rng(seed);
    const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
    std::uniform_real_distribution<double> uniform(-bound, bound);
    RowArray<T> w(out_features, in_features);
    for (Index i = 0; i < w.size(); ++i) w.data()[i] = static_cast<T>(uniform(rng));
    weight = this->register_parameter("weight", Tensor<T>(w));
    if (bias) {
      RowArray<T> b(1, out_features);
      for (Index i = 0; i < b.size(); ++i) b.data()[i] = static_cast<T>(uniform(rng));
      this->bias = this->register_parameter("bias", Tensor<T>(b));
    }
  }

  /// x is batch x in_features; the result is batch x out_features.
  Tensor<T> forward(const Tensor<T>& x) const {
    if (x.cols() != in_features_)
      throw std::invalid_argument("tropigrad::nn::Linear::forward: expected input of shape batch x " +
                                  std::to_string(in_features_) + ", got " + x.shape());
    return bias.defined() ? linear(x, weight, bias) : linear(x, weight);
  }
  Tensor<T> operator()(const Tensor<T>& x) const { return forward(x); }

  Index in_features() const { return in_features_; }
  Index out_features() const { return out_features_; }

  Tensor<T> weight;
  Tensor<T> bias;

private:
  Index in_features_, out_features_;
};

}  // namespace tropigrad::nn
