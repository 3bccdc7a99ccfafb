#pragma once
// Every neuron model by name, for drivers and benchmarks:
//   ultra-lif, ultra-plif, ultra-dlif, ultra-dplif
//   lif-<surrogate>, plif-<surrogate>   surrogate: fast-sigmoid, atan, sigmoid, triangle, straight-through
//   sigmoid-lif, dspike

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "dspike.hpp"
#include "lif.hpp"
#include "sigmoid_lif.hpp"
#include "ultra.hpp"

namespace tropigrad::nn {

inline std::vector<std::string> neuron_names() {
  std::vector<std::string> names = {"ultra-lif", "ultra-plif", "ultra-dlif", "ultra-dplif"};
  for (const char* prefix : {"lif-", "plif-"})
    for (const char* s : {"fast-sigmoid", "atan", "sigmoid", "triangle", "straight-through"})
      names.push_back(std::string(prefix) + s);
  names.push_back("sigmoid-lif");
  names.push_back("dspike");
  return names;
}

/// A neuron layer of `features` neurons with the model's default options.
template <class T = float>
std::shared_ptr<SpikingLayer<T>> make_neuron(const std::string& name, Index features) {
  auto unknown = [&name] {
    std::string valid;
    for (const auto& n : neuron_names()) valid += (valid.empty() ? "" : ", ") + n;
    return std::invalid_argument("tropigrad::nn::make_neuron: unknown neuron '" + name + "'; valid names: " + valid);
  };
  if (name == "ultra-lif") return std::make_shared<UltraLIF<T>>(features);
  if (name == "ultra-plif") return std::make_shared<UltraPLIF<T>>(features);
  if (name == "ultra-dlif") return std::make_shared<UltraDLIF<T>>(features);
  if (name == "ultra-dplif") return std::make_shared<UltraDPLIF<T>>(features);
  if (name == "sigmoid-lif") return std::make_shared<SigmoidLIF<T>>(features);
  if (name == "dspike") return std::make_shared<DSpike<T>>(features);
  for (const bool learn_beta : {false, true}) {
    const std::string prefix = learn_beta ? "plif-" : "lif-";
    if (name.rfind(prefix, 0) == 0) {
      std::string surrogate = name.substr(prefix.size());
      for (char& c : surrogate)
        if (c == '-') c = '_';
      LIFOptions options;
      const auto& names = neuron_names();
      if (std::find(names.begin(), names.end(), name) == names.end()) throw unknown();
      options.spike_grad = Surrogate::from_name(surrogate);
      options.learn_beta = learn_beta;
      return std::make_shared<LIF<T>>(features, options);
    }
  }
  throw unknown();
}

}  // namespace tropigrad::nn
