// libFuzzer: arbitrary bytes through the in-memory CSV parser (the body of
// POST .../predict.csv). Nothing may crash; whatever parses must survive
// writing each field with CsvField and parsing again unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "data/csv_text.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<std::vector<std::string>> records;
  if (!refinery::data::ParseCsvText(text, &records)) return 0;
  std::string written;
  for (const auto& record : records) {
    for (size_t i = 0; i < record.size(); ++i) written += (i ? "," : "") + refinery::data::CsvField(record[i]);
    written += "\n";
  }
  std::vector<std::vector<std::string>> again;
  if (!refinery::data::ParseCsvText(written, &again) || again != records) std::abort();
  return 0;
}
