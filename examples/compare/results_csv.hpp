#pragma once
// The results files of `compare`: plain CSV (no quoting: fields never hold a
// comma, a quote or a line break; writing such a field throws).
//
// Resumability: a row is appended with ONE write() of the whole line followed
// by fsync, and a run's rows are appended only once the run is complete, its
// row in runs.csv last. An interruption can therefore leave at most one
// partial last line (no line break), which the reader skips (and counts) and
// the next append removes, so no finished row is ever lost or corrupted.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace compare {

class ResultsError : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t skipped_lines = 0;  ///< lines whose field count differs from the header's (interrupted writes)

  /// Index of `column`, or throws naming the file's columns.
  std::size_t column(std::string_view name) const {
    for (std::size_t i = 0; i < header.size(); ++i)
      if (header[i] == name) return i;
    std::string have;
    for (const auto& h : header) have += (have.empty() ? "" : ",") + h;
    throw ResultsError("compare: results table has no column '" + std::string(name) + "' (columns: " + have + ")");
  }
};

inline std::vector<std::string> split_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.emplace_back(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

/// Parses CSV text. An empty text is an empty table. The first line is the
/// header and must be non-empty with distinct, non-empty names; otherwise
/// ResultsError names `source`. Rows with another field count are skipped.
inline Table parse_csv(std::string_view text, std::string_view source) {
  Table table;
  if (text.empty()) return table;
  std::size_t pos = 0;
  bool first = true;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    const bool complete = end != std::string_view::npos;
    if (!complete) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (first) {
      first = false;
      table.header = split_fields(line);
      for (std::size_t i = 0; i < table.header.size(); ++i) {
        if (table.header[i].empty())
          throw ResultsError("compare: results file '" + std::string(source) + "': empty column name at position " +
                             std::to_string(i + 1) + " of the header line; expected a CSV header (delete the file to start over)");
        for (std::size_t j = 0; j < i; ++j)
          if (table.header[j] == table.header[i])
            throw ResultsError("compare: results file '" + std::string(source) + "': column '" + table.header[i] +
                               "' appears twice in the header; delete the file to start over");
      }
      continue;
    }
    if (line.empty()) continue;
    auto fields = split_fields(line);
    // A row without its line break was cut short by an interruption, whatever its field count.
    if (fields.size() != table.header.size() || !complete) {
      ++table.skipped_lines;
      continue;
    }
    table.rows.push_back(std::move(fields));
  }
  return table;
}

inline void check_field(const std::string& field) {
  if (field.find_first_of(",\"\n\r") != std::string::npos)
    throw ResultsError("compare: a results field may not hold a comma, quote or line break, got '" + field + "'");
}

/// The whole file as text; a missing file is empty.
inline std::string read_text(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ResultsError("compare: cannot read results file '" + path.string() + "': " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Reads a results file; a missing file is an empty table.
inline Table read_csv(const std::filesystem::path& path) { return parse_csv(read_text(path), path.string()); }

/// Appends `rows` (and the header, if the file is new) with one write() and an
/// fsync. A last line cut short by an interruption (no line break) is dropped
/// first, so a cut row can never be completed into a wrong one. An existing
/// file with another header throws: its rows would be misread.
inline void append_rows(const std::filesystem::path& path, const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  const std::string existing_text = read_text(path);
  const std::size_t last_break = existing_text.rfind('\n');
  const std::size_t keep = last_break == std::string::npos ? 0 : last_break + 1;
  const Table existing = parse_csv(std::string_view(existing_text).substr(0, keep), path.string());
  std::string text;
  if (existing.header.empty()) {
    for (const auto& h : header) check_field(h);
    for (std::size_t i = 0; i < header.size(); ++i) text += (i ? "," : "") + header[i];
    text += '\n';
  } else if (existing.header != header) {
    throw ResultsError("compare: results file '" + path.string() +
                       "' has other columns than this version of compare writes; move it away or pass another --out");
  }
  for (const auto& row : rows) {
    if (row.size() != header.size())
      throw std::logic_error("compare: a row of " + std::to_string(row.size()) + " fields for " +
                             std::to_string(header.size()) + " columns");
    for (std::size_t i = 0; i < row.size(); ++i) {
      check_field(row[i]);
      text += (i ? "," : "") + row[i];
    }
    text += '\n';
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw ResultsError("compare: cannot open results file '" + path.string() + "': " + std::strerror(errno));
  auto fail = [&](const char* what) {
    const std::string reason = std::strerror(errno);
    ::close(fd);
    throw ResultsError(std::string("compare: cannot ") + what + " results file '" + path.string() + "': " + reason);
  };
  if (keep < existing_text.size() && ::ftruncate(fd, static_cast<off_t>(keep)) != 0) fail("truncate the cut last line of");
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("write");
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail("sync");
  ::close(fd);
}

/// Writes a whole file atomically: a temporary file in the same directory, then rename.
inline void write_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw ResultsError("compare: cannot write '" + temporary.string() + "': " + std::strerror(errno));
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) throw ResultsError("compare: cannot rename '" + temporary.string() + "' to '" + path.string() + "': " + ec.message());
}

}  // namespace compare
