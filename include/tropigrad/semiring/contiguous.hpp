// tropigrad/semiring/contiguous.hpp
//
// Internal helpers: view a contiguous standard range or an Eigen dense
// expression as a std::span, so that kernels are written once over spans.
#pragma once

#include <concepts>
#include <cstddef>
#include <ranges>
#include <span>
#include <type_traits>
#include <utility>

#include <Eigen/Core>

namespace tropigrad::detail {

/// True for Eigen matrices, arrays and expressions.
template <class X>
concept eigen_object = std::is_base_of_v<Eigen::EigenBase<std::remove_cvref_t<X>>, std::remove_cvref_t<X>>;

/// A contiguous standard range of floating-point numbers (std::vector,
/// std::array, std::span, C array, ...), not an Eigen object.
template <class R>
concept floating_contiguous_range =
    std::ranges::contiguous_range<R> && std::ranges::sized_range<R> && !eigen_object<R> &&
    std::floating_point<std::ranges::range_value_t<R>>;

/// A read-only span over a contiguous range.
template <floating_contiguous_range R>
std::span<const std::ranges::range_value_t<R>> as_const_span(const R& values) {
  return {std::ranges::data(values), static_cast<std::size_t>(std::ranges::size(values))};
}

/// Calls f(std::span<const Scalar>) on the coefficients of an Eigen object in
/// its storage order. Plain matrices/arrays are viewed in place; any other
/// expression is first evaluated into its PlainObject.
template <class Derived, class F>
decltype(auto) with_eigen_span(const Eigen::DenseBase<Derived>& values, F&& f) {
  using Scalar = typename Derived::Scalar;
  if constexpr (std::is_base_of_v<Eigen::PlainObjectBase<Derived>, Derived>) {
    const Derived& plain = values.derived();
    return std::forward<F>(f)(std::span<const Scalar>(plain.data(), static_cast<std::size_t>(plain.size())));
  } else {
    const typename Derived::PlainObject plain = values.derived();
    return std::forward<F>(f)(std::span<const Scalar>(plain.data(), static_cast<std::size_t>(plain.size())));
  }
}

}  // namespace tropigrad::detail
