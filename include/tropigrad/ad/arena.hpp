#pragma once
// Bump allocator behind the tape. Memory is handed out in order and reclaimed
// all at once by reset(); chunks are kept, so a training loop that records the
// same graph every iteration stops allocating after its first iterations.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <vector>

namespace tropigrad {

class Arena {
public:
  static constexpr std::size_t kAlignment = 64;  // one cache line; enough for AVX-512 loads
  static constexpr std::size_t kFirstChunkBytes = std::size_t{1} << 16;

  struct Mark {
    std::size_t chunk = 0;
    std::size_t offset = 0;
  };

  Arena() = default;
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;
  ~Arena() { release(); }

  /// Memory for `bytes` bytes aligned to `kAlignment`. Never returns null.
  void* allocate(std::size_t bytes) {
    bytes = round_up(bytes == 0 ? 1 : bytes);
    if (current_ < chunks_.size() && offset_ + bytes <= chunks_[current_].size) {
      void* p = chunks_[current_].data + offset_;
      offset_ += bytes;
      return p;
    }
    return allocate_slow(bytes);
  }

  template <class T>
  T* allocate_array(std::size_t count) {
    return static_cast<T*>(allocate(count * sizeof(T)));
  }

  Mark mark() const { return {current_, offset_}; }

  /// Frees everything allocated after `m` (nested scopes).
  void rewind(Mark m) {
    current_ = m.chunk;
    offset_ = m.offset;
  }

  /// Frees everything. If the last round needed several chunks, they are merged
  /// into one, so that the next identical round fits without allocating.
  void reset() {
    if (chunks_.size() > 1) {
      std::size_t total = 0;
      for (const Chunk& c : chunks_) total += c.size;
      release();
      chunks_.push_back(new_chunk(total));
    }
    current_ = 0;
    offset_ = 0;
  }

  /// Bytes reserved from the system (not the bytes in use).
  std::size_t bytes_reserved() const {
    std::size_t total = 0;
    for (const Chunk& c : chunks_) total += c.size;
    return total;
  }

  /// Bytes handed out since the last reset.
  std::size_t bytes_used() const {
    std::size_t total = offset_;
    for (std::size_t i = 0; i < current_ && i < chunks_.size(); ++i) total += chunks_[i].size;
    return total;
  }

private:
  struct Chunk {
    std::byte* data;
    std::size_t size;
  };

  static std::size_t round_up(std::size_t bytes) {
    return (bytes + kAlignment - 1) / kAlignment * kAlignment;
  }

  static Chunk new_chunk(std::size_t size) {
    void* p = std::aligned_alloc(kAlignment, round_up(size));
    if (p == nullptr) throw std::bad_alloc();
    return {static_cast<std::byte*>(p), round_up(size)};
  }

  void* allocate_slow(std::size_t bytes) {
    // Reuse a later chunk if it is big enough; otherwise insert a new one.
    std::size_t next = chunks_.empty() ? 0 : current_ + 1;
    if (next < chunks_.size() && chunks_[next].size >= bytes) {
      current_ = next;
    } else {
      const std::size_t previous = chunks_.empty() ? kFirstChunkBytes / 2 : chunks_.back().size;
      const std::size_t size = std::max(bytes, 2 * previous);
      chunks_.insert(chunks_.begin() + static_cast<std::ptrdiff_t>(next), new_chunk(size));
      current_ = next;
    }
    offset_ = bytes;
    return chunks_[current_].data;
  }

  void release() {
    for (Chunk& c : chunks_) std::free(c.data);
    chunks_.clear();
    current_ = 0;
    offset_ = 0;
  }

  std::vector<Chunk> chunks_;
  std::size_t current_ = 0;
  std::size_t offset_ = 0;
};

}  // namespace tropigrad
