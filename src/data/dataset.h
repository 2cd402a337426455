// A dataset is what the later steps read: a directory of part files with its
// `_schema.properties` sidecar and `_SUCCESS` marker (doc/formats/raw-zone.md),
// or a plain CSV file with a header line, whose schema is inferred. The
// reader streams rows one at a time through a RowSink, in file order, and
// names the file, line and column of anything it cannot read.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "data/delimited_writer.h"
#include "data/table.h"

namespace refinery::data {

// Error codes (see doc/formats/raw-zone.md).
inline constexpr char kNotADatasetCode[] = "DATA001";     // no sidecar / no _SUCCESS / missing
inline constexpr char kBadSidecarCode[] = "DATA002";      // sidecar unreadable or inconsistent
inline constexpr char kBadRowCode[] = "DATA003";          // ragged row, bad quoting, bad bytes

struct DatasetSchema {
  std::vector<Column> columns;
  DelimitedFormat format;
  int header_lines = 0;   // lines to skip at the top of every part file
  int64_t rows = -1;      // as recorded by the writer; -1 when unknown
};

// Reads `<local_dir>/_schema.properties`. DATA002 names the key at fault.
Result<DatasetSchema> ReadDatasetSchema(const std::string& local_dir);

// The sidecar text for `schema` (keys in the documented order).
std::string FormatDatasetSchema(const DatasetSchema& schema, const std::string& dialect,
                                const std::string& table, const std::string& query, int64_t splits);

// The schema of a CSV file with a header line (RFC 4180: `,`, optional `"`
// enclosing, `""` for a quote, empty field = null). Column types are inferred
// from the first `sample_rows` rows: integer, float, date, timestamp, boolean
// or text.
Result<DatasetSchema> InferCsvSchema(const std::string& csv_path, int64_t sample_rows = 10000);

// A dataset opened for reading: a directory (sidecar + _SUCCESS required) or
// a `.csv` file. Paths are local paths (map file-system URIs first).
class DatasetReader {
 public:
  static Result<DatasetReader> Open(const std::string& local_path);
  // Every visible file of `local_dir` read with a schema the caller knows
  // (Sqoop export's --input-* options): no sidecar or _SUCCESS needed.
  static Result<DatasetReader> OpenWithSchema(const std::string& local_dir, DatasetSchema schema);

  const DatasetSchema& schema() const { return schema_; }
  // Part files in read order (one entry for a CSV file).
  const std::vector<std::string>& files() const { return files_; }
  int64_t total_bytes() const { return total_bytes_; }

  // Streams every row to `sink` (OnColumns first) through RowSink::OnRowAt,
  // which names the file and line the row starts on. Fields equal to the
  // column's null token (or empty in a CSV file) arrive with is_null set.
  // `on_progress(bytes_read)` is called every few MB when set.
  Status ReadAll(RowSink* sink, const std::function<void(int64_t)>& on_progress = {}) const;
  // Streams the rows of one file (OnColumns first), for readers that split
  // work by file.
  Status ReadFile(size_t file_index, RowSink* sink) const;

 private:
  DatasetSchema schema_;
  std::vector<std::string> files_;
  int64_t total_bytes_ = 0;
};

}  // namespace refinery::data
