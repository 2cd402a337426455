// A frame holds training data in memory, column by column: numbers as doubles
// (NaN = null) and text as dictionary codes (-1 = null), so a million rows of
// a dozen columns take tens of MB, not the hundreds a table of strings would.
// It is filled from datasets through data::DatasetReader.
#pragma once

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "data/table.h"
#include "ml/expression.h"
#include "ml/value.h"

namespace refinery::ml {

inline constexpr char kBadDataCode[] = "ML003";

struct FrameColumn {
  std::string name;
  bool numeric = true;
  std::vector<double> numbers;          // numeric: one per row, NaN = null
  std::vector<int32_t> codes;           // text: one per row, -1 = null
  std::vector<std::string> dictionary;  // text: code -> value, in first-seen order
  std::unordered_map<std::string, int32_t> index;  // text: value -> code
  int64_t nulls = 0;

  Value At(size_t row) const;
  bool IsNull(size_t row) const { return numeric ? numbers[row] != numbers[row] : codes[row] < 0; }
  void Append(const Value& value);  // text columns take numbers formatted
};

struct InputStats {
  std::string path;
  int64_t rows = 0;
  std::string checksum;  // "sha256:<hex>" over every field as read (doc/formats/model-bundle.md)
};

struct Frame {
  std::vector<FrameColumn> columns;
  size_t rows = 0;
  std::vector<InputStats> inputs;

  int Find(const std::string& name) const;  // -1 when absent
  std::vector<std::string> ColumnNames() const;
};

struct FrameOptions {
  std::set<std::string> force_text;     // read as text whatever the schema says
  std::set<std::string> force_numeric;  // read as numbers; a value that is not one is ML003
  std::set<std::string> skip;           // not kept at all
  std::function<bool()> cancelled;      // polled every 64K rows
  std::function<void(const std::string&)> log;
  // Text columns whose non-null values all parse as numbers become numeric
  // (a SQL statement's computed columns carry no declared type).
  bool infer_numbers = false;
};

// Rows from somewhere other than a dataset on disk — a SQL statement, a
// metastore table — streamed through `read` (which calls OnColumns once,
// then OnRow per row, and returns the sink's first error unchanged).
struct RowSource {
  std::string name;  // in messages and lineage
  std::function<Status(data::RowSink*)> read;
};


// Reads each dataset (directory or CSV file) in order; all must have the same
// column names. Columns typed integer/decimal/float/boolean are numeric,
// others text, unless overridden.
Result<Frame> LoadFrame(const std::vector<std::string>& local_paths, const FrameOptions& options);
// The same over row sources, in order.
Result<Frame> LoadFrame(const std::vector<RowSource>& sources, const FrameOptions& options);

// Appends column `name` holding `expression` evaluated on every row; it is
// numeric when every non-null result is a number.
Status AddDerivedColumn(Frame* frame, const std::string& name, const Expression& expression);

}  // namespace refinery::ml
