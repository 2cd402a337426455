// data: tables in flight between a database and the raw zone. A SQL source
// (SQLite, PostgreSQL, MariaDB/MySQL) streams the rows of a query one at a
// time through a RowSink — never the whole table in memory — with each value
// already in its canonical text form; the delimited writer turns rows into
// Sqoop-compatible text files and refuses values it cannot write unambiguously.
// This header holds the vocabulary both sides share: columns, their types and
// the row interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace refinery::data {

// The type a column has in Refinery, whatever the database called it.
enum class ValueType {
  kBoolean,
  kInteger,    // any width, written in decimal
  kDecimal,    // exact decimal text (NUMERIC/DECIMAL)
  kFloat,      // binary floating point, written to re-parse to the same value
  kDate,       // YYYY-MM-DD
  kTime,       // HH:MM:SS[.ffffff]
  kTimestamp,  // YYYY-MM-DD HH:MM:SS[.ffffff][+zz]
  kText,
  kBinary,     // written as lowercase hex
};

const char* ValueTypeName(ValueType type);  // "integer", "text", ...
// True for the types Sqoop's --null-string applies to (text-like columns);
// the others take --null-non-string.
bool IsStringType(ValueType type);

struct Column {
  std::string name;
  std::string source_type;  // as the database names it, e.g. "varchar", "int4"
  ValueType type = ValueType::kText;
};

// One value of a row: a view valid only during the OnRow call that carries it.
struct Field {
  std::string_view text;
  bool is_null = false;
};

// Where a row read from a file starts: for sinks that name the place of a
// value they find wanting (file:line, column). `file` is valid only during the
// OnRowAt call that carries it.
struct RowPosition {
  std::string_view file;  // the path, as DatasetReader::files() lists it
  size_t file_index = 0;  // index in DatasetReader::files()
  int64_t line = 0;       // 1-based line in that file, header lines counted
};

// Receives the rows of one query in order. Returning a non-ok Status stops the
// stream; the source then returns that Status unchanged.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual Status OnColumns(const std::vector<Column>& columns) = 0;
  virtual Status OnRow(const std::vector<Field>& row) = 0;
  // File readers (DatasetReader) deliver each row through this call with its
  // position; sources without files call OnRow. Override it to receive
  // positions; by default it drops the position and calls OnRow.
  virtual Status OnRowAt(const std::vector<Field>& row, const RowPosition& position) {
    static_cast<void>(position);
    return OnRow(row);
  }
};

}  // namespace refinery::data
