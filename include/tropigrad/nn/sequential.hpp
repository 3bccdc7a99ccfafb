#pragma once
// Sequential: modules applied one after another, as torch.nn.Sequential.
// Any module with `Tensor<T> forward(const Tensor<T>&)` can be appended; a
// plain function (e.g. tg::relu) can be appended as a parameter-free stage.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "module.hpp"

namespace tropigrad::nn {

template <class T = float>
class Sequential : public Module<T> {
public:
  /// Appends a module; it is registered as submodule "<index>".
  template <class M>
  Sequential& push_back(std::shared_ptr<M> module) {
    this->register_module(std::to_string(stages_.size()), module);
    stages_.push_back([module](const Tensor<T>& x) { return module->forward(x); });
    return *this;
  }
  /// Appends a parameter-free function stage.
  Sequential& push_back(std::function<Tensor<T>(const Tensor<T>&)> function) {
    stages_.push_back(std::move(function));
    return *this;
  }

  Tensor<T> forward(const Tensor<T>& x) const {
    Tensor<T> y = x;
    for (const auto& stage : stages_) y = stage(y);
    return y;
  }
  Tensor<T> operator()(const Tensor<T>& x) const { return forward(x); }
  std::size_t size() const { return stages_.size(); }

private:
  std::vector<std::function<Tensor<T>(const Tensor<T>&)>> stages_;
};

}  // namespace tropigrad::nn
