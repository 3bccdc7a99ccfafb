#pragma once
// Learning-rate schedules, as torch.optim.lr_scheduler: call step() once per
// epoch (or per iteration, if T_max counts iterations).

#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "optimizer.hpp"

namespace tropigrad::nn {

/// lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T_max)) / 2.
template <class T = float>
class CosineAnnealingLR {
public:
  CosineAnnealingLR(Optimizer<T>& optimizer, long long t_max, double eta_min = 0)
      : optimizer_(optimizer), base_lr_(optimizer.lr()), t_max_(t_max), eta_min_(eta_min) {
    if (t_max <= 0) throw std::invalid_argument("tropigrad::nn::CosineAnnealingLR: T_max must be > 0, got " + std::to_string(t_max));
    if (eta_min < 0 || eta_min >= base_lr_)
      throw std::invalid_argument("tropigrad::nn::CosineAnnealingLR: eta_min must be in [0, lr), got " +
                                  std::to_string(eta_min));
  }
  void step() {
    t_ = std::min(t_ + 1, t_max_);
    const double cosine = (1 + std::cos(std::numbers::pi * static_cast<double>(t_) / static_cast<double>(t_max_))) / 2;
    const double lr = eta_min_ + (base_lr_ - eta_min_) * cosine;
    optimizer_.set_lr(lr > 0 ? lr : std::max(eta_min_, 1e-12));
  }
  long long last_epoch() const { return t_; }

private:
  Optimizer<T>& optimizer_;
  double base_lr_;
  long long t_max_;
  double eta_min_;
  long long t_ = 0;
};

/// lr_t = lr_0 * gamma^floor(t / step_size).
template <class T = float>
class StepLR {
public:
  StepLR(Optimizer<T>& optimizer, long long step_size, double gamma = 0.1)
      : optimizer_(optimizer), base_lr_(optimizer.lr()), step_size_(step_size), gamma_(gamma) {
    if (step_size <= 0) throw std::invalid_argument("tropigrad::nn::StepLR: step_size must be > 0, got " + std::to_string(step_size));
    if (!(gamma > 0)) throw std::invalid_argument("tropigrad::nn::StepLR: gamma must be > 0, got " + std::to_string(gamma));
  }
  void step() {
    ++t_;
    optimizer_.set_lr(base_lr_ * std::pow(gamma_, static_cast<double>(t_ / step_size_)));
  }

private:
  Optimizer<T>& optimizer_;
  double base_lr_;
  long long step_size_;
  double gamma_;
  long long t_ = 0;
};

}  // namespace tropigrad::nn
