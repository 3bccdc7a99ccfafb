#include "tropigrad/data/fashion_mnist.hpp"

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "data_test_helpers.hpp"

namespace tg = tropigrad;
using Catch::Contains;
using data_test::data_error_of;
using data_test::make_idx;
using data_test::ramp;

namespace {

bool real_data_present() {
  std::error_code ec;
  return std::filesystem::exists(
      std::filesystem::path(tg::fashion_mnist_default_directory) / "train-images-idx3-ubyte.gz",
      ec);
}

/// The real data set, loaded at most once per test binary.
const tg::FashionMnist& real_fashion_mnist() {
  static const tg::FashionMnist data =
      tg::load_fashion_mnist(tg::FashionMnistOptions{.directory = tg::fashion_mnist_default_directory});
  return data;
}

/// Sets an environment variable for the scope, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    ::setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

/// A fake Fashion-MNIST with n 28x28 images in `dir` (uncompressed names).
void write_fake(const std::filesystem::path& dir, std::uint32_t images, std::uint32_t labels,
                const char* prefix = "t10k", std::uint8_t max_label = 9) {
  data_test::write_file(dir / (std::string(prefix) + "-images-idx3-ubyte"),
                        make_idx({images, 28, 28}, ramp(std::size_t(images) * 784)));
  data_test::Bytes label_bytes(labels);
  for (std::uint32_t i = 0; i < labels; ++i) label_bytes[i] = std::uint8_t(i % (max_label + 1));
  data_test::write_file(dir / (std::string(prefix) + "-labels-idx1-ubyte"),
                        make_idx({labels}, label_bytes));
}

}  // namespace

TEST_CASE("fashion_mnist: the real data set", "[data][fashion_mnist]") {
  if (!real_data_present()) {
    WARN("Fashion-MNIST not found in " << tg::fashion_mnist_default_directory
                                       << " (apt-get install dataset-fashion-mnist); skipped");
    return;
  }
  const auto& data = real_fashion_mnist();
  CHECK(data.train.size() == 60000);
  CHECK(data.test.size() == 10000);
  CHECK(data.train.inputs.rows() == 60000);
  CHECK(data.train.inputs.cols() == 784);
  CHECK(data.test.inputs.cols() == 784);
  CHECK(data.train.classes == 10);
  CHECK(data.train.time_steps == 1);

  std::array<int, 10> counts{};
  for (int label : data.train.labels) {
    REQUIRE(label >= 0);
    REQUIRE(label <= 9);
    ++counts[std::size_t(label)];
  }
  for (int c : counts) CHECK(c == 6000);  // Fashion-MNIST is balanced
  for (int label : data.test.labels) REQUIRE((label >= 0 && label <= 9));

  const double mean = data.train.inputs.cast<double>().mean();
  const double var =
      (data.train.inputs.cast<double>().array() - mean).square().mean();
  CHECK(std::abs(mean) < 0.01);
  CHECK(std::abs(std::sqrt(var) - 1.0) < 0.01);
  CHECK(data.train.inputs.allFinite());
}

TEST_CASE("fashion_mnist: limit and raw [0, 1] pixels", "[data][fashion_mnist]") {
  if (!real_data_present()) {
    WARN("Fashion-MNIST not found; skipped");
    return;
  }
  const auto& full = real_fashion_mnist().test;
  const tg::Dataset raw = tg::load_fashion_mnist(
      tg::Split::test, {.directory = tg::fashion_mnist_default_directory, .normalize = false,
                        .limit = 100});
  REQUIRE(raw.size() == 100);
  REQUIRE(raw.inputs.rows() == 100);
  CHECK(raw.inputs.minCoeff() >= 0.0f);
  CHECK(raw.inputs.maxCoeff() <= 1.0f);
  CHECK(raw.inputs.maxCoeff() == 1.0f);
  for (std::size_t i = 0; i < 100; ++i) CHECK(raw.labels[i] == full.labels[i]);
  const tg::RowMatrixXf normalised =
      (raw.inputs.array() - tg::fashion_mnist_mean) / tg::fashion_mnist_std;
  CHECK((normalised - full.inputs.topRows(100)).cwiseAbs().maxCoeff() < 1e-5f);
}

TEST_CASE("fashion_mnist: directory from the argument or TROPIGRAD_DATA", "[data][fashion_mnist]") {
  data_test::TempDir dir;
  write_fake(dir.path(), 3, 3);
  const tg::Dataset by_argument =
      tg::load_fashion_mnist(tg::Split::test, {.directory = dir.path().string(), .normalize = false});
  CHECK(by_argument.size() == 3);
  CHECK(by_argument.labels == std::vector<int>{0, 1, 2});
  CHECK(by_argument.inputs(1, 0) == float(784 % 256) / 255.0f);

  {
    ScopedEnv env("TROPIGRAD_DATA", dir.path().string());
    CHECK(tg::fashion_mnist_directory() == dir.path());
    CHECK(tg::fashion_mnist_directory("/elsewhere") == "/elsewhere");
    CHECK(tg::load_fashion_mnist(tg::Split::test).size() == 3);
  }
  {
    ScopedEnv env("TROPIGRAD_DATA", "");
    CHECK(tg::fashion_mnist_directory() == tg::fashion_mnist_default_directory);
  }
  // A fashion-mnist/ subdirectory of the given directory is found too.
  data_test::TempDir parent;
  std::filesystem::create_directory(parent / "fashion-mnist");
  write_fake(parent / "fashion-mnist", 2, 2);
  CHECK(tg::load_fashion_mnist(tg::Split::test, {.directory = parent.path().string()}).size() == 2);
}

TEST_CASE("fashion_mnist: bad directories and files throw DataError", "[data][fashion_mnist]") {
  data_test::TempDir dir;
  SECTION("missing files name the paths tried and the fix") {
    const std::string message = data_error_of(
        [&] { (void)tg::load_fashion_mnist(tg::Split::train, {.directory = dir.path().string()}); });
    CHECK_THAT(message, Contains("train-images-idx3-ubyte"));
    CHECK_THAT(message, Contains((dir / "train-images-idx3-ubyte.gz").string()));
    CHECK_THAT(message, Contains("TROPIGRAD_DATA"));
    CHECK_THAT(message, Contains("apt-get install dataset-fashion-mnist"));
  }
  SECTION("count mismatch") {
    write_fake(dir.path(), 3, 4);
    const std::string message = data_error_of(
        [&] { (void)tg::load_fashion_mnist(tg::Split::test, {.directory = dir.path().string()}); });
    CHECK_THAT(message, Contains("count mismatch"));
    CHECK_THAT(message, Contains("has 3 images"));
    CHECK_THAT(message, Contains("has 4 labels"));
    // Also with a limit: the declared counts are compared.
    CHECK_THAT(data_error_of([&] {
                 (void)tg::load_fashion_mnist(tg::Split::test,
                                              {.directory = dir.path().string(), .limit = 1});
               }),
               Contains("count mismatch"));
  }
  SECTION("label out of range") {
    write_fake(dir.path(), 12, 12, "t10k", 11);
    CHECK_THAT(data_error_of([&] {
                 (void)tg::load_fashion_mnist(tg::Split::test, {.directory = dir.path().string()});
               }),
               Contains("label at index 10 must be in 0..9, found 10"));
  }
  SECTION("images of the wrong size") {
    write_fake(dir.path(), 1, 1);
    data_test::write_file(dir / "t10k-images-idx3-ubyte", make_idx({1, 32, 32}, ramp(1024)));
    CHECK_THAT(data_error_of([&] {
                 (void)tg::load_fashion_mnist(tg::Split::test, {.directory = dir.path().string()});
               }),
               Contains("expected 28 x 28 images, found 32 x 32"));
  }
  SECTION("labels and images swapped") {
    write_fake(dir.path(), 1, 1);
    std::filesystem::rename(dir / "t10k-images-idx3-ubyte", dir / "tmp");
    std::filesystem::rename(dir / "t10k-labels-idx1-ubyte", dir / "t10k-images-idx3-ubyte");
    std::filesystem::rename(dir / "tmp", dir / "t10k-labels-idx1-ubyte");
    CHECK_THAT(data_error_of([&] {
                 (void)tg::load_fashion_mnist(tg::Split::test, {.directory = dir.path().string()});
               }),
               Contains("expected a 1-dimensional IDX file"));
  }
}
