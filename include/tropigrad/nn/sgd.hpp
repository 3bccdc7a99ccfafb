#pragma once
// SGD with momentum and weight decay, as torch.optim.SGD:
//   g = grad + weight_decay * p;  v = momentum * v + g;  p -= lr * v
// (v = g on the first step; plain SGD when momentum = 0).

#include "optimizer.hpp"

namespace tropigrad::nn {

struct SGDOptions {
  double lr = 0.01;
  double momentum = 0;
  double weight_decay = 0;
};

template <class T = float>
class SGD : public Optimizer<T> {
public:
  SGD(std::vector<Tensor<T>> parameters, SGDOptions options = {})
      : Optimizer<T>(std::move(parameters), options.lr), options_(options) {
    this->check_unit_interval("momentum", options.momentum);
    if (options.weight_decay < 0)
      throw std::invalid_argument("tropigrad::nn::SGD: weight_decay must be >= 0, got " +
                                  std::to_string(options.weight_decay));
    for (auto& p : this->parameters_) velocity_.push_back(RowArray<T>::Zero(p.rows(), p.cols()));
  }

  void step() override {
    const T lr = static_cast<T>(this->lr_), momentum = static_cast<T>(options_.momentum),
            decay = static_cast<T>(options_.weight_decay);
    for (std::size_t k = 0; k < this->parameters_.size(); ++k) {
      auto& p = this->parameters_[k];
      auto value = p.value_mut();
      const auto grad = p.grad();
      if (momentum == T(0)) {
        value -= lr * (grad + decay * value);
      } else {
        auto& v = velocity_[k];
        v = first_step_ ? (grad + decay * value).eval() : (momentum * v + grad + decay * value).eval();
        value -= lr * v;
      }
    }
    first_step_ = false;
  }

private:
  SGDOptions options_;
  std::vector<RowArray<T>> velocity_;
  bool first_step_ = true;
};

}  // namespace tropigrad::nn
