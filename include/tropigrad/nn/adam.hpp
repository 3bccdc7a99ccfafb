#pragma once
// Adam and AdamW, as torch.optim.Adam / AdamW:
//   Adam:  g = grad + weight_decay * p (L2 penalty in the gradient)
//   AdamW: p *= 1 - lr * weight_decay   (decoupled decay), g = grad
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)

#include <cmath>

#include "optimizer.hpp"

namespace tropigrad::nn {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
};

template <class T = float>
class Adam : public Optimizer<T> {
public:
  Adam(std::vector<Tensor<T>> parameters, AdamOptions options = {}, bool decoupled_weight_decay = false)
      : Optimizer<T>(std::move(parameters), options.lr), options_(options), decoupled_(decoupled_weight_decay) {
    this->check_unit_interval("beta1", options.beta1);
    this->check_unit_interval("beta2", options.beta2);
    this->check_positive("eps", options.eps);
    if (options.weight_decay < 0)
      throw std::invalid_argument("tropigrad::nn::Adam: weight_decay must be >= 0, got " +
                                  std::to_string(options.weight_decay));
    for (auto& p : this->parameters_) {
      m_.push_back(RowArray<T>::Zero(p.rows(), p.cols()));
      v_.push_back(RowArray<T>::Zero(p.rows(), p.cols()));
    }
  }

  void step() override {
    ++t_;
    const T lr = static_cast<T>(this->lr_), b1 = static_cast<T>(options_.beta1), b2 = static_cast<T>(options_.beta2),
            eps = static_cast<T>(options_.eps), decay = static_cast<T>(options_.weight_decay);
    const T correction1 = T(1) - static_cast<T>(std::pow(options_.beta1, t_));
    const T correction2 = T(1) - static_cast<T>(std::pow(options_.beta2, t_));
    const T step_size = lr / correction1;
    const T inv_sqrt_c2 = T(1) / std::sqrt(correction2);
    for (std::size_t k = 0; k < this->parameters_.size(); ++k) {
      auto& p = this->parameters_[k];
      auto value = p.value_mut();
      const auto grad = p.grad();
      auto& m = m_[k];
      auto& v = v_[k];
      if (decoupled_) {
        if (decay != T(0)) value *= T(1) - lr * decay;
        m = b1 * m + (T(1) - b1) * grad;
        v = b2 * v + (T(1) - b2) * grad.square();
      } else {
        m = b1 * m + (T(1) - b1) * (grad + decay * value);
        v = b2 * v + (T(1) - b2) * (grad + decay * value).square();
      }
      value -= step_size * m / (v.sqrt() * inv_sqrt_c2 + eps);
    }
  }

  long long steps() const { return t_; }

private:
  AdamOptions options_;
  bool decoupled_;
  std::vector<RowArray<T>> m_, v_;
  long long t_ = 0;
};

/// AdamW: Adam with decoupled weight decay (default 0.01, as PyTorch).
template <class T = float>
class AdamW : public Adam<T> {
public:
  AdamW(std::vector<Tensor<T>> parameters, AdamOptions options = {0.001, 0.9, 0.999, 1e-8, 0.01})
      : Adam<T>(std::move(parameters), options, /*decoupled_weight_decay=*/true) {}
};

}  // namespace tropigrad::nn
