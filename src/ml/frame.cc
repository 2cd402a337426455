#include "ml/frame.h"

#include <cmath>
#include <cstdio>
#include <limits>

#include "data/dataset.h"
#include "ml/checksum.h"

namespace refinery::ml {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool IsNumericType(data::ValueType type) {
  return type == data::ValueType::kInteger || type == data::ValueType::kDecimal ||
         type == data::ValueType::kFloat || type == data::ValueType::kBoolean;
}

bool ParseCell(std::string_view text, double* out) {
  if (ParseNumber(text, out)) return true;
  if (text == "true" || text == "TRUE" || text == "True" || text == "t") return *out = 1, true;
  if (text == "false" || text == "FALSE" || text == "False" || text == "f") return *out = 0, true;
  return false;
}

class FrameSink : public data::RowSink {
 public:
  FrameSink(Frame* frame, const FrameOptions& options, std::string path)
      : frame_(frame), options_(options), path_(std::move(path)) {}

  Status OnColumns(const std::vector<data::Column>& columns) override {
    std::vector<std::string> names;
    for (const data::Column& c : columns) names.push_back(c.name);
    if (!frame_->inputs.empty()) return CheckSameColumns(names);
    all_names_ = names;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (options_.skip.count(columns[i].name) > 0) continue;
      FrameColumn column;
      column.name = columns[i].name;
      column.numeric = options_.force_numeric.count(column.name) > 0 ||
                       (IsNumericType(columns[i].type) && options_.force_text.count(column.name) == 0);
      frame_->columns.push_back(std::move(column));
      source_index_.push_back(i);
    }
    return Status::Ok();
  }

  Status OnRow(const std::vector<data::Field>& row) override {
    for (const data::Field& field : row) hash_.UpdateField(field.text, field.is_null);
    for (size_t c = 0; c < source_index_.size(); ++c) {
      REFINERY_RETURN_IF_ERROR(AppendField(&frame_->columns[c], row[source_index_[c]]));
    }
    ++rows_;
    ++frame_->rows;
    if ((rows_ & 0xFFFF) == 0 && options_.cancelled && options_.cancelled()) {
      return Status::Cancelled("training was cancelled while reading " + path_);
    }
    return Status::Ok();
  }

  InputStats Stats() { return InputStats{path_, rows_, hash_.Finish()}; }
  void Adopt(const std::vector<std::string>& names, const Frame& frame) {
    all_names_ = names;
    for (const FrameColumn& column : frame.columns) {
      for (size_t i = 0; i < names.size(); ++i) {
        if (names[i] == column.name) source_index_.push_back(i);
      }
    }
  }
  const std::vector<std::string>& all_names() const { return all_names_; }

 private:
  Status CheckSameColumns(const std::vector<std::string>& names) {
    if (names == all_names_) return Status::Ok();
    std::string list;
    for (const std::string& n : names) list += (list.empty() ? "" : ",") + n;
    return Status::InvalidArgument("input " + path_ + ": columns [" + list +
                                       "] differ from the first input's; every input must have the same columns",
                                   kBadDataCode);
  }

  Status AppendField(FrameColumn* column, const data::Field& field) {
    if (field.is_null) {
      column->Append(Value::Null());
      return Status::Ok();
    }
    if (!column->numeric) {
      auto found = column->index.find(std::string(field.text));
      if (found != column->index.end()) {
        column->codes.push_back(found->second);
        return Status::Ok();
      }
      column->Append(Value::Text(std::string(field.text)));
      return Status::Ok();
    }
    double number = 0;
    if (!ParseCell(field.text, &number)) {
      return Status::InvalidArgument(path_ + ": row " + std::to_string(rows_ + 1) + ", column '" + column->name +
                                         "': value [" + std::string(field.text) +
                                         "] is not a number; declare <column name=\"" + column->name +
                                         "\" type=\"categorical\"/> to use it as text",
                                     kBadDataCode);
    }
    column->numbers.push_back(number);
    return Status::Ok();
  }

  Frame* frame_;
  const FrameOptions& options_;
  std::string path_;
  std::vector<std::string> all_names_;
  std::vector<size_t> source_index_;
  int64_t rows_ = 0;
  Sha256 hash_;
};

// A text column whose every value is a number becomes a numeric one.
void MakeNumericIfAllNumbers(FrameColumn* column) {
  if (column->numeric || column->dictionary.empty()) return;
  std::vector<double> parsed(column->dictionary.size());
  for (size_t i = 0; i < parsed.size(); ++i) {
    if (!ParseNumber(column->dictionary[i], &parsed[i])) return;
  }
  column->numbers.reserve(column->codes.size());
  for (int32_t code : column->codes) column->numbers.push_back(code < 0 ? kNaN : parsed[code]);
  column->numeric = true;
  column->codes = {};
  column->dictionary = {};
  column->index = {};
}

}  // namespace

Value FrameColumn::At(size_t row) const {
  if (numeric) return Value::Number(numbers[row]);
  return codes[row] < 0 ? Value::Null() : Value::Text(dictionary[codes[row]]);
}

void FrameColumn::Append(const Value& value) {
  if (value.is_null()) {
    ++nulls;
    if (numeric) {
      numbers.push_back(kNaN);
    } else {
      codes.push_back(-1);
    }
    return;
  }
  if (numeric) {
    numbers.push_back(value.is_number() ? value.number : kNaN);
    return;
  }
  std::string text = value.is_text() ? value.text : FormatNumber(value.number);
  auto [it, inserted] = index.emplace(text, static_cast<int32_t>(dictionary.size()));
  if (inserted) dictionary.push_back(std::move(text));
  codes.push_back(it->second);
}

int Frame::Find(const std::string& name) const {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> Frame::ColumnNames() const {
  std::vector<std::string> names;
  for (const FrameColumn& c : columns) names.push_back(c.name);
  return names;
}

Result<Frame> LoadFrame(const std::vector<std::string>& local_paths, const FrameOptions& options) {
  std::vector<RowSource> sources;
  for (const std::string& path : local_paths) {
    sources.push_back({path, [path](data::RowSink* sink) -> Status {
                         REFINERY_ASSIGN_OR_RETURN(data::DatasetReader reader, data::DatasetReader::Open(path));
                         return reader.ReadAll(sink);
                       }});
  }
  return LoadFrame(sources, options);
}

Result<Frame> LoadFrame(const std::vector<RowSource>& sources, const FrameOptions& options) {
  Frame frame;
  std::vector<std::string> first_names;
  for (const RowSource& source : sources) {
    FrameSink sink(&frame, options, source.name);
    if (!frame.inputs.empty()) sink.Adopt(first_names, frame);
    REFINERY_RETURN_IF_ERROR(source.read(&sink));
    if (frame.inputs.empty()) first_names = sink.all_names();
    frame.inputs.push_back(sink.Stats());
    if (options.log) options.log("read " + std::to_string(frame.inputs.back().rows) + " rows from " + source.name);
  }
  if (options.infer_numbers) {
    for (FrameColumn& column : frame.columns) {
      if (options.force_text.count(column.name) == 0) MakeNumericIfAllNumbers(&column);
    }
  }
  return frame;
}

Status AddDerivedColumn(Frame* frame, const std::string& name, const Expression& expression) {
  if (frame->Find(name) >= 0) {
    return Status::InvalidArgument("derived feature '" + name + "' has the name of an existing column; rename it",
                                   kBadExpressionCode);
  }
  std::vector<int> sources;
  for (const std::string& column : expression.columns()) {
    const int index = frame->Find(column);
    if (index < 0) {
      std::string list;
      for (const std::string& n : frame->ColumnNames()) list += (list.empty() ? "" : ", ") + n;
      return Status::InvalidArgument("derived feature '" + name + "' [" + expression.text() + "]: unknown column '" +
                                         column + "'; columns: " + list,
                                     kBadExpressionCode);
    }
    sources.push_back(index);
  }
  std::vector<Value> results(frame->rows);
  std::vector<Value> inputs(sources.size());
  bool numeric = true;
  for (size_t row = 0; row < frame->rows; ++row) {
    for (size_t i = 0; i < sources.size(); ++i) inputs[i] = frame->columns[sources[i]].At(row);
    results[row] = expression.Evaluate(inputs.data());
    if (results[row].is_text()) numeric = false;
  }
  FrameColumn column;
  column.name = name;
  column.numeric = numeric;
  for (const Value& v : results) column.Append(v);
  frame->columns.push_back(std::move(column));
  return Status::Ok();
}

}  // namespace refinery::ml
