// The seed's pipeline end to end, as examples/funnel ships it: the demo
// database built by its script, the server, the coordinator submitted from
// job.properties, two runs with new source rows between them, the raw zone,
// the summary and profile reports, the registry's versions, the prediction
// service and the web pages; then a failed run announced by email. The same
// app runs against a real MariaDB with job-mysql.properties.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <regex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "actions/smtp_sink.h"
#include "cli/cli_test_support.h"
#include "import/test_servers.h"
#include "cli/server_http.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;
using ::refinery::testing::ReadWhole;
using nlohmann::json;
namespace stdfs = std::filesystem;

const std::string kApp = std::string(REFINERY_SOURCE_DIR) + "/examples/funnel";

constexpr char kLead[] =
    R"({"age":35,"job":"management","marital":"married","education":"tertiary","default":"no","balance":1350,)"
    R"("housing":"yes","loan":"no","contact":"cellular","day":16,"month":"apr","campaign":1,"pdays":330,)"
    R"("previous":1,"poutcome":"success"})";

// Raw-zone snapshot directories, oldest first (their names are nominal times).
std::vector<stdfs::path> Snapshots(const stdfs::path& home) {
  std::vector<stdfs::path> found;
  std::error_code ec;
  for (const auto& entry : stdfs::directory_iterator(home / "fs/user/rawzone/funnel-sqoop-toHDFS", ec)) {
    found.push_back(entry.path());
  }
  std::sort(found.begin(), found.end());
  return found;
}

size_t RowsIn(const stdfs::path& snapshot) {
  size_t rows = 0;
  for (const auto& entry : stdfs::directory_iterator(snapshot)) {
    if (entry.path().filename().string().rfind("part-", 0) != 0) continue;
    const std::string text = ReadWhole(entry.path());
    rows += static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
  }
  return rows;
}

class FunnelExampleTest : public CliFixture {
 protected:
  void SetUp() override {
    CliFixture::SetUp();
    ASSERT_TRUE(smtp_.Start(dir_));
    stdfs::create_directories(home_);
    std::ofstream(home_ / "refinery.properties") << "oozie.email.smtp.host=127.0.0.1\n"
                                                 << "oozie.email.smtp.port=" << smtp_.port() << "\n"
                                                 << "oozie.email.from.address=refinery@localhost\n";
  }

  void TearDown() override {
    if (server_pid_ > 0) {
      ::kill(server_pid_, SIGTERM);
      Wait(server_pid_);
    }
    smtp_.Stop();
    CliFixture::TearDown();
  }

  // Runs a shell command line with the data home in the environment.
  int Shell(const std::string& command) {
    const std::string line = "REFINERY_HOME='" + home_.string() + "' REFINERY='" + REFINERY_BINARY + "' " + command +
                             " > '" + (dir_ / "shell.log").string() + "' 2>&1";
    return std::system(line.c_str());
  }

  void StartServer() {
    server_pid_ = Spawn({"server", "--port", "0"}, dir_ / "server.log");
    for (int i = 0; i < 600 && base_.empty(); ++i) {
      std::string url;
      std::getline(std::ifstream(home_ / "server.url") >> std::ws, url);
      if (!url.empty()) base_ = url.substr(0, url.rfind("/oozie"));
      if (base_.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    ASSERT_FALSE(base_.empty()) << ReadWhole(dir_ / "server.log");
  }

  CommandResult Remote(std::vector<std::string> args) {
    args.insert(args.begin(), {"--oozie", base_ + "/oozie"});
    return Run(args);
  }

  serve::HttpReply Http(const std::string& method, const std::string& target, const std::string& body = "") {
    return CallServer(base_, method, target, body);
  }


  json Json(const std::string& target) {
    auto parsed = json::parse(Http("GET", target).body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << target;
    return parsed;
  }

  // The workflow a coordinator action ran.
  std::string WorkflowOf(const std::string& action_id) {
    return Json("/oozie/v2/job/" + action_id + "?show=info").value("externalId", "");
  }

  // wf:actionData of one action of a workflow, as key=value text.
  std::string ActionData(const std::string& workflow_id, const std::string& action) {
    const json job = Json("/oozie/v2/job/" + workflow_id + "?show=info");
    for (const json& a : job.value("actions", json::array())) {
      if (a.value("name", "") == action && a.contains("data") && a["data"].is_string()) return a["data"];
    }
    return "";
  }

  // Waits until predictions come from `version` (the swap follows the registry).
  bool ServedBy(int version) {
    for (int i = 0; i < 400; ++i) {
      const auto reply = Http("POST", "/api/v1/models/funnel/predict", kLead);
      if (reply.status == 200 && reply.Header("x-refinery-model-version") == std::to_string(version)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    return false;
  }

  // job.properties for one workflow run of the app (no coordinator).
  stdfs::path WorkflowProperties(const std::string& source_file, const std::string& extra) {
    std::string text = ReadWhole(kApp + "/" + source_file);
    text = std::regex_replace(text, std::regex("oozie\\.coord\\.application\\.path=\\.\n"),
                              "oozie.wf.application.path=file://" + kApp + "\n");
    return WriteFile("wf-" + source_file, text + extra);
  }

  // The one message the sink received, waiting for it.
  std::string OnlyEmail() {
    const auto messages = smtp_.Messages(1);
    EXPECT_EQ(messages.size(), 1u);
    return messages.empty() ? "" : ReadWhole(messages.front());
  }

  ::refinery::testing::SmtpSink smtp_;
  pid_t server_pid_ = -1;
  std::string base_;
};

TEST_F(FunnelExampleTest, RunsTwiceOnTheScheduleServesTheNewModelAndEmailsAFailure) {
  ASSERT_EQ(Shell("bash '" + kApp + "/create-funnel-db.sh'"), 0) << ReadWhole(dir_ / "shell.log");
  EXPECT_THAT(ReadWhole(dir_ / "shell.log"), HasSubstr("4521 rows in table mysql_funnel"));
  StartServer();

  // The article's submission, with the schedule shortened to a minute so the
  // second run comes while the test waits. The first run starts at once; the
  // new rows must land before the second, so it should be 30 s away at least.
  const auto seconds_into_minute = [] {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return std::chrono::duration_cast<std::chrono::seconds>(now).count() % 60;
  };
  while (seconds_into_minute() >= 30) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto submitted = Remote({"job", "-config", kApp + "/job.properties", "-run", "-D",
                                 "start=" + OozieMinute(std::chrono::system_clock::now()), "-D", "frequency=1"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
  const std::string coordinator = ExtractJobId(submitted.out);
  ASSERT_THAT(coordinator, ::testing::EndsWith("-C"));

  const auto first = Remote({"job", "-poll", coordinator + "@1", "-verbose"});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_THAT(first.out, HasSubstr("[train] round 1/120"));  // progress, as it came
  EXPECT_THAT(first.out, HasSubstr("SUCCEEDED"));
  const std::string first_run = WorkflowOf(coordinator + "@1");

  // Run 1: a snapshot, the summary table, the profile, model v1 in production and serving.
  ASSERT_EQ(Snapshots(home_).size(), 1u);
  EXPECT_TRUE(stdfs::exists(Snapshots(home_)[0] / "_SUCCESS"));
  EXPECT_EQ(RowsIn(Snapshots(home_)[0]), 4521u);
  EXPECT_TRUE(stdfs::exists(home_ / "fs/user/hive/warehouse/funnel_summary"));
  EXPECT_TRUE(stdfs::exists(home_ / "fs/user/refinedzone/funnel-profile/profile.json"));
  EXPECT_TRUE(stdfs::exists(home_ / "fs/user/refinedzone/funnel-profile/profile.html"));
  EXPECT_TRUE(stdfs::exists(home_ / "fs/user/refinedzone/model/v1/_SUCCESS"));
  EXPECT_THAT(ActionData(first_run, "publish"), HasSubstr("promoted=true"));
  EXPECT_TRUE(ServedBy(1));

  // New leads arrive in the source table before the next run.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((home_ / "fs/db/funnel_db.sqlite").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "INSERT INTO mysql_funnel SELECT age + 1, job, marital, education, \"default\", balance + 250, "
                         "housing, loan, contact, day, month, duration, campaign + 1, pdays, previous, poutcome, y "
                         "FROM mysql_funnel WHERE rowid % 5 = 0",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  const int inserted = sqlite3_changes(db);
  sqlite3_close(db);

  const auto second = Remote({"job", "-poll", coordinator + "@2"});
  ASSERT_EQ(second.exit_code, 0) << second.out;
  const std::string second_run = WorkflowOf(coordinator + "@2");
  ASSERT_NE(second_run, first_run);

  // Run 2: its own snapshot with the new rows; version 2 registered, and in
  // production exactly when the gate promoted it.
  ASSERT_EQ(Snapshots(home_).size(), 2u);
  EXPECT_EQ(RowsIn(Snapshots(home_)[1]), 4521u + inserted);
  const std::string publish = ActionData(second_run, "publish");
  EXPECT_THAT(publish, HasSubstr("version=2"));
  const bool promoted = publish.find("promoted=true") != std::string::npos;
  const json versions = Json("/api/v1/models/funnel");
  ASSERT_TRUE(versions.is_object()) << versions.dump();
  std::map<int, std::string> stages;
  for (const json& v : versions["versions"]) stages[v.value("version", 0)] = v.value("stage", "");
  EXPECT_EQ(stages[2], promoted ? "production" : "candidate") << publish;
  EXPECT_EQ(stages[1], promoted ? "archived" : "production") << publish;
  EXPECT_TRUE(ServedBy(promoted ? 2 : 1));

  // The pages show both runs and both versions.
  const std::string coordinator_page = Http("GET", "/ui/coordinators/" + coordinator).body;
  EXPECT_THAT(coordinator_page, HasSubstr(first_run));
  EXPECT_THAT(coordinator_page, HasSubstr(second_run));
  const std::string jobs_page = Http("GET", "/ui/jobs").body;
  EXPECT_THAT(jobs_page, HasSubstr(first_run));
  EXPECT_THAT(jobs_page, HasSubstr(second_run));
  const std::string model_page = Http("GET", "/ui/models/funnel").body;
  EXPECT_THAT(model_page, HasSubstr(">v2<"));
  EXPECT_THAT(model_page, HasSubstr(">v1<"));
  EXPECT_EQ(Http("GET", "/ui/models/funnel/predict").status, 200);

  // The source goes away: the run stops at the import and the admin hears why.
  stdfs::rename(home_ / "fs/db/funnel_db.sqlite", home_ / "fs/db/funnel_db.sqlite.away");
  const auto failing = Remote({"job", "-config", WorkflowProperties("job.properties", "snapshot=forced-failure\n").string(),
                               "-run"});
  ASSERT_EQ(failing.exit_code, 0) << failing.out;
  const auto failed = Remote({"job", "-poll", ExtractJobId(failing.out)});
  EXPECT_EQ(failed.exit_code, 1) << failed.out;
  EXPECT_THAT(failed.out, HasSubstr("KILLED"));
  const std::string email = OnlyEmail();
  EXPECT_THAT(email, HasSubstr("failed at sqoop-import"));
  EXPECT_THAT(email, HasSubstr("admin@localhost"));
  EXPECT_THAT(email, HasSubstr("funnel_db.sqlite"));
}

TEST_F(FunnelExampleTest, RunsAgainstMariaDbAndEmailsWhenTheDatabaseStops) {
  ::refinery::testing::MariaDbServer mariadb;
  if (!mariadb.Available()) GTEST_SKIP() << "mariadb-server is not installed (scripts/install-deps.sh --test)";
  const std::string started = mariadb.Start();
  ASSERT_EQ(started, "") << started;

  // The script loads funnel_db as the server's administrator; the pipeline
  // reads it as an ordinary user whose password lies in a file.
  const data::ConnectionSpec admin = mariadb.AdminSpec();
  const std::string socket = admin.url.substr(admin.url.find("socket=") + 7);
  ASSERT_EQ(Shell("bash '" + kApp + "/create-funnel-db.sh' --mysql --socket='" + socket + "' -u root"), 0)
      << ReadWhole(dir_ / "shell.log");
  EXPECT_THAT(ReadWhole(dir_ / "shell.log"), HasSubstr("4521"));
  {
    auto connection = data::Connect(admin);
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    ASSERT_TRUE((*connection)->Execute("GRANT SELECT ON funnel_db.* TO '" + mariadb.user() + "'@'127.0.0.1'").ok());
  }
  const auto password = WriteFile("funnel_db.password", mariadb.password());
  ASSERT_EQ(Run({"fs", "-put", "-f", password.string(), "/db/funnel_db.password"}).exit_code, 0);

  const auto properties = WorkflowProperties(
      "job-mysql.properties", "snapshot=mariadb\nfunnelDbUrl=jdbc:mysql://127.0.0.1:" + std::to_string(mariadb.port()) +
                                  "/funnel_db\nfunnelDbUser=" + mariadb.user() + "\n");
  const auto run = Run({"job", "-config", properties.string(), "-run"});
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_EQ(RowsIn(home_ / "fs/user/rawzone/funnel-sqoop-toHDFS/mariadb"), 4521u);
  EXPECT_THAT(Run({"models", "show", "funnel"}).out, HasSubstr("production"));
  EXPECT_THAT(ReadWhole(home_ / "logs/server.log") + run.out, ::testing::Not(HasSubstr(mariadb.password())));

  mariadb.Stop();
  const auto stopped = Run({"job", "-config", properties.string(), "-run", "-verbose"});
  EXPECT_EQ(stopped.exit_code, 1) << stopped.out;
  EXPECT_THAT(stopped.out, HasSubstr("KILLED"));
  const std::string email = OnlyEmail();
  EXPECT_THAT(email, HasSubstr("failed at sqoop-import"));
  EXPECT_THAT(email, HasSubstr("127.0.0.1"));
  EXPECT_THAT(email, ::testing::Not(HasSubstr(mariadb.password())));
}

}  // namespace
}  // namespace refinery::cli::testing
