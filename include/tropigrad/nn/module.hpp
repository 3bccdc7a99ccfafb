#pragma once
// Module: the base of every layer, as in the PyTorch C++ frontend. A module
// owns named parameters (leaf Tensors with requires_grad) and named
// submodules; parameters(), zero_grad(), train()/eval() and save()/load()
// walk that tree.

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../ad/tensor.hpp"
#include "checkpoint.hpp"

namespace tropigrad::nn {

template <class T = float>
class Module {
public:
  using Scalar = T;
  using NamedTensor = std::pair<std::string, Tensor<T>>;

  Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;
  virtual ~Module() = default;

  /// Every parameter of this module and its submodules. The handles share
  /// storage with the module: an optimiser writes through them.
  std::vector<Tensor<T>> parameters() const {
    std::vector<Tensor<T>> out;
    for (auto& named : named_parameters()) out.push_back(named.second);
    return out;
  }

  /// Parameters with dotted names, e.g. "fc1.weight", in registration order.
  std::vector<NamedTensor> named_parameters() const {
    std::vector<NamedTensor> out;
    collect("", out);
    return out;
  }

  void zero_grad() {
    for (auto& p : parameters()) p.zero_grad();
  }

  /// Training mode (the default) or evaluation mode, for this module and all submodules.
  void train(bool on = true) {
    training_ = on;
    for (auto& child : children_) child.second->train(on);
  }
  void eval() { train(false); }
  bool is_training() const { return training_; }

  /// Writes every parameter to `path` (see checkpoint.hpp for the format).
  /// The write is atomic: a crash mid-save leaves the previous file intact.
  void save(const std::string& path) const { save_tensors(named_parameters(), path); }

  /// Reads parameters saved by save(). A missing, corrupt or mismatched file
  /// throws CheckpointError and leaves the parameters unchanged.
  void load(const std::string& path) { load_tensors(named_parameters(), path); }

  /// Number of scalar parameters.
  Index num_parameters() const {
    Index n = 0;
    for (auto& p : parameters()) n += p.size();
    return n;
  }

protected:
  /// Registers a parameter (made a leaf with requires_grad) and returns its handle.
  Tensor<T> register_parameter(std::string name, Tensor<T> value) {
    if (!value.is_leaf())
      throw std::invalid_argument("tropigrad::nn::Module::register_parameter('" + name +
                                  "'): a parameter must be a leaf Tensor, not an op result");
    check_new_name(name);
    value.set_requires_grad(true);
    parameters_.emplace_back(std::move(name), value);
    return value;
  }

  /// Registers a submodule; its parameters appear as "<name>.<parameter>".
  template <class M>
  std::shared_ptr<M> register_module(std::string name, std::shared_ptr<M> module) {
    check_new_name(name);
    children_.emplace_back(std::move(name), module);
    return module;
  }

private:
  void check_new_name(const std::string& name) const {
    if (name.empty() || name.find('.') != std::string::npos)
      throw std::invalid_argument("tropigrad::nn::Module: a parameter or submodule name must be non-empty "
                                  "and contain no '.', got '" + name + "'");
    for (auto& p : parameters_)
      if (p.first == name) throw std::invalid_argument("tropigrad::nn::Module: the name '" + name + "' is taken");
    for (auto& c : children_)
      if (c.first == name) throw std::invalid_argument("tropigrad::nn::Module: the name '" + name + "' is taken");
  }

  void collect(const std::string& prefix, std::vector<NamedTensor>& out) const {
    for (auto& p : parameters_) out.emplace_back(prefix + p.first, p.second);
    for (auto& c : children_) c.second->collect(prefix + c.first + ".", out);
  }

  std::vector<NamedTensor> parameters_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

}  // namespace tropigrad::nn
