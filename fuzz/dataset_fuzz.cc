// libFuzzer: the dataset reader. Arbitrary bytes as a part file (in one of
// several Sqoop formats) and as a CSV file must never crash it; and rows the
// delimited writer accepts must read back value for value.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "data/dataset.h"

namespace {

namespace stdfs = std::filesystem;
using refinery::Status;
using refinery::data::Column;
using refinery::data::DatasetReader;
using refinery::data::DatasetSchema;
using refinery::data::DelimitedFormat;
using refinery::data::Field;

struct Collect : refinery::data::RowSink {
  std::vector<std::vector<std::string>> rows;
  Status OnColumns(const std::vector<Column>&) override { return Status::Ok(); }
  Status OnRow(const std::vector<Field>& row) override {
    std::vector<std::string> values;
    for (const Field& field : row) values.push_back(field.is_null ? std::string("\0null", 5) : std::string(field.text));
    rows.push_back(std::move(values));
    return Status::Ok();
  }
};

const std::vector<Column> kColumns = {{"a", "text", refinery::data::ValueType::kText},
                                      {"b", "int", refinery::data::ValueType::kInteger}};

DelimitedFormat FormatFor(uint8_t selector) {
  DelimitedFormat format;
  switch (selector % 5) {
    case 0: break;  // Sqoop's defaults
    case 1: format.enclosed_by = '"'; format.escaped_by = '\\'; break;
    case 2: format.enclosed_by = '\''; format.escaped_by = '\\'; format.enclose_required = true; break;
    case 3: format.escaped_by = '\\'; format.null_string = "\\N"; format.null_non_string = "\\N"; break;
    case 4: format.field_delimiter = '\x01'; format.enclosed_by = '"'; format.escaped_by = '"'; break;
  }
  return format;
}

const stdfs::path& WorkDir() {
  static const stdfs::path dir = [] {
    // tmpfs when there is one: the writer fsyncs, which a disk makes slow.
    const stdfs::path base = stdfs::is_directory("/dev/shm") ? stdfs::path("/dev/shm") : stdfs::temp_directory_path();
    stdfs::path path = base / ("refinery-dataset-fuzz-" + std::to_string(::getpid()));
    stdfs::create_directories(path);
    return path;
  }();
  return dir;
}

void WriteFile(const stdfs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

void WriteDataset(const DelimitedFormat& format, const std::string& part) {
  const stdfs::path dir = WorkDir() / "dataset";
  stdfs::create_directories(dir);
  DatasetSchema schema;
  schema.columns = kColumns;
  schema.format = format;
  WriteFile(dir / "_schema.properties", refinery::data::FormatDatasetSchema(schema, "sqlite", "t", "", 1));
  WriteFile(dir / "_SUCCESS", "");
  WriteFile(dir / "part-m-00000", part);
}

Collect ReadBack(const std::string& path, bool* ok) {
  Collect collected;
  auto reader = DatasetReader::Open(path);
  *ok = reader.ok() && reader->ReadAll(&collected).ok();
  return collected;
}

// The reader refuses bytes that are not UTF-8 (the writer does not check).
bool IsUtf8(const std::string& text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    const size_t length = byte < 0x80 ? 1 : byte >= 0xC2 && byte < 0xE0 ? 2 : byte >= 0xE0 && byte < 0xF0 ? 3
                                                                          : byte >= 0xF0 && byte <= 0xF4 ? 4 : 0;
    if (length == 0 || i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

std::string WrittenAs(const std::string& value, const DelimitedFormat& format) {
  std::string written;
  refinery::data::AppendEscaped(value, format, &written);
  return written;
}

// Rows from the input: '\x1e' ends a row, '\x1f' separates its two values.
std::vector<std::vector<std::string>> RowsOf(std::string_view text) {
  std::vector<std::vector<std::string>> rows;
  size_t start = 0;
  while (start < text.size() && rows.size() < 64) {
    size_t end = text.find('\x1e', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view row = text.substr(start, end - start);
    const size_t split = row.find('\x1f');
    rows.push_back({std::string(row.substr(0, split)),
                    split == std::string_view::npos ? std::string() : std::string(row.substr(split + 1))});
    start = end + 1;
  }
  return rows;
}

void CheckRoundTrip(const DelimitedFormat& format, std::string_view text) {
  const auto rows = RowsOf(text);
  const stdfs::path part = WorkDir() / "written";
  refinery::data::DelimitedWriter writer(format, kColumns);
  if (!writer.Open(part.string()).ok()) std::abort();
  std::vector<std::vector<std::string>> expected;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!IsUtf8(rows[i][0]) || !IsUtf8(rows[i][1])) return;
    const std::vector<Field> fields = {{rows[i][0], false}, {rows[i][1], false}};
    if (!writer.Write(fields, static_cast<int64_t>(i + 1)).ok()) return;  // refused: nothing to check
    std::vector<std::string> values = rows[i];
    // A value whose written form is the null token reads back as null (as in
    // Sqoop); enclosing or escaping can tell the two apart.
    if (WrittenAs(values[0], format) == format.null_string) values[0] = std::string("\0null", 5);
    if (WrittenAs(values[1], format) == format.null_non_string) values[1] = std::string("\0null", 5);
    expected.push_back(values);
  }
  if (!writer.Close().ok()) std::abort();
  std::ifstream in(part, std::ios::binary);
  WriteDataset(format, std::string(std::istreambuf_iterator<char>(in), {}));
  bool ok = false;
  const Collect got = ReadBack((WorkDir() / "dataset").string(), &ok);
  if (!ok || got.rows != expected) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const DelimitedFormat format = FormatFor(data[0]);
  const std::string body(reinterpret_cast<const char*>(data + 1), size - 1);
  bool ok = false;
  WriteDataset(format, body);
  ReadBack((WorkDir() / "dataset").string(), &ok);
  WriteFile(WorkDir() / "input.csv", body);
  ReadBack((WorkDir() / "input.csv").string(), &ok);
  CheckRoundTrip(format, body);
  return 0;
}
