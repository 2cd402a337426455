#include "data/csv_text.h"

namespace refinery::data {

bool ParseCsvText(std::string_view text, std::vector<std::vector<std::string>>* records) {
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool in_record = false;    // something (a field or a separator) was seen on this line
  bool field_start = true;   // a quote opens a quoted field only here; elsewhere it is text
  auto end_record = [&] {
    if (in_record) {
      record.push_back(std::move(field));
      records->push_back(std::move(record));
    }
    record.clear();
    field.clear();
    in_record = false;
    field_start = true;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
      continue;
    }
    if (c == '"' && field_start) {
      quoted = in_record = true;
      field_start = false;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      in_record = field_start = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
    } else {
      field += c;
      in_record = true;
      field_start = false;
    }
  }
  if (quoted) return false;
  end_record();
  return true;
}

std::string CsvField(std::string_view value) {
  if (!value.empty() && value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace refinery::data
