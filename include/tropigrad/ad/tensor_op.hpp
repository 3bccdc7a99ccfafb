#pragma once
// The toolkit every Tensor op is written with: allocating a result in the
// arena, accumulating into an input's gradient, broadcasting, recording the
// backward step, and anomaly checks. Users writing their own ops use the
// public custom_op() in custom_op.hpp instead.

#include <Eigen/Core>
#include <cmath>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>

#include "tensor.hpp"

namespace tropigrad {

/// Turns on anomaly detection for this thread: every op checks its output in
/// the forward pass and the gradients it produces in the backward pass, and
/// throws std::runtime_error naming the first op (and shape) that made a NaN or Inf.
inline bool& detect_anomaly() {
  thread_local bool on = false;
  return on;
}

/// RAII form of detect_anomaly(), like torch.autograd.detect_anomaly().
class DetectAnomaly {
public:
  DetectAnomaly() : previous_(detect_anomaly()) { detect_anomaly() = true; }
  ~DetectAnomaly() { detect_anomaly() = previous_; }
  DetectAnomaly(const DetectAnomaly&) = delete;
  DetectAnomaly& operator=(const DetectAnomaly&) = delete;

private:
  bool previous_;
};

namespace detail {

inline const char*& current_backward_op() {
  thread_local const char* name = nullptr;
  return name;
}

/// Names the op whose backward is running, for anomaly reports; restores on exit.
class BackwardOpName {
public:
  explicit BackwardOpName(const char* name) : previous_(current_backward_op()) { current_backward_op() = name; }
  ~BackwardOpName() { current_backward_op() = previous_; }
  BackwardOpName(const BackwardOpName&) = delete;
  BackwardOpName& operator=(const BackwardOpName&) = delete;

private:
  const char* previous_;
};

template <class T>
void check_finite(const char* op, const char* pass, const T* data, Index rows, Index cols) {
  const Eigen::Map<const RowArray<T>> m(data, rows, cols);
  if (m.allFinite()) return;
  Index r = 0, c = 0;
  for (r = 0; r < rows; ++r)
    for (c = 0; c < cols; ++c)
      if (!std::isfinite(m(r, c))) goto found;
found:
  throw std::runtime_error(std::string("tropigrad anomaly: op '") + op + "' produced " +
                           (std::isnan(m(r, c)) ? "NaN" : "Inf") + " in the " + pass +
                           " pass, in a tensor of shape " + shape_string(rows, cols) + " at (" +
                           std::to_string(r) + ", " + std::to_string(c) + ")");
}

/// A fresh result of an op, in the arena. Its value is uninitialised.
template <class T>
Tensor<T> new_result(Index rows, Index cols, bool requires_grad) {
  Tape<T>& t = tape<T>();
  void* memory = t.arena().allocate(sizeof(TensorData<T>));
  auto* d = new (memory) TensorData<T>{};
  d->value = t.arena().template allocate_array<T>(static_cast<std::size_t>(rows * cols));
  d->rows = rows;
  d->cols = cols;
  d->requires_grad = requires_grad && t.recording();
  return Tensor<T>(d, t.generation());
}

template <class T>
Eigen::Map<RowArray<T>> value_map(TensorData<T>& d) {
  return {d.value, d.rows, d.cols};
}
template <class T>
Eigen::Map<const RowArray<T>> value_map(const TensorData<T>& d) {
  return {d.value, d.rows, d.cols};
}

template <class T>
void check_gradient_anomaly(const TensorData<T>& d) {
  if (detect_anomaly()) [[unlikely]]
    check_finite(current_backward_op() ? current_backward_op() : "backward", "backward", d.grad, d.rows, d.cols);
}

/// d.grad += e (or = e on first touch). e must have d's shape.
template <class T, class Expr>
void accumulate_grad(TensorData<T>& d, const Expr& e) {
  if (!d.requires_grad) return;
  if (d.grad == nullptr) d.grad = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(d.size()));
  Eigen::Map<RowArray<T>> g(d.grad, d.rows, d.cols);
  if (d.grad_ready) {
    g += e;
  } else {
    g = e;
    d.grad_ready = true;
  }
  check_gradient_anomaly(d);
}

/// Adds the scalar s to every element of d's gradient.
template <class T>
void accumulate_grad_constant(TensorData<T>& d, T s) {
  accumulate_grad(d, RowArray<T>::Constant(d.rows, d.cols, s));
}

/// Adds s to the adjoint of a scalar Var (a no-op for constants).
template <class T>
void accumulate_grad(const Var<T>& v, T s) {
  if (!v.is_constant()) tape<T>().adjoint(v.index()) += s;
}

/// Records the backward step of an op whose result is `out`. `backward` is
/// called with the result's gradient (as a const Eigen map) if any gradient
/// reached the result; the result's gradient is then consumed.
template <class T, class F>
void record_backward(const char* name, const Tensor<T>& out, F&& backward) {
  TensorData<T>* o = &out.data();
  if (detect_anomaly()) [[unlikely]]
    check_finite(name, "forward", o->value, o->rows, o->cols);
  if (!o->requires_grad) return;
  tape<T>().record_node(name, [o, name, f = std::forward<F>(backward)]() mutable {
    if (!o->grad_ready) return;
    const BackwardOpName op(name);
    f(Eigen::Map<const RowArray<T>>(o->grad, o->rows, o->cols));
    o->grad_ready = false;
  });
}

/// A scalar Var result of a tensor op (e.g. sum). `backward(g)` receives its adjoint.
template <class T, class F>
Var<T> scalar_result(const char* name, T value, bool requires_grad, F&& backward) {
  Tape<T>& t = tape<T>();
  if (detect_anomaly() && !std::isfinite(value)) [[unlikely]]
    check_finite(name, "forward", &value, 1, 1);
  if (!requires_grad || !t.recording()) return Var<T>::constant(value);
  const auto index = t.new_variable();
  t.record_node(name, [index, name, f = std::forward<F>(backward)]() mutable {
    Tape<T>& tp = tape<T>();
    const T g = tp.adjoint(index);
    if (g == T(0)) return;
    tp.adjoint(index) = T(0);
    const BackwardOpName op(name);
    f(g);
  });
  return Var<T>(value, index, t.generation());
}

/// Shape that two operands broadcast to (each dimension equal, or 1).
inline std::pair<Index, Index> broadcast_shape(const char* op, Index r1, Index c1, Index r2, Index c2) {
  auto dim = [&](Index a, Index b) {
    if (a == b || b == 1) return a;
    if (a == 1) return b;
    throw std::invalid_argument(std::string("tropigrad::") + op + ": shapes " + shape_string(r1, c1) + " and " +
                                shape_string(r2, c2) +
                                " do not broadcast (each dimension must match or be 1)");
  };
  const Index rows = dim(r1, r2);
  const Index cols = dim(c1, c2);
  return {rows, cols};
}

/// An elementwise operand: a tensor, or a scalar Var / constant broadcast everywhere.
template <class T>
struct Operand {
  Tensor<T> handle;  // keeps a leaf's storage alive until the backward pass
  TensorData<T>* tensor = nullptr;
  Var<T> scalar = Var<T>::constant(T(0));

  Operand(const Tensor<T>& t) : handle(t), tensor(&t.data()) {}  // NOLINT
  Operand(const Var<T>& v) : scalar(v) {                // NOLINT
    tape<T>().check(v.generation(), "a Var operand of a tensor op");
  }

  Index rows() const { return tensor ? tensor->rows : 1; }
  Index cols() const { return tensor ? tensor->cols : 1; }
  bool requires_grad() const { return tensor ? tensor->requires_grad : !scalar.is_constant(); }

  /// Calls f with this operand as an array expression of shape rows x cols.
  template <class F>
  void visit(Index rows, Index cols, F&& f) const {
    if (tensor && tensor->rows == rows && tensor->cols == cols) {
      f(value_map(static_cast<const TensorData<T>&>(*tensor)));
    } else if (!tensor || tensor->size() == 1) {
      f(RowArray<T>::Constant(rows, cols, tensor ? tensor->value[0] : scalar.value()));
    } else {
      f(broadcast_copy(rows, cols));
    }
  }

  /// Adds g (of the broadcast shape) into this operand's gradient, summing
  /// over the broadcast dimensions.
  template <class Expr>
  void accumulate(const Expr& g) const {
    if (!requires_grad()) return;
    if (!tensor) {
      accumulate_grad(scalar, static_cast<T>(g.sum()));
    } else if (tensor->rows == g.rows() && tensor->cols == g.cols()) {
      accumulate_grad(*tensor, g);
    } else if (tensor->size() == 1) {
      accumulate_grad_constant(*tensor, static_cast<T>(g.sum()));
    } else if (tensor->rows == 1) {
      accumulate_grad(*tensor, g.colwise().sum());
    } else {
      accumulate_grad(*tensor, g.rowwise().sum());
    }
  }

private:
  Eigen::Map<const RowArray<T>> broadcast_copy(Index rows, Index cols) const {
    T* p = tape<T>().arena().template allocate_array<T>(static_cast<std::size_t>(rows * cols));
    Eigen::Map<RowArray<T>> m(p, rows, cols);
    const auto v = value_map(static_cast<const TensorData<T>&>(*tensor));
    if (tensor->rows == 1) {
      m = v.replicate(rows, 1);
    } else {
      m = v.replicate(1, cols);
    }
    return {p, rows, cols};
  }
};

/// Throws std::invalid_argument naming the op and both shapes unless they are equal.
inline void check_same_shape(const char* op, Index r1, Index c1, Index r2, Index c2) {
  if (r1 != r2 || c1 != c2)
    throw std::invalid_argument(std::string("tropigrad::") + op + ": shapes " + shape_string(r1, c1) + " and " +
                                shape_string(r2, c2) + " must be equal");
}

}  // namespace detail
}  // namespace tropigrad
