// Delimited text in Sqoop's format (FieldFormatter.escapeAndEnclose): the
// escape character doubles itself and precedes enclosing characters (or the
// delimiters, when nothing encloses); a value is enclosed when enclosing is
// required, or optionally when it holds a delimiter. Nulls are written as the
// configured tokens, unescaped. Where Sqoop would write a row that cannot be
// read back, the writer stops with an error naming the column, the row and
// the option that fixes it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "data/table.h"

namespace refinery::data {

// Sqoop's defaults: ',' fields, '\n' lines, no enclosing or escaping, nulls
// written as "null".
struct DelimitedFormat {
  char field_delimiter = ',';
  char line_delimiter = '\n';
  char enclosed_by = 0;       // 0 = none
  bool enclose_required = false;  // --enclosed-by (true) vs --optionally-enclosed-by
  char escaped_by = 0;        // 0 = none
  std::string null_string = "null";      // text-like columns
  std::string null_non_string = "null";  // every other column
};

// Error code of a value the format cannot hold (see doc/actions/sqoop.md).
inline constexpr char kUnsafeValueCode[] = "SQOOP006";

// Appends one value to `out` in `format`. Returns false (and leaves `out`
// unspecified) when the value cannot be written unambiguously.
bool AppendEscaped(std::string_view value, const DelimitedFormat& format, std::string* out);

// Writes rows to a file it owns, buffering; Close() flushes and fsyncs.
// Not thread-safe: one writer per split.
class DelimitedWriter {
 public:
  DelimitedWriter(DelimitedFormat format, std::vector<Column> columns);
  ~DelimitedWriter();
  DelimitedWriter(const DelimitedWriter&) = delete;
  DelimitedWriter& operator=(const DelimitedWriter&) = delete;

  Status Open(const std::string& path);
  // `row_number` (1-based, within this writer's input) only names a bad row.
  Status Write(const std::vector<Field>& row, int64_t row_number);
  Status Close();

  int64_t rows() const { return rows_; }
  int64_t bytes() const { return bytes_; }

 private:
  Status Flush();
  Status Unsafe(size_t column, int64_t row_number, std::string_view value) const;

  DelimitedFormat format_;
  std::vector<Column> columns_;
  std::string path_;
  std::FILE* file_ = nullptr;
  std::string buffer_;
  int64_t rows_ = 0;
  int64_t bytes_ = 0;
};

}  // namespace refinery::data
