#include "data/dataset.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/properties.h"

namespace refinery::data {

namespace {

namespace stdfs = std::filesystem;

constexpr char kSchemaFile[] = "_schema.properties";
constexpr char kSuccessFile[] = "_SUCCESS";
constexpr int64_t kProgressEvery = 8 << 20;

std::string CharText(char c) { return c == 0 ? std::string() : std::string(1, c); }

Result<ValueType> ParseValueType(const std::string& name) {
  static const ValueType kAll[] = {ValueType::kBoolean, ValueType::kInteger, ValueType::kDecimal,
                                   ValueType::kFloat,   ValueType::kDate,    ValueType::kTime,
                                   ValueType::kTimestamp, ValueType::kText,  ValueType::kBinary};
  for (ValueType type : kAll) {
    if (name == ValueTypeName(type)) return type;
  }
  return Status::InvalidArgument("unknown column type \"" + name +
                                     "\"; expected boolean, integer, decimal, float, date, time, timestamp, text or binary",
                                 kBadSidecarCode);
}

Result<char> SingleChar(const Properties& sidecar, const std::string& key, char fallback) {
  const auto value = sidecar.Get(key);
  if (!value) return fallback;
  if (value->size() > 1) {
    return Status::InvalidArgument("key \"" + key + "\" must be one character or empty, not \"" + *value + "\"",
                                   kBadSidecarCode);
  }
  return value->empty() ? '\0' : (*value)[0];
}

Result<int64_t> IntegerKey(const Properties& sidecar, const std::string& key, int64_t fallback) {
  const auto value = sidecar.Get(key);
  if (!value || value->empty()) return fallback;
  char* end = nullptr;
  const long long parsed = std::strtoll(value->c_str(), &end, 10);
  if (*end != '\0') {
    return Status::InvalidArgument("key \"" + key + "\" must be an integer, not \"" + *value + "\"", kBadSidecarCode);
  }
  return static_cast<int64_t>(parsed);
}

Result<DatasetSchema> SchemaFromSidecar(const Properties& sidecar) {
  DatasetSchema schema;
  auto count = IntegerKey(sidecar, "columns", -1);
  if (!count.ok()) return count.status();
  if (*count < 1) return Status::InvalidArgument("key \"columns\" is missing or not positive", kBadSidecarCode);
  for (int64_t i = 1; i <= *count; ++i) {
    const std::string prefix = "column." + std::to_string(i) + ".";
    Column column;
    const auto name = sidecar.Get(prefix + "name");
    if (!name || name->empty()) return Status::InvalidArgument("key \"" + prefix + "name\" is missing", kBadSidecarCode);
    column.name = *name;
    column.source_type = sidecar.GetOr(prefix + "source_type", "");
    auto type = ParseValueType(sidecar.GetOr(prefix + "type", "text"));
    if (!type.ok()) return Status::InvalidArgument("key \"" + prefix + "type\": " + type.status().message(), kBadSidecarCode);
    column.type = *type;
    schema.columns.push_back(std::move(column));
  }
  DelimitedFormat& format = schema.format;
  auto field = SingleChar(sidecar, "fields_terminated_by", ',');
  auto line = SingleChar(sidecar, "lines_terminated_by", '\n');
  auto enclosed = SingleChar(sidecar, "enclosed_by", '\0');
  auto escaped = SingleChar(sidecar, "escaped_by", '\0');
  for (const auto* part : {&field, &line, &enclosed, &escaped}) {
    if (!part->ok()) return part->status();
  }
  if (*field == '\0' || *line == '\0') {
    return Status::InvalidArgument("keys \"fields_terminated_by\" and \"lines_terminated_by\" must not be empty",
                                   kBadSidecarCode);
  }
  format.field_delimiter = *field;
  format.line_delimiter = *line;
  format.enclosed_by = *enclosed;
  format.escaped_by = *escaped;
  format.enclose_required = sidecar.GetOr("enclose_required", "false") == "true";
  format.null_string = sidecar.GetOr("null_string", "null");
  format.null_non_string = sidecar.GetOr("null_non_string", "null");
  auto header = IntegerKey(sidecar, "header_lines", 0);
  auto rows = IntegerKey(sidecar, "rows", -1);
  if (!header.ok()) return header.status();
  if (!rows.ok()) return rows.status();
  schema.header_lines = static_cast<int>(*header);
  schema.rows = *rows;
  return schema;
}

// A read-only view of a whole file; empty files map to an empty view.
class MappedFile {
 public:
  MappedFile() = default;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile() {
    if (data_ != nullptr) ::munmap(data_, size_);
  }

  Status Open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Status::IoError("Could not open \"" + path + "\": " + std::strerror(errno), kNotADatasetCode);
    struct stat info{};
    if (::fstat(fd, &info) != 0) {
      ::close(fd);
      return Status::IoError("Could not stat \"" + path + "\": " + std::strerror(errno), kNotADatasetCode);
    }
    size_ = static_cast<size_t>(info.st_size);
    if (size_ > 0) {
      void* mapped = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      if (mapped == MAP_FAILED) {
        ::close(fd);
        return Status::IoError("Could not map \"" + path + "\": " + std::strerror(errno), kNotADatasetCode);
      }
      data_ = mapped;
      ::madvise(data_, size_, MADV_SEQUENTIAL);
    }
    ::close(fd);
    return Status::Ok();
  }

  std::string_view view() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  size_t size_ = 0;
};

// Length of the valid UTF-8 prefix of `text`.
size_t ValidUtf8Prefix(std::string_view text) {
  bool ascii = true;
  for (char c : text) ascii &= static_cast<unsigned char>(c) < 0x80;
  if (ascii) return text.size();
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      ++i;
      continue;
    }
    int length = byte >= 0xF0 && byte <= 0xF4 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC2 && byte < 0xE0 ? 2 : 0;
    if (length == 0 || i + length > text.size()) return i;
    for (int k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return i;
    }
    i += length;
  }
  return i;
}

// Splits one file into rows of fields, undoing Sqoop's escapeAndEnclose (or
// RFC 4180 when the escape and enclosing characters are both '"').
class RowParser {
 public:
  RowParser(const DatasetSchema& schema, std::string file, bool csv, size_t file_index = 0)
      : schema_(schema), file_(std::move(file)), file_index_(file_index), csv_(csv), fields_(schema.columns.size()),
        scratch_(schema.columns.size()) {}

  Status Parse(std::string_view text, RowSink* sink, const std::function<void(int64_t)>& on_progress,
               int64_t* reported) {
    const DelimitedFormat& format = schema_.format;
    size_t at = 0;
    int64_t line = 1;
    for (int skipped = 0; skipped < schema_.header_lines && at < text.size(); ++skipped) {
      const size_t end = text.find(format.line_delimiter, at);
      at = end == std::string_view::npos ? text.size() : end + 1;
      ++line;
    }
    int64_t last_progress = static_cast<int64_t>(at);
    while (at < text.size()) {
      const int64_t row_line = line;
      Status status = ParseRow(text, &at, &line, row_line);
      if (!status.ok()) return status;
      if (!row_empty_) {
        status = sink->OnRowAt(fields_, RowPosition{file_, file_index_, row_line});
        if (!status.ok()) return status;
      }
      if (on_progress && static_cast<int64_t>(at) - last_progress >= kProgressEvery) {
        *reported += static_cast<int64_t>(at) - last_progress;
        last_progress = static_cast<int64_t>(at);
        on_progress(*reported);
      }
    }
    *reported += static_cast<int64_t>(at) - last_progress;
    return Status::Ok();
  }

 private:
  Status BadRow(int64_t line, size_t column, const std::string& what) const {
    std::string where = file_ + ":" + std::to_string(line);
    if (column > 0) where += ", column " + std::to_string(column);
    if (column > 0 && column <= schema_.columns.size()) where += " (\"" + schema_.columns[column - 1].name + "\")";
    return Status::InvalidArgument(where + ": " + what, kBadRowCode);
  }

  // Parses the row starting at *at; leaves *at after its line delimiter.
  Status ParseRow(std::string_view text, size_t* at, int64_t* line, int64_t row_line) {
    const DelimitedFormat& format = schema_.format;
    const size_t expected = fields_.size();
    size_t column = 0;
    size_t i = *at;
    row_empty_ = false;
    if (text[i] == format.line_delimiter || (text[i] == '\r' && csv_ && i + 1 < text.size() && text[i + 1] == '\n')) {
      // A blank line: skipped in CSV files (as readers of CSV do), an error otherwise.
      if (!csv_ && expected > 1) return BadRow(row_line, 0, "empty line; expected " + std::to_string(expected) + " fields");
      if (csv_) {
        *at = i + (text[i] == '\r' ? 2 : 1);
        ++*line;
        row_empty_ = true;
        return Status::Ok();
      }
    }
    while (true) {
      if (column >= expected) {
        return BadRow(row_line, column + 1,
                      "more fields than the " + std::to_string(expected) + " columns of the schema; check the delimiter");
      }
      bool enclosed = false;
      Status status = ParseField(text, &i, line, row_line, column, &enclosed);
      if (!status.ok()) return status;
      ++column;
      if (i >= text.size()) break;
      const char next = text[i];
      if (next == format.field_delimiter) {
        ++i;
        if (i >= text.size() || text[i] == format.line_delimiter) {
          // A trailing delimiter means one more empty field.
          if (column >= expected) {
            return BadRow(row_line, column + 1, "more fields than the " + std::to_string(expected) + " columns of the schema");
          }
          status = Accept(std::string_view(), column, row_line, false);
          if (!status.ok()) return status;
          ++column;
          if (i < text.size()) ++i;
          ++*line;
          break;
        }
        continue;
      }
      if (next == format.line_delimiter) {
        ++i;
        ++*line;
        break;
      }
      if (next == '\r' && csv_ && i + 1 < text.size() && text[i + 1] == '\n') {
        i += 2;
        ++*line;
        break;
      }
      return BadRow(row_line, column, "unexpected character after a closing quote");
    }
    *at = i;
    if (column != expected) {
      return BadRow(row_line, 0,
                    std::to_string(column) + " fields where the schema has " + std::to_string(expected) + " columns");
    }
    return Status::Ok();
  }

  Status ParseField(std::string_view text, size_t* at, int64_t* line, int64_t row_line, size_t column,
                    bool* enclosed) {
    const DelimitedFormat& format = schema_.format;
    size_t i = *at;
    if (format.enclosed_by != 0 && i < text.size() && text[i] == format.enclosed_by) {
      *enclosed = true;
      return ParseEnclosed(text, at, line, row_line, column);
    }
    // Fast path: no escaping (or, in a CSV file, RFC 4180's, which only
    // applies inside quotes), so the field ends at the next delimiter.
    if (format.escaped_by == 0 || (csv_ && format.escaped_by == format.enclosed_by)) {
      size_t end = i;
      while (end < text.size() && text[end] != format.field_delimiter && text[end] != format.line_delimiter) ++end;
      size_t value_end = end;
      if (csv_ && value_end > i && end < text.size() && text[end] == format.line_delimiter && text[value_end - 1] == '\r') {
        --value_end;
        *at = end - 1;  // leave "\r\n" for the row loop
      } else {
        *at = end;
      }
      return Accept(text.substr(i, value_end - i), column, row_line, false);
    }
    std::string& value = scratch_[column];
    value.clear();
    size_t end = i;
    while (end < text.size()) {
      const char c = text[end];
      if (c == format.escaped_by && end + 1 < text.size()) {
        value.push_back(text[end + 1]);
        if (text[end + 1] == '\n') ++*line;
        end += 2;
        continue;
      }
      if (c == format.field_delimiter || c == format.line_delimiter) break;
      value.push_back(c);
      ++end;
    }
    *at = end;
    // Nulls are written unescaped, so the null token is matched before unescaping.
    return Accept(value, column, row_line, false, text.substr(i, end - i));
  }

  Status ParseEnclosed(std::string_view text, size_t* at, int64_t* line, int64_t row_line, size_t column) {
    const DelimitedFormat& format = schema_.format;
    const char quote = format.enclosed_by;
    const bool doubled = format.escaped_by == quote;  // RFC 4180: "" inside quotes
    std::string& value = scratch_[column];
    value.clear();
    size_t i = *at + 1;
    while (i < text.size()) {
      const char c = text[i];
      if (c == quote) {
        if (doubled && i + 1 < text.size() && text[i + 1] == quote) {
          value.push_back(quote);
          i += 2;
          continue;
        }
        *at = i + 1;
        return Accept(value, column, row_line, true);
      }
      if (!doubled && format.escaped_by != 0 && c == format.escaped_by && i + 1 < text.size()) {
        value.push_back(text[i + 1]);
        if (text[i + 1] == '\n') ++*line;
        i += 2;
        continue;
      }
      if (c == '\n') ++*line;
      value.push_back(c);
      ++i;
    }
    return BadRow(row_line, column + 1, "a quoted field is never closed; check the enclosing character");
  }

  // `raw` is the field as written, before unescaping (defaults to `value`).
  Status Accept(std::string_view value, size_t column, int64_t row_line, bool enclosed,
                std::optional<std::string_view> raw = std::nullopt) {
    if (ValidUtf8Prefix(value) != value.size()) {
      return BadRow(row_line, column + 1, "bytes that are not UTF-8; convert the file to UTF-8");
    }
    bool is_null = false;
    if (!enclosed) {
      if (csv_) {
        is_null = value.empty();
      } else {
        const ValueType type = schema_.columns[column].type;
        is_null = raw.value_or(value) ==
                  (IsStringType(type) ? schema_.format.null_string : schema_.format.null_non_string);
      }
    }
    SetField(column, value, is_null);
    return Status::Ok();
  }

  void SetField(size_t column, std::string_view value, bool is_null) {
    fields_[column].text = value;
    fields_[column].is_null = is_null;
  }

  const DatasetSchema& schema_;
  std::string file_;
  size_t file_index_;
  bool csv_;
  std::vector<Field> fields_;
  std::vector<std::string> scratch_;
  bool row_empty_ = false;
};

bool IsCsvPath(const std::string& path) {
  return path.size() > 4 && (path.ends_with(".csv") || path.ends_with(".CSV"));
}

DatasetSchema CsvFormatSchema() {
  DatasetSchema schema;
  schema.format.field_delimiter = ',';
  schema.format.line_delimiter = '\n';
  schema.format.enclosed_by = '"';
  schema.format.escaped_by = '"';
  schema.format.null_string = "";
  schema.format.null_non_string = "";
  schema.header_lines = 1;
  return schema;
}

// ---- Type inference for CSV files ----

bool IsInteger(std::string_view text) {
  size_t i = text[0] == '-' || text[0] == '+' ? 1 : 0;
  if (i == text.size() || text.size() > 19) return false;
  for (; i < text.size(); ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

bool IsFloat(std::string_view text) {
  std::string copy(text);
  char* end = nullptr;
  std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size()) return false;
  // strtod also takes "nan", "inf" and hex; a CSV column of those is text.
  return copy.find_first_of("nNiIxX") == std::string::npos;
}

bool IsDigits(std::string_view text, size_t from, size_t count) {
  if (from + count > text.size()) return false;
  for (size_t i = from; i < from + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  return true;
}

bool IsDate(std::string_view text) {
  return text.size() == 10 && IsDigits(text, 0, 4) && text[4] == '-' && IsDigits(text, 5, 2) && text[7] == '-' &&
         IsDigits(text, 8, 2);
}

bool IsTimestamp(std::string_view text) {
  return text.size() >= 19 && IsDate(text.substr(0, 10)) && (text[10] == ' ' || text[10] == 'T') &&
         IsDigits(text, 11, 2) && text[13] == ':' && IsDigits(text, 14, 2) && text[16] == ':' && IsDigits(text, 17, 2);
}

bool IsBoolean(std::string_view text) { return text == "true" || text == "false" || text == "TRUE" || text == "FALSE"; }

ValueType TypeOf(std::string_view text) {
  if (IsInteger(text)) return ValueType::kInteger;
  if (IsFloat(text)) return ValueType::kFloat;
  if (IsDate(text)) return ValueType::kDate;
  if (IsTimestamp(text)) return ValueType::kTimestamp;
  if (IsBoolean(text)) return ValueType::kBoolean;
  return ValueType::kText;
}

ValueType Widen(ValueType seen, ValueType next) {
  if (seen == next) return seen;
  const bool numbers = (seen == ValueType::kInteger || seen == ValueType::kFloat) &&
                       (next == ValueType::kInteger || next == ValueType::kFloat);
  return numbers ? ValueType::kFloat : ValueType::kText;
}

// Collects the column names (header) and widens each column's type over the
// sampled rows.
class TypeSampler : public RowSink {
 public:
  explicit TypeSampler(int64_t limit) : limit_(limit) {}
  Status OnColumns(const std::vector<Column>&) override { return Status::Ok(); }
  Status OnRow(const std::vector<Field>& row) override {
    if (types_.empty()) types_.assign(row.size(), std::nullopt);
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i].is_null) continue;
      const ValueType type = TypeOf(row[i].text);
      types_[i] = types_[i] ? Widen(*types_[i], type) : type;
    }
    if (++rows_ >= limit_) return Status::Cancelled("enough rows sampled");
    return Status::Ok();
  }
  ValueType TypeOfColumn(size_t i) const { return i < types_.size() && types_[i] ? *types_[i] : ValueType::kText; }

 private:
  int64_t limit_;
  int64_t rows_ = 0;
  std::vector<std::optional<ValueType>> types_;
};

// Field count of the header, read with the CSV rules.
Result<std::vector<std::string>> ReadCsvHeader(const std::string& path, std::string_view text) {
  DatasetSchema probe = CsvFormatSchema();
  probe.header_lines = 0;
  const size_t end = text.find('\n');
  std::string_view header = text.substr(0, end);
  size_t fields = 1;
  bool quoted = false;
  for (char c : header) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) ++fields;
  }
  probe.columns.resize(fields);
  for (Column& column : probe.columns) column.type = ValueType::kText;
  struct Collect : RowSink {
    std::vector<std::string> names;
    Status OnColumns(const std::vector<Column>&) override { return Status::Ok(); }
    Status OnRow(const std::vector<Field>& row) override {
      for (const Field& field : row) names.emplace_back(field.text);
      return Status::Cancelled("header read");
    }
  } collect;
  RowParser parser(probe, path, true);
  int64_t reported = 0;
  Status status = parser.Parse(text.substr(0, end == std::string_view::npos ? text.size() : end + 1), &collect, {},
                               &reported);
  if (!status.ok() && status.code() != StatusCode::kCancelled) return status;
  if (collect.names.empty()) {
    return Status::InvalidArgument(path + ":1: the CSV file has no header line", kNotADatasetCode);
  }
  for (size_t i = 0; i < collect.names.size(); ++i) {
    if (collect.names[i].empty()) {
      return Status::InvalidArgument(path + ":1, column " + std::to_string(i + 1) + ": empty column name in the header",
                                     kNotADatasetCode);
    }
  }
  return collect.names;
}

}  // namespace

Result<DatasetSchema> ReadDatasetSchema(const std::string& local_dir) {
  const std::string path = (stdfs::path(local_dir) / kSchemaFile).string();
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return Status::NotFound("\"" + local_dir + "\" has no " + kSchemaFile +
                                "; it is not a dataset written by Refinery (import it, or point at a .csv file)",
                            kNotADatasetCode);
  }
  std::stringstream text;
  text << in.rdbuf();
  auto sidecar = ParseJavaProperties(text.str(), path);
  if (!sidecar.ok()) return Status::InvalidArgument(sidecar.status().message(), kBadSidecarCode);
  auto schema = SchemaFromSidecar(*sidecar);
  if (!schema.ok()) return Status::InvalidArgument(path + ": " + schema.status().message(), kBadSidecarCode);
  return schema;
}

std::string FormatDatasetSchema(const DatasetSchema& schema, const std::string& dialect, const std::string& table,
                                const std::string& query, int64_t splits) {
  Properties sidecar;
  sidecar.Set("format", "refinery-raw-zone-1");
  sidecar.Set("source.dialect", dialect);
  sidecar.Set("source.table", table);
  sidecar.Set("source.query", query);
  sidecar.Set("columns", std::to_string(schema.columns.size()));
  for (size_t i = 0; i < schema.columns.size(); ++i) {
    const std::string prefix = "column." + std::to_string(i + 1) + ".";
    sidecar.Set(prefix + "name", schema.columns[i].name);
    sidecar.Set(prefix + "source_type", schema.columns[i].source_type);
    sidecar.Set(prefix + "type", ValueTypeName(schema.columns[i].type));
  }
  const DelimitedFormat& format = schema.format;
  sidecar.Set("fields_terminated_by", CharText(format.field_delimiter));
  sidecar.Set("lines_terminated_by", CharText(format.line_delimiter));
  sidecar.Set("enclosed_by", CharText(format.enclosed_by));
  sidecar.Set("enclose_required", format.enclose_required ? "true" : "false");
  sidecar.Set("escaped_by", CharText(format.escaped_by));
  sidecar.Set("null_string", format.null_string);
  sidecar.Set("null_non_string", format.null_non_string);
  if (schema.header_lines > 0) sidecar.Set("header_lines", std::to_string(schema.header_lines));
  sidecar.Set("rows", std::to_string(schema.rows));
  sidecar.Set("splits", std::to_string(splits));
  return FormatJavaProperties(sidecar);
}

Result<DatasetSchema> InferCsvSchema(const std::string& csv_path, int64_t sample_rows) {
  MappedFile file;
  Status opened = file.Open(csv_path);
  if (!opened.ok()) return opened;
  auto names = ReadCsvHeader(csv_path, file.view());
  if (!names.ok()) return names.status();
  DatasetSchema schema = CsvFormatSchema();
  for (const std::string& name : *names) schema.columns.push_back(Column{name, "csv", ValueType::kText});
  TypeSampler sampler(sample_rows);
  RowParser parser(schema, csv_path, true);
  int64_t reported = 0;
  Status status = parser.Parse(file.view(), &sampler, {}, &reported);
  if (!status.ok() && status.code() != StatusCode::kCancelled) return status;
  for (size_t i = 0; i < schema.columns.size(); ++i) schema.columns[i].type = sampler.TypeOfColumn(i);
  return schema;
}

Result<DatasetReader> DatasetReader::Open(const std::string& local_path) {
  std::error_code ec;
  DatasetReader reader;
  if (stdfs::is_regular_file(local_path, ec) && IsCsvPath(local_path)) {
    auto schema = InferCsvSchema(local_path);
    if (!schema.ok()) return schema.status();
    reader.schema_ = std::move(*schema);
    reader.files_.push_back(local_path);
    reader.total_bytes_ = static_cast<int64_t>(stdfs::file_size(local_path, ec));
    return reader;
  }
  if (!stdfs::is_directory(local_path, ec)) {
    return Status::NotFound("dataset \"" + local_path + "\" does not exist (expected a directory written by an import, or a .csv file)",
                            kNotADatasetCode);
  }
  if (!stdfs::exists(stdfs::path(local_path) / kSuccessFile, ec)) {
    return Status::FailedPrecondition("dataset \"" + local_path + "\" has no _SUCCESS marker: the job writing it did not finish; rerun it",
                                      kNotADatasetCode);
  }
  auto schema = ReadDatasetSchema(local_path);
  if (!schema.ok()) return schema.status();
  return OpenWithSchema(local_path, std::move(*schema));
}

Result<DatasetReader> DatasetReader::OpenWithSchema(const std::string& local_dir, DatasetSchema schema) {
  std::error_code ec;
  if (!stdfs::is_directory(local_dir, ec)) {
    return Status::NotFound("dataset directory \"" + local_dir + "\" does not exist", kNotADatasetCode);
  }
  DatasetReader reader;
  reader.schema_ = std::move(schema);
  for (const auto& entry : stdfs::directory_iterator(local_dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.' || name[0] == '_' || !entry.is_regular_file(ec)) continue;
    reader.files_.push_back(entry.path().string());
    reader.total_bytes_ += static_cast<int64_t>(entry.file_size(ec));
  }
  if (ec) return Status::IoError("Could not list \"" + local_dir + "\": " + ec.message(), kNotADatasetCode);
  std::sort(reader.files_.begin(), reader.files_.end());
  return reader;
}

Status DatasetReader::ReadFile(size_t file_index, RowSink* sink) const {
  Status status = sink->OnColumns(schema_.columns);
  if (!status.ok()) return status;
  MappedFile file;
  status = file.Open(files_[file_index]);
  if (!status.ok()) return status;
  RowParser parser(schema_, files_[file_index], IsCsvPath(files_[file_index]), file_index);
  int64_t reported = 0;
  return parser.Parse(file.view(), sink, {}, &reported);
}

Status DatasetReader::ReadAll(RowSink* sink, const std::function<void(int64_t)>& on_progress) const {
  Status status = sink->OnColumns(schema_.columns);
  if (!status.ok()) return status;
  int64_t reported = 0;
  for (size_t index = 0; index < files_.size(); ++index) {
    const std::string& path = files_[index];
    MappedFile file;
    status = file.Open(path);
    if (!status.ok()) return status;
    RowParser parser(schema_, path, IsCsvPath(path), index);
    status = parser.Parse(file.view(), sink, on_progress, &reported);
    if (!status.ok()) return status;
  }
  if (on_progress) on_progress(reported);
  return Status::Ok();
}

}  // namespace refinery::data
