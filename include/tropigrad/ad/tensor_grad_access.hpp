#pragma once
// Internal helpers for ops whose backward writes an input's gradient with
// something other than one whole-array expression: a GEMM (which wants
// `.noalias() =` on first touch and `.noalias() +=` after), or a scatter into
// some rows or columns. They complement accumulate_grad() of tensor_op.hpp.

#include "tensor_op.hpp"

namespace tropigrad::detail {

/// Calls f(grad, fresh) with d's gradient as a writable row-major matrix map.
/// fresh == true means the gradient holds no value yet: f must assign every
/// element (e.g. `grad.noalias() = ...`); otherwise f adds to it. No-op when d
/// does not require a gradient.
template <class T, class F>
void update_grad(TensorData<T>& d, F&& f) {
  if (!d.requires_grad) return;
  if (d.grad == nullptr) d.grad = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(d.size()));
  f(Eigen::Map<RowMatrix<T>>(d.grad, d.rows, d.cols), !d.grad_ready);
  d.grad_ready = true;
  check_gradient_anomaly(d);
}

/// Calls f(grad) with d's gradient as a writable array map, zero-filled if it
/// held no value yet, for scatters that add into parts of it.
template <class T, class F>
void scatter_grad(TensorData<T>& d, F&& f) {
  update_grad(d, [&](Eigen::Map<RowMatrix<T>> g, bool fresh) {
    if (fresh) g.setZero();
    f(Eigen::Map<RowArray<T>>(g.data(), g.rows(), g.cols()));
  });
}

/// Calls f with m viewed as "lines": its rows for axis 1, its columns for axis 0.
template <class M, class F>
void with_lines(int axis, M&& m, F&& f) {
  if (axis == 1) {
    f(m);
  } else {
    f(m.transpose());
  }
}

/// Input handles of an n-ary op, kept alive in the arena until the node dies
/// (a leaf's storage must outlive the backward pass). Copying is not allowed;
/// the node owns the only instance.
template <class T>
class ArenaTensorList {
public:
  template <class Range>
  explicit ArenaTensorList(const Range& tensors) : size_(static_cast<std::size_t>(std::size(tensors))) {
    items_ = static_cast<Tensor<T>*>(tape<T>().arena().allocate(sizeof(Tensor<T>) * (size_ == 0 ? 1 : size_)));
    std::size_t i = 0;
    for (const Tensor<T>& t : tensors) new (items_ + i++) Tensor<T>(t);
  }
  ArenaTensorList(ArenaTensorList&& other) noexcept : items_(other.items_), size_(other.size_) {
    other.items_ = nullptr;
    other.size_ = 0;
  }
  ArenaTensorList(const ArenaTensorList&) = delete;
  ArenaTensorList& operator=(const ArenaTensorList&) = delete;
  ArenaTensorList& operator=(ArenaTensorList&&) = delete;
  ~ArenaTensorList() {
    for (std::size_t i = 0; i < size_; ++i) items_[i].~Tensor<T>();
  }
  std::size_t size() const { return size_; }
  const Tensor<T>& operator[](std::size_t i) const { return items_[i]; }

private:
  Tensor<T>* items_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace tropigrad::detail
