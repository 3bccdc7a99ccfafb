#pragma once
// Tensor: a reverse-mode variable holding a whole 2-D array. Each op on
// Tensors records ONE tape node, whatever the size, and runs its forward and
// backward as vectorised Eigen expressions over contiguous memory.
//
// Layout: row-major, shape rows x cols, with rows = batch and cols = features
// (a bias is 1 x features, a column vector n x 1, a scalar 1 x 1). Row-major
// keeps one sample's features contiguous, as in PyTorch.
//
// Storage: a leaf (parameter or input) owns heap memory that persists across
// iterations, so its gradient accumulates until zero_grad(). Results of ops
// live in the tape's arena and die at the tape's reset().

#include <Eigen/Core>
#include <concepts>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "tape.hpp"
#include "var.hpp"

namespace tropigrad {

using Index = Eigen::Index;

template <class T>
using RowArray = Eigen::Array<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

namespace detail {
/// The data behind a Tensor handle: shape, value, gradient.
template <class T>
struct TensorData {
  T* value = nullptr;
  T* grad = nullptr;  // allocated on first use
  Index rows = 0, cols = 0;
  bool requires_grad = false;
  bool grad_ready = false;  // grad holds a meaningful value (else treat as zero)

  Index size() const { return rows * cols; }
};

/// Heap storage of a leaf; the TensorData inside points into it.
template <class T>
struct LeafStorage {
  RowArray<T> value;
  RowArray<T> grad;
  TensorData<T> data;
  bool external = false;  // a read-only view of memory the user owns (Tensor::map)
};

inline std::string shape_string(Index rows, Index cols) {
  return std::to_string(rows) + "x" + std::to_string(cols);
}
}  // namespace detail

template <std::floating_point T = float>
class Tensor {
public:
  using Scalar = T;
  using Array = RowArray<T>;
  using Map = Eigen::Map<Array>;
  using ConstMap = Eigen::Map<const Array>;

  /// An empty handle; using it in an op throws.
  Tensor() = default;

  /// A leaf holding a copy of `values` (any Eigen dense expression).
  /// requires_grad = true makes it a parameter: backward() fills grad().
  template <class Derived>
  explicit Tensor(const Eigen::DenseBase<Derived>& values, bool requires_grad = false) {
    make_leaf(values.rows(), values.cols(), requires_grad);
    owner_->value = values.derived().template cast<T>();
  }

  /// A 1x1 leaf.
  explicit Tensor(T value, bool requires_grad = false) {
    make_leaf(1, 1, requires_grad);
    owner_->value(0, 0) = value;
  }

  static Tensor zeros(Index rows, Index cols, bool requires_grad = false) {
    return Tensor(Array::Zero(rows, cols), requires_grad);
  }
  static Tensor full(Index rows, Index cols, T value, bool requires_grad = false) {
    return Tensor(Array::Constant(rows, cols, value), requires_grad);
  }

  /// A constant view of external memory (row-major, rows x cols), no copy.
  /// The memory must outlive every use of the view.
  static Tensor map(const T* data, Index rows, Index cols) {
    Tensor t;
    t.owner_ = std::make_shared<detail::LeafStorage<T>>();
    t.owner_->external = true;
    t.owner_->data = detail::TensorData<T>{const_cast<T*>(data), nullptr, rows, cols, false, false};
    t.data_ = &t.owner_->data;
    return t;
  }
  template <class Derived>
  static Tensor map(const Eigen::PlainObjectBase<Derived>& values) {
    static_assert(std::is_same_v<typename Derived::Scalar, T>, "Tensor::map: scalar types differ");
    static_assert(Derived::IsRowMajor || Derived::ColsAtCompileTime == 1 || Derived::RowsAtCompileTime == 1,
                  "Tensor::map: a matrix must be row-major to be mapped without a copy");
    return map(values.data(), values.rows(), values.cols());
  }

  /// Internal: an op result living in the arena.
  Tensor(detail::TensorData<T>* data, std::uint32_t generation) : data_(data), generation_(generation) {}

  bool defined() const { return data_ != nullptr; }
  Index rows() const { return checked().rows; }
  Index cols() const { return checked().cols; }
  Index size() const { return checked().size(); }
  bool requires_grad() const { return checked().requires_grad; }
  bool is_leaf() const { return owner_ != nullptr; }
  std::string shape() const { return detail::shape_string(rows(), cols()); }

  ConstMap value() const {
    const auto& d = checked();
    return ConstMap(d.value, d.rows, d.cols);
  }
  /// Writable value of a leaf (an optimiser's step writes here).
  Map value_mut() {
    if (!is_leaf())
      throw std::invalid_argument("tropigrad::Tensor::value_mut: only a leaf's value may be written; got an op result");
    if (owner_->external)
      throw std::invalid_argument("tropigrad::Tensor::value_mut: this Tensor is a read-only view made by Tensor::map; "
                                  "copy it into a Tensor of its own to write it");
    return Map(owner_->data.value, rows(), cols());
  }
  T item() const {
    if (size() != 1)
      throw std::invalid_argument("tropigrad::Tensor::item: expected a 1x1 tensor, got " + shape());
    return checked().value[0];
  }
  T operator()(Index r, Index c) const { return value()(r, c); }

  /// The gradient accumulated so far (zeros if none). For op results it is
  /// consumed by backward, as in PyTorch; read the gradients of leaves.
  ConstMap grad() const {
    auto& d = const_cast<detail::TensorData<T>&>(checked());
    ensure_grad(d);
    return ConstMap(d.grad, d.rows, d.cols);
  }
  Map grad_mut() {
    auto& d = const_cast<detail::TensorData<T>&>(checked());
    ensure_grad(d);
    return Map(d.grad, d.rows, d.cols);
  }

  void zero_grad() { const_cast<detail::TensorData<T>&>(checked()).grad_ready = false; }
  void set_requires_grad(bool on) {
    if (!is_leaf()) throw std::invalid_argument("tropigrad::Tensor::set_requires_grad: only leaves can change it");
    auto& d = owner_->data;
    if (on && d.grad == nullptr) {
      // A leaf's gradient lives beside its value, so it survives tape resets.
      owner_->grad.resize(d.rows, d.cols);
      d.grad = owner_->grad.data();
    }
    d.requires_grad = on;
  }

  /// Seeds this 1x1 tensor with 1 and propagates to every leaf.
  void backward() const {
    auto& d = const_cast<detail::TensorData<T>&>(checked());
    if (d.size() != 1)
      throw TapeError("tropigrad::Tensor::backward: called on a non-scalar tensor of shape " +
                      detail::shape_string(d.rows, d.cols) + "; reduce it first, e.g. sum(t) or mean(t)");
    if (!d.requires_grad)
      throw TapeError("tropigrad::Tensor::backward: this tensor does not depend on any tensor with "
                      "requires_grad = true, so there is nothing to differentiate");
    Tape<T>& t = tape<T>();
    accumulate_seed(d);
    t.run_backward();
  }

  /// Internal access for ops.
  detail::TensorData<T>& data() const { return const_cast<detail::TensorData<T>&>(checked()); }

private:
  void make_leaf(Index rows, Index cols, bool requires_grad) {
    owner_ = std::make_shared<detail::LeafStorage<T>>();
    owner_->value.resize(rows, cols);
    owner_->data = detail::TensorData<T>{owner_->value.data(), nullptr, rows, cols, false, false};
    data_ = &owner_->data;
    set_requires_grad(requires_grad);
  }

  const detail::TensorData<T>& checked() const {
    if (data_ == nullptr) throw std::invalid_argument("tropigrad::Tensor: use of an empty (default-constructed) Tensor");
    if (owner_ == nullptr) tape<T>().check(generation_, "this Tensor");
    return *data_;
  }

  void ensure_grad(detail::TensorData<T>& d) const {
    if (d.grad == nullptr) {
      if (owner_ != nullptr) {
        owner_->grad.resize(d.rows, d.cols);
        d.grad = owner_->grad.data();
      } else {
        d.grad = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(d.size()));
      }
    }
    if (!d.grad_ready) {
      Map(d.grad, d.rows, d.cols).setZero();
      d.grad_ready = true;
    }
  }

  void accumulate_seed(detail::TensorData<T>& d) const {
    ensure_grad(d);
    d.grad[0] += T(1);
  }

  detail::TensorData<T>* data_ = nullptr;
  std::shared_ptr<detail::LeafStorage<T>> owner_;
  std::uint32_t generation_ = Tape<T>::kConstantGeneration;
};

template <class Derived>
Tensor(const Eigen::DenseBase<Derived>&, bool = false) -> Tensor<typename Derived::Scalar>;

}  // namespace tropigrad
