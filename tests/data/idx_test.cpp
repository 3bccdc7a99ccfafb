#include "tropigrad/data/idx.hpp"
#include "tropigrad/data/random.hpp"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;
using data_test::Bytes;
using data_test::data_error_of;
using data_test::make_idx;
using data_test::ramp;
using Catch::Contains;

namespace {
std::string bytes_error(const Bytes& bytes, const tg::IdxReadOptions& options = {}) {
  return data_error_of([&] { (void)tg::read_idx_bytes(bytes, "mem.idx", options); });
}
}  // namespace

TEST_CASE("idx: raw and gzip files round-trip", "[data][idx]") {
  data_test::TempDir dir;
  const Bytes images = ramp(2 * 3 * 4, 7);
  const Bytes file = make_idx({2, 3, 4}, images);
  data_test::write_file(dir / "images-idx3-ubyte", file);
  data_test::write_gz(dir / "images-idx3-ubyte.gz", file);
  // Compression is detected from the content: a gzip file without .gz works.
  data_test::write_gz(dir / "images-gz-without-suffix", file);

  for (const char* name : {"images-idx3-ubyte", "images-idx3-ubyte.gz", "images-gz-without-suffix"}) {
    INFO(name);
    const tg::IdxArray a = tg::read_idx(dir / name);
    CHECK(a.shape == std::vector<std::size_t>{2, 3, 4});
    CHECK(a.declared_rows == 2);
    CHECK(a.rows() == 2);
    CHECK(a.row_size() == 12);
    CHECK(a.data == images);
  }

  const Bytes labels = {3, 1, 4, 1, 5};
  data_test::write_gz(dir / "labels.gz", make_idx({5}, labels));
  const tg::IdxArray l = tg::read_idx(dir / "labels.gz", {.expected_dims = 1});
  CHECK(l.shape == std::vector<std::size_t>{5});
  CHECK(l.row_size() == 1);
  CHECK(l.data == labels);
}

TEST_CASE("idx: concatenated gzip members are one stream", "[data][idx]") {
  const Bytes file = make_idx({4, 2}, ramp(8));
  const Bytes head(file.begin(), file.begin() + 10);
  const Bytes tail(file.begin() + 10, file.end());
  Bytes gz = data_test::gzip_bytes(head);
  const Bytes gz_tail = data_test::gzip_bytes(tail);
  gz.insert(gz.end(), gz_tail.begin(), gz_tail.end());
  CHECK(tg::read_idx_bytes(gz, "two-members.gz").data == ramp(8));
}

TEST_CASE("idx: max_rows reads a prefix", "[data][idx]") {
  const Bytes file = make_idx({5, 3}, ramp(15));
  for (const Bytes& bytes : {file, data_test::gzip_bytes(file)}) {
    const auto a = tg::read_idx_bytes(bytes, "x", {.max_rows = 2});
    CHECK(a.shape == std::vector<std::size_t>{2, 3});
    CHECK(a.declared_rows == 5);
    CHECK(a.data == ramp(6));
    CHECK(tg::read_idx_bytes(bytes, "x", {.max_rows = 99}).data == ramp(15));
  }
}

TEST_CASE("idx: zero rows is an empty array", "[data][idx]") {
  const auto a = tg::read_idx_bytes(make_idx({0, 28, 28}, {}), "empty-set");
  CHECK(a.rows() == 0);
  CHECK(a.data.empty());
}

TEST_CASE("idx: missing file names the path and, for Fashion-MNIST, the fix", "[data][idx]") {
  data_test::TempDir dir;
  const auto missing = dir / "nope-idx1-ubyte.gz";
  const std::string message = data_error_of([&] { (void)tg::read_idx(missing); });
  CHECK_THAT(message, Contains(missing.string()));
  CHECK_THAT(message, Contains("file not found"));
  CHECK_THAT(message, !Contains("apt-get"));

  const std::string fashion = data_error_of(
      [] { (void)tg::read_idx("/usr/share/datasets/fashion-mnist/no-such-file-idx1-ubyte.gz"); });
  CHECK_THAT(fashion, Contains("/usr/share/datasets/fashion-mnist/no-such-file-idx1-ubyte.gz"));
  CHECK_THAT(fashion, Contains("apt-get install dataset-fashion-mnist"));

  CHECK_THAT(data_error_of([&] { (void)tg::read_idx(dir.path()); }), Contains("is a directory"));
}

TEST_CASE("idx: empty file", "[data][idx]") {
  data_test::TempDir dir;
  data_test::write_file(dir / "empty", {});
  const std::string message = data_error_of([&] { (void)tg::read_idx(dir / "empty"); });
  CHECK_THAT(message, Contains("empty file"));
  CHECK_THAT(message, Contains((dir / "empty").string()));
  CHECK_THAT(message, Contains("found 0 bytes"));
  // A gzip of nothing is empty too, after decompression.
  CHECK_THAT(bytes_error(data_test::gzip_bytes({})), Contains("truncated header"));
}

TEST_CASE("idx: wrong magic, unsupported type, bad dimensions", "[data][idx]") {
  SECTION("not an IDX file") {
    const std::string message = bytes_error({'P', 'K', 3, 4, 0, 0, 0, 0});
    CHECK_THAT(message, Contains("mem.idx"));
    CHECK_THAT(message, Contains("wrong magic number"));
    CHECK_THAT(message, Contains("0x504B0304"));
    CHECK_THAT(message, Contains("0x00000803"));
  }
  SECTION("invalid type byte") {
    CHECK_THAT(bytes_error(make_idx({1}, {0}, 0x42)), Contains("wrong magic number"));
  }
  SECTION("float32 is recognised but unsupported") {
    const std::string message = bytes_error(make_idx({1}, {0, 0, 0, 0}, 0x0D));
    CHECK_THAT(message, Contains("unsupported IDX element type 0x0D (float32"));
    CHECK_THAT(message, Contains("expected 0x08 (unsigned byte)"));
  }
  SECTION("zero dimensions") {
    CHECK_THAT(bytes_error({0, 0, 8, 0}), Contains("at least 1 dimension, found 0"));
  }
  SECTION("expected_dims") {
    const std::string message = bytes_error(make_idx({2}, {1, 2}), {.expected_dims = 3});
    CHECK_THAT(message, Contains("expected a 3-dimensional IDX file (magic 0x00000803)"));
    CHECK_THAT(message, Contains("found 1 dimensions (magic 0x00000801)"));
  }
  SECTION("also through gzip") {
    CHECK_THAT(bytes_error(data_test::gzip_bytes({9, 9, 9, 9, 9})), Contains("wrong magic"));
  }
}

TEST_CASE("idx: truncated files", "[data][idx]") {
  const Bytes file = make_idx({2, 3, 4}, ramp(24));
  SECTION("inside the magic") {
    CHECK_THAT(bytes_error({0, 0, 8}),
               Contains("truncated header: expected a 4-byte IDX magic number, found 3"));
  }
  SECTION("inside the dimensions") {
    const Bytes cut(file.begin(), file.begin() + 9);
    CHECK_THAT(bytes_error(cut), Contains("truncated header: expected 3 dimension sizes (12 bytes)"));
    CHECK_THAT(bytes_error(cut), Contains("found 5 bytes"));
  }
  SECTION("inside the data, raw") {
    const Bytes cut(file.begin(), file.end() - 14);
    const std::string message = bytes_error(cut);
    CHECK_THAT(message, Contains("truncated"));
    CHECK_THAT(message, Contains("2 x 3 x 4 = 24 bytes"));
    CHECK_THAT(message, Contains("expected 24 bytes after the header, found 10"));
  }
  SECTION("gzip: a complete stream of a truncated file") {
    const Bytes cut(file.begin(), file.end() - 14);
    CHECK_THAT(bytes_error(data_test::gzip_bytes(cut)),
               Contains("expected 24 decompressed bytes after the header, found 10"));
  }
  SECTION("gzip: the compressed stream cut short") {
    const Bytes gz = data_test::gzip_bytes(make_idx({100, 50}, ramp(5000)));
    for (std::size_t keep : {std::size_t{3}, std::size_t{12}, gz.size() / 2, gz.size() - 4,
                             gz.size() - 1}) {
      INFO(keep);
      const std::string message = bytes_error(Bytes(gz.begin(), gz.begin() + long(keep)));
      CHECK_THAT(message, Contains("truncated") || Contains("corrupt gzip"));
    }
  }
}

TEST_CASE("idx: corrupt gzip data is detected (deflate or CRC)", "[data][idx]") {
  const Bytes gz = data_test::gzip_bytes(make_idx({100, 50}, ramp(5000)));
  Bytes bad = gz;
  bad[gz.size() - 6] ^= 0xFF;  // inside the CRC-32 trailer
  CHECK_THAT(bytes_error(bad), Contains("corrupt gzip data"));
  int detected = 0;
  for (std::size_t at = 10; at + 8 < gz.size(); at += 7) {
    Bytes flipped = gz;
    flipped[at] ^= 0x55;
    const std::string message = bytes_error(flipped);
    if (message != "<no exception>") ++detected;
  }
  CHECK(detected > 0);
}

TEST_CASE("idx: oversize declarations throw before allocating", "[data][idx]") {
  SECTION("above the element cap") {
    const std::string message = bytes_error(make_idx({0xFFFFFFFFu, 28, 28}, {}));
    CHECK_THAT(message, Contains("4294967295 x 28 x 28"));
    CHECK_THAT(message, Contains("cap of 2147483648"));
  }
  SECTION("the product overflows 64 bits") {
    const std::string message = bytes_error(
        make_idx({0xFFFFFFFFu, 0xFFFFFFFFu, 0xFFFFFFFFu}, {}),
        {.max_elements = std::numeric_limits<std::uint64_t>::max()});
    CHECK_THAT(message, Contains("more than the cap"));
  }
  SECTION("raw: larger than the file") {
    const std::string message = bytes_error(make_idx({60000, 28, 28}, ramp(10)));
    CHECK_THAT(message, Contains("60000 x 28 x 28 = 47040000 bytes"));
    CHECK_THAT(message, Contains("found 10"));
  }
  SECTION("gzip: more than the compressed size can hold") {
    const std::string message =
        bytes_error(data_test::gzip_bytes(make_idx({40000, 200, 200}, ramp(10))));
    CHECK_THAT(message, Contains("40000 x 200 x 200 = 1600000000 bytes"));
    CHECK_THAT(message, Contains("decompresses to at most"));
  }
  SECTION("the cap is an option") {
    CHECK_THAT(bytes_error(make_idx({10, 10}, ramp(100)), {.max_elements = 99}),
               Contains("cap of 99"));
    CHECK(tg::read_idx_bytes(make_idx({10, 10}, ramp(100)), "x", {.max_elements = 100})
              .data.size() == 100);
  }
}

TEST_CASE("idx: trailing garbage is rejected", "[data][idx]") {
  Bytes file = make_idx({2, 2}, ramp(4));
  file.push_back(0xAB);
  file.push_back(0xCD);
  SECTION("raw") {
    CHECK_THAT(bytes_error(file), Contains("trailing garbage"));
    CHECK_THAT(bytes_error(file), Contains("found 2 extra bytes"));
  }
  SECTION("inside the gzip stream") {
    CHECK_THAT(bytes_error(data_test::gzip_bytes(file)),
               Contains("found 2 extra decompressed bytes"));
  }
  SECTION("after the gzip stream") {
    Bytes gz = data_test::gzip_bytes(make_idx({2, 2}, ramp(4)));
    gz.insert(gz.end(), {'j', 'u', 'n', 'k'});
    CHECK_THAT(bytes_error(gz), Contains("trailing garbage after the gzip stream"));
  }
  SECTION("max_rows stops before it") {
    CHECK(tg::read_idx_bytes(file, "x", {.max_rows = 1}).data == ramp(2));
  }
}

TEST_CASE("idx: mutated files parse or throw DataError, never crash", "[data][idx]") {
  const Bytes raw = make_idx({6, 5}, ramp(30));
  const Bytes gz = data_test::gzip_bytes(raw);
  tg::DataRng engine(123);
  int parsed = 0, rejected = 0;
  for (int iteration = 0; iteration < 3000; ++iteration) {
    Bytes bytes = (iteration % 2 == 0) ? raw : gz;
    const int edits = 1 + int(tg::uniform_index(engine, 4));
    for (int e = 0; e < edits && !bytes.empty(); ++e) {
      const auto at = tg::uniform_index(engine, bytes.size());
      switch (tg::uniform_index(engine, 4)) {
        case 0: bytes[at] = std::uint8_t(engine()); break;
        case 1: bytes.erase(bytes.begin() + long(at), bytes.end()); break;
        case 2: bytes.insert(bytes.begin() + long(at), std::uint8_t(engine())); break;
        default: bytes[at] ^= std::uint8_t(1u << tg::uniform_index(engine, 8)); break;
      }
    }
    try {
      const auto a = tg::read_idx_bytes(bytes, "mutant");
      std::size_t product = 1;
      for (auto d : a.shape) product *= d;
      REQUIRE(a.data.size() == product);
      ++parsed;
    } catch (const tg::DataError&) {
      ++rejected;
    }
  }
  CHECK(parsed + rejected == 3000);
  CHECK(rejected > 0);
}
