#pragma once
// Checkpoints of named tensors. The format is little-endian binary:
//   "TGCKPT\0\0" (8 bytes magic), u32 version = 1, u32 count,
//   count x { u32 name_length, name bytes, u8 scalar_bytes (4 or 8),
//             u64 rows, u64 cols, rows*cols values },
//   u32 CRC-32 (zlib) of everything before it.
// save() writes a temporary file beside the target, flushes it to disk and
// renames it over the target, so a crash mid-save leaves the old file intact.
// load() validates the whole file (sizes, names, shapes, checksum) before it
// writes a single parameter, so a bad file leaves the model unchanged.

#include <zlib.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <unistd.h>

#include "../ad/tensor.hpp"

namespace tropigrad::nn {

/// A checkpoint that cannot be written, read, or applied to this model.
class CheckpointError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

namespace detail {
inline constexpr char kCheckpointMagic[8] = {'T', 'G', 'C', 'K', 'P', 'T', 0, 0};
inline constexpr std::uint32_t kCheckpointVersion = 1;

inline void put_bytes(std::string& out, const void* p, std::size_t n) {
  out.append(static_cast<const char*>(p), n);
}
template <class U>
void put(std::string& out, U value) {
  put_bytes(out, &value, sizeof(U));
}

/// Reads fields from a byte buffer; every read is bounds-checked.
class Reader {
public:
  Reader(std::string_view bytes, std::size_t end, const std::string& path) : bytes_(bytes), end_(end), path_(path) {}
  template <class U>
  U get(const char* what) {
    U value;
    std::memcpy(&value, take(sizeof(U), what), sizeof(U));
    return value;
  }
  const char* take(std::size_t n, const char* what) {
    if (n > end_ - pos_) fail(std::string("truncated while reading ") + what);
    const char* p = bytes_.data() + pos_;
    pos_ += n;
    return p;
  }
  std::size_t remaining() const { return end_ - pos_; }
  [[noreturn]] void fail(const std::string& why) const {
    throw CheckpointError("tropigrad checkpoint '" + path_ + "': " + why + " (at byte " + std::to_string(pos_) +
                          "); the file is corrupt or not a tropigrad checkpoint");
  }

private:
  std::string_view bytes_;
  std::size_t end_;
  std::size_t pos_ = 0;
  const std::string& path_;
};

struct LoadedTensor {
  std::string name;
  Index rows, cols;
  std::vector<double> values;
};
}  // namespace detail

/// Writes `tensors` to `path` atomically (temporary file, fsync, rename).
template <class T>
void save_tensors(const std::vector<std::pair<std::string, Tensor<T>>>& tensors, const std::string& path) {
  std::string out;
  detail::put_bytes(out, detail::kCheckpointMagic, sizeof(detail::kCheckpointMagic));
  detail::put(out, detail::kCheckpointVersion);
  detail::put(out, static_cast<std::uint32_t>(tensors.size()));
  for (const auto& [name, tensor] : tensors) {
    detail::put(out, static_cast<std::uint32_t>(name.size()));
    detail::put_bytes(out, name.data(), name.size());
    detail::put(out, static_cast<std::uint8_t>(sizeof(T)));
    detail::put(out, static_cast<std::uint64_t>(tensor.rows()));
    detail::put(out, static_cast<std::uint64_t>(tensor.cols()));
    detail::put_bytes(out, tensor.value().data(), static_cast<std::size_t>(tensor.size()) * sizeof(T));
  }
  const auto crc = static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(out.data()), static_cast<uInt>(out.size())));
  detail::put(out, crc);

  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    throw CheckpointError("tropigrad checkpoint: cannot create '" + temporary + "': " + std::strerror(errno) +
                          " (check that the directory exists and is writable)");
  std::size_t written = 0;
  while (written < out.size()) {
    const ssize_t n = ::write(fd, out.data() + written, out.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string error = std::strerror(errno);
      ::close(fd);
      std::remove(temporary.c_str());
      throw CheckpointError("tropigrad checkpoint: writing '" + temporary + "' failed: " + error);
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    std::remove(temporary.c_str());
    throw CheckpointError("tropigrad checkpoint: flushing '" + temporary + "' to disk failed");
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::remove(temporary.c_str());
    throw CheckpointError("tropigrad checkpoint: cannot rename '" + temporary + "' to '" + path +
                          "': " + std::strerror(errno));
  }
}

/// Validates and decodes the bytes of a whole checkpoint file; `path` names it
/// in errors. Throws CheckpointError; allocates no more than the bytes hold.
inline std::vector<detail::LoadedTensor> parse_checkpoint(std::string_view bytes, const std::string& path) {
  const std::size_t header = sizeof(detail::kCheckpointMagic) + 8;
  if (bytes.size() < header + 4)
    throw CheckpointError("tropigrad checkpoint '" + path + "': the file has " + std::to_string(bytes.size()) +
                          " bytes, too short for a checkpoint (at least " + std::to_string(header + 4) + ")");
  if (std::memcmp(bytes.data(), detail::kCheckpointMagic, sizeof(detail::kCheckpointMagic)) != 0)
    throw CheckpointError("tropigrad checkpoint '" + path + "': wrong magic number; not a tropigrad checkpoint");
  const std::size_t body = bytes.size() - 4;
  std::uint32_t stored_crc;
  std::memcpy(&stored_crc, bytes.data() + body, 4);
  const auto crc =
      static_cast<std::uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(body)));
  if (crc != stored_crc)
    throw CheckpointError("tropigrad checkpoint '" + path + "': checksum mismatch (stored " +
                          std::to_string(stored_crc) + ", computed " + std::to_string(crc) +
                          "); the file is corrupt or truncated");
  detail::Reader in(bytes, body, path);
  in.take(sizeof(detail::kCheckpointMagic), "the magic number");
  const auto version = in.get<std::uint32_t>("the version");
  if (version != detail::kCheckpointVersion)
    in.fail("unsupported version " + std::to_string(version) + " (this build reads version " +
            std::to_string(detail::kCheckpointVersion) + ")");
  const auto count = in.get<std::uint32_t>("the tensor count");
  std::vector<detail::LoadedTensor> tensors;
  for (std::uint32_t k = 0; k < count; ++k) {
    detail::LoadedTensor t;
    const auto name_length = in.get<std::uint32_t>("a name length");
    const char* name = in.take(name_length, "a name");
    t.name.assign(name, name_length);
    const auto scalar_bytes = in.get<std::uint8_t>("a scalar size");
    if (scalar_bytes != 4 && scalar_bytes != 8)
      in.fail("tensor '" + t.name + "' has scalar size " + std::to_string(scalar_bytes) + ", expected 4 or 8");
    const auto rows = in.get<std::uint64_t>("a row count");
    const auto cols = in.get<std::uint64_t>("a column count");
    // Check the declared size against what the file holds before allocating.
    if (cols != 0 && rows > in.remaining() / scalar_bytes / cols)
      in.fail("tensor '" + t.name + "' declares " + std::to_string(rows) + "x" + std::to_string(cols) +
              " values, more than the file holds");
    t.rows = static_cast<Index>(rows);
    t.cols = static_cast<Index>(cols);
    const std::size_t n = static_cast<std::size_t>(rows * cols);
    const char* data = in.take(n * scalar_bytes, "tensor values");
    t.values.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (scalar_bytes == 4) {
        float f;
        std::memcpy(&f, data + 4 * i, 4);
        t.values[i] = f;
      } else {
        std::memcpy(&t.values[i], data + 8 * i, 8);
      }
    }
    tensors.push_back(std::move(t));
  }
  if (in.remaining() != 0) in.fail(std::to_string(in.remaining()) + " unexpected bytes after the last tensor");
  return tensors;
}

/// Reads and validates a checkpoint completely; throws CheckpointError.
inline std::vector<detail::LoadedTensor> read_checkpoint(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file)
    throw CheckpointError("tropigrad checkpoint: cannot open '" + path + "' (does the file exist?)");
  const std::string bytes((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  return parse_checkpoint(bytes, path);
}

/// Loads a checkpoint into `tensors` (matched by name and shape). Nothing is
/// written unless every tensor matches.
template <class T>
void load_tensors(const std::vector<std::pair<std::string, Tensor<T>>>& tensors, const std::string& path) {
  const auto loaded = read_checkpoint(path);
  if (loaded.size() != tensors.size())
    throw CheckpointError("tropigrad checkpoint '" + path + "': it holds " + std::to_string(loaded.size()) +
                          " tensors, the model has " + std::to_string(tensors.size()) +
                          "; was it saved from another architecture?");
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const auto& [name, tensor] = tensors[k];
    if (loaded[k].name != name || loaded[k].rows != tensor.rows() || loaded[k].cols != tensor.cols())
      throw CheckpointError("tropigrad checkpoint '" + path + "': tensor " + std::to_string(k) + " is '" +
                            loaded[k].name + "' " + std::to_string(loaded[k].rows) + "x" +
                            std::to_string(loaded[k].cols) + ", the model expects '" + name + "' " + tensor.shape());
  }
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    Tensor<T> target = tensors[k].second;
    auto values = target.value_mut();
    for (Index i = 0; i < values.size(); ++i) values.data()[i] = static_cast<T>(loaded[k].values[static_cast<std::size_t>(i)]);
  }
}

}  // namespace tropigrad::nn
