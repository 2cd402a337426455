// Shared by the sql tests: a temporary file-system root, raw-zone
// directories built with the data module's writer, and a row collector.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../actions/action_test_util.h"
#include "data/dataset.h"
#include "data/delimited_writer.h"
#include "sql/sql.h"

namespace refinery::sql::testing {

namespace stdfs = std::filesystem;
using actions::testing::ReadLocal;
using actions::testing::WriteLocal;

// Rows as "a|b|NULL" lines.
class Rows : public data::RowSink {
 public:
  Status OnColumns(const std::vector<data::Column>& columns) override {
    columns_ = columns;
    return Status::Ok();
  }
  Status OnRow(const std::vector<data::Field>& row) override {
    std::string line;
    for (size_t k = 0; k < row.size(); ++k) {
      line += (k == 0 ? "" : "|") + (row[k].is_null ? std::string("NULL") : std::string(row[k].text));
    }
    lines_.push_back(line);
    return Status::Ok();
  }
  std::vector<data::Column> columns_;
  std::vector<std::string> lines_;
};

// Writes a raw-zone snapshot (part file, sidecar, _SUCCESS) as an import would.
inline void WriteRawZone(const stdfs::path& dir, const std::vector<data::Column>& columns,
                         const std::vector<std::vector<std::string>>& rows, const data::DelimitedFormat& format = {}) {
  stdfs::remove_all(dir);
  stdfs::create_directories(dir);
  data::DelimitedWriter writer(format, columns);
  ASSERT_TRUE(writer.Open((dir / "part-m-00000").string()).ok());
  int64_t n = 0;
  for (const auto& row : rows) {
    std::vector<data::Field> fields;
    for (size_t k = 0; k < row.size(); ++k) {
      const bool is_null = row[k] == "<null>";
      fields.push_back({is_null ? std::string_view() : std::string_view(row[k]), is_null});
    }
    ASSERT_TRUE(writer.Write(fields, ++n).ok());
  }
  ASSERT_TRUE(writer.Close().ok());
  data::DatasetSchema schema;
  schema.columns = columns;
  schema.format = format;
  schema.rows = n;
  WriteLocal(dir / "_schema.properties", data::FormatDatasetSchema(schema, "sqlite", "t", "", 1));
  WriteLocal(dir / "_SUCCESS", "");
}

class SqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/refinery-sql-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    root_ = pattern;
    files_ = std::make_unique<fs::FileSystem>(root_);
  }
  void TearDown() override {
    std::error_code ec;
    stdfs::remove_all(root_, ec);
  }

  std::unique_ptr<Session> Open() {
    SessionOptions options;
    options.files = files_.get();
    options.log = [this](const std::string& line) { log_.push_back(line); };
    auto session = Session::Open(std::move(options));
    EXPECT_TRUE(session.ok()) << session.status().ToString();
    return session.ok() ? std::move(session).value() : nullptr;
  }

  std::vector<std::string> Select(Session* session, const std::string& query) {
    Rows rows;
    const Status status = session->Query(query, &rows);
    EXPECT_TRUE(status.ok()) << status.ToString();
    return rows.lines_;
  }

  bool Logged(const std::string& text) const {
    for (const std::string& line : log_) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

  stdfs::path root_;
  std::unique_ptr<fs::FileSystem> files_;
  std::vector<std::string> log_;
};

}  // namespace refinery::sql::testing
