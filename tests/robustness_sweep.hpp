#pragma once
// Numerical robustness sweep: every differentiable op and layer is run on
// special inputs and must either give a usable result or throw a documented
// error. Shared by tests/ad/robustness_sweep_test.cpp (Tensor and scalar Var
// ops) and tests/nn/robustness_sweep_test.cpp (layers).
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
// Lambdas take Tensors (eps is a 1x1 Tensor leaf requiring grad) and return a
// Tensor or a Var. For scalar Var ops: scalar_unary, scalar_binary,
// scalar_with_eps2 (eps, a, b as Vars) and scalar_nary(name, domain, n, f(vector<Var>)),
// returning a Var or a std::vector<Var>. A new op in a new header (e.g.
// tensor_tropical_matmul.hpp, soft/, loss/) is one such line plus its #include.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
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

/// The registry. BasicSweep<true> also runs float where the lambda is generic
/// (const auto&); it doubles the compile time of the ops it covers, so use it for a subset.
template <bool Float>
class BasicSweep {
public:
  const std::vector<std::string>& failures() const { return failures_; }
  /// Documented throws met on in-domain inputs without NaN (allowed; listed for review).
  const std::vector<std::string>& notes() const { return notes_; }
  std::size_t runs() const { return runs_; }
  std::size_t ops() const { return ops_; }

  // ---- Tensor ops -------------------------------------------------------------------------------------------

  template <class F>
  void unary(const std::string& name, Domain d, F f, Index rows = 3, Index cols = 4) {
    add_tensor_op(name, {{d, rows, cols}}, Joint::any, false, wrap<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Tensor<float>&>>>([f](const auto& in, const auto&) {
                    return f(in[0]);
                  }));
  }
  template <class F>
  void binary(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_tensor_op(name, {{da}, {db}}, joint, false, wrap<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Tensor<float>&, const tg::Tensor<float>&>>>([f](const auto& in, const auto&) {
                    return f(in[0], in[1]);
                  }));
  }
  template <class F>
  void with_eps(const std::string& name, Domain d, F f) {
    add_tensor_op(name, {{d}}, Joint::any, true, wrap<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Tensor<float>&, const tg::Tensor<float>&>>>([f](const auto& in, const auto& eps) {
                    return f(eps, in[0]);
                  }));
  }
  template <class F>
  void with_eps2(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_tensor_op(name, {{da}, {db}}, joint, true, wrap<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Tensor<float>&, const tg::Tensor<float>&, const tg::Tensor<float>&>>>([f](const auto& in, const auto& eps) {
                    return f(eps, in[0], in[1]);
                  }));
  }
  template <class F>
  void nary(const std::string& name, std::vector<Input> inputs, F f, Joint joint = Joint::any) {
    add_tensor_op(name, std::move(inputs), joint, false, wrap<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const std::vector<tg::Tensor<float>>&>>>([f](const auto& in, const auto&) { return f(in); }));
  }
  template <class F>
  void nary_with_eps(const std::string& name, std::vector<Input> inputs, F f, Joint joint = Joint::any) {
    add_tensor_op(name, std::move(inputs), joint, true,
                  wrap<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Tensor<float>&, const std::vector<tg::Tensor<float>>&>>>([f](const auto& in, const auto& eps) { return f(eps, in); }));
  }

  // ---- scalar Var ops ---------------------------------------------------------------------------------------

  template <class F>
  void scalar_unary(const std::string& name, Domain d, F f) {
    add_var_op(name, {{d, 1, 1}}, Joint::any, false,
               wrap_var<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Var<float>&>>>([f](const auto& in, const auto&) { return f(in[0]); }));
  }
  template <class F>
  void scalar_binary(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_var_op(name, {{da, 1, 1}, {db, 1, 1}}, joint, false,
               wrap_var<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Var<float>&, const tg::Var<float>&>>>([f](const auto& in, const auto&) { return f(in[0], in[1]); }));
  }
  template <class F>
  void scalar_with_eps2(const std::string& name, Domain da, Domain db, F f, Joint joint = Joint::any) {
    add_var_op(name, {{da, 1, 1}, {db, 1, 1}}, joint, true,
               wrap_var<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Var<float>&, const tg::Var<float>&, const tg::Var<float>&>>>([f](const auto& in, const auto& eps) { return f(eps, in[0], in[1]); }));
  }
  /// n Vars in one vector, all of domain d (f receives std::vector<Var>).
  template <class F>
  void scalar_nary(const std::string& name, Domain d, Index n, F f) {
    add_var_op(name, {{d, 1, n}}, Joint::any, false,
               wrap_var<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const std::vector<tg::Var<float>>&>>>([f](const auto& in, const auto&) { return f(in); }));
  }
  template <class F>
  void scalar_nary_with_eps(const std::string& name, Domain d, Index n, F f) {
    add_var_op(name, {{d, 1, n}}, Joint::any, true,
               wrap_var<std::conjunction_v<std::bool_constant<Float>, std::is_invocable<F, const tg::Var<float>&, const std::vector<tg::Var<float>>&>>>([f](const auto& in, const auto& eps) { return f(eps, in); }));
  }

private:
  // Builds the double (and, if the lambda accepts float, the float) std::function.
  template <bool AlsoFloat, class G>
  static std::pair<TensorFn<double>, TensorFn<float>> wrap(G g) {
    TensorFn<double> d = [g](const auto& in, const auto& eps) { return TensorOut<double>(g(in, eps)); };
    TensorFn<float> fl;
    if constexpr (AlsoFloat) fl = [g](const auto& in, const auto& eps) { return TensorOut<float>(g(in, eps)); };
    return {d, fl};
  }
  template <bool AlsoFloat, class G>
  static std::pair<VarFn<double>, VarFn<float>> wrap_var(G g) {
    VarFn<double> d = [g](const auto& in, const auto& eps) { return VarOut<double>(g(in, eps)); };
    VarFn<float> fl;
    if constexpr (AlsoFloat) fl = [g](const auto& in, const auto& eps) { return VarOut<float>(g(in, eps)); };
    return {d, fl};
  }

  void fail(const std::string& op, const std::string& type, const std::string& what) {
    if (++failures_per_op_ <= 4) failures_.push_back(op + " [" + type + "]: " + what);
  }

  static std::uint32_t seed_of(const std::string& name) {
    std::uint32_t h = 2166136261u;
    for (char c : name) h = (h ^ static_cast<unsigned char>(c)) * 16777619u;
    return h;
  }

  /// Checks the message of a documented throw names the function.
  void check_message(const std::string& op, const std::string& type, const std::string& where,
                     const std::string& message, bool clean = false) {
    if (clean && (notes_.empty() || notes_.back().rfind(op + " [" + type + "]", 0) != 0))
      notes_.push_back(op + " [" + type + "]: " + where + ": " + message);
    const std::string fn = "tropigrad::" + op.substr(0, op.find(' '));
    if (message.find(fn) == std::string::npos)
      fail(op, type, where + ": the error message does not name " + fn + ": " + message);
  }

  // The eps values of a case: the set, then eps itself swept (ordinary x).
  struct EpsCase {
    double eps;
    bool sweep_eps;  // x ordinary, eps the special value
  };

  template <class Fn>
  void for_cases(const std::vector<Input>& inputs, Joint joint, bool with_eps, const std::string& name, Fn run) {
    const auto cases = make_cases(inputs, joint, seed_of(name));
    for (const Case& c : cases) {
      if (!with_eps) {
        run(c, 1.0, c.has_nan, c.tame);
        continue;
      }
      for (double e : eps_set()) run(c, e, c.has_nan, c.tame);
    }
    if (!with_eps) return;
    // eps swept over the special values, x ordinary (the first case generator value with no special).
    std::mt19937 rng(seed_of(name) + 1);
    Case plain;
    for (const Input& in : inputs) {
      tg::RowArray<double> a(in.rows, in.cols);
      for (Index k = 0; k < a.size(); ++k) a.data()[k] = in.domain.ordinary(rng);
      plain.values.push_back(std::move(a));
    }
    for (double e : special_values()) {
      plain.label = "ordinary inputs";
      run(plain, e, std::isnan(e), e == 1e-3 || e == 1.0 || e == 1e3);
    }
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

  void add_tensor_op(const std::string& name, std::vector<Input> inputs, Joint joint, bool with_eps,
                     std::pair<TensorFn<double>, TensorFn<float>> fns) {
    ++ops_;
    failures_per_op_ = 0;
    run_tensor<double>(name, inputs, joint, with_eps, fns.first);
    if (fns.second) run_tensor<float>(name, inputs, joint, with_eps, fns.second);
    if (failures_per_op_ > 4)
      failures_.push_back(name + ": " + std::to_string(failures_per_op_ - 4) + " more failures not shown");
  }

  template <class T>
  void run_tensor(const std::string& name, const std::vector<Input>& inputs, Joint joint, bool with_eps,
                  const TensorFn<T>& fn) {
    const std::string type = std::is_same_v<T, double> ? "double" : "float";
    std::mt19937 rng(seed_of(name) + 7);
    for_cases(inputs, joint, with_eps, name, [&](const Case& c, double eps, bool nan, bool tame) {
      const std::string label = c.label + (with_eps ? ", eps = " + number_text(eps) : "");
      const bool eps_valid = std::isfinite(eps) && eps > 0 && std::isfinite(static_cast<T>(eps)) &&
                             static_cast<T>(eps) > 0;
      for (int pass = 0; pass < (nan ? 2 : 2); ++pass) {
        // pass 0: seed of ones; pass 1: random seed (NaN cases: pass 1 runs under DetectAnomaly).
        const bool anomaly = nan && pass == 1;
        ++runs_;
        tg::tape<T>().reset();
        std::vector<tg::Tensor<T>> leaves;
        for (const auto& v : c.values) leaves.emplace_back(v.template cast<T>().eval(), true);
        tg::Tensor<T> eps_leaf(static_cast<T>(eps), with_eps);
        const bool previous = tg::detect_anomaly();
        tg::detect_anomaly() = anomaly;
        struct Restore {
          bool p;
          ~Restore() { tg::detect_anomaly() = p; }
        } restore{previous};
        const char* stage = "forward";
        try {
          TensorOut<T> out = fn(leaves, eps_leaf);
          if (with_eps && !eps_valid) {
            fail(name, type, label + ": an invalid eps was accepted (no std::invalid_argument)");
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
          for (std::size_t i = 0; i < leaves.size(); ++i)
            if (leaves[i].grad().isNaN().any())
              fail(name, type, label + ", seed " + (pass ? "random" : "ones") + ": NaN in the gradient of input " +
                                   std::to_string(i));
          if (with_eps && std::isnan(eps_leaf.grad()(0, 0)))
            fail(name, type, label + ", seed " + (pass ? "random" : "ones") + ": NaN in the gradient of eps");
        } catch (const std::invalid_argument& e) {
          check_message(name, type, label, e.what(), !nan && eps_valid);
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
    tg::tape<T>().reset();
  }

  void add_var_op(const std::string& name, std::vector<Input> inputs, Joint joint, bool with_eps,
                  std::pair<VarFn<double>, VarFn<float>> fns) {
    ++ops_;
    failures_per_op_ = 0;
    run_var<double>(name, inputs, joint, with_eps, fns.first);
    if (fns.second) run_var<float>(name, inputs, joint, with_eps, fns.second);
    if (failures_per_op_ > 4)
      failures_.push_back(name + ": " + std::to_string(failures_per_op_ - 4) + " more failures not shown");
  }

  template <class T>
  void run_var(const std::string& name, const std::vector<Input>& inputs, Joint joint, bool with_eps,
               const VarFn<T>& fn) {
    const std::string type = std::string(std::is_same_v<T, double> ? "double" : "float") + " Var";
    std::mt19937 rng(seed_of(name) + 11);
    for_cases(inputs, joint, with_eps, name, [&](const Case& c, double eps, bool nan, bool tame) {
      const std::string label = c.label + (with_eps ? ", eps = " + number_text(eps) : "");
      const bool eps_valid = std::isfinite(eps) && eps > 0 && std::isfinite(static_cast<T>(eps)) &&
                             static_cast<T>(eps) > 0;
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
          if (with_eps && !eps_valid) {
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
};

using Sweep = BasicSweep<false>;
using SweepWithFloat = BasicSweep<true>;

}  // namespace tropigrad_sweep
