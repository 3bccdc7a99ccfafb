#pragma once
// Hard max / min on Tensors.
//  - Elementwise max(a, b), min(a, b): a and b are Tensors (broadcast as in
//    + - * /), or one is a Var or a floating-point number. The subgradient
//    goes to the selected argument; on a tie, to the first (deterministic).
//    NaN propagates as in tropigrad::max for scalars. An integer second
//    argument means an axis (see below); maximum / minimum accept any number.
//  - Reductions max(x, axis), min(x, axis): axis 0 reduces the rows (1 x cols),
//    axis 1 the columns (rows x 1). The gradient goes to the arg-max (first
//    index on ties; a NaN, if present, is selected).

#include <concepts>
#include <type_traits>

#include "tensor_arithmetic.hpp"
#include "tensor_elementwise.hpp"
#include "tensor_sum.hpp"

namespace tropigrad {
namespace detail {

/// Elementwise: true where the SECOND argument is selected. For max: a is not
/// NaN and (b is NaN or a < b); ties and a NaN select a.
template <bool IsMax, class A, class B>
auto selects_second(const A& a, const B& b) {
  if constexpr (IsMax) {
    return (a == a) && ((b != b) || (a < b));
  } else {
    return (a == a) && ((b != b) || (b < a));
  }
}

template <bool IsMax, class T>
Tensor<T> hard_max_min(const Operand<T>& a, const Operand<T>& b) {
  return elementwise_binary<T>(
      IsMax ? "max" : "min", a, b,
      [](const auto& x, const auto& y) { return selects_second<IsMax>(x, y).select(y, x); },
      [](const auto& g, const auto& x, const auto& y, const auto&, const auto& ga, const auto& gb) {
        const auto second = selects_second<IsMax>(x, y);
        ga.accumulate(second.select(T(0), g));
        gb.accumulate(second.select(g, T(0)));
      });
}

template <bool IsMax, class T>
bool better(T candidate, T best) {
  if (best != best) return false;       // a NaN already selected stays
  if (candidate != candidate) return true;
  return IsMax ? candidate > best : candidate < best;  // strict: ties keep the first
}

template <bool IsMax, class T>
Tensor<T> max_min_along(const Tensor<T>& x, int axis) {
  const char* name = IsMax ? "max" : "min";
  check_axis(name, axis);
  TensorData<T>* in = &x.data();
  const auto v = value_map(static_cast<const TensorData<T>&>(*in));
  const Index n_out = axis == 0 ? in->cols : in->rows;
  const Index n_reduce = axis == 0 ? in->rows : in->cols;
  if (n_reduce == 0)
    throw std::invalid_argument(std::string("tropigrad::") + name + ": cannot reduce an empty axis of shape " +
                                x.shape());
  Tensor<T> out = axis == 0 ? new_result<T>(1, n_out, in->requires_grad) : new_result<T>(n_out, 1, in->requires_grad);
  T* best = out.data().value;
  Index* arg = tape<T>().arena().template allocate_array<Index>(static_cast<std::size_t>(n_out));
  if (axis == 0) {  // running best over the rows; each row is contiguous
    for (Index c = 0; c < n_out; ++c) best[c] = v(0, c), arg[c] = 0;
    for (Index r = 1; r < in->rows; ++r)
      for (Index c = 0; c < n_out; ++c)
        if (better<IsMax>(v(r, c), best[c])) best[c] = v(r, c), arg[c] = r;
  } else {
    for (Index r = 0; r < n_out; ++r) {
      Index k = 0;
      for (Index c = 1; c < in->cols; ++c)
        if (better<IsMax>(v(r, c), v(r, k))) k = c;
      best[r] = v(r, k), arg[r] = k;
    }
  }
  record_backward(name, out, [x, in, axis, arg, n_out](const auto& g) {
    T* scratch = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(in->size()));
    Eigen::Map<RowArray<T>> s(scratch, in->rows, in->cols);
    s.setZero();
    for (Index i = 0; i < n_out; ++i) {
      if (axis == 0) {
        s(arg[i], i) = g(0, i);
      } else {
        s(i, arg[i]) = g(i, 0);
      }
    }
    accumulate_grad(*in, s);
  });
  return out;
}

template <class A, class B>
concept HardMaxMinOperands = (is_tensor_v<A> || is_tensor_v<B>) && !std::integral<A> && !std::integral<B> &&
                             ElementwiseOperand<A, tensor_scalar_t<A, B>> &&
                             ElementwiseOperand<B, tensor_scalar_t<A, B>>;

template <class A, class B>
concept NumericMaxMinOperands = (is_tensor_v<A> || is_tensor_v<B>) &&
                                ElementwiseOperand<A, tensor_scalar_t<A, B>> &&
                                ElementwiseOperand<B, tensor_scalar_t<A, B>>;
}  // namespace detail

/// Elementwise max(a, b). Ties select a.
template <class A, class B>
  requires detail::HardMaxMinOperands<A, B>
Tensor<detail::tensor_scalar_t<A, B>> max(const A& a, const B& b) {
  using T = detail::tensor_scalar_t<A, B>;
  return detail::hard_max_min<true, T>(detail::make_operand<T>(a), detail::make_operand<T>(b));
}

/// Elementwise min(a, b). Ties select a.
template <class A, class B>
  requires detail::HardMaxMinOperands<A, B>
Tensor<detail::tensor_scalar_t<A, B>> min(const A& a, const B& b) {
  using T = detail::tensor_scalar_t<A, B>;
  return detail::hard_max_min<false, T>(detail::make_operand<T>(a), detail::make_operand<T>(b));
}

/// Elementwise max, like torch.maximum; an integer argument is a number here.
template <class A, class B>
  requires detail::NumericMaxMinOperands<A, B>
Tensor<detail::tensor_scalar_t<A, B>> maximum(const A& a, const B& b) {
  using T = detail::tensor_scalar_t<A, B>;
  return detail::hard_max_min<true, T>(detail::make_operand<T>(a), detail::make_operand<T>(b));
}

/// Elementwise min, like torch.minimum; an integer argument is a number here.
template <class A, class B>
  requires detail::NumericMaxMinOperands<A, B>
Tensor<detail::tensor_scalar_t<A, B>> minimum(const A& a, const B& b) {
  using T = detail::tensor_scalar_t<A, B>;
  return detail::hard_max_min<false, T>(detail::make_operand<T>(a), detail::make_operand<T>(b));
}

/// Max along an axis (0: over rows, giving 1 x cols; 1: over columns, giving rows x 1).
template <class T>
Tensor<T> max(const Tensor<T>& x, int axis) {
  return detail::max_min_along<true, T>(x, axis);
}

/// Min along an axis (0: over rows, giving 1 x cols; 1: over columns, giving rows x 1).
template <class T>
Tensor<T> min(const Tensor<T>& x, int axis) {
  return detail::max_min_along<false, T>(x, axis);
}

}  // namespace tropigrad
