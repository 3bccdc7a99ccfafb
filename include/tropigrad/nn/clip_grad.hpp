#pragma once
// clip_grad_norm: rescales gradients so that their global L2 norm is at most
// max_norm, as torch.nn.utils.clip_grad_norm_. Returns the norm before clipping.

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "../ad/tensor.hpp"

namespace tropigrad::nn {

template <class T>
double clip_grad_norm(const std::vector<Tensor<T>>& parameters, double max_norm) {
  if (!(max_norm > 0))
    throw std::invalid_argument("tropigrad::nn::clip_grad_norm: max_norm must be > 0, got " + std::to_string(max_norm));
  double squared = 0;
  for (const auto& p : parameters) squared += p.grad().template cast<double>().square().sum();
  const double norm = std::sqrt(squared);
  if (!std::isfinite(norm))
    throw std::runtime_error("tropigrad::nn::clip_grad_norm: the gradient norm is " + std::to_string(norm) +
                             "; a NaN or Inf reached the gradients (try DetectAnomaly to find the op)");
  if (norm > max_norm) {
    const T scale = static_cast<T>(max_norm / (norm + 1e-6));
    for (auto p : parameters) p.grad_mut() *= scale;
  }
  return norm;
}

}  // namespace tropigrad::nn
