// Sqoop's escaping rules (FieldFormatter.escapeAndEnclose) and the refusal of
// values a reader could not split back.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "data/delimited_writer.h"

namespace refinery::data {
namespace {

struct EscapeCase {
  std::string value;
  DelimitedFormat format;
  bool ok;
  std::string expected;
};

DelimitedFormat Format(char enclose, bool required, char escape) {
  DelimitedFormat format;
  format.enclosed_by = enclose;
  format.enclose_required = required;
  format.escaped_by = escape;
  return format;
}

TEST(DelimitedWriter, EscapesAndEnclosesAsSqoopDoes) {
  const std::vector<EscapeCase> cases = {
      {"plain", DelimitedFormat(), true, "plain"},
      {"", DelimitedFormat(), true, ""},
      {"a,b", DelimitedFormat(), false, ""},
      {"a\nb", DelimitedFormat(), false, ""},
      {"a\"b", DelimitedFormat(), true, "a\"b"},  // no enclosing configured: quotes are data
      {"a,b", Format(0, false, '\\'), true, "a\\,b"},
      {"a\nb", Format(0, false, '\\'), true, "a\\\nb"},
      {"a\\b", Format(0, false, '\\'), true, "a\\\\b"},
      {"a,b", Format('"', false, 0), true, "\"a,b\""},
      {"ab", Format('"', false, 0), true, "ab"},
      {"ab", Format('"', true, 0), true, "\"ab\""},
      {"a\"b", Format('"', false, 0), false, ""},
      {"a\"b", Format('"', false, '\\'), true, "a\\\"b"},
      {"a\",b", Format('"', true, '\\'), true, "\"a\\\",b\""},
      {"it's, ok", Format('\'', false, '\\'), true, "'it\\'s, ok'"},  // --mysql-delimiters
  };
  for (const EscapeCase& c : cases) {
    std::string out;
    EXPECT_EQ(AppendEscaped(c.value, c.format, &out), c.ok) << c.value;
    if (c.ok) {
      EXPECT_EQ(out, c.expected) << c.value;
    }
  }
}

TEST(DelimitedWriter, NamesColumnRowAndFixOfAnUnsafeValue) {
  char pattern[] = "/tmp/refinery-writer-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string path = std::string(pattern) + "/part";
  DelimitedWriter writer(DelimitedFormat(), {{"id", "int", ValueType::kInteger}, {"city", "text", ValueType::kText}});
  ASSERT_TRUE(writer.Open(path).ok());
  ASSERT_TRUE(writer.Write({{"1", false}, {"Paris", false}}, 1).ok());
  ASSERT_TRUE(writer.Write({{"2", false}, {"", true}}, 2).ok());
  const Status status = writer.Write({{"3", false}, {"Washington, D.C.", false}}, 3);
  EXPECT_EQ(status.error_code(), "SQOOP006");
  EXPECT_NE(status.message().find("column \"city\", row 3"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("field delimiter ','"), std::string::npos);
  EXPECT_NE(status.message().find("--escaped-by"), std::string::npos);
  ASSERT_TRUE(writer.Close().ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), "1,Paris\n2,null\n");
  EXPECT_EQ(writer.rows(), 2);
  EXPECT_EQ(writer.bytes(), 15);
  std::filesystem::remove_all(pattern);
}

TEST(DelimitedWriter, NullTokensDependOnTheColumnKind) {
  DelimitedFormat format;
  format.null_string = "\\N";
  format.null_non_string = "";
  char pattern[] = "/tmp/refinery-writer-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  const std::string path = std::string(pattern) + "/part";
  DelimitedWriter writer(format, {{"n", "int", ValueType::kInteger}, {"s", "text", ValueType::kText}});
  ASSERT_TRUE(writer.Open(path).ok());
  ASSERT_TRUE(writer.Write({{"", true}, {"", true}}, 1).ok());
  ASSERT_TRUE(writer.Close().ok());
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), ",\\N\n");
  std::filesystem::remove_all(pattern);
}

}  // namespace
}  // namespace refinery::data
