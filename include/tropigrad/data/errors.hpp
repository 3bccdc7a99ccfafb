// tropigrad/data/errors.hpp
//
// tropigrad::DataError: the one exception type of data/ for bad or missing
// files and bad data-set parameters. Its message names the function, the file
// (when there is one), what was expected and what was found, e.g.
//   "tropigrad::read_idx: 'x.gz': truncated: expected 47040000 bytes of
//    image data after the header, found 1000"
// Uses the standard library only.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace tropigrad {

/// Thrown by data/ for a missing, truncated, corrupt or oversized file and for
/// invalid data-set parameters. Derives from std::runtime_error.
class DataError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace detail {

/// Throws DataError("<where>: <what>").
[[noreturn]] inline void throw_data_error(std::string_view where, std::string_view what) {
  std::string message;
  message.reserve(where.size() + what.size() + 2);
  message.append(where).append(": ").append(what);
  throw DataError(message);
}

/// Throws DataError("<where>: '<path>': <what>").
[[noreturn]] inline void throw_file_error(std::string_view where, std::string_view path,
                                          std::string_view what) {
  std::string message;
  message.reserve(where.size() + path.size() + what.size() + 6);
  message.append(where).append(": '").append(path).append("': ").append(what);
  throw DataError(message);
}

}  // namespace detail
}  // namespace tropigrad
