// Numerical robustness sweep of the layers of nn/ (the contract and how to add
// a layer: tests/robustness_sweep.hpp). Each layer is built inside its lambda
// and handed to params(...), so the special values go into its input and, as a
// second family of cases, into its parameters. Neurons are looped over
// tg::nn::neuron_names(): a new neuron joins by being added there.

#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "../robustness_sweep.hpp"
#include "tropigrad/nn.hpp"

namespace tg = tropigrad;
using tropigrad_sweep::Domain;
using tropigrad_sweep::Sweep;
using tropigrad_sweep::report;

namespace {

constexpr Eigen::Index steps = 2;  // time steps of the spiking layers; inputs are (steps * batch) x features

}  // namespace

TEST_CASE("robustness sweep: Linear, neurons, SpikingMLP", "[nn][robustness]") {
  Sweep sweep;
  // Products: +inf and -inf terms meet in the sums (inf - inf), so inputs and weights are finite.
  sweep.layer("nn::Linear", Domain::finite, 3, 4, [](const auto& x, const auto& params) {
    tg::nn::Linear<double> m(4, 2, 1);
    params(m);
    return m.forward(x); }, Domain::finite);
  for (const std::string& name : tg::nn::neuron_names()) {
    // Currents: every real (a spike saturates); parameters finite (decay and threshold of +-inf are undefined).
    // PLIF with a surrogate that is not exactly 0 at an infinite potential (straight-through; sigmoid, whose
    // exp(-inf) Eigen evaluates as ~1e-308): d/dbeta sums gh V_{t-1} with V = +-inf and gh of both signs (inf - inf).
    const bool beta_sums_inf = name == "plif-straight-through" || name == "plif-sigmoid";
    // UltraDPLIF learns log tau: log tau = 1e3 overflows tau = exp(log tau) to +inf (a decay must be finite).
    const bool learnable_log_tau = name == "ultra-dplif";
    sweep.layer("nn::" + name, beta_sums_inf ? Domain::finite : Domain::all, steps * 2, 4, [name](const auto& x, const auto& params) {
      auto neuron = tg::nn::make_neuron<double>(name, 4);
      params(*neuron);
      return neuron->forward(x, steps); }, learnable_log_tau ? Domain::closed(-1e30, 1) : Domain::finite);
    // The whole network and its loss: Linear (finite inputs, as above), neuron, readout, cross-entropy.
    sweep.layer("nn::SpikingMLP " + name, Domain::finite, steps * 2, 4, [name](const auto& x, const auto& params) {
      tg::nn::SpikingMLP<double> net(4, {5}, 3, [name](Eigen::Index f) { return tg::nn::make_neuron<double>(name, f); }, 3);
      params(net);
      return tg::cross_entropy(net.forward(x, steps), std::vector<int>{2, 0}); }, Domain::finite);
  }
  // The other reset modes of the surrogate LIF (the named neurons use subtract), learnable beta.
  for (const auto reset : {tg::nn::Reset::zero, tg::nn::Reset::none})
    sweep.layer("nn::LIF reset " + tg::nn::reset_name(reset), Domain::all, steps * 2, 4,
                [reset](const auto& x, const auto& params) {
                  tg::nn::LIFOptions o;
                  o.reset = reset;
                  o.learn_beta = true;
                  tg::nn::LIF<double> m(4, o);
                  params(m);
                  return m.forward(x, steps); }, Domain::finite);
  report(sweep);
}

TEST_CASE("robustness sweep: encoders and SlotCluster", "[nn][robustness]") {
  Sweep sweep;
  sweep.unary("nn::direct_encode", Domain::all, [](const auto& x) { return tg::nn::direct_encode(x, 3); });
  // Poisson and latency codes are constants (no gradient): each is added to the direct code of x so that the
  // result is recorded; the sweep then checks the code's values. They read x as an intensity (clamped to [0, 1]).
  sweep.unary("nn::poisson_encode", Domain::all, [](const auto& x) {
    std::mt19937_64 rng(5);
    return tg::nn::poisson_encode(x, 3, rng) + tg::nn::direct_encode(x, 3); });
  sweep.unary("nn::latency_encode", Domain::all, [](const auto& x) {
    return tg::nn::latency_encode(x, 3) + tg::nn::direct_encode(x, 3); });
  sweep.unary("nn::latency_encode clip", Domain::all, [](const auto& x) {
    return tg::nn::latency_encode(x, 3, {true, 0.01}) + tg::nn::direct_encode(x, 3); });
  // Cosine similarities: an infinite token has no direction (inf / inf), so tokens and slots are finite.
  for (const auto init : {tg::nn::SlotInit::learned, tg::nn::SlotInit::pooled})
    sweep.layer(init == tg::nn::SlotInit::learned ? "nn::SlotCluster" : "nn::SlotCluster pooled", Domain::finite, 5, 4,
                [init](const auto& x, const auto& params) {
                  tg::nn::SlotCluster<double> m(4, 2, init, 10.0, 7);
                  params(m);
                  return m.forward(x).output; }, Domain::finite);
  report(sweep);
}
