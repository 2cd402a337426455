// The <sqoop> action end to end against SQLite: types, NULL versus empty,
// unicode, delimiters in values, splits of every column kind, incremental
// imports, atomic publish on failure, errors that name what exists.
#include <sqlite3.h>

#include "import_test_util.h"

namespace refinery::actions::testing {
namespace {

class SqliteImportTest : public ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    db_path_ = (root_ / "db" / "shop.db").string();
    stdfs::create_directories(root_ / "db");
    Exec("CREATE TABLE items (id INTEGER PRIMARY KEY, small SMALLINT, big BIGINT, price DECIMAL(10,2), "
         "ratio DOUBLE, flag BOOLEAN, day DATE, at TIMESTAMP, name TEXT, raw BLOB)");
    Exec("INSERT INTO items VALUES (1, -32768, 9223372036854775807, '12.50', 0.1, 1, '2024-01-31', "
         "'2024-01-31 23:59:59.123', 'plain', x'00ff')");
    Exec("INSERT INTO items VALUES (2, 32767, -9223372036854775808, '-0.01', 1e300, 0, '1999-12-31', "
         "'2000-01-01 00:00:00', '', x'')");
    Exec("INSERT INTO items VALUES (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    Exec("INSERT INTO items VALUES (4, 0, 0, '0', -2.5e-7, 1, '2024-02-29', '2024-02-29 12:00:00', "
         "'Grüße 日本 ✓', x'41')");
    Exec("CREATE TABLE nokey (a INTEGER, b TEXT)");
    Exec("INSERT INTO nokey VALUES (1, 'x'), (2, 'y')");
    context_ = Context("");
    context_.state = &state_;
  }

  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_path_.c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error == nullptr ? "" : error;
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  ActionResult Import(std::vector<std::string> extra) {
    std::vector<std::string> args = {"import", "--connect", "jdbc:sqlite:/db/shop.db"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunArgs(args);
  }

  ActionResult RunArgs(const std::vector<std::string>& args) {
    ActionRegistry registry;
    RegisterBuiltinActions(&registry);
    context_.action_xml = SqoopArgsXml(args);
    return registry.Find("sqoop")->Run(context_);
  }

  Properties Data(const ActionResult& result) {
    auto parsed = ParseJavaProperties(result.data, "data");
    EXPECT_TRUE(parsed.ok());
    return parsed.ok() ? *parsed : Properties();
  }

  std::string db_path_;
  MemoryState state_;
  ActionContext context_;
};

// SQLite's NUMERIC affinity stores '12.50' as the REAL 12.5: DECIMAL text is
// exact only in servers with a decimal type (see the server tests).
TEST_F(SqliteImportTest, ImportsEveryTypeWithSqoopDefaults) {
  const ActionResult result = Import({"--table", "items", "--target-dir", "/raw/items", "-m", "1"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/items"),
            "1,-32768,9223372036854775807,12.5,0.1,true,2024-01-31,2024-01-31 23:59:59.123,plain,00ff\n"
            "2,32767,-9223372036854775808,-0.01,1e+300,false,1999-12-31,2000-01-01 00:00:00,,\n"
            "3,null,null,null,null,null,null,null,null,null\n"
            "4,0,0,0,-2.5e-07,true,2024-02-29,2024-02-29 12:00:00,Grüße 日本 ✓,41\n");
  EXPECT_TRUE(stdfs::exists(root_ / "raw/items/_SUCCESS"));
  EXPECT_EQ(CountParts(root_ / "raw/items"), 1);
  const Properties data = Data(result);
  EXPECT_EQ(data.GetOr("rows", ""), "4");
  EXPECT_EQ(data.GetOr("splits", ""), "1");
  EXPECT_EQ(data.GetOr("target_dir", ""), "/raw/items");
  EXPECT_NE(data.GetOr("bytes", "0"), "0");
  EXPECT_TRUE(data.Contains("seconds"));
}

TEST_F(SqliteImportTest, WritesASchemaSidecar) {
  ASSERT_EQ(Import({"--table", "items", "--target-dir", "/raw/items", "-m", "1"}).outcome, Outcome::kOk);
  auto schema = ParseJavaProperties(ReadLocal(root_ / "raw/items/_schema.properties"), "schema");
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ(schema->GetOr("format", ""), "refinery-raw-zone-1");
  EXPECT_EQ(schema->GetOr("columns", ""), "10");
  EXPECT_EQ(schema->GetOr("column.1.name", ""), "id");
  EXPECT_EQ(schema->GetOr("column.1.type", ""), "integer");
  EXPECT_EQ(schema->GetOr("column.4.source_type", ""), "decimal(10,2)");
  EXPECT_EQ(schema->GetOr("column.4.type", ""), "decimal");
  EXPECT_EQ(schema->GetOr("column.9.type", ""), "text");
  EXPECT_EQ(schema->GetOr("column.10.type", ""), "binary");
  EXPECT_EQ(schema->GetOr("fields_terminated_by", ""), ",");
  EXPECT_EQ(schema->GetOr("lines_terminated_by", ""), "\n");
  EXPECT_EQ(schema->GetOr("null_string", ""), "null");
  EXPECT_EQ(schema->GetOr("rows", ""), "4");
}

TEST_F(SqliteImportTest, NullTokensApplyByColumnKind) {
  const ActionResult result = Import({"--table", "items", "--columns", "id,small,name", "--where", "id >= 2",
                                      "--target-dir", "/raw/n", "-m", "1", "--null-string", "\\N",
                                      "--null-non-string", "NA"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/n"), "2,32767,\n3,NA,\\N\n4,0,Grüße 日本 ✓\n");
}

TEST_F(SqliteImportTest, RefusesADelimiterInAValueWithoutEscaping) {
  Exec("INSERT INTO items (id, name) VALUES (5, 'a,b')");
  const ActionResult result = Import({"--table", "items", "--target-dir", "/raw/items", "-m", "1"});
  ASSERT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "SQOOP006");
  EXPECT_NE(result.error_message.find("column \"name\", row 5"), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("--escaped-by"), std::string::npos);
  EXPECT_FALSE(stdfs::exists(root_ / "raw/items"));
  EXPECT_TRUE(HiddenEntries(root_ / "raw").empty());
}

TEST_F(SqliteImportTest, EscapesAndEnclosesLikeSqoop) {
  Exec("INSERT INTO items (id, name) VALUES (5, 'a,b'), (6, 'say \"hi\"'), (7, 'line1\nline2'), (8, 'back\\slash')");
  const ActionResult result = Import({"--table", "items", "--columns", "id,name", "--where", "id >= 5",
                                      "--target-dir", "/raw/e", "-m", "1", "--optionally-enclosed-by", "\\\"",
                                      "--escaped-by", "\\\\"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/e"),
            "5,\"a,b\"\n6,say \\\"hi\\\"\n7,\"line1\nline2\"\n8,back\\\\slash\n");
}

TEST_F(SqliteImportTest, MysqlDelimitersEncloseWithSingleQuotes) {
  Exec("INSERT INTO items (id, name) VALUES (5, 'a,b')");
  const ActionResult result = Import({"--table", "items", "--columns", "id,name", "--where", "id = 5",
                                      "--target-dir", "/raw/m", "-m", "1", "--mysql-delimiters"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/m"), "5,'a,b'\n");
}

TEST_F(SqliteImportTest, TabDelimitersAllowCommasInValues) {
  Exec("INSERT INTO items (id, name) VALUES (5, 'a,b')");
  const ActionResult result = Import({"--table", "items", "--columns", "id,name", "--where", "id = 5",
                                      "--target-dir", "/raw/t", "-m", "1", "--fields-terminated-by", "\\t"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/t"), "5\ta,b\n");
}

class SqliteSplitTest : public SqliteImportTest {
 protected:
  void SetUp() override {
    SqliteImportTest::SetUp();
    Exec("CREATE TABLE big (id INTEGER PRIMARY KEY, amount DECIMAL(12,3), day DATE, label TEXT)");
    std::string sql = "INSERT INTO big VALUES ";
    for (int i = 1; i <= 1000; ++i) {
      char row[128];
      std::snprintf(row, sizeof(row), "%s(%d, %d.%03d, '2024-%02d-%02d', 'label-%04d')", i > 1 ? "," : "", i * 7,
                    i % 97, i % 1000, 1 + i % 12, 1 + i % 28, (i * 7919) % 10007);
      sql += row;
    }
    Exec(sql);
    Exec("INSERT INTO big VALUES (5000, NULL, NULL, NULL)");
  }

  std::vector<std::string> Expected() {
    const ActionResult result = Import({"--table", "big", "--target-dir", "/raw/one", "-m", "1"});
    EXPECT_EQ(result.outcome, Outcome::kOk) << result.error_message;
    return SortedLines(ReadParts(root_ / "raw/one"));
  }
};

TEST_F(SqliteSplitTest, IntegerKeySplitsPartitionTheRows) {
  const auto expected = Expected();
  ASSERT_EQ(expected.size(), 1001u);
  const ActionResult result = Import({"--table", "big", "--target-dir", "/raw/many", "-m", "4"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(CountParts(root_ / "raw/many"), 4);
  EXPECT_EQ(SortedLines(ReadParts(root_ / "raw/many")), expected);
  EXPECT_EQ(Data(result).GetOr("splits", ""), "4");
}

TEST_F(SqliteSplitTest, EveryColumnKindSplitsWithoutLosingOrRepeatingRows) {
  const auto expected = Expected();
  for (const std::string column : {"amount", "day", "label"}) {
    const std::string target = "/raw/by-" + column;
    const ActionResult result = Import({"--table", "big", "--target-dir", target, "-m", "3", "--split-by", column});
    ASSERT_EQ(result.outcome, Outcome::kOk) << column << ": " << result.error_message;
    EXPECT_EQ(CountParts(root_ / target.substr(1)), 3) << column;
    EXPECT_EQ(SortedLines(ReadParts(root_ / target.substr(1))), expected) << column;
  }
}

TEST_F(SqliteSplitTest, BoundaryQueryAndFreeFormQuery) {
  const ActionResult result =
      Import({"--query", "SELECT id, label FROM big WHERE id < 100 AND $CONDITIONS", "--split-by", "id",
              "--boundary-query", "SELECT 1, 100", "--target-dir", "/raw/q", "-m", "2"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(CountParts(root_ / "raw/q"), 2);
  EXPECT_EQ(SortedLines(ReadParts(root_ / "raw/q")).size(), 14u);  // 7, 14, ..., 98
}

TEST_F(SqliteImportTest, ManyMappersWithoutAKeyIsSqoopsError) {
  const ActionResult result = Import({"--table", "nokey", "--target-dir", "/raw/k", "-m", "2"});
  EXPECT_EQ(result.error_code, "SQOOP012");
  EXPECT_NE(result.error_message.find("No primary key could be found for table nokey"), std::string::npos);
  const ActionResult reset =
      Import({"--table", "nokey", "--target-dir", "/raw/k", "-m", "2", "--autoreset-to-one-mapper"});
  ASSERT_EQ(reset.outcome, Outcome::kOk) << reset.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/k"), "1,x\n2,y\n");
}

TEST_F(SqliteImportTest, IncrementalAppendContinuesFromTheStoredMark) {
  const std::vector<std::string> args = {"--table", "items", "--columns", "id,name", "--target-dir", "/raw/inc",
                                         "-m", "1", "--incremental", "append", "--check-column", "id",
                                         "--last-value", "1"};
  ActionResult first = Import(args);
  ASSERT_EQ(first.outcome, Outcome::kOk) << first.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/inc"), "2,\n3,null\n4,Grüße 日本 ✓\n");
  EXPECT_EQ(Data(first).GetOr("last_value", ""), "4");
  ASSERT_EQ(state_.values_.size(), 1u);
  EXPECT_NE(state_.values_.begin()->first.find("items"), std::string::npos);

  Exec("INSERT INTO items (id, name) VALUES (9, 'nine'), (10, 'ten')");
  ActionResult second = Import(args);  // --last-value 1 is overridden by the stored 4
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.error_message;
  EXPECT_EQ(Data(second).GetOr("rows", ""), "2");
  EXPECT_EQ(Data(second).GetOr("last_value", ""), "10");
  EXPECT_EQ(CountParts(root_ / "raw/inc"), 2);
  EXPECT_EQ(ReadParts(root_ / "raw/inc"), "2,\n3,null\n4,Grüße 日本 ✓\n9,nine\n10,ten\n");

  ActionResult third = Import(args);
  ASSERT_EQ(third.outcome, Outcome::kOk) << third.error_message;
  EXPECT_EQ(Data(third).GetOr("rows", ""), "0");
  EXPECT_TRUE(reporter_.Contains("No new rows detected since last import."));
  auto schema = ParseJavaProperties(ReadLocal(root_ / "raw/inc/_schema.properties"), "schema");
  EXPECT_EQ(schema->GetOr("rows", ""), "5");
}

TEST_F(SqliteImportTest, IncrementalLastModifiedUsesTheDatabaseClock) {
  const ActionResult result = Import({"--table", "items", "--columns", "id", "--target-dir", "/raw/lm", "-m", "1",
                                      "--incremental", "lastmodified", "--check-column", "at", "--last-value",
                                      "2024-01-01 00:00:00"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/lm"), "1\n4\n");
  EXPECT_GE(Data(result).GetOr("last_value", ""), "2025");
}

TEST_F(SqliteImportTest, AFailedImportLeavesThePreviousSnapshot) {
  ASSERT_EQ(Import({"--table", "items", "--target-dir", "/raw/items", "-m", "1"}).outcome, Outcome::kOk);
  const std::string before = ReadParts(root_ / "raw/items");
  Exec("INSERT INTO items (id, name) VALUES (50, 'x,y')");
  const ActionResult failed = Import({"--table", "items", "--target-dir", "/raw/items", "-m", "3",
                                      "--delete-target-dir"});
  ASSERT_EQ(failed.outcome, Outcome::kError);
  EXPECT_EQ(failed.error_code, "SQOOP006");
  EXPECT_EQ(ReadParts(root_ / "raw/items"), before);
  EXPECT_TRUE(stdfs::exists(root_ / "raw/items/_SUCCESS"));
  EXPECT_TRUE(HiddenEntries(root_ / "raw").empty());
}

TEST_F(SqliteImportTest, ReplacesTheTargetOnlyWhenAskedTo) {
  ASSERT_EQ(Import({"--table", "nokey", "--target-dir", "/raw/x", "-m", "1"}).outcome, Outcome::kOk);
  const ActionResult again = Import({"--table", "nokey", "--target-dir", "/raw/x", "-m", "1"});
  EXPECT_EQ(again.error_code, "SQOOP007");
  EXPECT_NE(again.error_message.find("already exists"), std::string::npos);
  Exec("INSERT INTO nokey VALUES (3, 'z')");
  const ActionResult replaced = Import({"--table", "nokey", "--target-dir", "/raw/x", "-m", "1", "--delete-target-dir"});
  ASSERT_EQ(replaced.outcome, Outcome::kOk) << replaced.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/x"), "1,x\n2,y\n3,z\n");
  const ActionResult appended = Import({"--table", "nokey", "--target-dir", "/raw/x", "-m", "1", "--append"});
  ASSERT_EQ(appended.outcome, Outcome::kOk) << appended.error_message;
  EXPECT_EQ(CountParts(root_ / "raw/x"), 2);
}

TEST_F(SqliteImportTest, WarehouseDirAndPrepareLikeOozie) {
  files_->MakeDirectories("/wh/nokey");
  context_.action_xml =
      "<sqoop xmlns=\"uri:oozie:sqoop-action:1.0\"><prepare><delete path=\"/wh/nokey\"/><mkdir path=\"/wh\"/>"
      "</prepare><command>sqoop import --connect jdbc:sqlite:/db/shop.db --table nokey --warehouse-dir /wh -m 1"
      "</command></sqoop>";
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  const ActionResult result = registry.Find("sqoop")->Run(context_);
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "wh/nokey"), "1,x\n2,y\n");
}

TEST_F(SqliteImportTest, UnknownTableAndColumnListWhatExists) {
  const ActionResult table = Import({"--table", "itemz", "--target-dir", "/raw/u", "-m", "1"});
  EXPECT_EQ(table.error_code, "SQOOP005");
  EXPECT_NE(table.error_message.find("Unknown table \"itemz\"; tables in the database: items, nokey"),
            std::string::npos)
      << table.error_message;
  const ActionResult column = Import({"--table", "items", "--columns", "id,nme", "--target-dir", "/raw/u", "-m", "1"});
  EXPECT_EQ(column.error_code, "SQOOP005");
  EXPECT_NE(column.error_message.find("Unknown column \"nme\" (--columns); columns: id, small"), std::string::npos)
      << column.error_message;
  const ActionResult database =
      RunArgs({"import", "--connect", "jdbc:sqlite:/db/none.db", "--table", "t", "--target-dir", "/raw/u", "-m", "1"});
  EXPECT_EQ(database.error_code, "SQOOP005");
  EXPECT_FALSE(stdfs::exists(root_ / "raw/u"));
}

TEST_F(SqliteImportTest, PasswordsNeverReachLogsDataOrErrors) {
  WriteLocal(root_ / "user/joe/pw", "file-secret");
  const ActionResult result =
      Import({"--table", "itemz", "--password", "cmd-secret", "--target-dir", "/raw/p", "-m", "1"});
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_message.find("cmd-secret"), std::string::npos);
  for (const std::string& line : reporter_.lines()) EXPECT_EQ(line.find("cmd-secret"), std::string::npos) << line;
  EXPECT_TRUE(reporter_.Contains("Setting your password on the command-line is insecure"));
  const ActionResult ok = Import({"--table", "nokey", "--password-file", "pw", "--target-dir", "/raw/p", "-m", "1"});
  ASSERT_EQ(ok.outcome, Outcome::kOk) << ok.error_message;
  EXPECT_EQ(ok.data.find("secret"), std::string::npos);
  const ActionResult missing = Import({"--table", "nokey", "--password-file", "/nope", "--target-dir", "/raw/q"});
  EXPECT_EQ(missing.error_code, "SQOOP011");
}

TEST_F(SqliteImportTest, IgnoredOptionsAreListedInTheLog) {
  const ActionResult result = Import({"-D", "mapreduce.job.queuename=default", "--table", "nokey", "--direct",
                                      "--driver", "org.sqlite.JDBC", "--target-dir", "/raw/i", "-m", "1"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_TRUE(reporter_.Contains("Accepted but ignored (no effect without Hadoop): -D mapreduce.job.queuename=default, "
                                 "--direct, --driver org.sqlite.JDBC"));
}

TEST_F(SqliteImportTest, CommandSplittingFollowsTheShellSplitterSetting) {
  context_.action_conf.Set("oozie.action.sqoop.shellsplitter", "true");
  context_.action_xml = SqoopCommandXml(
      "import --connect jdbc:sqlite:/db/shop.db --query 'SELECT a, b FROM nokey WHERE $CONDITIONS' --target-dir /raw/s "
      "-m 1");
  ActionRegistry registry;
  RegisterBuiltinActions(&registry);
  ActionResult result = registry.Find("sqoop")->Run(context_);
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/s"), "1,x\n2,y\n");
  context_.action_xml = SqoopCommandXml("import --query 'SELECT");
  result = registry.Find("sqoop")->Run(context_);
  EXPECT_EQ(result.error_code, "SQOOP002");
}

TEST_F(SqliteImportTest, AKilledJobStopsTheImportAndPublishesNothing) {
  cancel_.Cancel();
  const ActionResult result = Import({"--table", "items", "--target-dir", "/raw/killed", "-m", "2"});
  EXPECT_EQ(result.outcome, Outcome::kKilled);
  EXPECT_FALSE(stdfs::exists(root_ / "raw/killed"));
  EXPECT_TRUE(HiddenEntries(root_ / "raw").empty());
}

TEST_F(SqliteImportTest, EvalListTablesAndListDatabases) {
  ActionResult result = RunArgs({"list-tables", "--connect", "jdbc:sqlite:/db/shop.db"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Data(result).GetOr("tables", ""), "items,nokey");
  result = RunArgs({"list-databases", "--connect", "jdbc:sqlite:/db/shop.db"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Data(result).GetOr("databases", ""), "main");
  result = RunArgs({"eval", "--connect", "jdbc:sqlite:/db/shop.db", "--query", "SELECT a, b FROM nokey"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_TRUE(reporter_.Contains("| 2 | y |"));
  result = RunArgs({"eval", "--connect", "jdbc:sqlite:/db/shop.db", "-e", "DELETE FROM nokey WHERE a = 1"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Data(result).GetOr("rows", ""), "1");
}

TEST_F(SqliteImportTest, ExportRoundTripsAndReplacesNothingOnFailure) {
  ActionResult result = Import({"--table", "items", "--target-dir", "/raw/items", "-m", "1"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  Exec("CREATE TABLE copy (id INTEGER PRIMARY KEY, small SMALLINT, big BIGINT, price DECIMAL(10,2), "
       "ratio DOUBLE, flag BOOLEAN, day DATE, at TIMESTAMP, name TEXT, raw BLOB)");
  result = RunArgs({"export", "--connect", "jdbc:sqlite:/db/shop.db", "--table", "copy", "--export-dir", "/raw/items"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(Data(result).GetOr("rows", ""), "4");
  result = Import({"--table", "copy", "--target-dir", "/raw/copy", "-m", "1"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/copy"), ReadParts(root_ / "raw/items"));

  // Exporting again collides on the primary key at row 1: nothing is added.
  result = RunArgs({"export", "--connect", "jdbc:sqlite:/db/shop.db", "--table", "copy", "--export-dir", "/raw/items"});
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_NE(result.error_message.find("Row 1 of the export directory"), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("UNIQUE"), std::string::npos) << result.error_message;
  result = RunArgs({"eval", "--connect", "jdbc:sqlite:/db/shop.db", "--query", "SELECT COUNT(*) FROM copy"});
  EXPECT_TRUE(reporter_.Contains("| 4 |"));
}

TEST_F(SqliteImportTest, ExportUpdatesByKeyAndThroughAStagingTable) {
  Exec("CREATE TABLE scores (id INTEGER PRIMARY KEY, score INTEGER)");
  Exec("INSERT INTO scores VALUES (1, 10), (2, 20)");
  Exec("CREATE TABLE scores_stage (id INTEGER, score INTEGER)");
  WriteLocal(root_ / "out/part-m-00000", "2,25\n3,30\n");
  const std::vector<std::string> base = {"export", "--connect", "jdbc:sqlite:/db/shop.db", "--export-dir", "/out"};
  auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return RunArgs(args);
  };
  ActionResult result = run({"--table", "scores", "--update-key", "id"});  // updateonly: row 3 is ignored
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  result = RunArgs({"eval", "--connect", "jdbc:sqlite:/db/shop.db", "--query",
                    "SELECT group_concat(id || ':' || score, ' ') FROM (SELECT * FROM scores ORDER BY id)"});
  EXPECT_TRUE(reporter_.Contains("| 1:10 2:25 |"));
  result = run({"--table", "scores", "--update-key", "id", "--update-mode", "allowinsert"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  result = RunArgs({"eval", "--connect", "jdbc:sqlite:/db/shop.db", "--query",
                    "SELECT group_concat(id || ':' || score, ' ') FROM (SELECT * FROM scores ORDER BY id)"});
  EXPECT_TRUE(reporter_.Contains("| 1:10 2:25 3:30 |"));

  Exec("DELETE FROM scores WHERE id > 1");
  Exec("INSERT INTO scores_stage VALUES (9, 9)");
  result = run({"--table", "scores", "--staging-table", "scores_stage"});
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_NE(result.error_message.find("--clear-staging-table"), std::string::npos) << result.error_message;
  result = run({"--table", "scores", "--staging-table", "scores_stage", "--clear-staging-table"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  result = RunArgs({"eval", "--connect", "jdbc:sqlite:/db/shop.db", "--query",
                    "SELECT (SELECT group_concat(id, ' ') FROM scores) || '/' || (SELECT COUNT(*) FROM scores_stage)"});
  EXPECT_TRUE(reporter_.Contains("| 1 2 3/0 |"));
}

TEST_F(SqliteImportTest, ExportErrorsNameTheColumnsAndTables) {
  WriteLocal(root_ / "out/part-m-00000", "1,x,extra\n");
  ActionResult result = RunArgs({"export", "--connect", "jdbc:sqlite:/db/shop.db", "--table", "nokey", "--export-dir",
                                 "/out"});
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_NE(result.error_message.find("part-m-00000:1, column 3"), std::string::npos) << result.error_message;
  result = RunArgs({"export", "--connect", "jdbc:sqlite:/db/shop.db", "--table", "missing", "--export-dir", "/out"});
  EXPECT_EQ(result.error_code, "SQOOP005");
  EXPECT_NE(result.error_message.find("nokey"), std::string::npos) << result.error_message;
  result = RunArgs({"export", "--connect", "jdbc:sqlite:/db/shop.db", "--table", "nokey", "--columns", "a,zz",
                    "--export-dir", "/out"});
  EXPECT_EQ(result.error_code, "SQOOP005");
  EXPECT_NE(result.error_message.find("its columns are: a, b"), std::string::npos) << result.error_message;
}

TEST_F(SqliteImportTest, UnknownToolsAndOptionsNameTheSupportedOnes) {
  ActionResult result = RunArgs({"codegen", "--connect", "jdbc:sqlite:/db/shop.db"});
  EXPECT_EQ(result.error_code, "SQOOP001");
  EXPECT_NE(result.error_message.find("import, export, eval, list-tables, list-databases"), std::string::npos);
  result = Import({"--table", "items", "--frobnicate"});
  EXPECT_EQ(result.error_code, "SQOOP001");
  EXPECT_NE(result.error_message.find("--split-by"), std::string::npos);
  result = RunArgs({"import", "--connect", "jdbc:oracle:thin:@h:1521:x", "--table", "t", "-m", "1"});
  EXPECT_EQ(result.error_code, "SQOOP003");
  EXPECT_NE(result.error_message.find("jdbc:postgresql://"), std::string::npos);
}

}  // namespace
}  // namespace refinery::actions::testing
