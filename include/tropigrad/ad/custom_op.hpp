#pragma once
// custom_op: add your own differentiable Tensor op without touching the
// library, in the spirit of PyTorch's torch.autograd.Function. The op is one
// tape node; forward and backward work on whole arrays (Eigen expressions).
//
//   auto y = tg::custom_op("scaled_exp", x, w,
//       [](auto x, auto w) { return (x * w).exp(); },           // forward
//       [](auto g, auto y, auto x, auto w) {                     // backward
//         return std::make_tuple(g * y * w, g * y * x);          // d/dx, d/dw
//       });
//
// forward(inputs...) gets each input's values as a const Eigen array map
// (row-major, rows x cols) and returns the output as an array expression or a
// plain array; its shape is the output's shape. Return an expression of the
// arguments (or a plain array), never one that refers to a local array.
// backward(g, y, inputs...) gets the output gradient g, the output value y
// and the inputs' values, and returns the gradient of each input (same shape
// as that input): one expression for one input, a std::tuple for several.
// tg::no_gradient in a slot means "not differentiable w.r.t. this input".
// Returned expressions are evaluated only for inputs that require grad.
//
// The vector form takes a std::vector<Tensor<T>>; its forward gets a
// std::span of the maps, and its backward a CustomOpGradients<T>& to read
// grad_output(), output(), input(i) and call accumulate(i, gradient).
//
// `name` must be a string literal (the tape keeps the pointer).
//
// straight_through(x, f, df): forward f(x), backward df(x) * g, both given as
// functions of the whole array: surrogate-gradient spikes, e.g.
//   tg::straight_through(v, [](const auto& v) { return (v > 0).template cast<float>(); },
//                           [](const auto& v) { return (1 + 25 * v.abs()).square().inverse(); });

#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "tensor_elementwise.hpp"
#include "tensor_op.hpp"

namespace tropigrad {

/// Marks an input of a custom_op as having no gradient.
struct NoGradient {};
inline constexpr NoGradient no_gradient{};

namespace detail {

template <class T, class Expr>
void accumulate_custom_grad(const char* name, std::size_t i, TensorData<T>& d, const Expr& e) {
  if constexpr (!std::is_same_v<std::remove_cvref_t<Expr>, NoGradient>) {
    if (!d.requires_grad) return;
    if (e.rows() != d.rows || e.cols() != d.cols)
      throw std::invalid_argument(std::string("tropigrad::custom_op '") + name + "': backward returned a gradient of shape " +
                                  shape_string(e.rows(), e.cols()) + " for input " + std::to_string(i) + " of shape " +
                                  shape_string(d.rows, d.cols));
    accumulate_grad(d, e);
  }
}

template <class X>
struct is_tuple : std::false_type {};
template <class... Xs>
struct is_tuple<std::tuple<Xs...>> : std::true_type {};

template <class T, class Forward, class Backward, class... Rest>
Tensor<T> custom_op_n(const char* name, const Forward& forward, const Backward& backward, const Tensor<T>& first,
                      const Tensor<Rest>&... rest) {
  static_assert((std::is_same_v<T, Rest> && ...), "tropigrad::custom_op: all inputs must have the same scalar type");
  constexpr std::size_t n = 1 + sizeof...(Rest);
  const std::array<Tensor<T>, n> inputs{first, rest...};
  bool any = false;
  for (const auto& t : inputs) any = any || t.requires_grad();
  auto maps = [&inputs]<std::size_t... I>(std::index_sequence<I...>) {
    return std::make_tuple(value_map(static_cast<const TensorData<T>&>(inputs[I].data()))...);
  };
  const auto values = maps(std::make_index_sequence<n>{});
  const auto& result = std::apply(forward, values);
  Tensor<T> out = new_result<T>(result.rows(), result.cols(), any);
  TensorData<T>* o = &out.data();
  value_map(*o) = result;
  record_backward(name, out, [inputs, values, backward, o, name](const auto& g) {
    const auto y = value_map(static_cast<const TensorData<T>&>(*o));
    const auto grads = std::apply([&](const auto&... x) { return backward(g, y, x...); }, values);
    if constexpr (is_tuple<std::remove_cvref_t<decltype(grads)>>::value) {
      static_assert(std::tuple_size_v<std::remove_cvref_t<decltype(grads)>> == n,
                    "tropigrad::custom_op: backward must return one gradient per input");
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (accumulate_custom_grad(name, I, inputs[I].data(), std::get<I>(grads)), ...);
      }(std::make_index_sequence<n>{});
    } else {
      // Dependent on the lambda's own type, so that only a real misuse fires it (Clang
      // checks non-dependent static_asserts even in discarded branches).
      static_assert(n == 1 || !std::is_same_v<decltype(grads), decltype(grads)>,
                    "tropigrad::custom_op: with several inputs, backward returns a std::tuple of gradients");
      accumulate_custom_grad(name, 0, inputs[0].data(), grads);
    }
  });
  return out;
}

template <class Tuple, std::size_t... I>
auto custom_op_split(const char* name, const Tuple& args, std::index_sequence<I...>) {
  constexpr std::size_t n = sizeof...(I);
  return custom_op_n(name, std::get<n>(args), std::get<n + 1>(args), std::get<I>(args)...);
}

}  // namespace detail

/// What the backward of the vector form of custom_op receives.
template <class T>
class CustomOpGradients {
public:
  using ConstMap = Eigen::Map<const RowArray<T>>;

  CustomOpGradients(const char* name, std::span<const ConstMap> inputs, std::span<detail::TensorData<T>* const> data,
                    ConstMap output, ConstMap grad_output)
      : name_(name), inputs_(inputs), data_(data), output_(output), grad_output_(grad_output) {}

  std::size_t num_inputs() const { return inputs_.size(); }
  const ConstMap& input(std::size_t i) const { return inputs_[i]; }
  std::span<const ConstMap> inputs() const { return inputs_; }
  const ConstMap& output() const { return output_; }
  const ConstMap& grad_output() const { return grad_output_; }
  /// Whether input i needs a gradient (skip the work otherwise).
  bool requires_grad(std::size_t i) const { return data_[i]->requires_grad; }
  /// Adds `gradient` (input i's shape) to input i's gradient.
  template <class Expr>
  void accumulate(std::size_t i, const Expr& gradient) const {
    detail::accumulate_custom_grad(name_, i, *data_[i], gradient);
  }

private:
  const char* name_;
  std::span<const ConstMap> inputs_;
  std::span<detail::TensorData<T>* const> data_;
  ConstMap output_, grad_output_;
};

/// Variadic form: custom_op(name, x1, ..., xn, forward, backward), n >= 1.
template <class... Args>
  requires(sizeof...(Args) >= 3)
auto custom_op(const char* name, const Args&... args) {
  return detail::custom_op_split(name, std::forward_as_tuple(args...), std::make_index_sequence<sizeof...(Args) - 2>{});
}

/// Vector form: forward(std::span<const ConstMap>) returns the output;
/// backward(const CustomOpGradients<T>&) accumulates the inputs' gradients.
template <class T, class Forward, class Backward>
Tensor<T> custom_op(const char* name, const std::vector<Tensor<T>>& inputs, Forward forward, Backward backward) {
  using ConstMap = Eigen::Map<const RowArray<T>>;
  if (inputs.empty()) throw std::invalid_argument(std::string("tropigrad::custom_op '") + name + "': no inputs");
  Arena& arena = tape<T>().arena();
  const std::size_t n = inputs.size();
  auto* maps = static_cast<ConstMap*>(arena.allocate(n * sizeof(ConstMap)));
  auto** data = static_cast<detail::TensorData<T>**>(arena.allocate(n * sizeof(detail::TensorData<T>*)));
  bool any = false;
  for (std::size_t i = 0; i < n; ++i) {
    data[i] = &inputs[i].data();
    new (maps + i) ConstMap(data[i]->value, data[i]->rows, data[i]->cols);
    any = any || data[i]->requires_grad;
  }
  const std::span<const ConstMap> xs(maps, n);
  const auto& result = forward(xs);
  Tensor<T> out = detail::new_result<T>(result.rows(), result.cols(), any);
  detail::TensorData<T>* o = &out.data();
  detail::value_map(*o) = result;
  detail::record_backward(name, out, [inputs, xs, data, n, o, name, backward](const auto& g) {
    const CustomOpGradients<T> ctx(name, xs, std::span<detail::TensorData<T>* const>(data, n),
                                   detail::value_map(static_cast<const detail::TensorData<T>&>(*o)), g);
    backward(ctx);
  });
  return out;
}

/// Forward f(x), backward df(x) * g, elementwise. f and df take the input
/// values as a const Eigen array map and return array expressions of x's shape.
template <class T, class F, class DF>
Tensor<T> straight_through(const Tensor<T>& x, F f, DF df) {
  return detail::elementwise_unary<T>(
      "straight_through", x, [f](const auto& v) { return f(v); },
      [df](const auto& g, const auto& v, const auto&) { return df(v) * g; });
}

}  // namespace tropigrad
