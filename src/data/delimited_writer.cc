#include "data/delimited_writer.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace refinery::data {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

bool Contains(std::string_view value, char c) {
  return c != 0 && !value.empty() && std::memchr(value.data(), c, value.size()) != nullptr;
}

// A character as a user would type it in a Sqoop option.
std::string Printable(char c) {
  switch (c) {
    case '\n': return "\\n";
    case '\t': return "\\t";
    case '\r': return "\\r";
    case 0: return "\\0";
    default: return std::string(1, c);
  }
}

}  // namespace

const char* ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kBoolean: return "boolean";
    case ValueType::kInteger: return "integer";
    case ValueType::kDecimal: return "decimal";
    case ValueType::kFloat: return "float";
    case ValueType::kDate: return "date";
    case ValueType::kTime: return "time";
    case ValueType::kTimestamp: return "timestamp";
    case ValueType::kText: return "text";
    case ValueType::kBinary: return "binary";
  }
  return "text";
}

bool IsStringType(ValueType type) { return type == ValueType::kText; }

bool AppendEscaped(std::string_view value, const DelimitedFormat& format, std::string* out) {
  const bool has_field = Contains(value, format.field_delimiter);
  const bool has_line = Contains(value, format.line_delimiter);
  const bool has_enclose = Contains(value, format.enclosed_by);
  const bool has_escape = Contains(value, format.escaped_by);
  // Fast path: nothing to escape or enclose.
  if (!has_field && !has_line && !has_enclose && !has_escape && !format.enclose_required) {
    out->append(value);
    return true;
  }
  const char escape = format.escaped_by;
  const char enclose = format.enclosed_by;
  // When the escape character is the enclosing one (RFC 4180 style), an
  // unenclosed value holding it would read back as an enclosed field, so such
  // values are enclosed too (Sqoop would write them ambiguously).
  const bool enclose_it = enclose != 0 && (format.enclose_required || has_field || has_line ||
                                           (escape == enclose && has_enclose));
  if (escape == 0) {
    // Without escaping, a delimiter is only safe inside enclosing, and an
    // enclosing character is never safe (a reader would end the field there).
    if (has_enclose) return false;
    if ((has_field || has_line) && !enclose_it) return false;
  }
  if (enclose_it) out->push_back(enclose);
  for (char c : value) {
    const bool needs_escape =
        escape != 0 && (c == escape || (enclose != 0 && c == enclose) ||
                        (enclose == 0 && (c == format.field_delimiter || c == format.line_delimiter)));
    if (needs_escape) out->push_back(escape);
    out->push_back(c);
  }
  if (enclose_it) out->push_back(enclose);
  return true;
}

DelimitedWriter::DelimitedWriter(DelimitedFormat format, std::vector<Column> columns)
    : format_(std::move(format)), columns_(std::move(columns)) {
  buffer_.reserve(kFlushBytes + 4096);
}

DelimitedWriter::~DelimitedWriter() {
  if (file_ != nullptr) std::fclose(file_);
}

Status DelimitedWriter::Open(const std::string& path) {
  path_ = path;
  file_ = std::fopen(path.c_str(), "wbe");
  if (file_ == nullptr) {
    return Status::IoError("Could not create \"" + path + "\": " + std::strerror(errno), "SQOOP009");
  }
  return Status::Ok();
}

Status DelimitedWriter::Unsafe(size_t column, int64_t row_number, std::string_view value) const {
  const std::string name = column < columns_.size() ? columns_[column].name : std::to_string(column + 1);
  std::string what;
  if (Contains(value, format_.enclosed_by)) {
    what = "the enclosing character '" + Printable(format_.enclosed_by) + "'";
  } else if (Contains(value, format_.field_delimiter)) {
    what = "the field delimiter '" + Printable(format_.field_delimiter) + "'";
  } else {
    what = "the line delimiter '" + Printable(format_.line_delimiter) + "'";
  }
  return Status::InvalidArgument(
      "column \"" + name + "\", row " + std::to_string(row_number) + ": the value holds " + what +
          ", which the output could not be read back from; add --escaped-by '\\\\' (or --optionally-enclosed-by "
          "'\\\"' together with --escaped-by), or choose delimiters that do not occur in the data",
      kUnsafeValueCode);
}

Status DelimitedWriter::Write(const std::vector<Field>& row, int64_t row_number) {
  const size_t row_start = buffer_.size();  // a refused row leaves nothing behind
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) buffer_.push_back(format_.field_delimiter);
    const Field& field = row[i];
    if (field.is_null) {
      const bool text = i < columns_.size() && IsStringType(columns_[i].type);
      buffer_.append(text ? format_.null_string : format_.null_non_string);
      continue;
    }
    if (!AppendEscaped(field.text, format_, &buffer_)) {
      buffer_.resize(row_start);
      return Unsafe(i, row_number, field.text);
    }
  }
  buffer_.push_back(format_.line_delimiter);
  ++rows_;
  if (buffer_.size() >= kFlushBytes) return Flush();
  return Status::Ok();
}

Status DelimitedWriter::Flush() {
  if (buffer_.empty()) return Status::Ok();
  if (file_ == nullptr) return Status::Internal("DelimitedWriter used before Open");
  if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) {
    return Status::IoError("Could not write \"" + path_ + "\": " + std::strerror(errno), "SQOOP009");
  }
  bytes_ += static_cast<int64_t>(buffer_.size());
  buffer_.clear();
  return Status::Ok();
}

Status DelimitedWriter::Close() {
  REFINERY_RETURN_IF_ERROR(Flush());
  if (file_ == nullptr) return Status::Ok();
  const bool flushed = std::fflush(file_) == 0 && ::fsync(fileno(file_)) == 0;
  const int err = errno;
  const bool closed = std::fclose(file_) == 0;
  file_ = nullptr;
  if (!flushed || !closed) {
    return Status::IoError("Could not write \"" + path_ + "\": " + std::strerror(err), "SQOOP009");
  }
  return Status::Ok();
}

}  // namespace refinery::data
