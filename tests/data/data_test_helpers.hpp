// Helpers for the data/ tests: a temporary directory, IDX byte builders and
// gzip writers (zlib gzwrite).
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <zlib.h>

#include "tropigrad/data/errors.hpp"

namespace data_test {

/// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device device;
    const auto base = std::filesystem::temp_directory_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      path_ = base / ("tropigrad_data_test_" + std::to_string(device()) + "_" +
                      std::to_string(attempt));
      if (std::filesystem::create_directory(path_)) return;
    }
    throw std::runtime_error("cannot create a temp directory");
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

using Bytes = std::vector<std::uint8_t>;

inline void put_u32(Bytes& bytes, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(std::uint8_t(value >> shift));
}

/// IDX bytes: magic 0 0 type ndims, dims, then `data`.
inline Bytes make_idx(const std::vector<std::uint32_t>& dims, const Bytes& data,
                      std::uint8_t type = 0x08) {
  Bytes bytes = {0, 0, type, std::uint8_t(dims.size())};
  for (auto d : dims) put_u32(bytes, d);
  bytes.insert(bytes.end(), data.begin(), data.end());
  return bytes;
}

/// 0, 1, 2, ... (mod 256), n bytes.
inline Bytes ramp(std::size_t n, std::uint8_t start = 0) {
  Bytes bytes(n);
  for (std::size_t i = 0; i < n; ++i) bytes[i] = std::uint8_t(start + i);
  return bytes;
}

inline void write_file(const std::filesystem::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

inline Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Writes `bytes` gzip-compressed with zlib's gzwrite.
inline void write_gz(const std::filesystem::path& path, const Bytes& bytes) {
  gzFile file = gzopen(path.string().c_str(), "wb");
  if (file == nullptr) throw std::runtime_error("gzopen failed: " + path.string());
  if (!bytes.empty() &&
      gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size())) != int(bytes.size())) {
    gzclose(file);
    throw std::runtime_error("gzwrite failed: " + path.string());
  }
  if (gzclose(file) != Z_OK) throw std::runtime_error("gzclose failed: " + path.string());
}

/// gzip bytes of `bytes` (via a temp file and gzwrite).
inline Bytes gzip_bytes(const Bytes& bytes) {
  TempDir dir;
  write_gz(dir / "x.gz", bytes);
  return read_file(dir / "x.gz");
}

/// The message of the tropigrad::DataError `f` throws, or "<no exception>".
template <class F>
std::string data_error_of(F&& f) {
  try {
    f();
  } catch (const tropigrad::DataError& e) {
    return e.what();
  }
  return "<no exception>";
}

}  // namespace data_test
