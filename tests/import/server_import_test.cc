// The <sqoop> action against real PostgreSQL and MariaDB servers started by
// the test (tests/import/test_servers.h): the bank-marketing data and a table
// of every type are imported and compared value by value; splits, incremental
// runs and the connection errors a user meets.
#include <fstream>
#include <memory>
#include <sstream>

#include "import_test_util.h"
#include "test_servers.h"

namespace refinery::actions::testing {
namespace {

using refinery::testing::MariaDbServer;
using refinery::testing::PostgresServer;
using refinery::testing::TestServer;

struct Servers {
  std::unique_ptr<TestServer> server;
  std::string start_error;
  bool started = false;
};

Servers& ServerFor(const std::string& kind) {
  static Servers postgres{std::make_unique<PostgresServer>(), "", false};
  static Servers mariadb{std::make_unique<MariaDbServer>(), "", false};
  Servers& servers = kind == "postgresql" ? postgres : mariadb;
  if (!servers.started && servers.server->Available()) {
    servers.started = true;
    servers.start_error = servers.server->Start();
  }
  return servers;
}

class StopServers : public ::testing::Environment {
 public:
  void TearDown() override {
    for (const char* kind : {"postgresql", "mariadb"}) {
      Servers& servers = ServerFor(kind);
      if (servers.server) servers.server->Stop();
    }
  }
};
const auto* const kStopServers = ::testing::AddGlobalTestEnvironment(new StopServers);

std::vector<std::vector<std::string>> ReadCsv(const std::string& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream stream(line);
    std::string field;
    while (std::getline(stream, field, ',')) fields.push_back(field);
    rows.push_back(fields);
  }
  return rows;
}

class ServerImportTest : public ActionTest, public ::testing::WithParamInterface<std::string> {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    Servers& servers = ServerFor(GetParam());
    if (!servers.server->Available()) {
      GTEST_SKIP() << GetParam() << " server binaries are not installed (scripts/install-deps.sh --test installs them)";
    }
    ASSERT_EQ(servers.start_error, "") << "could not start " << GetParam();
    server_ = servers.server.get();
    WriteLocal(root_ / "user/joe/db.password", server_->password());
    context_ = Context("");
    context_.state = &state_;
    spec_ = {server_->Url(), server_->user(), server_->password(), 5};
  }

  bool IsPostgres() const { return GetParam() == "postgresql"; }

  void Exec(const std::string& sql) {
    auto connection = data::Connect(spec_);
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    auto done = (*connection)->Execute(sql);
    ASSERT_TRUE(done.ok()) << done.status().ToString();
  }

  ActionResult Run(const std::vector<std::string>& args) {
    ActionRegistry registry;
    RegisterBuiltinActions(&registry);
    context_.action_xml = SqoopArgsXml(args);
    return registry.Find("sqoop")->Run(context_);
  }

  ActionResult Import(std::vector<std::string> extra) {
    std::vector<std::string> args = {"import", "--connect", server_->Url(), "--username", server_->user(),
                                     "--password-file", "db.password"};
    args.insert(args.end(), extra.begin(), extra.end());
    return Run(args);
  }

  // Loads the bank-marketing CSV into table `bank` (once per server).
  std::vector<std::vector<std::string>> LoadBank() {
    const auto rows = ReadCsv(std::string(REFINERY_SOURCE_DIR) + "/examples/data/bank_marketing.csv");
    Exec("DROP TABLE IF EXISTS bank");
    const std::vector<std::string>& header = rows[0];
    const std::vector<bool> numeric = {true, false, false, false, false, true, false, false, false,
                                       true, false, true, true,  true,  true, false, false};
    std::string ddl = "CREATE TABLE bank (id INTEGER PRIMARY KEY";
    for (size_t i = 0; i < header.size(); ++i) {
      ddl += ", " + std::string(IsPostgres() ? "\"" : "`") + header[i] + (IsPostgres() ? "\"" : "`") +
             (numeric[i] ? " INTEGER" : " VARCHAR(32)");
    }
    Exec(ddl + ")");
    for (size_t start = 1; start < rows.size(); start += 500) {
      std::string sql = "INSERT INTO bank VALUES ";
      for (size_t r = start; r < rows.size() && r < start + 500; ++r) {
        sql += (r == start ? "(" : ",(") + std::to_string(r);
        for (size_t i = 0; i < rows[r].size(); ++i) sql += numeric[i] ? "," + rows[r][i] : ",'" + rows[r][i] + "'";
        sql += ")";
      }
      Exec(sql);
    }
    return rows;
  }

  // Table `name` holding every type with its edge values, and NULLs.
  void CreateEverything(const std::string& name) {
    Exec("DROP TABLE IF EXISTS " + name);
    if (IsPostgres()) {
      Exec("CREATE TABLE " + name + " (id INTEGER PRIMARY KEY, s SMALLINT, b BIGINT, d NUMERIC(30,10), f DOUBLE PRECISION, "
           "r REAL, flag BOOLEAN, day DATE, t TIME, ts TIMESTAMP, txt TEXT, raw BYTEA)");
      Exec("INSERT INTO " + name + " VALUES "
           "(1, -32768, 9223372036854775807, 12345678901234567890.0123456789, 0.1, 0.1, true, '2024-02-29', '23:59:59', "
           "'2024-02-29 12:34:56.789012', 'Grüße, \"日本\"\ttab\nline\\back', '\\x00ff'),"
           "(2, 32767, -9223372036854775808, -0.0000000001, 1e300, -2.5e-7, false, '1970-01-01', '00:00:00', "
           "'1999-12-31 23:59:59', '', '\\x'),"
           "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    } else {
      Exec("CREATE TABLE " + name + " (id INTEGER PRIMARY KEY, s SMALLINT, b BIGINT, d DECIMAL(30,10), f DOUBLE, "
           "r FLOAT, flag BIT(1), day DATE, t TIME, ts DATETIME(6), txt TEXT, raw VARBINARY(16)) CHARACTER SET utf8mb4");
      Exec("INSERT INTO " + name + " VALUES "
           "(1, -32768, 9223372036854775807, 12345678901234567890.0123456789, 0.1, 0.1, b'1', '2024-02-29', '23:59:59', "
           "'2024-02-29 12:34:56.789012', 'Grüße, \"日本\"\ttab\nline\\\\back', x'00ff'),"
           "(2, 32767, -9223372036854775808, -0.0000000001, 1e300, -2.5e-7, b'0', '1970-01-01', '00:00:00', "
           "'1999-12-31 23:59:59', '', x''),"
           "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)");
    }
  }

  TestServer* server_ = nullptr;
  data::ConnectionSpec spec_;
  MemoryState state_;
  ActionContext context_;
};

TEST_P(ServerImportTest, BankMarketingRoundTripsValueByValue) {
  const auto rows = LoadBank();
  for (const std::string mappers : {"1", "3"}) {
    const std::string target = "/raw/bank-" + mappers;
    const ActionResult result = Import({"--table", "bank", "--target-dir", target, "-m", mappers});
    ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
    auto data = ParseJavaProperties(result.data, "data");
    EXPECT_EQ(data->GetOr("rows", ""), std::to_string(rows.size() - 1));
    EXPECT_EQ(data->GetOr("splits", ""), mappers);
    EXPECT_EQ(CountParts(root_ / target.substr(1)), std::stoi(mappers));
    std::map<int, std::vector<std::string>> imported;
    for (const std::string& line : SortedLines(ReadParts(root_ / target.substr(1)))) {
      std::vector<std::string> fields;
      std::stringstream stream(line);
      std::string field;
      while (std::getline(stream, field, ',')) fields.push_back(field);
      imported[std::stoi(fields[0])] = std::vector<std::string>(fields.begin() + 1, fields.end());
    }
    ASSERT_EQ(imported.size(), rows.size() - 1);
    for (size_t r = 1; r < rows.size(); ++r) {
      ASSERT_EQ(imported[static_cast<int>(r)], rows[r]) << "row " << r << " with -m " << mappers;
    }
  }
}

TEST_P(ServerImportTest, EveryTypeAndEdgeValueRoundTrips) {
  CreateEverything("everything");
  const ActionResult result = Import({"--table", "everything", "--target-dir", "/raw/every", "-m", "2",
                                      "--optionally-enclosed-by", "\\\"", "--escaped-by", "\\\\"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  const std::string ts = IsPostgres() ? "1999-12-31 23:59:59" : "1999-12-31 23:59:59.000000";
  EXPECT_EQ(ReadParts(root_ / "raw/every"),
            "1,-32768,9223372036854775807,12345678901234567890.0123456789,0.1,0.1,true,2024-02-29,23:59:59,"
            "2024-02-29 12:34:56.789012,\"Grüße, \\\"日本\\\"\ttab\nline\\\\back\",00ff\n"
            "2,32767,-9223372036854775808,-0.0000000001,1e+300,-2.5e-07,false,1970-01-01,00:00:00," +
                ts + ",,\n"
                "3,null,null,null,null,null,null,null,null,null,null,null\n");
  auto schema = ParseJavaProperties(ReadLocal(root_ / "raw/every/_schema.properties"), "schema");
  EXPECT_EQ(schema->GetOr("column.4.type", ""), "decimal");
  EXPECT_EQ(schema->GetOr("column.7.type", ""), "boolean");
  EXPECT_EQ(schema->GetOr("column.10.type", ""), "timestamp");
  EXPECT_EQ(schema->GetOr("column.12.type", ""), "binary");
}

TEST_P(ServerImportTest, ExportRoundTripsEveryTypeInOneTransaction) {
  CreateEverything("exported");
  Exec("DELETE FROM exported WHERE id > 0");
  CreateEverything("source");
  const std::vector<std::string> format = {"--optionally-enclosed-by", "\\\"", "--escaped-by", "\\\\"};
  auto import = [&](const std::string& table, const std::string& target) {
    std::vector<std::string> args = {"--table", table, "--target-dir", target, "-m", "1"};
    args.insert(args.end(), format.begin(), format.end());
    return Import(args);
  };
  ActionResult result = import("source", "/raw/source");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  auto exporting = [&]() {
    return Run({"export", "--connect", server_->Url(), "--username", server_->user(), "--password-file",
                "db.password", "--table", "exported", "--export-dir", "/raw/source"});
  };
  result = exporting();
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  result = import("exported", "/raw/exported");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(SortedLines(ReadParts(root_ / "raw/exported")), SortedLines(ReadParts(root_ / "raw/source")));

  // A second export collides on the primary key: the error names the row and
  // the table keeps exactly its three rows.
  result = exporting();
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_NE(result.error_message.find("Row 1 of the export directory"), std::string::npos) << result.error_message;
  auto connection = data::Connect(spec_);
  ASSERT_TRUE(connection.ok());
  auto count = data::QueryAll(connection->get(), "SELECT COUNT(*) FROM exported");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ((*count)[0][0].value_or(""), "3");
}

TEST_P(ServerImportTest, TextDateAndDecimalSplitsPartitionTheRows) {
  LoadBank();
  const ActionResult one = Import({"--table", "bank", "--target-dir", "/raw/one", "-m", "1"});
  ASSERT_EQ(one.outcome, Outcome::kOk) << one.error_message;
  const auto expected = SortedLines(ReadParts(root_ / "raw/one"));
  for (const std::string column : {"job", "balance"}) {
    const std::string target = "/raw/by-" + column;
    const ActionResult result = Import({"--table", "bank", "--target-dir", target, "-m", "4", "--split-by", column});
    ASSERT_EQ(result.outcome, Outcome::kOk) << column << ": " << result.error_message;
    EXPECT_EQ(SortedLines(ReadParts(root_ / target.substr(1))), expected) << column;
  }
  const ActionResult query = Import({"--query", "SELECT id, age FROM bank WHERE age > 60 AND $CONDITIONS",
                                     "--split-by", "id", "--target-dir", "/raw/q", "-m", "2"});
  ASSERT_EQ(query.outcome, Outcome::kOk) << query.error_message;
  EXPECT_GT(SortedLines(ReadParts(root_ / "raw/q")).size(), 10u);
}

TEST_P(ServerImportTest, IncrementalAppendImportsOnlyNewRows) {
  Exec("DROP TABLE IF EXISTS events");
  Exec("CREATE TABLE events (id INTEGER PRIMARY KEY, what VARCHAR(20))");
  Exec("INSERT INTO events VALUES (1, 'a'), (2, 'b')");
  const std::vector<std::string> args = {"--table", "events", "--target-dir", "/raw/events", "-m", "1",
                                         "--incremental", "append", "--check-column", "id"};
  ActionResult first = Import(args);
  ASSERT_EQ(first.outcome, Outcome::kOk) << first.error_message;
  Exec("INSERT INTO events VALUES (3, 'c')");
  ActionResult second = Import(args);
  ASSERT_EQ(second.outcome, Outcome::kOk) << second.error_message;
  EXPECT_EQ(ReadParts(root_ / "raw/events"), "1,a\n2,b\n3,c\n");
  EXPECT_NE(second.data.find("last_value=3"), std::string::npos) << second.data;
}

TEST_P(ServerImportTest, AuthenticationFailureNeverShowsThePassword) {
  WriteLocal(root_ / "user/joe/wrong.password", "Wr0ng-Secret-77");
  const ActionResult result = Run({"import", "--connect", server_->Url(), "--username", server_->user(),
                                   "--password-file", "wrong.password", "--table", "t", "-m", "1"});
  EXPECT_EQ(result.error_code, "SQOOP004") << result.error_message;
  EXPECT_NE(result.error_message.find("Authentication failed for user \"refinery\""), std::string::npos)
      << result.error_message;
  EXPECT_EQ(result.error_message.find("Wr0ng-Secret-77"), std::string::npos);
  for (const std::string& line : reporter_.lines()) EXPECT_EQ(line.find("Wr0ng-Secret-77"), std::string::npos);
}

TEST_P(ServerImportTest, UnknownDatabaseListsTheDatabases) {
  std::string url = server_->Url();
  url.replace(url.find("refinery_test"), 13, "no_such_db");
  const ActionResult result = Run({"import", "--connect", url, "--username", server_->user(), "--password-file",
                                   "db.password", "--table", "t", "-m", "1"});
  EXPECT_EQ(result.error_code, "SQOOP005") << result.error_message;
  EXPECT_NE(result.error_message.find("Unknown database \"no_such_db\""), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("refinery_test"), std::string::npos) << result.error_message;
}

TEST_P(ServerImportTest, UnreachableHostIsAConnectError) {
  const std::string url = IsPostgres() ? "jdbc:postgresql://127.0.0.1:1/x" : "jdbc:mysql://127.0.0.1:1/x";
  const ActionResult result = Run({"import", "--connect", url, "--username", "u", "--password", "pw-xyz",
                                   "--table", "t", "-m", "1"});
  EXPECT_EQ(result.error_code, "SQOOP003") << result.error_message;
  EXPECT_NE(result.error_message.find("Could not connect to"), std::string::npos);
  EXPECT_EQ(result.error_message.find("pw-xyz"), std::string::npos);
}

TEST_P(ServerImportTest, ListTablesAndEval) {
  Exec("DROP TABLE IF EXISTS listed");
  Exec("CREATE TABLE listed (x INTEGER)");
  ActionResult result = Run({"list-tables", "--connect", server_->Url(), "--username", server_->user(),
                             "--password-file", "db.password"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_NE(result.data.find("listed"), std::string::npos);
  result = Run({"eval", "--connect", server_->Url(), "--username", server_->user(), "--password-file", "db.password",
                "--query", "SELECT 40 + 2 AS answer"});
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_TRUE(reporter_.Contains("| 42 |"));
  const ActionResult missing = Import({"--table", "nonexistent", "--target-dir", "/raw/x", "-m", "1"});
  EXPECT_EQ(missing.error_code, "SQOOP005");
  EXPECT_NE(missing.error_message.find("listed"), std::string::npos) << missing.error_message;
}

TEST_P(ServerImportTest, MissingPrivilegeAndOverflowAreNamedWithTheFix) {
  auto admin = data::Connect(server_->AdminSpec());
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  // A table the test user may not read: owned by the administrator (PostgreSQL)
  // or in a database the user has no grant on (MariaDB).
  const std::string secret = IsPostgres() ? "secret" : "secret_db.secret";
  if (!IsPostgres()) {
    ASSERT_TRUE((*admin)->Execute("CREATE DATABASE IF NOT EXISTS secret_db").ok());
  }
  ASSERT_TRUE((*admin)->Execute("DROP TABLE IF EXISTS " + secret).ok());
  ASSERT_TRUE((*admin)->Execute("CREATE TABLE " + secret + " (x INTEGER)").ok());
  ActionResult result =
      Import({"--query", "SELECT x FROM " + secret + " WHERE $CONDITIONS", "--target-dir", "/raw/secret", "-m", "1"});
  EXPECT_EQ(result.error_code, "SQOOP008");
  EXPECT_NE(result.error_message.find("GRANT SELECT"), std::string::npos) << result.error_message;
  EXPECT_EQ(result.error_message.find(server_->password()), std::string::npos);

  Exec("DROP TABLE IF EXISTS narrow");
  Exec("CREATE TABLE narrow (id INTEGER PRIMARY KEY, small SMALLINT)");
  WriteLocal(root_ / "out/part-m-00000", "1,1\n2,99999\n3,3\n");
  result = Run({"export", "--connect", server_->Url(), "--username", server_->user(), "--password-file", "db.password",
                "--table", "narrow", "--export-dir", "/out"});
  EXPECT_EQ(result.error_code, "SQOOP008");
  EXPECT_NE(result.error_message.find("Row 2 of the export directory"), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("range"), std::string::npos) << result.error_message;
  auto count = data::QueryAll(admin->get(), "SELECT COUNT(*) FROM narrow");
  ASSERT_TRUE(count.ok());
  EXPECT_EQ((*count)[0][0].value_or(""), "0") << "a failed export leaves the table as it was";
}

INSTANTIATE_TEST_SUITE_P(Servers, ServerImportTest, ::testing::Values("postgresql", "mariadb"));

}  // namespace
}  // namespace refinery::actions::testing
