// SIGKILL in the middle of a <sqoop> import: the previous snapshot stays
// exactly as it was, the half-written staging directory stays hidden, and the
// next import removes it and publishes the new snapshot.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "cli/cli_test_support.h"

namespace refinery::cli::testing {
namespace {

namespace stdfs = std::filesystem;

class ImportCrashTest : public CliFixture {
 protected:
  void Exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open((dir_ / "shop.db").c_str(), &db), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error == nullptr ? "" : error;
    sqlite3_free(error);
    sqlite3_close(db);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  // Rows first..last of a table wide enough that an import takes a while.
  void Insert(int first, int last) {
    Exec("WITH RECURSIVE n(i) AS (SELECT " + std::to_string(first) + " UNION ALL SELECT i + 1 FROM n WHERE i < " +
         std::to_string(last) + ") INSERT INTO big SELECT i, printf('customer-%08d', i), i * 0.5, "
         "'some text that makes the row longer than a few bytes' FROM n");
  }

  std::filesystem::path Properties() {
    WriteFile("app/workflow.xml",
              "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" name=\"import\"><start to=\"import\"/>"
              "<action name=\"import\"><sqoop xmlns=\"uri:oozie:sqoop-action:0.2\"><job-tracker>jt</job-tracker>"
              "<name-node>hdfs://nn</name-node><command>import --connect jdbc:sqlite:file://" +
                  (dir_ / "shop.db").string() +
                  " --table big --target-dir /raw/big --delete-target-dir -m 2</command></sqoop>"
                  "<ok to=\"end\"/><error to=\"fail\"/></action><kill name=\"fail\"><message>"
                  "${wf:errorMessage(wf:lastErrorNode())}</message></kill><end name=\"end\"/></workflow-app>");
    return WriteFile("app/job.properties", "oozie.wf.application.path=.\n");
  }

  std::string Snapshot() {
    std::string all;
    std::vector<stdfs::path> parts;
    for (const auto& entry : stdfs::directory_iterator(home_ / "fs/raw/big")) parts.push_back(entry.path());
    std::sort(parts.begin(), parts.end());
    for (const auto& part : parts) {
      std::ifstream in(part, std::ios::binary);
      all += part.filename().string() + "\n" + std::string(std::istreambuf_iterator<char>(in), {});
    }
    return all;
  }

  std::vector<std::string> HiddenSiblings() {
    std::vector<std::string> hidden;
    for (const auto& entry : stdfs::directory_iterator(home_ / "fs/raw")) {
      const std::string name = entry.path().filename().string();
      if (name.rfind(".big.", 0) == 0) hidden.push_back(name);
    }
    return hidden;
  }
};

TEST_F(ImportCrashTest, KillNineMidImportKeepsThePreviousSnapshotAndTheNextRunCleansUp) {
  Exec("CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, amount REAL, note TEXT)");
  Insert(1, 1000);
  const auto props = Properties();
  CommandResult first = Run({"job", "-config", props.string(), "-run", "--quiet"});
  ASSERT_EQ(first.exit_code, 0) << first.out;
  const std::string before = Snapshot();
  ASSERT_THAT(before, ::testing::HasSubstr("customer-00001000"));

  // Enough new rows that the import is still writing when the kill comes.
  Insert(1001, 1500000);
  const pid_t pid = Spawn({"job", "-config", props.string(), "-run", "--quiet"}, dir_ / "killed.log");
  bool staging_seen = false;
  for (int i = 0; i < 3000 && !staging_seen; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    staging_seen = !HiddenSiblings().empty();
  }
  ASSERT_TRUE(staging_seen) << "the import never started writing";
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  ::kill(pid, SIGKILL);
  Wait(pid);

  EXPECT_EQ(Snapshot(), before) << "the previous snapshot must be untouched";
  EXPECT_FALSE(HiddenSiblings().empty()) << "a SIGKILL cannot clean up; the staging directory stays hidden";

  Exec("DELETE FROM big WHERE id > 2000");
  CommandResult next = Run({"job", "-config", props.string(), "-run", "--quiet"});
  ASSERT_EQ(next.exit_code, 0) << next.out;
  EXPECT_THAT(Snapshot(), ::testing::HasSubstr("customer-00002000"));
  EXPECT_THAT(HiddenSiblings(), ::testing::IsEmpty()) << "the next import removes what the killed one left";
}

}  // namespace
}  // namespace refinery::cli::testing
