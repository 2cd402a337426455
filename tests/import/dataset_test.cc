// Reading datasets back: what the delimited writer wrote comes back value for
// value in every Sqoop format, CSV files follow RFC 4180 with inferred types,
// and bad input is named by file, line and column.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "data/dataset.h"

namespace refinery::data {
namespace {

namespace stdfs = std::filesystem;

struct Collected : RowSink {
  std::vector<Column> columns;
  std::vector<std::vector<std::string>> rows;  // "<null>" for nulls
  Status OnColumns(const std::vector<Column>& given) override {
    columns = given;
    return Status::Ok();
  }
  Status OnRow(const std::vector<Field>& row) override {
    std::vector<std::string> values;
    for (const Field& field : row) values.push_back(field.is_null ? "<null>" : std::string(field.text));
    rows.push_back(std::move(values));
    return Status::Ok();
  }
};

class DatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = stdfs::temp_directory_path() / ("refinery-dataset-" + std::to_string(::getpid()) + "-" +
                                           ::testing::UnitTest::GetInstance()->current_test_info()->name());
    stdfs::remove_all(dir_);
    stdfs::create_directories(dir_);
  }
  void TearDown() override { stdfs::remove_all(dir_); }

  void WriteFile(const stdfs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
  }

  // A dataset directory of `rows` written by DelimitedWriter in `format`.
  std::string WriteDataset(const DelimitedFormat& format, const std::vector<Column>& columns,
                           const std::vector<std::vector<Field>>& rows) {
    const stdfs::path dataset = dir_ / "dataset";
    stdfs::create_directories(dataset);
    DelimitedWriter writer(format, columns);
    EXPECT_TRUE(writer.Open((dataset / "part-m-00000").string()).ok());
    for (size_t i = 0; i < rows.size(); ++i) EXPECT_TRUE(writer.Write(rows[i], static_cast<int64_t>(i + 1)).ok());
    EXPECT_TRUE(writer.Close().ok());
    DatasetSchema schema;
    schema.columns = columns;
    schema.format = format;
    schema.rows = static_cast<int64_t>(rows.size());
    WriteFile(dataset / "_schema.properties", FormatDatasetSchema(schema, "sqlite", "t", "", 1));
    WriteFile(dataset / "_SUCCESS", "");
    return dataset.string();
  }

  Collected ReadAll(const std::string& path) {
    Collected collected;
    auto reader = DatasetReader::Open(path);
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) return collected;
    const Status status = reader->ReadAll(&collected);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return collected;
  }

  Status ReadError(const std::string& path) {
    auto reader = DatasetReader::Open(path);
    if (!reader.ok()) return reader.status();
    Collected collected;
    return reader->ReadAll(&collected);
  }

  stdfs::path dir_;
};

const std::vector<Column> kColumns = {{"id", "int4", ValueType::kInteger}, {"name", "varchar", ValueType::kText}};

TEST_F(DatasetTest, WriterOutputReadsBackInEverySqoopFormat) {
  const std::vector<std::vector<Field>> rows = {
      {{"1", false}, {"plain", false}},
      {{"2", false}, {"with,comma", false}},
      {{"3", false}, {"with \"quote\"", false}},
      {{"4", false}, {"line\nbreak", false}},
      {{"", true}, {"", true}},
      {{"6", false}, {"back\\slash", false}},
      {{"7", false}, {"", false}},
  };
  DelimitedFormat mysql;  // --mysql-delimiters
  mysql.enclosed_by = '\'';
  mysql.escaped_by = '\\';
  DelimitedFormat enclosed;
  enclosed.enclosed_by = '"';
  enclosed.enclose_required = true;
  enclosed.escaped_by = '\\';
  DelimitedFormat escaped_only;
  escaped_only.escaped_by = '\\';
  escaped_only.null_string = "\\N";
  escaped_only.null_non_string = "\\N";
  for (const DelimitedFormat& format : {mysql, enclosed, escaped_only}) {
    stdfs::remove_all(dir_ / "dataset");
    const Collected got = ReadAll(WriteDataset(format, kColumns, rows));
    ASSERT_EQ(got.rows.size(), rows.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      for (size_t c = 0; c < 2; ++c) {
        const std::string expected = rows[i][c].is_null ? "<null>" : std::string(rows[i][c].text);
        EXPECT_EQ(got.rows[i][c], expected) << "row " << i << " column " << c << " enclosed_by=" << format.enclosed_by;
      }
    }
    EXPECT_EQ(got.columns.size(), 2u);
    EXPECT_EQ(got.columns[0].type, ValueType::kInteger);
  }
}

TEST_F(DatasetTest, CsvFileFollowsRfc4180AndInfersTypes) {
  WriteFile(dir_ / "leads.csv",
            "id,score,day,active,note\r\n"
            "1,0.5,2026-01-02,true,\"said \"\"hi\"\", then left\"\r\n"
            "2,,2026-01-03,false,\r\n"
            "\r\n"
            "3,7,2026-01-04,true,\"two\nlines\"\r\n");
  const Collected got = ReadAll((dir_ / "leads.csv").string());
  ASSERT_EQ(got.columns.size(), 5u);
  EXPECT_EQ(got.columns[0].type, ValueType::kInteger);
  EXPECT_EQ(got.columns[1].type, ValueType::kFloat);
  EXPECT_EQ(got.columns[2].type, ValueType::kDate);
  EXPECT_EQ(got.columns[3].type, ValueType::kBoolean);
  EXPECT_EQ(got.columns[4].type, ValueType::kText);
  ASSERT_EQ(got.rows.size(), 3u);
  EXPECT_EQ(got.rows[0][4], "said \"hi\", then left");
  EXPECT_EQ(got.rows[1][1], "<null>");
  EXPECT_EQ(got.rows[1][4], "<null>");
  EXPECT_EQ(got.rows[2][4], "two\nlines");
}

TEST_F(DatasetTest, RaggedRowIsNamedByFileAndLine) {
  WriteFile(dir_ / "bad.csv", "a,b\n1,2\n3\n4,5\n");
  const Status status = ReadError((dir_ / "bad.csv").string());
  EXPECT_EQ(status.error_code(), kBadRowCode);
  EXPECT_NE(status.message().find("bad.csv:3"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("1 fields where the schema has 2"), std::string::npos) << status.ToString();
}

TEST_F(DatasetTest, TooManyFieldsNamesTheColumnAndTheDelimiter) {
  WriteFile(dir_ / "bad.csv", "a,b\n1,2,3\n");
  const Status status = ReadError((dir_ / "bad.csv").string());
  EXPECT_EQ(status.error_code(), kBadRowCode);
  EXPECT_NE(status.message().find("bad.csv:2, column 3"), std::string::npos) << status.ToString();
}

TEST_F(DatasetTest, UndecodableBytesAreNamedByColumn) {
  WriteFile(dir_ / "bad.csv", "a,b\n1,caf\xe9\n");
  const Status status = ReadError((dir_ / "bad.csv").string());
  EXPECT_EQ(status.error_code(), kBadRowCode);
  EXPECT_NE(status.message().find("bad.csv:2, column 2 (\"b\")"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("UTF-8"), std::string::npos);
}

TEST_F(DatasetTest, UnclosedQuoteIsAnError) {
  WriteFile(dir_ / "bad.csv", "a,b\n1,\"open\n");
  const Status status = ReadError((dir_ / "bad.csv").string());
  EXPECT_EQ(status.error_code(), kBadRowCode);
  EXPECT_NE(status.message().find("never closed"), std::string::npos) << status.ToString();
}

TEST_F(DatasetTest, DirectoryWithoutSuccessMarkerIsRefused) {
  const std::string dataset = WriteDataset(DelimitedFormat(), kColumns, {{{"1", false}, {"x", false}}});
  stdfs::remove(stdfs::path(dataset) / "_SUCCESS");
  const Status status = ReadError(dataset);
  EXPECT_EQ(status.error_code(), kNotADatasetCode);
  EXPECT_NE(status.message().find("_SUCCESS"), std::string::npos);
}

TEST_F(DatasetTest, SidecarWithBadTypeNamesTheKey) {
  const std::string dataset = WriteDataset(DelimitedFormat(), kColumns, {{{"1", false}, {"x", false}}});
  WriteFile(stdfs::path(dataset) / "_schema.properties", "columns=1\ncolumn.1.name=a\ncolumn.1.type=money\n");
  const Status status = ReadError(dataset);
  EXPECT_EQ(status.error_code(), kBadSidecarCode);
  EXPECT_NE(status.message().find("column.1.type"), std::string::npos) << status.ToString();
}

TEST_F(DatasetTest, PartFilesAreReadInOrderAndHiddenFilesIgnored) {
  const std::string dataset = WriteDataset(DelimitedFormat(), kColumns, {{{"1", false}, {"a", false}}});
  WriteFile(stdfs::path(dataset) / "part-m-00001", "2,b\n");
  WriteFile(stdfs::path(dataset) / ".part-m-00002.crc", "garbage");
  const Collected got = ReadAll(dataset);
  ASSERT_EQ(got.rows.size(), 2u);
  EXPECT_EQ(got.rows[1][1], "b");
}

// Records each row's position as "<file name>#<index>:<line>".
struct Positions : RowSink {
  std::vector<std::string> seen;
  Status OnColumns(const std::vector<Column>&) override { return Status::Ok(); }
  Status OnRow(const std::vector<Field>&) override { return Status::Internal("OnRowAt expected"); }
  Status OnRowAt(const std::vector<Field>&, const RowPosition& at) override {
    seen.push_back(stdfs::path(at.file).filename().string() + "#" + std::to_string(at.file_index) + ":" +
                   std::to_string(at.line));
    return Status::Ok();
  }
};

TEST_F(DatasetTest, RowsArriveWithTheirFileAndLine) {
  DelimitedFormat quoted;
  quoted.enclosed_by = '"';
  quoted.escaped_by = '\\';
  const std::string dataset = WriteDataset(quoted, kColumns, {{{"1", false}, {"a", false}}});
  // A value spanning two lines moves the next row's line on by two.
  WriteFile(stdfs::path(dataset) / "part-m-00001", "2,\"two\nlines\"\n3,c\n");
  auto reader = DatasetReader::Open(dataset);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Positions positions;
  ASSERT_TRUE(reader->ReadAll(&positions).ok());
  EXPECT_EQ(positions.seen, (std::vector<std::string>{"part-m-00000#0:1", "part-m-00001#1:1", "part-m-00001#1:3"}));
  Positions second;
  ASSERT_TRUE(reader->ReadFile(1, &second).ok());
  EXPECT_EQ(second.seen, (std::vector<std::string>{"part-m-00001#1:1", "part-m-00001#1:3"}));
}

TEST_F(DatasetTest, CsvRowLinesCountTheHeaderAndBlankLines) {
  WriteFile(dir_ / "input.csv", "id,name\n1,a\n\n2,b\n");
  auto reader = DatasetReader::Open((dir_ / "input.csv").string());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Positions positions;
  ASSERT_TRUE(reader->ReadAll(&positions).ok());
  EXPECT_EQ(positions.seen, (std::vector<std::string>{"input.csv#0:2", "input.csv#0:4"}));
}

TEST_F(DatasetTest, SchemaRoundTripsThroughTheSidecar) {
  DatasetSchema schema;
  schema.columns = kColumns;
  schema.format.field_delimiter = '\x01';
  schema.format.null_string = "\\N";
  schema.header_lines = 1;
  schema.rows = 42;
  WriteFile(dir_ / "_schema.properties", FormatDatasetSchema(schema, "sqlite", "t", "", 1));
  auto read = ReadDatasetSchema(dir_.string());
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->format.field_delimiter, '\x01');
  EXPECT_EQ(read->format.null_string, "\\N");
  EXPECT_EQ(read->header_lines, 1);
  EXPECT_EQ(read->rows, 42);
  EXPECT_EQ(read->columns[1].name, "name");
}

}  // namespace
}  // namespace refinery::data
