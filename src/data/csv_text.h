// CSV text held in memory (an uploaded file, a response body): RFC 4180
// records split into fields, and fields quoted for writing. Files on disk go
// through dataset.h instead, which streams.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace refinery::data {

// Splits `text` into records of fields: `,` separates, `"` quotes (`""` is a
// quote inside), CRLF or LF ends a record, blank lines are skipped. False on
// an unterminated quote, with `records` holding what came before it.
bool ParseCsvText(std::string_view text, std::vector<std::vector<std::string>>* records);

// `value` as one CSV field: quoted when it holds a comma, quote, CR or LF,
// or is empty (so a record of one empty field is not a blank line).
std::string CsvField(std::string_view value);

}  // namespace refinery::data
