#pragma once
// The reverse-mode tape. One tape per thread and scalar type, reached through
// tape<T>(). Scalar operations are stored as statements in the style of Adept:
// a result index and its operands' (index, partial derivative) pairs, so that
// the backward sweep is a tight loop with no virtual calls. Tensor operations
// are stored as nodes with a hand-written backward; the sweep interleaves the
// two kinds in reverse order of recording.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
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
  // 0 marks constants and 0xFFFFFFFF marks "not recording" (see Tape::live_generation).
  std::uint32_t g = counter.fetch_add(1, std::memory_order_relaxed) + 1;
  while (g == 0 || g == 0xFFFFFFFFu) g = counter.fetch_add(1, std::memory_order_relaxed) + 1;
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

namespace detail {
/// A growable array of trivially copyable elements with an unchecked fast
/// path: reserve room once, write through the pointer, commit. Growth is out
/// of line; it also enforces `max_size`, so 32-bit indices never wrap.
template <class E>
class Stack {
  static_assert(std::is_trivially_copyable_v<E>);

public:
  explicit Stack(std::size_t max_size) : max_size_(max_size) {}
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;
  ~Stack() { std::free(begin_); }

  /// Room for n more elements; returns where to write them.
  E* reserve(std::size_t n) {
    if (static_cast<std::size_t>(capacity_end_ - end_) < n) [[unlikely]]
      grow(n);
    return end_;
  }
  void commit(std::size_t n) { end_ += n; }
  bool has_room(std::size_t n) const { return static_cast<std::size_t>(capacity_end_ - end_) >= n; }
  std::size_t room() const { return static_cast<std::size_t>(capacity_end_ - end_); }
  E* end() { return end_; }
  void push_back(const E& e) {
    *reserve(1) = e;
    ++end_;
  }

  std::size_t size() const { return static_cast<std::size_t>(end_ - begin_); }
  std::size_t capacity() const { return static_cast<std::size_t>(capacity_end_ - begin_); }
  E* data() { return begin_; }
  const E* data() const { return begin_; }
  E& operator[](std::size_t i) { return begin_[i]; }
  const E& operator[](std::size_t i) const { return begin_[i]; }
  E& back() { return end_[-1]; }
  void clear() { end_ = begin_; }
  void truncate(std::size_t n) { end_ = begin_ + n; }

private:
public:
  [[gnu::noinline]] void grow(std::size_t n) {
    const std::size_t size = this->size();
    if (n > max_size_ - size)
      throw TapeError("tropigrad: the tape is full (" + std::to_string(max_size_) +
                      " entries); call tape<T>().reset() between iterations, or use Tensor ops for large data");
    std::size_t capacity = std::max<std::size_t>(this->capacity() * 2, 1024);
    capacity = std::min(std::max(capacity, size + n), max_size_);
    void* p = std::realloc(begin_, capacity * sizeof(E));
    if (p == nullptr) throw std::bad_alloc();
    begin_ = static_cast<E*>(p);
    end_ = begin_ + size;
    capacity_end_ = begin_ + capacity;
  }

private:
  E* begin_ = nullptr;
  E* end_ = nullptr;
  E* capacity_end_ = nullptr;
  std::size_t max_size_;
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

  Tape() : generation_(detail::next_generation()) {
    ends_.push_back(0);
    update_fast_end();
  }
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;
  ~Tape() { destroy_nodes(0); }

  std::uint32_t generation() const { return generation_; }
  bool recording() const { return recording_; }
  void set_recording(bool on) {
    recording_ = on;
    update_live_generation();
  }

  /// Generation that no variable carries: live_generation() while not recording.
  static constexpr std::uint32_t kNotRecording = 0xFFFFFFFFu;
  /// The generation of variables recorded on this tape as it is now, or
  /// kNotRecording when recording is off. The hot path of every scalar op is
  /// one compare per operand against it: equal means "valid, not a constant,
  /// and recording is on", so the op records without further checks; anything
  /// else (constants, outer-scope variables, misuse, NoGrad) takes the slow path.
  std::uint32_t live_generation() const { return live_generation_; }

  /// Throws unless a variable with generation `g` belongs to this tape as it is now.
  void check(std::uint32_t g, const char* what) const {
    if (g == generation_ || g == kConstantGeneration) [[likely]]
      return;
    check_slow(g, what);
  }

  // Variable k >= 1 owns operands_[ends_[k - 1], ends_[k]); ends_[0] = 0
  // belongs to the constant sink. A leaf is a statement with no operands.

  /// A new leaf variable.
  Index new_variable() {
    if (!ends_.has_room(1)) [[unlikely]]
      make_room(0);
    return close_statement(0);
  }
  /// n new leaf variables with consecutive indices; returns the first.
  Index new_variables(std::size_t n) {
    if (!ends_.has_room(n)) [[unlikely]] {
      ends_.reserve(n);
      update_fast_end();
    }
    Index* e = ends_.end();
    std::fill_n(e, n, static_cast<Index>(operands_.size()));
    const auto first = static_cast<Index>(ends_.size());
    ends_.commit(n);
    return first;
  }

  /// Room for one statement of n operands. Returns where to write the
  /// operands; then call commit_statement(n).
  Operand* begin_statement(std::size_t n) {
    if (!(operands_.has_room(n) && ends_.has_room(1))) [[unlikely]]
      make_room(n);
    return operands_.end();
  }
  Index commit_statement(std::size_t n) {
    const Index k = close_statement(n);
    update_fast_end();  // n may exceed kSmallStatement
    return k;
  }

  // Statements of 1-3 operands, every scalar op's: one compare checks the room
  // for the statement and its operands (see fast_end_).
  Index record(Index a, T da) {
    Operand* o = begin_small_statement();
    o[0] = {da, a};
    return close_statement(1);
  }
  Index record(Index a, T da, Index b, T db) {
    Operand* o = begin_small_statement();
    o[0] = {da, a};
    o[1] = {db, b};
    return close_statement(2);
  }
  Index record(Index a, T da, Index b, T db, Index c, T dc) {
    Operand* o = begin_small_statement();
    o[0] = {da, a};
    o[1] = {db, b};
    o[2] = {dc, c};
    return close_statement(3);
  }
  /// An n-ary statement: push its operands with push_operand, then finish_statement().
  void push_operand(Index a, T da) {
    operands_.push_back({da, a});
    fast_end_ = ends_.end();  // operands consumed: the next small statement re-checks the room
  }
  Index finish_statement() {
    ends_.reserve(1);
    const Index k = close_statement(0);
    update_fast_end();
    return k;
  }
  /// Reserves room for a statement of up to n operands pushed with push_operand.
  void reserve_operands(std::size_t n) { operands_.reserve(n); }  // more room: fast_end_ stays valid

  /// Records a backward step. `f` runs once per backward pass that reaches it.
  template <class F>
  void record_node(const char* name, F&& f) {
    using Node = detail::LambdaNode<std::decay_t<F>>;
    void* memory = arena_.allocate(sizeof(Node));
    TapeNode* node = new (memory) Node(name, std::forward<F>(f));
    nodes_.push_back({ends_.size() - 1, node});
  }

  Arena& arena() { return arena_; }

  /// Adjoint storage, valid during and after a backward pass.
  T& adjoint(Index i) {
    ensure_adjoints();
    return adjoints_[i];
  }
  /// The adjoint array (adjoint_count() entries; entries past it are zero).
  const T* adjoint_data() const { return adjoints_.data(); }
  std::size_t adjoint_count() const { return adjoints_.size(); }
  /// The gradient of variable i: 0 for constants (whose sink collects what flows to them) and for
  /// variables no backward pass has reached.
  T adjoint_or_zero(Index i) const { return adjoint_or_zero(adjoints_.data(), adjoints_.size(), i); }
  /// The same, read from adjoint_data() and adjoint_count() (for loops over many variables).
  static T adjoint_or_zero(const T* adjoints, std::size_t count, Index i) {
    return i != kConstantIndex && i < count ? adjoints[i] : T(0);
  }

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
    std::size_t statement = ends_.size() - 1;
    for (std::size_t n = nodes_.size(); n-- > floor.nodes;) {
      sweep(statement, nodes_[n].statements_before);
      statement = nodes_[n].statements_before;
      nodes_[n].node->backward();
    }
    sweep(statement, leaf_floor(floor.statements, statement));
  }

  /// Zeroes every adjoint (the scalar leaves' gradients).
  void zero_grad() { std::fill(adjoints_.begin(), adjoints_.end(), T(0)); }

  /// Forgets everything recorded and invalidates all variables made so far.
  /// Memory is kept for reuse.
  void reset() {
    if (!scopes_.empty())
      throw TapeError("tropigrad: reset() called inside a Scope; let the scope close first");
    destroy_nodes(0);
    nodes_.clear();
    ends_.truncate(1);
    operands_.clear();
    adjoints_.clear();
    arena_.reset();
    generation_ = detail::next_generation();
    update_live_generation();
    update_fast_end();
  }

  /// Bytes held by the tape: arena chunks plus the statement arrays' capacity.
  std::size_t memory_bytes() const {
    return arena_.bytes_reserved() + ends_.capacity() * sizeof(Index) + operands_.capacity() * sizeof(Operand) +
           adjoints_.capacity() * sizeof(T) + nodes_.capacity() * sizeof(NodeEntry);
  }
  /// Scalar statements recorded, leaves included.
  std::size_t num_statements() const { return ends_.size() - 1; }
  std::size_t num_nodes() const { return nodes_.size(); }
  Index num_variables() const { return static_cast<Index>(ends_.size()); }

  // Nested scopes (see scope.hpp). A scope gets a fresh generation: variables
  // made inside it die with it, while outer ones stay usable inside.
  void push_scope() {
    scopes_.push_back({ends_.size() - 1, operands_.size(), nodes_.size(), arena_.mark(), generation_});
    generation_ = detail::next_generation();
    update_live_generation();
  }
  void pop_scope() {
    const ScopeMark m = scopes_.back();
    scopes_.pop_back();
    destroy_nodes(m.nodes);
    nodes_.resize(m.nodes);
    ends_.truncate(m.statements + 1);
    operands_.truncate(m.operands);
    if (adjoints_.size() > num_variables()) adjoints_.resize(num_variables());
    arena_.rewind(m.arena);
    generation_ = m.generation;
    update_live_generation();
    update_fast_end();
  }

private:
  struct NodeEntry {
    std::size_t statements_before;
    TapeNode* node;
  };
  struct ScopeMark {
    std::size_t statements, operands, nodes;
    Arena::Mark arena;
    std::uint32_t generation;
  };
  struct Floor {
    std::size_t statements, nodes;
  };

  void update_live_generation() { live_generation_ = recording_ ? generation_ : kNotRecording; }

  static constexpr std::size_t kSmallStatement = 3;
  /// Keeps the invariant of fast_end_; call after anything that moves or
  /// consumes the arrays other than a small statement or a leaf.
  void update_fast_end() {
    fast_end_ = ends_.end() + std::min(ends_.room(), operands_.room() / kSmallStatement);
  }
  Operand* begin_small_statement() {
    if (ends_.end() >= fast_end_) [[unlikely]]
      make_room(kSmallStatement);
    return operands_.end();
  }
  /// Closes a statement of n operands already written (room checked, fast_end_ not updated).
  Index close_statement(std::size_t n) {
    operands_.commit(n);
    Index* e = ends_.end();
    *e = static_cast<Index>(operands_.size());
    ends_.commit(1);
    return static_cast<Index>(e - ends_.data());
  }

  [[gnu::noinline]] void make_room(std::size_t n) {
    operands_.reserve(std::max(n, kSmallStatement));
    ends_.reserve(1);
    update_fast_end();
  }

  Floor current_floor() const {
    if (scopes_.empty()) return {0, 0};
    return {scopes_.back().statements, scopes_.back().nodes};
  }

  void ensure_adjoints() {
    if (adjoints_.size() < num_variables()) adjoints_.resize(num_variables(), T(0));
  }

  /// Where the sweep of (to, from] may stop: below the first statement with
  /// operands, only leaves are left (typically the inputs and parameters, made
  /// first), and a leaf needs nothing once what flows to it is stored. ends_
  /// is non-decreasing, and those leaves all have ends[k] == ends[to].
  std::size_t leaf_floor(std::size_t to, std::size_t from) const {
    const Index* ends = ends_.data();
    const Index* first_with_operands = std::upper_bound(ends + to, ends + from + 1, ends[to]);
    return static_cast<std::size_t>(first_with_operands - ends) - 1;
  }

  void sweep(std::size_t from, std::size_t to) {
    if (from <= to) return;
    T* all = adjoints_.data();
    const Operand* ops = operands_.data();
    const Index* ends = ends_.data();  // ends[k] for variable k; ends[0] = 0 is the sink's
    // A chain (a recursion, an accumulation loop, a value and the one derived
    // from it just before) passes its adjoint from statement k to k - 1 or
    // k - 2. Those two are kept in registers: `head` is the whole adjoint of
    // the next statement (its stored part plus what its successors added),
    // and `carry2` what has been added to the one after. Reading all[k - 1]
    // early, before this statement's contributions, leaves one multiply and
    // one add per step on the chain's critical path, and no store-to-load
    // round trip through memory.
    T head = all[from];
    T carry2 = T(0);
    for (std::size_t k = from; k > to; --k) {
      const T a = head;
      head = all[k - 1] + carry2;
      carry2 = T(0);
      const std::size_t begin = ends[k - 1];
      const std::size_t end = ends[k];
      // A leaf keeps its gradient; an intermediate result's adjoint is consumed.
      all[k] = begin == end ? a : T(0);
      if (a == T(0)) continue;
      for (std::size_t j = begin; j < end; ++j) {
        const std::size_t i = ops[j].index;
        const T d = ops[j].partial * a;
        if (i + 2 >= k) [[unlikely]] {
          if (i + 1 == k)
            head += d;
          else
            carry2 += d;
        } else {
          all[i] += d;
        }
      }
    }
    // What is left belongs to variables to and to - 1, below this segment.
    all[to] = head;
    if (to > 0) all[to - 1] += carry2;
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

  // Index 0 is the constant sink, so at most 2^32 - 1 statements.
  detail::Stack<Index> ends_{std::numeric_limits<Index>::max()};
  detail::Stack<Operand> operands_{std::numeric_limits<Index>::max()};
  std::vector<T> adjoints_;
  std::vector<NodeEntry> nodes_;
  std::vector<ScopeMark> scopes_;
  Arena arena_;
  std::uint32_t generation_;
  std::uint32_t live_generation_ = generation_;
  bool recording_ = true;
  // While ends_.end() < fast_end_, there is room for one more statement and
  // kSmallStatement more operands: a small statement uses one end and at most
  // kSmallStatement operands, and a leaf one end, so both keep it true.
  Index* fast_end_ = nullptr;
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
