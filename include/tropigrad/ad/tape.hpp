#pragma once
// The reverse-mode tape. One tape per thread and scalar type, reached through
// tape<T>(). Scalar operations are stored as statements in the style of Adept:
// a result index and its operands' (index, partial derivative) pairs, so that
// the backward sweep is a tight loop with no virtual calls. Tensor operations
// are stored as nodes with a hand-written backward; the sweep interleaves the
// two kinds in reverse order of recording.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "arena.hpp"

namespace tropigrad {

/// Misuse of the tape: a variable from a reset tape, from another thread's
/// tape, or from a closed scope; backward on a non-scalar; reset inside a scope.
class TapeError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

/// A backward step recorded by a tensor op or a user's custom op.
class TapeNode {
public:
  explicit TapeNode(const char* name) : name_(name) {}
  TapeNode(const TapeNode&) = delete;
  TapeNode& operator=(const TapeNode&) = delete;
  virtual ~TapeNode() = default;
  virtual void backward() = 0;
  const char* name() const { return name_; }

private:
  const char* name_;
};

namespace detail {
inline std::uint32_t next_generation() {
  // Generations are unique across all tapes of the process, so a variable
  // carries enough to tell which tape (and which epoch of it) made it.
  static std::atomic<std::uint32_t> counter{0};
  std::uint32_t g = counter.fetch_add(1, std::memory_order_relaxed) + 1;
  if (g == 0) g = counter.fetch_add(1, std::memory_order_relaxed) + 1;  // 0 marks constants
  return g;
}

template <class F>
class LambdaNode final : public TapeNode {
public:
  LambdaNode(const char* name, F f) : TapeNode(name), f_(std::move(f)) {}
  void backward() override { f_(); }

private:
  F f_;
};
}  // namespace detail

template <class T>
class Tape {
  static_assert(std::is_floating_point_v<T>, "tropigrad::Tape<T>: T must be float or double");

public:
  using Index = std::uint32_t;
  /// Index of the adjoint sink: constants point here, so recording needs no branch.
  static constexpr Index kConstantIndex = 0;
  /// Generation carried by constants, which are valid on every tape.
  static constexpr std::uint32_t kConstantGeneration = 0;

  struct Operand {
    T partial;
    Index index;
  };

  Tape() : generation_(detail::next_generation()) {}
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;
  ~Tape() { destroy_nodes(0); }

  std::uint32_t generation() const { return generation_; }
  bool recording() const { return recording_; }
  void set_recording(bool on) { recording_ = on; }

  /// Throws unless a variable with generation `g` belongs to this tape as it is now.
  void check(std::uint32_t g, const char* what) const {
    if (g == generation_ || g == kConstantGeneration) [[likely]]
      return;
    check_slow(g, what);
  }

  Index new_variable() {
    if (num_variables_ == std::numeric_limits<Index>::max()) [[unlikely]]
      throw TapeError("tropigrad: the tape holds 2^32 variables; call tape reset() between iterations");
    return num_variables_++;
  }

  Index record(Index a, T da) {
    operands_.push_back({da, a});
    return finish_statement();
  }
  Index record(Index a, T da, Index b, T db) {
    operands_.push_back({da, a});
    operands_.push_back({db, b});
    return finish_statement();
  }
  Index record(Index a, T da, Index b, T db, Index c, T dc) {
    operands_.push_back({da, a});
    operands_.push_back({db, b});
    operands_.push_back({dc, c});
    return finish_statement();
  }
  /// Start of an n-ary statement: push operands with push_operand, then finish_statement().
  void push_operand(Index a, T da) { operands_.push_back({da, a}); }
  Index finish_statement() {
    const Index lhs = new_variable();
    statements_.push_back({lhs, operands_.size()});
    return lhs;
  }

  /// Records a backward step. `f` runs once per backward pass that reaches it.
  template <class F>
  void record_node(const char* name, F&& f) {
    using Node = detail::LambdaNode<std::decay_t<F>>;
    void* memory = arena_.allocate(sizeof(Node));
    TapeNode* node = new (memory) Node(name, std::forward<F>(f));
    nodes_.push_back({statements_.size(), node});
  }

  Arena& arena() { return arena_; }

  /// Adjoint storage, valid during and after a backward pass.
  T& adjoint(Index i) {
    ensure_adjoints();
    return adjoints_[i];
  }
  T adjoint_or_zero(Index i) const { return i < adjoints_.size() ? adjoints_[i] : T(0); }

  /// Seeds `seed` with 1 and propagates back to the start of the innermost scope.
  /// Adjoints of intermediate results are consumed (reset to zero) on the way,
  /// and those of leaves accumulate, so a second backward adds to the first.
  void backward(Index seed) {
    ensure_adjoints();
    adjoints_[seed] += T(1);
    run_backward();
  }

  /// Propagates whatever adjoints are already seeded (used by Tensor::backward).
  void run_backward() {
    ensure_adjoints();
    const Floor floor = current_floor();
    std::size_t statement = statements_.size();
    for (std::size_t n = nodes_.size(); n-- > floor.nodes;) {
      sweep(statement, nodes_[n].statements_before);
      statement = nodes_[n].statements_before;
      nodes_[n].node->backward();
    }
    sweep(statement, floor.statements);
  }

  /// Zeroes every adjoint (the scalar leaves' gradients).
  void zero_grad() { adjoints_.assign(adjoints_.size(), T(0)); }

  /// Forgets everything recorded and invalidates all variables made so far.
  /// Memory is kept for reuse.
  void reset() {
    if (!scopes_.empty())
      throw TapeError("tropigrad: reset() called inside a Scope; let the scope close first");
    destroy_nodes(0);
    nodes_.clear();
    statements_.clear();
    operands_.clear();
    adjoints_.clear();
    arena_.reset();
    num_variables_ = 1;
    generation_ = detail::next_generation();
  }

  /// Bytes held by the tape: arena chunks plus the statement arrays' capacity.
  std::size_t memory_bytes() const {
    return arena_.bytes_reserved() + statements_.capacity() * sizeof(Statement) +
           operands_.capacity() * sizeof(Operand) + adjoints_.capacity() * sizeof(T) +
           nodes_.capacity() * sizeof(NodeEntry);
  }
  std::size_t num_statements() const { return statements_.size(); }
  std::size_t num_nodes() const { return nodes_.size(); }
  Index num_variables() const { return num_variables_; }

  // Nested scopes (see scope.hpp). A scope gets a fresh generation: variables
  // made inside it die with it, while outer ones stay usable inside.
  void push_scope() {
    scopes_.push_back({statements_.size(), operands_.size(), nodes_.size(), num_variables_,
                       arena_.mark(), generation_});
    generation_ = detail::next_generation();
  }
  void pop_scope() {
    const ScopeMark m = scopes_.back();
    scopes_.pop_back();
    destroy_nodes(m.nodes);
    nodes_.resize(m.nodes);
    statements_.resize(m.statements);
    operands_.resize(m.operands);
    if (adjoints_.size() > m.variables) adjoints_.resize(m.variables);
    num_variables_ = m.variables;
    arena_.rewind(m.arena);
    generation_ = m.generation;
  }

private:
  struct Statement {
    Index lhs;
    std::size_t operands_end;
  };
  struct NodeEntry {
    std::size_t statements_before;
    TapeNode* node;
  };
  struct ScopeMark {
    std::size_t statements, operands, nodes;
    Index variables;
    Arena::Mark arena;
    std::uint32_t generation;
  };
  struct Floor {
    std::size_t statements, nodes;
  };

  Floor current_floor() const {
    if (scopes_.empty()) return {0, 0};
    return {scopes_.back().statements, scopes_.back().nodes};
  }

  void ensure_adjoints() {
    if (adjoints_.size() < num_variables_) adjoints_.resize(num_variables_, T(0));
  }

  void sweep(std::size_t from, std::size_t to) {
    T* adj = adjoints_.data();
    const Operand* ops = operands_.data();
    for (std::size_t i = from; i-- > to;) {
      const Statement& s = statements_[i];
      const T a = adj[s.lhs];
      adj[s.lhs] = T(0);
      if (a == T(0)) continue;
      const std::size_t begin = i == 0 ? 0 : statements_[i - 1].operands_end;
      for (std::size_t j = begin; j < s.operands_end; ++j) adj[ops[j].index] += ops[j].partial * a;
    }
  }

  void destroy_nodes(std::size_t from) {
    for (std::size_t n = nodes_.size(); n-- > from;) nodes_[n].node->~TapeNode();
  }

  [[gnu::noinline]] void check_slow(std::uint32_t g, const char* what) const {
    for (const ScopeMark& m : scopes_)
      if (m.generation == g) return;
    throw TapeError(std::string("tropigrad: ") + what +
                    " belongs to another tape: it was made before this thread's tape was reset, "
                    "inside a Scope that has closed, or on another thread. Make variables again "
                    "after reset(), and give each thread its own variables.");
  }

  std::vector<Statement> statements_;
  std::vector<Operand> operands_;
  std::vector<T> adjoints_;
  std::vector<NodeEntry> nodes_;
  std::vector<ScopeMark> scopes_;
  Arena arena_;
  Index num_variables_ = 1;  // index 0 is the constant sink
  std::uint32_t generation_;
  bool recording_ = true;
};

namespace detail {
template <class T>
[[gnu::noinline]] Tape<T>& tape_instance() {
  thread_local Tape<T> instance;
  return instance;
}
}  // namespace detail

/// This thread's tape for scalar type T.
/// Every scalar op calls this. A thread_local object with a constructor needs
/// an initialisation guard on each access; a thread_local pointer does not,
/// so the hot path is one thread-local load and a predicted branch.
template <class T>
inline Tape<T>& tape() {
  thread_local Tape<T>* cached = nullptr;
  if (cached == nullptr) [[unlikely]]
    cached = &detail::tape_instance<T>();
  return *cached;
}

}  // namespace tropigrad
