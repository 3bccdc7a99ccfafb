#pragma once
// Surrogate derivatives of the Heaviside spike, for surrogate-gradient
// neurons (LIF, DSpike). The forward spike is s = H(x), x = V - threshold;
// the backward pass replaces dH/dx (zero almost everywhere) by one of these
// derivatives, following the snnTorch / SpikingJelly conventions:
//
//   fast_sigmoid(k = 25)   d/dx = 1 / (k|x| + 1)^2          (SuperSpike, snnTorch; total area 2/k)
//   atan(a = 2)            d/dx = (a/2) / (1 + (pi/2 a x)^2)  (SpikingJelly ATan, snnTorch atan; area 1)
//   sigmoid(k = 25)        d/dx = k s (1 - s), s = sigmoid(k x)  (snnTorch sigmoid; area 1)
//   triangle(a = 1)        d/dx = a max(0, 1 - a|x|)           (peak a, support |x| < 1/a; area 1;
//                                                              a = 1 gives max(0, 1 - |x|))
//   straight_through()     d/dx = 1                           (straight-through estimator)
//   dspike(b = 3)          DSpike (Li et al., NeurIPS 2021), see dspike_derivative below;
//                          area 1. Fixed temperature here; nn::DSpike learns b.
//
// Surrogate is a small value type: {kind, parameter}. derivative(x) takes an
// Eigen array (expression) and returns an array of the same shape;
// derivative_to(x, out) writes into an existing array without allocating.
// Surrogate::from_name / surrogate::from_name parse the names above (with
// default parameters) and throw std::invalid_argument listing the valid ones.
//
// The factories exist as static members (Surrogate::atan(2)) and as free
// functions in nn::surrogate (surrogate::atan(2)); the free ones live in their
// own namespace so that they never hide tropigrad::sigmoid inside nn.

#include <Eigen/Core>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>
#include <string_view>

namespace tropigrad::nn {

namespace surrogate {

/// The DSpike function on the membrane shifted to the unit window,
/// x = V - threshold (so x_n = x + 1/2 is DSpike's normalised membrane in [0, 1]):
///   f_b(x) = 0                                        for x < -1/2
///          = 1/2 + tanh(b x) / (2 tanh(b/2))          for |x| <= 1/2
///          = 1                                        for x > 1/2
/// which is Li et al.'s (tanh(b (x_n - 1/2)) + tanh(b/2)) / (2 tanh(b/2)).
/// As b -> infinity it becomes H(x); as b -> 0, the ramp clamp(x + 1/2, 0, 1).
template <class D>
typename D::PlainObject dspike_function(const Eigen::ArrayBase<D>& x, double b) {
  using S = typename D::Scalar;
  const S inside_scale = static_cast<S>(1 / (2 * std::tanh(b / 2)));
  typename D::PlainObject out =
      (x.abs() <= S(0.5)).select(S(0.5) + inside_scale * (x * static_cast<S>(b)).tanh(), (x > S(0)).template cast<S>());
  return out;
}

/// d f_b / dx = b / (2 tanh(b/2)) (1 - tanh^2(b x)) for |x| <= 1/2, else 0.
template <class D, class O>
void dspike_derivative_to(const Eigen::ArrayBase<D>& x, double b, Eigen::ArrayBase<O>& out) {
  using S = typename D::Scalar;
  const S scale = static_cast<S>(b / (2 * std::tanh(b / 2)));
  // 1 - tanh^2(b x) = 4 e / (1 + e)^2 with e = exp(-2 b |x|), without cancellation.
  const auto e = (x.abs() * static_cast<S>(-2 * b)).exp();
  out = (x.abs() <= S(0.5)).select((S(4) * scale) * e / (S(1) + e).square(), S(0));
}
template <class D>
typename D::PlainObject dspike_derivative(const Eigen::ArrayBase<D>& x, double b) {
  typename D::PlainObject out(x.rows(), x.cols());
  dspike_derivative_to(x, b, out);
  return out;
}

/// d f_b / db (the temperature's surrogate gradient): with c = tanh(b/2),
///   [x (1 - tanh^2(b x)) c - tanh(b x) (1 - c^2) / 2] / (2 c^2)  for |x| <= 1/2, else 0.
template <class D, class O>
void dspike_temperature_derivative_to(const Eigen::ArrayBase<D>& x, double b, Eigen::ArrayBase<O>& out) {
  using S = typename D::Scalar;
  const double c = std::tanh(b / 2);
  const S a1 = static_cast<S>(1 / (2 * c));               // x (1 - th^2) / (2c)
  const S a2 = static_cast<S>((1 - c * c) / (4 * c * c));  // tanh(bx) (1 - c^2) / (4 c^2)
  const auto th = (x * static_cast<S>(b)).tanh();
  out = (x.abs() <= S(0.5)).select(a1 * x * (S(1) - th.square()) - a2 * th, S(0));
}
template <class D>
typename D::PlainObject dspike_temperature_derivative(const Eigen::ArrayBase<D>& x, double b) {
  typename D::PlainObject out(x.rows(), x.cols());
  dspike_temperature_derivative_to(x, b, out);
  return out;
}

}  // namespace surrogate

struct Surrogate {
  enum class Kind { fast_sigmoid, atan, sigmoid, triangle, straight_through, dspike };

  Kind kind = Kind::fast_sigmoid;
  /// slope k (fast_sigmoid, sigmoid), alpha (atan, triangle), temperature b (dspike); unused by straight_through.
  double parameter = 25;

  static Surrogate fast_sigmoid(double slope = 25) { return make(Kind::fast_sigmoid, slope, "slope"); }
  static Surrogate atan(double alpha = 2) { return make(Kind::atan, alpha, "alpha"); }
  static Surrogate sigmoid(double slope = 25) { return make(Kind::sigmoid, slope, "slope"); }
  static Surrogate triangle(double alpha = 1) { return make(Kind::triangle, alpha, "alpha"); }
  static Surrogate straight_through() { return {Kind::straight_through, 1}; }
  static Surrogate dspike(double temperature = 3) { return make(Kind::dspike, temperature, "temperature"); }

  static constexpr const char* valid_names = "fast_sigmoid, atan, sigmoid, triangle, straight_through, dspike";

  /// The surrogate of that name with its default parameter.
  static Surrogate from_name(std::string_view name) {
    if (name == "fast_sigmoid") return fast_sigmoid();
    if (name == "atan") return atan();
    if (name == "sigmoid") return sigmoid();
    if (name == "triangle") return triangle();
    if (name == "straight_through") return straight_through();
    if (name == "dspike") return dspike();
    throw std::invalid_argument("tropigrad::nn::Surrogate: unknown surrogate name '" + std::string(name) +
                                "'; valid names: " + valid_names);
  }

  std::string name() const {
    switch (kind) {
      case Kind::fast_sigmoid: return "fast_sigmoid";
      case Kind::atan: return "atan";
      case Kind::sigmoid: return "sigmoid";
      case Kind::triangle: return "triangle";
      case Kind::straight_through: return "straight_through";
      case Kind::dspike: return "dspike";
    }
    return "unknown";
  }

  /// out = d/dx of the surrogate at x, elementwise; out must have x's shape.
  template <class D, class O>
  void derivative_to(const Eigen::ArrayBase<D>& x, Eigen::ArrayBase<O>& out) const {
    using S = typename D::Scalar;
    const S p = static_cast<S>(parameter);
    switch (kind) {
      case Kind::fast_sigmoid:
        out = (p * x.abs() + S(1)).square().inverse();
        return;
      case Kind::atan:
        out = (p / S(2)) / (S(1) + (static_cast<S>(std::numbers::pi / 2 * parameter) * x).square());
        return;
      case Kind::sigmoid:
        // k s (1 - s) with s = sigmoid(k x) equals k e / (1 + e)^2 with e = exp(-k|x|): no overflow, no cancellation.
        out = p * (-p * x.abs()).exp() / (S(1) + (-p * x.abs()).exp()).square();
        return;
      case Kind::triangle:
        out = p * (S(1) - p * x.abs()).max(S(0));
        return;
      case Kind::straight_through:
        out.setConstant(S(1));
        return;
      case Kind::dspike:
        surrogate::dspike_derivative_to(x, parameter, out);
        return;
    }
  }

  /// d/dx of the surrogate at x, elementwise (array in, array out).
  template <class D>
  typename D::PlainObject derivative(const Eigen::ArrayBase<D>& x) const {
    typename D::PlainObject out(x.rows(), x.cols());
    derivative_to(x, out);
    return out;
  }

  /// Scalar form.
  double derivative(double x) const {
    Eigen::Array<double, 1, 1> a;
    a(0) = x;
    return derivative(a)(0);
  }

private:
  static Surrogate make(Kind kind, double parameter, const char* parameter_name) {
    if (!(parameter > 0) || !std::isfinite(parameter))
      throw std::invalid_argument(std::string("tropigrad::nn::Surrogate: ") + parameter_name +
                                  " must be finite and > 0, got " + std::to_string(parameter));
    return {kind, parameter};
  }
};

namespace surrogate {
inline Surrogate fast_sigmoid(double slope = 25) { return Surrogate::fast_sigmoid(slope); }
inline Surrogate atan(double alpha = 2) { return Surrogate::atan(alpha); }
inline Surrogate sigmoid(double slope = 25) { return Surrogate::sigmoid(slope); }
inline Surrogate triangle(double alpha = 1) { return Surrogate::triangle(alpha); }
inline Surrogate straight_through() { return Surrogate::straight_through(); }
inline Surrogate dspike(double temperature = 3) { return Surrogate::dspike(temperature); }
inline Surrogate from_name(std::string_view name) { return Surrogate::from_name(name); }
}  // namespace surrogate

}  // namespace tropigrad::nn
