#pragma once
// SlotCluster: GLMix-style soft clustering and dispatch (Zhu et al., NeurIPS 2024).
//
//   tg::nn::SlotCluster<float> cluster(/*features=*/64, /*slots=*/8);
//   auto out = cluster.forward(x);   // x: n tokens x 64
//   out.output   n x 64: every token's mix of the slots
//   out.slots    8 x 64: the gathered slot features
//
// From m initial slots S (learned parameters, or average-pooled from x) and the
// tokens x (n x d), one similarity matrix
//   A = scale * normalize(S) normalize(x)^T          (m x n, cosine similarities; scale learnable)
// drives both directions:
//   gather:    slots = softmax over tokens (rows of A) . x             (m x d)
//   dispatch:  output = (softmax over slots (columns of A))^T . slots  (n x d)
// Every step is a Tensor op (normalize, linear, softmax, matmul), so gradients
// reach x, the slot parameters and the scale. Pooled initial slots average
// contiguous groups of tokens, as adaptive average pooling does: slot j averages
// tokens [floor(j n / m), ceil((j + 1) n / m)), so n >= m tokens are needed.
// One token set per call; loop over a batch (Tensors are 2-D).
//
// Parameters: "scale" (1 x 1, default 10, i.e. cosine similarity at temperature
// 0.1) and, for SlotInit::learned, "slots" (m x d, standard normal, seeded).

#include <cmath>
#include <cstdint>
#include <random>
#include <string>

#include "../ad/tensor_arithmetic.hpp"
#include "../ad/tensor_matmul.hpp"
#include "../ad/tensor_normalize.hpp"
#include "../ad/tensor_softmax.hpp"
#include "module.hpp"

namespace tropigrad::nn {

enum class SlotInit { learned, pooled };

template <class T>
struct SlotClusterOutput {
  Tensor<T> output;  ///< n x d
  Tensor<T> slots;   ///< m x d
};

/// The functional form: SlotCluster's forward given the initial slots (m x d) and the scale (1 x 1).
template <class T>
SlotClusterOutput<T> slot_cluster(const Tensor<T>& x, const Tensor<T>& initial_slots, const Tensor<T>& scale) {
  if (initial_slots.cols() != x.cols())
    throw std::invalid_argument("tropigrad::nn::slot_cluster: initial_slots must have as many columns as x (" +
                                std::to_string(x.cols()) + "), got shape " + initial_slots.shape());
  if (scale.size() != 1)
    throw std::invalid_argument("tropigrad::nn::slot_cluster: scale must be 1x1, got shape " + scale.shape());
  const Tensor<T> similarity = scale * linear(normalize(initial_slots, 1), normalize(x, 1));  // m x n
  SlotClusterOutput<T> out;
  out.slots = matmul(softmax(similarity, 1), x);
  out.output = matmul(transpose(softmax(similarity, 0)), out.slots);
  return out;
}

/// The m x n matrix whose product with x (n x d) averages contiguous token groups into m slots.
template <class T>
RowArray<T> slot_pooling_matrix(Index slots, Index tokens) {
  if (tokens < slots)
    throw std::invalid_argument("tropigrad::nn::SlotCluster: pooled slots need at least as many tokens as slots (" +
                                std::to_string(slots) + "), got " + std::to_string(tokens) + " tokens");
  RowArray<T> p = RowArray<T>::Zero(slots, tokens);
  for (Index j = 0; j < slots; ++j) {
    const Index begin = j * tokens / slots;
    const Index end = ((j + 1) * tokens + slots - 1) / slots;
    p.row(j).segment(begin, end - begin).setConstant(T(1) / static_cast<T>(end - begin));
  }
  return p;
}

template <class T = float>
class SlotCluster : public Module<T> {
public:
  SlotCluster(Index features, Index slots, SlotInit init = SlotInit::learned, double initial_scale = 10.0,
              std::uint64_t seed = 0)
      : features_(features), num_slots_(slots), init_(init) {
    if (features <= 0 || slots <= 0)
      throw std::invalid_argument("tropigrad::nn::SlotCluster: features and slots must be > 0, got " +
                                  std::to_string(features) + " and " + std::to_string(slots));
    if (!std::isfinite(initial_scale))
      throw std::invalid_argument("tropigrad::nn::SlotCluster: initial_scale must be finite, got " +
                                  format_number(initial_scale));
    scale = this->register_parameter("scale", Tensor<T>(static_cast<T>(initial_scale)));
    if (init == SlotInit::learned) {
      std::mt19937_64 rng(seed);
      std::normal_distribution<double> normal(0.0, 1.0);
      RowArray<T> s(slots, features);
      for (Index i = 0; i < s.size(); ++i) s.data()[i] = static_cast<T>(normal(rng));
      this->slots = this->register_parameter("slots", Tensor<T>(s));
    }
  }

  /// x: n tokens x features.
  SlotClusterOutput<T> forward(const Tensor<T>& x) const {
    if (x.cols() != features_)
      throw std::invalid_argument("tropigrad::nn::SlotCluster::forward: expected x of shape tokens x " +
                                  std::to_string(features_) + ", got " + x.shape());
    if (init_ == SlotInit::learned) return slot_cluster(x, slots, scale);
    return slot_cluster(x, matmul(Tensor<T>(slot_pooling_matrix<T>(num_slots_, x.rows())), x), scale);
  }
  Tensor<T> operator()(const Tensor<T>& x) const { return forward(x).output; }

  Index features() const { return features_; }
  Index num_slots() const { return num_slots_; }
  SlotInit slot_init() const { return init_; }

  Tensor<T> scale;
  Tensor<T> slots;  ///< learned initial slots (undefined for SlotInit::pooled)

private:
  Index features_, num_slots_;
  SlotInit init_;
};

}  // namespace tropigrad::nn
