// In-memory CSV: what an uploaded leads file looks like after parsing, and
// fields written back so they parse to the same values.
#include "data/csv_text.h"

#include <gtest/gtest.h>

namespace refinery::data {
namespace {

using Records = std::vector<std::vector<std::string>>;

Records Parse(std::string_view text) {
  Records records;
  EXPECT_TRUE(ParseCsvText(text, &records)) << text;
  return records;
}

TEST(CsvText, QuotedFieldsKeepCommasQuotesAndNewlines) {
  EXPECT_EQ(Parse("id,note\r\n\"a,b\",\"say \"\"hi\"\"\nthere\"\n"),
            (Records{{"id", "note"}, {"a,b", "say \"hi\"\nthere"}}));
}

TEST(CsvText, EmptyFieldsBlankLinesAndAMissingFinalNewline) {
  EXPECT_EQ(Parse("a,,c\n\n,\nx"), (Records{{"a", "", "c"}, {"", ""}, {"x"}}));
}

TEST(CsvText, AQuoteInsideAnUnquotedFieldIsText) {
  EXPECT_EQ(Parse("height\n5'10\"\n"), (Records{{"height"}, {"5'10\""}}));
}

TEST(CsvText, AnUnterminatedQuoteIsRefused) {
  Records records;
  EXPECT_FALSE(ParseCsvText("id\n\"open", &records));
}

TEST(CsvText, WrittenFieldsParseBackUnchanged) {
  const std::vector<std::string> values = {"plain", "", "a,b", "q\"uote", "line\nbreak", " spaced "};
  std::string line;
  for (size_t i = 0; i < values.size(); ++i) line += (i ? "," : "") + CsvField(values[i]);
  EXPECT_EQ(Parse(line + "\n"), (Records{values}));
  EXPECT_EQ(Parse(CsvField("") + "\n"), (Records{{""}}));
}

}  // namespace
}  // namespace refinery::data
