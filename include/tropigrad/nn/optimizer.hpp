#pragma once
// The optimiser interface (as torch.optim): construct with parameters(), then
// per iteration zero_grad(), backward, step(). Parameters are leaf Tensors;
// step() writes their values in place with vectorised Eigen expressions.

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "../ad/tensor.hpp"

namespace tropigrad::nn {

template <class T = float>
class Optimizer {
public:
  explicit Optimizer(std::vector<Tensor<T>> parameters, double lr) : parameters_(std::move(parameters)), lr_(lr) {
    check_positive("lr", lr);
    for (auto& p : parameters_)
      if (!p.is_leaf() || !p.requires_grad())
        throw std::invalid_argument(
            "tropigrad::nn::Optimizer: every parameter must be a leaf Tensor with requires_grad = true; got one of "
            "shape " + p.shape());
  }
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;
  virtual ~Optimizer() = default;

  virtual void step() = 0;
  void zero_grad() {
    for (auto& p : parameters_) p.zero_grad();
  }

  double lr() const { return lr_; }
  void set_lr(double lr) {
    check_positive("lr", lr);
    lr_ = lr;
  }
  const std::vector<Tensor<T>>& parameters() const { return parameters_; }

protected:
  static void check_positive(const char* name, double value) {
    if (!(value > 0) || !std::isfinite(value))
      throw std::invalid_argument(std::string("tropigrad::nn::Optimizer: ") + name + " must be a finite number > 0, got " +
                                  std::to_string(value));
  }
  static void check_unit_interval(const char* name, double value) {
    if (!(value >= 0 && value < 1))
      throw std::invalid_argument(std::string("tropigrad::nn::Optimizer: ") + name + " must be in [0, 1), got " +
                                  std::to_string(value));
  }

  std::vector<Tensor<T>> parameters_;
  double lr_;
};

}  // namespace tropigrad::nn
