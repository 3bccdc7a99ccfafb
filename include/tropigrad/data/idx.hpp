// tropigrad/data/idx.hpp
//
// Reader for IDX files (the MNIST / Fashion-MNIST format), raw or gzip.
//
//   IdxArray a = tropigrad::read_idx("train-images-idx3-ubyte.gz");
//   a.shape  == {60000, 28, 28};  a.data.size() == 60000 * 28 * 28
//
// Format: a 4-byte big-endian magic 0x00 0x00 <type> <ndims>, then ndims
// big-endian uint32 dimension sizes, then the elements in row-major order.
// 0x00000801 is a vector of labels, 0x00000803 a stack of images. Only the
// element type 0x08 (unsigned byte) is supported; the other IDX types
// (0x09 int8, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64) are
// rejected by name.
//
// Compression is detected from the content, not the file name: a file that
// starts with the gzip magic 1f 8b is inflated with zlib (CRC and length of
// every gzip member checked; concatenated members are accepted), anything else
// is read as raw IDX. An IDX file never starts with 1f 8b (its first two bytes
// are zero), so the two cannot be confused.
//
// Robustness (every failure throws tropigrad::DataError naming the file, what
// was expected and what was found; nothing else escapes except std::bad_alloc):
//  - missing file, directory, unreadable file;
//  - empty file, short header, wrong magic, unsupported element type,
//    0 dimensions, a different number of dimensions than expected;
//  - declared sizes whose product overflows or exceeds
//    IdxReadOptions::max_elements (default 2^31), and declared sizes larger
//    than the file can hold (raw: the bytes that follow the header; gzip:
//    1032 x the compressed size, deflate's maximum ratio) — all rejected from
//    the header alone, BEFORE the data buffer is allocated;
//  - truncated data, corrupt gzip data (bad deflate stream, CRC or length);
//  - trailing garbage: bytes after the declared data are REJECTED (a file
//    with extra data is not the file the header describes). With
//    IdxReadOptions::max_rows set below the declared row count, reading stops
//    after those rows and the rest of the file is neither read nor checked.
// Uses the standard library and zlib only.
#pragma once

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <zlib.h>

#include "tropigrad/data/errors.hpp"

namespace tropigrad {

/// Options of read_idx / read_idx_bytes.
struct IdxReadOptions {
  /// Largest number of elements (= bytes for type 0x08) a file may declare.
  std::uint64_t max_elements = std::uint64_t{1} << 31;
  /// Read only the first max_rows entries along dimension 0 (the rest of the
  /// file is neither read nor checked). Default: all.
  std::uint64_t max_rows = std::numeric_limits<std::uint64_t>::max();
  /// If > 0, the file must have exactly this many dimensions (1 for labels,
  /// 3 for images).
  int expected_dims = 0;
};

/// The content of an IDX file of unsigned bytes.
struct IdxArray {
  /// Dimensions as read: shape[0] = min(declared_rows, max_rows).
  std::vector<std::size_t> shape;
  /// Dimension 0 as declared in the header (the full row count of the file).
  std::size_t declared_rows = 0;
  /// The elements in row-major order; data.size() == product of shape.
  std::vector<std::uint8_t> data;

  /// Elements per entry of dimension 0 (1 for a vector of labels).
  std::size_t row_size() const {
    std::size_t size = 1;
    for (std::size_t d = 1; d < shape.size(); ++d) size *= shape[d];
    return size;
  }
  std::size_t rows() const { return shape.empty() ? 0 : shape[0]; }
};

namespace detail {

inline constexpr std::string_view idx_where = "tropigrad::read_idx";
/// deflate never expands more than 1032:1 (RFC 1951, maximal back-references).
inline constexpr std::uint64_t deflate_max_ratio = 1032;

inline std::string hex32(std::uint32_t value) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string text = "0x00000000";
  for (int i = 0; i < 8; ++i) text[9 - i] = digits[(value >> (4 * i)) & 0xF];
  return text;
}

inline std::string hex8(std::uint8_t value) {
  static constexpr char digits[] = "0123456789ABCDEF";
  return std::string{'0', 'x', digits[value >> 4], digits[value & 0xF]};
}

inline std::string_view idx_type_name(std::uint8_t type) {
  switch (type) {
    case 0x08: return "unsigned byte";
    case 0x09: return "signed byte";
    case 0x0B: return "int16";
    case 0x0C: return "int32";
    case 0x0D: return "float32";
    case 0x0E: return "float64";
    default: return "";
  }
}

/// " (install the data set with: apt-get install dataset-fashion-mnist)" when
/// the path lies in the Debian Fashion-MNIST directory, else "".
inline std::string missing_file_hint(const std::filesystem::path& path) {
  const std::string text = path.lexically_normal().generic_string();
  if (text.find("/usr/share/datasets/fashion-mnist") != std::string::npos) {
    return " (install the data set with: apt-get install dataset-fashion-mnist)";
  }
  return "";
}

/// Reads a whole file. Allocation is bounded by the real file size.
inline std::vector<std::uint8_t> read_file_bytes(const std::filesystem::path& path,
                                                 std::string_view where) {
  const std::string name = path.string();
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    throw_file_error(where, name, "file not found" + missing_file_hint(path));
  }
  if (std::filesystem::is_directory(status)) {
    throw_file_error(where, name, "is a directory, expected a file");
  }
  struct Closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  errno = 0;
  std::unique_ptr<std::FILE, Closer> file(std::fopen(name.c_str(), "rb"));
  if (!file) {
    const int error = errno;
    throw_file_error(where, name,
                     "cannot open: " + std::generic_category().message(error) +
                         missing_file_hint(path));
  }
  std::vector<std::uint8_t> bytes;
  std::uintmax_t hint = std::filesystem::file_size(path, ec);
  if (!ec && hint < (std::uintmax_t{1} << 32)) bytes.reserve(static_cast<std::size_t>(hint));
  constexpr std::size_t chunk = std::size_t{1} << 20;
  std::size_t used = 0;
  for (;;) {
    bytes.resize(used + chunk);
    const std::size_t got = std::fread(bytes.data() + used, 1, chunk, file.get());
    used += got;
    if (got < chunk) break;
  }
  if (std::ferror(file.get())) {
    throw_file_error(where, name, "read error after " + std::to_string(used) + " bytes");
  }
  bytes.resize(used);
  return bytes;
}

/// A byte stream over the file content, inflating it when it is gzip.
class IdxByteStream {
 public:
  IdxByteStream(std::span<const std::uint8_t> bytes, std::string_view name)
      : bytes_(bytes), name_(name) {
    gzip_ = bytes.size() >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B;
    if (gzip_) {
      z_ = z_stream{};
      // 15 + 16: gzip wrapper only, with CRC-32 and length checks.
      if (inflateInit2(&z_, 15 + 16) != Z_OK) {
        throw_file_error(idx_where, name_, "zlib inflateInit2 failed");
      }
    }
  }
  IdxByteStream(const IdxByteStream&) = delete;
  IdxByteStream& operator=(const IdxByteStream&) = delete;
  ~IdxByteStream() {
    if (gzip_) inflateEnd(&z_);
  }

  bool gzip() const { return gzip_; }
  std::size_t input_size() const { return bytes_.size(); }
  /// Bytes not yet consumed (raw files only: exact).
  std::size_t raw_remaining() const { return bytes_.size() - position_; }

  /// Reads up to n bytes into dst; fewer only at the end of the data.
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    if (!gzip_) {
      const std::size_t count = std::min(n, bytes_.size() - position_);
      if (count > 0) std::copy_n(bytes_.data() + position_, count, dst);
      position_ += count;
      return count;
    }
    return inflate_into(dst, n);
  }

 private:
  std::size_t inflate_into(std::uint8_t* dst, std::size_t n) {
    constexpr std::size_t max_chunk = std::size_t{1} << 30;  // fits uInt
    std::size_t produced = 0;
    while (produced < n && !finished_) {
      if (z_.avail_in == 0 && position_ < bytes_.size()) {
        const std::size_t chunk = std::min(max_chunk, bytes_.size() - position_);
        // zlib's API takes a non-const pointer but never writes the input.
        z_.next_in = const_cast<Bytef*>(bytes_.data() + position_);
        z_.avail_in = static_cast<uInt>(chunk);
        position_ += chunk;
      }
      const std::size_t want = std::min(max_chunk, n - produced);
      z_.next_out = dst + produced;
      z_.avail_out = static_cast<uInt>(want);
      const int rc = inflate(&z_, Z_NO_FLUSH);
      produced += want - z_.avail_out;
      member_bytes_ += want - z_.avail_out;
      if (rc == Z_STREAM_END) {
        if (z_.avail_in > 0 || position_ < bytes_.size()) {
          // Another gzip member follows (e.g. pigz / cat a.gz b.gz).
          if (inflateReset(&z_) != Z_OK) {
            throw_file_error(idx_where, name_, "zlib inflateReset failed");
          }
          ++member_;
          member_bytes_ = 0;
          continue;
        }
        finished_ = true;
        break;
      }
      if (rc == Z_OK) continue;
      if (rc == Z_BUF_ERROR && z_.avail_in == 0 && position_ >= bytes_.size()) {
        throw_file_error(idx_where, name_,
                         "truncated gzip stream: the compressed data ends before the "
                         "end-of-stream marker (file cut short?)");
      }
      if (member_ > 0 && member_bytes_ == 0) {
        throw_file_error(idx_where, name_,
                         "trailing garbage after the gzip stream: expected end of file or "
                         "another gzip member, found bytes that are not gzip");
      }
      std::string what = "corrupt gzip data (zlib: ";
      what.append(z_.msg != nullptr ? z_.msg : "error " + std::to_string(rc)).append(")");
      throw_file_error(idx_where, name_, what);
    }
    return produced;
  }

  std::span<const std::uint8_t> bytes_;
  std::string_view name_;
  bool gzip_ = false;
  bool finished_ = false;
  std::size_t position_ = 0;
  z_stream z_{};
  int member_ = 0;
  std::size_t member_bytes_ = 0;
};

inline std::string shape_text(const std::vector<std::uint32_t>& dims) {
  std::string text;
  for (std::size_t i = 0; i < dims.size(); ++i) {
    if (i > 0) text.append(" x ");
    text.append(std::to_string(dims[i]));
  }
  return text;
}

}  // namespace detail

/// Parses IDX content already in memory (raw or gzip). `name` is used in
/// error messages (a path, or e.g. "<memory>"). Throws DataError.
inline IdxArray read_idx_bytes(std::span<const std::uint8_t> bytes, std::string_view name,
                               const IdxReadOptions& options = {}) {
  using detail::idx_where;
  using detail::throw_file_error;
  if (bytes.empty()) {
    throw_file_error(idx_where, name,
                     "empty file: expected an IDX header (magic number 0x00000801 for labels "
                     "or 0x00000803 for images), found 0 bytes");
  }
  detail::IdxByteStream stream(bytes, name);
  const std::string_view kind = stream.gzip() ? "decompressed " : "";

  std::uint8_t magic_bytes[4] = {0, 0, 0, 0};
  const std::size_t got_magic = stream.read(magic_bytes, 4);
  if (got_magic < 4) {
    throw_file_error(idx_where, name,
                     "truncated header: expected a 4-byte IDX magic number, found " +
                         std::to_string(got_magic) + " " + std::string(kind) + "bytes");
  }
  const std::uint32_t magic = (std::uint32_t{magic_bytes[0]} << 24) |
                              (std::uint32_t{magic_bytes[1]} << 16) |
                              (std::uint32_t{magic_bytes[2]} << 8) | std::uint32_t{magic_bytes[3]};
  const std::uint8_t type = magic_bytes[2];
  const std::uint8_t ndims = magic_bytes[3];
  if (magic_bytes[0] != 0 || magic_bytes[1] != 0 || detail::idx_type_name(type).empty()) {
    throw_file_error(idx_where, name,
                     "wrong magic number: expected an IDX magic 0x000008NN (two zero bytes, "
                     "type byte 0x08, number of dimensions; e.g. 0x00000801 labels, 0x00000803 "
                     "images), found " +
                         detail::hex32(magic) + " (not an IDX file?)");
  }
  if (type != 0x08) {
    throw_file_error(idx_where, name,
                     "unsupported IDX element type " + detail::hex8(type) + " (" +
                         std::string(detail::idx_type_name(type)) +
                         ", magic " + detail::hex32(magic) +
                         "): expected 0x08 (unsigned byte), the only type supported");
  }
  if (ndims == 0) {
    throw_file_error(idx_where, name,
                     "invalid IDX header: expected at least 1 dimension, found 0 (magic " +
                         detail::hex32(magic) + ")");
  }
  if (options.expected_dims > 0 && ndims != options.expected_dims) {
    throw_file_error(idx_where, name,
                     "expected a " + std::to_string(options.expected_dims) +
                         "-dimensional IDX file (magic " +
                         detail::hex32(0x0800u + static_cast<std::uint32_t>(options.expected_dims)) +
                         "), found " + std::to_string(ndims) + " dimensions (magic " +
                         detail::hex32(magic) + ")");
  }

  std::uint8_t dim_bytes[4 * 255];
  const std::size_t want_dims = 4 * std::size_t{ndims};
  const std::size_t got_dims = stream.read(dim_bytes, want_dims);
  if (got_dims < want_dims) {
    throw_file_error(idx_where, name,
                     "truncated header: expected " + std::to_string(ndims) +
                         " dimension sizes (" + std::to_string(want_dims) + " bytes) after the magic " +
                         detail::hex32(magic) + ", found " + std::to_string(got_dims) + " bytes");
  }
  std::vector<std::uint32_t> dims(ndims);
  for (std::size_t d = 0; d < ndims; ++d) {
    dims[d] = (std::uint32_t{dim_bytes[4 * d]} << 24) | (std::uint32_t{dim_bytes[4 * d + 1]} << 16) |
              (std::uint32_t{dim_bytes[4 * d + 2]} << 8) | std::uint32_t{dim_bytes[4 * d + 3]};
  }

  // Element counts, with overflow and cap checks, before any allocation.
  const bool any_zero = std::find(dims.begin(), dims.end(), 0u) != dims.end();
  std::uint64_t row_size = 1;
  std::uint64_t total = any_zero ? 0 : 1;
  for (std::size_t d = 0; d < ndims && !any_zero; ++d) {
    if (total > options.max_elements / dims[d]) {
      throw_file_error(idx_where, name,
                       "header declares " + detail::shape_text(dims) +
                           " elements, more than the cap of " +
                           std::to_string(options.max_elements) +
                           " (IdxReadOptions::max_elements); the file is corrupt or not "
                           "a data set this reader is meant for");
    }
    total *= dims[d];
    if (d > 0) row_size *= dims[d];
  }
  const std::uint64_t declared_rows = dims[0];
  const std::uint64_t rows = std::min<std::uint64_t>(declared_rows, options.max_rows);
  const bool whole_file = rows == declared_rows;
  const std::uint64_t to_read = any_zero ? 0 : rows * row_size;

  const std::string declared = "header declares " + detail::shape_text(dims) + " = " +
                               std::to_string(total) + " bytes of data";
  if (!stream.gzip()) {
    const std::uint64_t remaining = stream.raw_remaining();
    if (to_read > remaining) {
      throw_file_error(idx_where, name,
                       "truncated: " + declared + ", expected " + std::to_string(to_read) +
                           " bytes after the header, found " + std::to_string(remaining));
    }
    if (whole_file && remaining > total) {
      throw_file_error(idx_where, name,
                       "trailing garbage: " + declared + ", found " +
                           std::to_string(remaining - total) +
                           " extra bytes after them (expected end of file)");
    }
  } else {
    const std::uint64_t bound = detail::deflate_max_ratio * stream.input_size() + 1024;
    if (to_read > bound) {
      throw_file_error(idx_where, name,
                       "truncated or corrupt: " + declared + ", but a gzip file of " +
                           std::to_string(stream.input_size()) +
                           " bytes decompresses to at most " + std::to_string(bound) + " bytes");
    }
  }

  IdxArray result;
  result.shape.assign(dims.begin(), dims.end());
  result.shape[0] = static_cast<std::size_t>(rows);
  result.declared_rows = static_cast<std::size_t>(declared_rows);
  result.data.resize(static_cast<std::size_t>(to_read));
  const std::size_t got = stream.read(result.data.data(), result.data.size());
  if (got < result.data.size()) {
    throw_file_error(idx_where, name,
                     "truncated: " + declared + ", expected " + std::to_string(to_read) + " " +
                         std::string(kind) + "bytes after the header, found " +
                         std::to_string(got));
  }
  if (whole_file && stream.gzip()) {
    // Drives zlib to the end of the stream, which verifies CRC and length.
    std::uint8_t extra[256];
    std::size_t trailing = 0;
    for (std::size_t n = 0; (n = stream.read(extra, sizeof(extra))) > 0;) {
      trailing += n;
      if (trailing > (std::size_t{1} << 20)) break;  // enough to report
    }
    if (trailing > 0) {
      throw_file_error(idx_where, name,
                       "trailing garbage: " + declared + ", found " +
                           (trailing > (std::size_t{1} << 20) ? std::string("more than 1 MiB of")
                                                               : std::to_string(trailing)) +
                           " extra decompressed bytes after them (expected end of data)");
    }
  }
  return result;
}

/// Reads an IDX file (raw or gzip, detected from the content). Throws
/// DataError for a missing, unreadable, truncated, corrupt or oversized file.
inline IdxArray read_idx(const std::filesystem::path& path, const IdxReadOptions& options = {}) {
  const std::vector<std::uint8_t> bytes = detail::read_file_bytes(path, detail::idx_where);
  return read_idx_bytes(bytes, path.string(), options);
}

}  // namespace tropigrad
