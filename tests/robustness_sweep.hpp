#pragma once
// Numerical robustness sweep: every differentiable op and layer is run on
// special inputs and must either give a usable result or throw a documented
// error. Shared by tests/ad/robustness_sweep_test.cpp (Tensor and scalar Var
// ops, tropical / dynamic-programming ops), tests/loss/, tests/soft/ and
// tests/nn/robustness_sweep_test.cpp (layers).
//
// THE CONTRACT (checked for every registered op, in double, and in float too
// when the registered lambda is generic, i.e. takes `const auto&`):
//  - Each registration declares the domain of each input (Domain::all = every
//    real incl. +-inf, finite, positive, nonnegative, nonzero, closed(lo, hi),
//    ...). Special values outside an input's domain are skipped; every special
//    value inside it is tested. NaN is tested for every op, whatever its domain.
//  - Special values: 0, +-1e-30, +-1e-3, +-1, +-1e3, +-1e30, +-inf, NaN. A case
//    places the value at a few positions among ordinary random values (of
//    magnitude 0.1..2, folded into the domain), or fills the whole input with
//    it. For multi-input ops, each input in turn takes the value while the
//    others hold ordinary values, and then all inputs take it together.
//  - Ops with a temperature run every case for eps in {1e-6, 1e-3, 1, 1e3}, and
//    eps itself is swept: in-domain specials (finite > 0) must work like any
//    input; 0, negatives, +-inf and NaN must throw std::invalid_argument.
//    Eps::nonnegative declares an op whose eps = 0 is the exact hard op (soft
//    sort, soft-DTW, ...): 0 must then work too. A temperature passed as a
//    number (eps.item()) gets no gradient; one passed as the Tensor is checked.
//  - Layers: in a second family of cases the special value goes into every
//    parameter (a few positions, or filled) while the input holds ordinary values;
//    the parameters' gradients are checked as the inputs' are. A layer runs many
//    ops, so any documented error naming "tropigrad::" is accepted from it.
//  - A registration whose every case without NaN throws fails: it tests nothing
//    (e.g. a wrong shape in the registration).
//  - (a) The forward pass either throws std::invalid_argument or
//    std::domain_error whose message contains "tropigrad::<name>" (<name> is the
//    registration name up to its first space: register under the function's
//    name), or returns values with no NaN when no input is NaN. +-inf outputs
//    are allowed except from "tame" cases (special value +-1e-3 or +-1, eps in
//    the set), where no exact result overflows.
//  - (b) backward() with a seed gradient of ones, then a random one, gives
//    input (and eps) gradients with no NaN when no input is NaN.
//  - (c) With tg::DetectAnomaly on, a NaN input makes the op throw, in the
//    forward or the backward pass. (Scalar Var ops are outside anomaly mode,
//    which is a Tensor feature: for them a NaN input must give a NaN output, a
//    NaN gradient or a throw, never a clean finite result with finite gradients.)
//  - (d) NaN inputs with anomaly mode off may propagate NaN or throw; nothing
//    else is asked of them (ASan/UBSan builds check they are not UB).
//  - Documented mathematical singularities are declared in the registration's
//    domains with a one-line comment saying why (e.g. sqrt is swept on x >= 0).
//
// ADDING AN OP (one line in the matching *_sweep_test.cpp, in its TEST_CASE):
//   sweep.unary("exp", Domain::all, [](const auto& x) { return tg::exp(x); });
//   sweep.binary("divide", Domain::all, Domain::nonzero, [](const auto& a, const auto& b) { return a / b; },
//                Joint::finite_when_all);
//   sweep.with_eps("lse", Domain::all, [](const auto& eps, const auto& x) { return tg::lse(eps, x, 1); });
//   sweep.with_eps2("smooth_max", Domain::all, Domain::all,
//                   [](const auto& eps, const auto& a, const auto& b) { return tg::smooth_max(eps, a, b); });
//   sweep.nary("matmul", {{Domain::finite, 3, 4}, {Domain::finite, 4, 2}},
//              [](const auto& in) { return tg::matmul(in[0], in[1]); });
//   sweep.nary_with_eps(...) is nary with eps as first lambda argument.
//   sweep.with_eps("soft_sort", Domain::all, [](const auto& eps, const auto& x) {
//     return tg::soft_sort(x, {eps.item()}); }, Eps::nonnegative);   // eps = 0 is the hard sort
//   sweep.layer("nn::Linear", Domain::finite, 3, 4, [](const auto& x, const auto& params) {
//     tg::nn::Linear<double> m(4, 2); params(m); return m.forward(x); }, Domain::finite);
//     (layer(name, input domain, input rows, cols, f, parameter domain): f builds the layer, hands it to
//     params(...), and returns its output or a loss; double only; omit the parameter domain to skip those cases.)
// Lambdas take Tensors (eps is a 1x1 Tensor leaf requiring grad) and return a
// Tensor or a Var. For scalar Var ops: scalar_unary, scalar_binary,
// scalar_with_eps2 (eps, a, b as Vars) and scalar_nary(name, domain, n, f(vector<Var>)),
// returning a Var or a std::vector<Var>. A new op in a new header (e.g.
// tensor_tropical_matmul.hpp, soft/, loss/) is one such line plus its #include.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "tropigrad/ad.hpp"

namespace tropigrad_sweep {

namespace tg = tropigrad;
using Eigen::Index;

/// The set of values an input accepts: [lo, hi] with optionally open ends, optionally without 0.
struct Domain {
  double lo, hi;
  bool lo_open, hi_open, zero_ok;

  static const Domain all;              // every real, +-inf included
  static const Domain finite;           // every finite real
  static const Domain positive;         // (0, +inf]
  static const Domain positive_finite;  // (0, +inf)
  static const Domain nonnegative;      // [0, +inf]
  static const Domain nonzero;          // every real but 0, +-inf included
  static constexpr Domain closed(double lo, double hi) { return {lo, hi, false, false, true}; }

  bool contains(double v) const {
    if (std::isnan(v) || (v == 0 && !zero_ok) || v < lo || v > hi) return false;
    return !((lo_open && v == lo) || (hi_open && v == hi));
  }
  /// An ordinary value: magnitude in [0.1, 2], random sign, folded into the domain.
  double ordinary(std::mt19937& rng) const {
    std::uniform_real_distribution<double> mag(0.1, 2.0);
    const double m = mag(rng);
    const double v = (rng() & 1u) ? m : -m;
    if (contains(v)) return v;
    if (contains(-v)) return -v;
    std::uniform_real_distribution<double> t(0.1, 0.9);
    const double lo_f = std::isfinite(lo) ? lo : hi - 2.0, hi_f = std::isfinite(hi) ? hi : lo + 2.0;
    return lo_f + (hi_f - lo_f) * t(rng);
  }
};
inline constexpr Domain Domain::all{-HUGE_VAL, HUGE_VAL, false, false, true};
inline constexpr Domain Domain::finite{-HUGE_VAL, HUGE_VAL, true, true, true};
inline constexpr Domain Domain::positive{0.0, HUGE_VAL, true, false, true};
inline constexpr Domain Domain::positive_finite{0.0, HUGE_VAL, true, true, true};
inline constexpr Domain Domain::nonnegative{0.0, HUGE_VAL, false, false, true};
inline constexpr Domain Domain::nonzero{-HUGE_VAL, HUGE_VAL, false, false, false};

/// What the "all inputs take the special value" case covers.
enum class Joint {
  any,              // every special value
  finite_when_all,  // skip +-inf when all inputs hold it (inf - inf, inf / inf are undefined)
};

/// The valid temperatures of an op: eps > 0, or eps >= 0 where 0 is the exact hard limit.
enum class Eps {
  positive,     // 0, negatives, +-inf and NaN must throw
  nonnegative,  // 0 is valid (the hard op); negatives, +-inf and NaN must throw
};

/// One input of an op: its domain and shape.
struct Input {
  Domain domain = Domain::all;
  Index rows = 3, cols = 4;
};

inline const std::vector<double>& special_values() {
  static const std::vector<double> v = {0.0,   1e-30, -1e-30, 1e-3, -1e-3, 1.0, -1.0, 1e3, -1e3, 1e30, -1e30,
                                        HUGE_VAL, -HUGE_VAL, std::numeric_limits<double>::quiet_NaN()};
  return v;
}
inline const std::vector<double>& eps_set() {
  static const std::vector<double> v = {1e-6, 1e-3, 1.0, 1e3};
  return v;
}
inline bool is_tame(double v) { return std::abs(v) == 1e-3 || std::abs(v) == 1.0; }

/// One generated case: the values of every input (as double), a label, and whether it is tame.
struct Case {
  std::vector<tg::RowArray<double>> values;
  std::string label;
  bool has_nan = false;
  bool tame = false;
  // Layers: the special value goes into the parameters (the inputs are ordinary).
  bool in_parameters = false, fill = false;
  double parameter_value = 0;
};

inline std::string number_text(double v) { return tg::format_number(v); }

/// Every case of an op with the given inputs (see the contract above).
inline std::vector<Case> make_cases(const std::vector<Input>& inputs, Joint joint, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<Case> cases;
  const int n = static_cast<int>(inputs.size());
  for (double v : special_values()) {
    const bool nan = std::isnan(v);
    for (int layout = 0; layout < 2; ++layout) {  // 0: a few positions, 1: filled
      for (int target = 0; target < (n > 1 ? n + 1 : 1); ++target) {
        const bool all = target == n;
        if (all && joint == Joint::finite_when_all && std::isinf(v)) continue;
        bool in_domain = true, any_big = false;
        for (int i = 0; i < n; ++i) {
          if (all || i == target) {
            in_domain = in_domain && (nan || inputs[i].domain.contains(v));
            any_big = any_big || inputs[i].rows * inputs[i].cols > 1;
          }
        }
        if (!in_domain || (layout == 1 && !any_big)) continue;
        Case c;
        for (int i = 0; i < n; ++i) {
          const Input& in = inputs[i];
          tg::RowArray<double> a(in.rows, in.cols);
          for (Index k = 0; k < a.size(); ++k) a.data()[k] = in.domain.ordinary(rng);
          if (all || i == target) {
            if (layout == 1) {
              a.setConstant(v);
            } else {
              a(0, 0) = v;
              a(in.rows / 2, in.cols / 2) = v;
              a(in.rows - 1, in.cols - 1) = v;
            }
          }
          c.values.push_back(std::move(a));
        }
        c.has_nan = nan;
        c.tame = is_tame(v);
        for (int i = 0; i < n; ++i)
          if ((all || i == target) && (v == inputs[i].domain.lo || v == inputs[i].domain.hi)) c.tame = false;
        c.label = "value " + number_text(v) + (layout ? " filling " : " at a few positions of ") +
                  (all ? std::string("every input") : "input " + std::to_string(target));
        cases.push_back(std::move(c));
      }
    }
  }
  return cases;
}

template <class T>
bool has_nan(const Eigen::Ref<const tg::RowArray<T>>& a) {
  return a.isNaN().any();
}

template <class T>
using TensorOut = std::variant<tg::Tensor<T>, tg::Var<T>>;
template <class T>
using TensorFn = std::function<TensorOut<T>(const std::vector<tg::Tensor<T>>&, const tg::Tensor<T>&)>;

template <class T>
using VarOut = std::variant<tg::Var<T>, std::vector<tg::Var<T>>>;
template <class T>
using VarFn = std::function<VarOut<T>(const std::vector<tg::Var<T>>&, const tg::Var<T>&)>;

/// What registering an op records (besides its functions).
struct OpSpec {
  OpSpec(std::string n, std::vector<Input> in, Joint j = Joint::any, bool e = false, Eps k = Eps::positive,
         std::optional<Domain> p = std::nullopt, bool l = false)
      : name(std::move(n)), inputs(std::move(in)), joint(j), with_eps(e), eps(k), parameters(p), layer(l) {}
  std::string name;
  std::vector<Input> inputs;
  Joint joint = Joint::any;
  bool with_eps = false;
  Eps eps = Eps::positive;
  std::optional<Domain> parameters;  // layers: the domain of the parameter cases (none: no such cases)
  bool layer = false;
};

/// The registry. BasicSweep<true> also runs float where the lambda is generic
/// (const auto&); it doubles the compile time of the ops it covers, so use it for a subset.
template <bool Float>
class BasicSweep {
  // True if F is also called with the float arguments A (lazily: a generic lambda is not instantiated for float
  // when Float is false).
  template <class F, class... A>
  static constexpr bool also_float = std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, A...>>;
  using TF = tg::Tensor<float>;
  using VF = tg::Var<float>;

public:
  const std::vector<std::string>& failures() const { return failures_; }
  /// Documented throws met on in-domain inputs without NaN (allowed; listed for review).
  const std::vector<std::string>& notes() const { return notes_; }
  std::size_t runs() const { return runs_; }
  std::size_t ops() const { return ops_; }

  /// What a layer lambda receives: params(module) hands the module's parameters to the sweep, which checks their
  /// gradients and, in the parameter cases, writes the special value into them first.
  class Parameters {
  public:
    explicit Parameters(BasicSweep* sweep) : sweep_(sweep) {}
    template <class M>
    void operator()(M& module) const {
      sweep_->take_parameters(module.parameters());
    }

  private:
    BasicSweep* sweep_;
  };

  // ---- Tensor ops -------------------------------------------------------------------------------------------

  template <class F>
  void unary(const std::string& name, Domain d, F f, Index rows = 3, Index cols = 4) {
    add_op({name, {{d, rows, cols}}},
           wrap<also_float<F, const TF&>>([f](const auto& in, const auto&) { return f(in[0]); }));
  }
  template <class F>
  void binary(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_op({name, {{da}, {db}}, joint},
           wrap<also_float<F, const TF&, const TF&>>([f](const auto& in, const auto&) { return f(in[0], in[1]); }));
  }
  template <class F>
  void with_eps(const std::string& name, Domain d, F f, Eps eps = Eps::positive) {
    add_op({name, {{d}}, Joint::any, true, eps},
           wrap<also_float<F, const TF&, const TF&>>([f](const auto& in, const auto& e) { return f(e, in[0]); }));
  }
  template <class F>
  void with_eps2(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_op({name, {{da}, {db}}, joint, true}, wrap<also_float<F, const TF&, const TF&, const TF&>>(
                                                  [f](const auto& in, const auto& e) { return f(e, in[0], in[1]); }));
  }
  template <class F>
  void nary(const std::string& name, std::vector<Input> inputs, F f, Joint joint = Joint::any) {
    add_op({name, std::move(inputs), joint},
           wrap<also_float<F, const std::vector<TF>&>>([f](const auto& in, const auto&) { return f(in); }));
  }
  template <class F>
  void nary_with_eps(const std::string& name, std::vector<Input> inputs, F f, Joint joint = Joint::any,
                     Eps eps = Eps::positive) {
    add_op({name, std::move(inputs), joint, true, eps},
           wrap<also_float<F, const TF&, const std::vector<TF>&>>([f](const auto& in, const auto& e) { return f(e, in); }));
  }
  /// A layer (double only): f(x, params) builds the layer, calls params(layer) and returns its output (or a loss).
  /// With a parameter domain, a second family of cases puts each special value of that domain into every
  /// parameter while x holds ordinary values.
  template <class F>
  void layer(const std::string& name, Domain d, Index rows, Index cols, F f,
             std::optional<Domain> parameters = std::nullopt) {
    add_op({name, {{d, rows, cols}}, Joint::any, false, Eps::positive, parameters, true},
           wrap<false>([f, this](const auto& in, const auto&) { return f(in[0], Parameters(this)); }));
  }

  // ---- scalar Var ops ---------------------------------------------------------------------------------------

  template <class F>
  void scalar_unary(const std::string& name, Domain d, F f) {
    add_op({name, {{d, 1, 1}}}, wrap<also_float<F, const VF&>, true>([f](const auto& in, const auto&) { return f(in[0]); }));
  }
  template <class F>
  void scalar_binary(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_op({name, {{da, 1, 1}, {db, 1, 1}}, joint},
           wrap<also_float<F, const VF&, const VF&>, true>([f](const auto& in, const auto&) { return f(in[0], in[1]); }));
  }
  template <class F>
  void scalar_with_eps2(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_op({name, {{da, 1, 1}, {db, 1, 1}}, joint, true},
           wrap<also_float<F, const VF&, const VF&, const VF&>, true>(
               [f](const auto& in, const auto& e) { return f(e, in[0], in[1]); }));
  }
  /// n Vars in one vector, all of domain d (f receives std::vector<Var>).
  template <class F>
  void scalar_nary(const std::string& name, Domain d, Index n, F f) {
    add_op({name, {{d, 1, n}}},
           wrap<also_float<F, const std::vector<VF>&>, true>([f](const auto& in, const auto&) { return f(in); }));
  }
  template <class F>
  void scalar_nary_with_eps(const std::string& name, Domain d, Index n, F f) {
    add_op({name, {{d, 1, n}}, Joint::any, true}, wrap<also_float<F, const VF&, const std::vector<VF>&>, true>(
                                                      [f](const auto& in, const auto& e) { return f(e, in); }));
  }

private:
  template <class T, bool Scalar>
  using Fn = std::conditional_t<Scalar, VarFn<T>, TensorFn<T>>;
  template <class T, bool Scalar>
  using Out = std::conditional_t<Scalar, VarOut<T>, TensorOut<T>>;

  // Builds the double (and, if the lambda accepts float, the float) std::function.
  template <bool AlsoFloat, bool Scalar = false, class G>
  static std::pair<Fn<double, Scalar>, Fn<float, Scalar>> wrap(G g) {
    Fn<double, Scalar> d = [g](const auto& in, const auto& eps) { return Out<double, Scalar>(g(in, eps)); };
    Fn<float, Scalar> fl;
    if constexpr (AlsoFloat) fl = [g](const auto& in, const auto& eps) { return Out<float, Scalar>(g(in, eps)); };
    return {d, fl};
  }

  template <class FD, class FF>
  void add_op(const OpSpec& spec, std::pair<FD, FF> fns) {
    ++ops_;
    failures_per_op_ = 0;
    completed_ = 0;
    layer_ = spec.layer;
    run<double>(spec, fns.first);
    if constexpr (Float)
      if (fns.second) run<float>(spec, fns.second);
    if (completed_ == 0)  // a registration whose every case throws tests nothing (e.g. a wrong shape)
      fail(spec.name, "all", "no case without NaN ran to the end: every one threw");
    if (failures_per_op_ > 4)
      failures_.push_back(spec.name + ": " + std::to_string(failures_per_op_ - 4) + " more failures not shown");
  }

  void fail(const std::string& op, const std::string& type, const std::string& what) {
    if (++failures_per_op_ <= 4) failures_.push_back(op + " [" + type + "]: " + what);
  }

  static std::uint32_t seed_of(const std::string& name) {
    std::uint32_t h = 2166136261u;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
  }

  template <class T>
  static bool eps_valid(double eps, Eps kind) {
    const T e = static_cast<T>(eps);
    return std::isfinite(e) && (e > 0 || (eps == 0 && kind == Eps::nonnegative));
  }

  /// Checks the message of a documented throw names the function.
  void check_message(const std::string& op, const std::string& type, const std::string& where,
                     const std::string& message, bool clean = false) {
    if (clean && (notes_.empty() || notes_.back().rfind(op + " [" + type + "]", 0) != 0))
      notes_.push_back(op + " [" + type + "]: " + where + ": " + message);
    // A layer runs many ops: any documented tropigrad error will do.
    const std::string fn = "tropigrad::" + (layer_ ? std::string() : op.substr(0, op.find(' ')));
    if (message.find(fn) == std::string::npos)
      fail(op, type, where + ": the error message does not name " + fn + ": " + message);
  }

  // Layers: records the parameters (their gradients are checked) and writes the current parameter case into them.
  void take_parameters(std::vector<tg::Tensor<double>> ps) {
    parameters_taken_ = true;
    for (auto& p : ps) {
      if (current_ != nullptr && current_->in_parameters) {
        auto v = p.value_mut();
        const double x = current_->parameter_value;
        if (current_->fill) {
          v.setConstant(x);
        } else {
          v(0, 0) = x;
          v(v.rows() / 2, v.cols() / 2) = x;
          v(v.rows() - 1, v.cols() - 1) = x;
        }
      }
      parameters_.push_back(p);
    }
  }

  template <class Fn>
  void for_cases(const OpSpec& spec, Fn run) {
    const std::string& name = spec.name;
    const auto cases = make_cases(spec.inputs, spec.joint, seed_of(name));
    for (const Case& c : cases) {
      if (!spec.with_eps) {
        run(c, 1.0, c.has_nan, c.tame);
        continue;
      }
      for (double e : eps_set()) run(c, e, c.has_nan, c.tame);
    }
    std::mt19937 rng(seed_of(name) + 1);
    Case plain;  // ordinary values in every input
    for (const Input& in : spec.inputs) {
      tg::RowArray<double> a(in.rows, in.cols);
      for (Index k = 0; k < a.size(); ++k) a.data()[k] = in.domain.ordinary(rng);
      plain.values.push_back(std::move(a));
    }
    if (spec.parameters) {  // layers: the special value in every parameter, ordinary inputs
      for (double v : special_values()) {
        if (!std::isnan(v) && !spec.parameters->contains(v)) continue;
        for (int layout = 0; layout < 2; ++layout) {
          Case c = plain;
          c.in_parameters = true;
          c.fill = layout == 1;
          c.parameter_value = v;
          c.has_nan = std::isnan(v);
          c.tame = is_tame(v) && v != spec.parameters->lo && v != spec.parameters->hi;
          c.label = "value " + number_text(v) + (layout ? " filling" : " at a few positions of") + " every parameter";
          run(c, 1.0, c.has_nan, c.tame);
        }
      }
    }
    if (!spec.with_eps) return;
    // eps swept over the special values, x ordinary.
    plain.label = "ordinary inputs";
    for (double e : special_values()) run(plain, e, std::isnan(e), e == 1e-3 || e == 1.0 || e == 1e3);
  }

  template <class T>
  static std::vector<T> random_seed(std::mt19937& rng, Index n, bool ones) {
    std::vector<T> s(static_cast<std::size_t>(n), T(1));
    if (!ones) {
      std::normal_distribution<double> nd(0.0, 1.0);
      for (auto& x : s) x = static_cast<T>(nd(rng));
    }
    return s;
  }

  template <class T>
  void run(const OpSpec& spec, const TensorFn<T>& fn) {
    const std::string& name = spec.name;
    const bool with_eps = spec.with_eps;
    const std::string type = std::is_same_v<T, double> ? "double" : "float";
    std::mt19937 rng(seed_of(name) + 7);
    for_cases(spec, [&](const Case& c, double eps, bool nan, bool tame) {
      const std::string label = c.label + (with_eps ? ", eps = " + number_text(eps) : "");
      const bool eps_ok = eps_valid<T>(eps, spec.eps);
      for (int pass = 0; pass < 2; ++pass) {
        // pass 0: seed of ones; pass 1: random seed (NaN cases: pass 1 runs under DetectAnomaly).
        const bool anomaly = nan && pass == 1;
        ++runs_;
        tg::tape<T>().reset();
        std::vector<tg::Tensor<T>> leaves;
        for (const auto& v : c.values) leaves.emplace_back(v.template cast<T>().eval(), true);
        tg::Tensor<T> eps_leaf(static_cast<T>(eps), with_eps);
        const bool previous = tg::detect_anomaly();
        tg::detect_anomaly() = anomaly;
        parameters_.clear();
        parameters_taken_ = false;
        current_ = &c;
        struct Restore {
          bool p;
          const Case*& current;
          ~Restore() {
            tg::detect_anomaly() = p;
            current = nullptr;
          }
        } restore{previous, current_};
        const char* stage = "forward";
        try {
          TensorOut<T> out = fn(leaves, eps_leaf);
          if (with_eps && !eps_ok) {
            fail(name, type, label + ": an invalid eps was accepted (no std::invalid_argument)");
            return;
          }
          if (c.in_parameters && !parameters_taken_) {
            fail(name, type, "the layer lambda did not pass its layer to params(...)");
            return;
          }
          tg::RowArray<T> value;
          bool requires_grad = false;
          if (auto* t = std::get_if<tg::Tensor<T>>(&out)) {
            value = t->value();
            requires_grad = t->requires_grad();
          } else {
            const auto& v = std::get<tg::Var<T>>(out);
            value = tg::RowArray<T>::Constant(1, 1, v.value());
            requires_grad = !v.is_constant();
          }
          if (!nan && value.isNaN().any()) fail(name, type, label + ": NaN in the forward result");
          if (!nan && tame && !value.isFinite().all() && !value.isNaN().any())
            fail(name, type, label + ": +-inf in the forward result of a tame case");
          if (!requires_grad) {
            if (!anomaly) fail(name, type, label + ": the result does not require grad");
            else fail(name, type, label + ": NaN passed silently under DetectAnomaly (no tape node)");
            return;
          }
          stage = "backward";
          const auto seed = random_seed<T>(rng, value.size(), pass == 0);
          if (auto* t = std::get_if<tg::Tensor<T>>(&out)) {
            auto g = t->grad_mut();
            for (Index k = 0; k < g.size(); ++k) g.data()[k] = seed[static_cast<std::size_t>(k)];
          } else {
            tg::tape<T>().adjoint(std::get<tg::Var<T>>(out).index()) += seed[0];
          }
          tg::tape<T>().run_backward();
          if (anomaly) {
            fail(name, type, label + ": NaN passed silently under DetectAnomaly");
            return;
          }
          if (nan) return;
          const std::string seed_label = label + ", seed " + (pass ? "random" : "ones");
          for (std::size_t i = 0; i < leaves.size(); ++i)
            if (leaves[i].grad().isNaN().any())
              fail(name, type, seed_label + ": NaN in the gradient of input " + std::to_string(i));
          if (with_eps && std::isnan(eps_leaf.grad()(0, 0)))
            fail(name, type, seed_label + ": NaN in the gradient of eps");
          for (std::size_t i = 0; i < parameters_.size(); ++i)
            if (parameters_[i].requires_grad() && parameters_[i].grad().isNaN().any())
              fail(name, type, seed_label + ": NaN in the gradient of parameter " + std::to_string(i));
          ++completed_;
        } catch (const std::invalid_argument& e) {
          check_message(name, type, label, e.what(), !nan && eps_ok);
          if (std::string(stage) == "backward" && !nan)
            fail(name, type, label + ": std::invalid_argument in the backward pass: " + e.what());
        } catch (const std::domain_error& e) {
          check_message(name, type, label, e.what());
        } catch (const std::runtime_error& e) {
          if (!anomaly) fail(name, type, label + ": unexpected std::runtime_error in the " + stage + " pass: " + e.what());
        } catch (const std::exception& e) {
          fail(name, type, label + ": unexpected exception in the " + stage + " pass: " + e.what());
        }
      }
    });
    parameters_.clear();
    tg::tape<T>().reset();
  }

  template <class T>
  void run(const OpSpec& spec, const VarFn<T>& fn) {
    const std::string& name = spec.name;
    const bool with_eps = spec.with_eps;
    const std::string type = std::string(std::is_same_v<T, double> ? "double" : "float") + " Var";
    std::mt19937 rng(seed_of(name) + 11);
    for_cases(spec, [&](const Case& c, double eps, bool nan, bool tame) {
      const std::string label = c.label + (with_eps ? ", eps = " + number_text(eps) : "");
      const bool eps_ok = eps_valid<T>(eps, spec.eps);
      for (int pass = 0; pass < 2; ++pass) {
        ++runs_;
        tg::tape<T>().reset();
        std::vector<tg::Var<T>> leaves;
        for (const auto& v : c.values)
          for (Index k = 0; k < v.size(); ++k) leaves.emplace_back(static_cast<T>(v.data()[k]));
        const tg::Var<T> eps_leaf(static_cast<T>(eps));
        const char* stage = "forward";
        try {
          const VarOut<T> out = fn(leaves, eps_leaf);
          if (with_eps && !eps_ok) {
            fail(name, type, label + ": an invalid eps was accepted (no std::invalid_argument)");
            return;
          }
          std::vector<tg::Var<T>> outs;
          if (auto* v = std::get_if<tg::Var<T>>(&out)) outs.push_back(*v);
          else outs = std::get<std::vector<tg::Var<T>>>(out);
          bool out_nan = false, out_inf = false;
          for (const auto& o : outs) {
            out_nan = out_nan || std::isnan(o.value());
            out_inf = out_inf || std::isinf(o.value());
          }
          if (!nan && out_nan) fail(name, type, label + ": NaN in the forward result");
          if (!nan && tame && out_inf) fail(name, type, label + ": +-inf in the forward result of a tame case");
          stage = "backward";
          const auto seed = random_seed<T>(rng, static_cast<Index>(outs.size()), pass == 0);
          bool any_recorded = false;
          for (std::size_t k = 0; k < outs.size(); ++k) {
            if (outs[k].is_constant()) continue;
            any_recorded = true;
            tg::tape<T>().adjoint(outs[k].index()) += seed[k];
          }
          if (any_recorded) tg::tape<T>().run_backward();
          bool grad_nan = false;
          for (const auto& l : leaves) grad_nan = grad_nan || std::isnan(l.grad());
          if (with_eps) grad_nan = grad_nan || std::isnan(eps_leaf.grad());
          if (!nan && grad_nan)
            fail(name, type, label + ", seed " + (pass ? "random" : "ones") + ": NaN in a gradient");
          // (c) for Vars: a NaN input must show up somewhere (they are outside anomaly mode).
          if (nan && !out_nan && !grad_nan && pass == 0)
            fail(name, type, label + ": NaN input vanished (finite result and gradients)");
          if (!nan) ++completed_;
        } catch (const std::invalid_argument& e) {
          check_message(name, type, label, e.what());
        } catch (const std::domain_error& e) {
          check_message(name, type, label, e.what());
        } catch (const std::exception& e) {
          fail(name, type, label + ": unexpected exception in the " + stage + " pass: " + e.what());
        }
      }
    });
    tg::tape<T>().reset();
  }

  std::vector<std::string> failures_, notes_;
  std::size_t runs_ = 0, ops_ = 0;
  int failures_per_op_ = 0;
  std::size_t completed_ = 0;  // runs of the current op without NaN that passed forward and backward
  std::vector<tg::Tensor<double>> parameters_;  // the current layer's parameters
  bool parameters_taken_ = false, layer_ = false;
  const Case* current_ = nullptr;               // the case being run (layers read its parameter value)
};

using Sweep = BasicSweep<false>;
using SweepWithFloat = BasicSweep<true>;

/// Reports a finished sweep to Catch: every failure fails the test case; the
/// documented throws on clean inputs are listed with any failure.
template <class S>
void report(const S& sweep) {
  for (const auto& n : sweep.notes()) UNSCOPED_INFO("documented throw on a clean input: " << n);
  for (const auto& f : sweep.failures()) FAIL_CHECK(f);
  INFO(sweep.ops() << " ops, " << sweep.runs() << " runs");
  CHECK(sweep.failures().empty());
}

}  // namespace tropigrad_sweep
