// What only the PostgreSQL store has: several processes opening a new
// database migrate it once, a database from a newer build or with a foreign
// meta table is refused, connection errors mask the password and say what to
// do, passwords come from the URL, PGPASSWORD or a passfile, a dropped
// connection is made again, and several connections writing at once lose
// nothing.

#include <stdlib.h>
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "data/sql_source.h"
#include "import/test_servers.h"
#include "store/postgres_store.h"
#include "store/store.h"
#include "store_backend.h"
#include "store_test_util.h"

namespace refinery::store {
namespace testing {
// store_backend_postgres.cc
std::string PostgresUrl(const std::string& database);
int PostgresPort();
}  // namespace testing

namespace {

using testing::FullAction;
using testing::FullJob;
using testing::JobId;
using testing::NewStoreLocation;
using testing::OpenLocationOrDie;

constexpr char kPassword[] = "s3cret-Pw!";

// The database name at the end of a test URL (before '?').
std::string DatabaseOf(const std::string& url) {
  const size_t slash = url.rfind('/');
  return url.substr(slash + 1, url.find('?') - slash - 1);
}

// A connection as the test user to the database of `url`, for poking behind
// the store's back.
std::unique_ptr<data::SqlConnection> RawConnection(const std::string& url) {
  auto connection = data::Connect({"jdbc:postgresql://127.0.0.1:" + std::to_string(testing::PostgresPort()) + "/" +
                                       DatabaseOf(url),
                                   "refinery", kPassword, 5});
  EXPECT_TRUE(connection.ok()) << connection.status().ToString();
  return connection.ok() ? std::move(connection).value() : nullptr;
}

// Sets an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_.has_value()) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST(PostgresStore, StoresOpeningANewDatabaseTogetherMigrateItOnce) {
  const std::string location = NewStoreLocation("postgresql");
  ASSERT_FALSE(location.empty());
  constexpr int kOpeners = 4;
  std::vector<Result<std::unique_ptr<Store>>> opened;
  for (int i = 0; i < kOpeners; ++i) opened.emplace_back(Status::Internal("not run"));
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) threads.emplace_back([&, i] { opened[i] = OpenStore(location); });
  for (auto& thread : threads) thread.join();
  // A second migration would fail on CREATE TABLE of an existing table.
  for (const auto& store : opened) ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ(**(*opened[0])->GetMeta("store.schema_version"), "6");
  ASSERT_TRUE((*opened[1])->Apply({.jobs = {FullJob(JobId(1))}}).ok());
  EXPECT_TRUE((*opened[3])->GetJob(JobId(1)).ok());
}

TEST(PostgresStore, ReopeningTheCurrentVersionKeepsData) {
  const std::string location = NewStoreLocation("postgresql");
  ASSERT_FALSE(location.empty());
  {
    auto store = OpenLocationOrDie(location);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->Apply({.jobs = {FullJob(JobId(1))}, .log_lines = {{JobId(1), "kept"}}}).ok());
  }
  auto store = OpenLocationOrDie(location);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->ReadLog(JobId(1)), "kept");
}

TEST(PostgresStore, NewerSchemaVersionIsRefused) {
  const std::string location = NewStoreLocation("postgresql");
  ASSERT_FALSE(location.empty());
  {
    auto store = OpenLocationOrDie(location);
    ASSERT_NE(store, nullptr);
    ASSERT_TRUE(store->PutMeta("store.schema_version", "99").ok());
  }
  Result<std::unique_ptr<Store>> store = OpenStore(location);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(store.status().message().find("newer Refinery (schema version 99, this build reads up to 6)"),
            std::string::npos)
      << store.status().ToString();
  EXPECT_EQ(store.status().message().find(kPassword), std::string::npos) << store.status().ToString();
}

TEST(PostgresStore, ForeignMetaTableIsRefusedAndLeftAlone) {
  const std::string location = NewStoreLocation("postgresql");
  ASSERT_FALSE(location.empty());
  auto raw = RawConnection(location);
  ASSERT_NE(raw, nullptr);
  ASSERT_TRUE(raw->Execute("CREATE TABLE meta (key TEXT, value TEXT)").ok());
  ASSERT_TRUE(raw->Execute("INSERT INTO meta VALUES ('theirs', '1')").ok());
  Result<std::unique_ptr<Store>> store = OpenStore(location);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.status().message().find("not a Refinery state store"), std::string::npos)
      << store.status().ToString();
  auto tables = raw->Execute("SELECT 1 FROM pg_tables WHERE tablename = 'workflow_jobs'");
  ASSERT_TRUE(tables.ok());
  EXPECT_EQ(*tables, 0);
}

TEST(PostgresStore, MissingDatabaseSaysCreateItAndMasksThePassword) {
  const std::string url = testing::PostgresUrl("no_such_db");
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  ASSERT_FALSE(store.ok());
  const std::string message = store.status().ToString();
  EXPECT_EQ(store.status().code(), StatusCode::kNotFound) << message;
  EXPECT_NE(message.find("state store \"postgresql://refinery:***@127.0.0.1:"), std::string::npos) << message;
  EXPECT_NE(message.find("createdb"), std::string::npos) << message;
  EXPECT_NE(message.find("no_such_db"), std::string::npos) << message;
  EXPECT_EQ(message.find("s3cret"), std::string::npos) << message;
}

TEST(PostgresStore, WrongPasswordSaysWhereAPasswordComesFromAndShowsNone) {
  std::string url = testing::PostgresUrl("refinery_test");
  url.replace(url.find("s3cret-Pw%21"), std::strlen("s3cret-Pw%21"), "wr0ng-Guess");
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  ASSERT_FALSE(store.ok());
  const std::string message = store.status().ToString();
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition) << message;
  EXPECT_NE(message.find("PGPASSWORD"), std::string::npos) << message;
  EXPECT_NE(message.find("refinery:***@"), std::string::npos) << message;
  EXPECT_EQ(message.find("wr0ng-Guess"), std::string::npos) << message;
}

TEST(PostgresStore, ServerNotRunningSaysSo) {
  const int closed_port = refinery::testing::FreeLoopbackPort();
  const std::string url =
      "postgresql://joe:hunter2@127.0.0.1:" + std::to_string(closed_port) + "/db?connect_timeout=5";
  Result<std::unique_ptr<Store>> store = OpenStore(url);
  ASSERT_FALSE(store.ok());
  const std::string message = store.status().ToString();
  EXPECT_EQ(store.status().code(), StatusCode::kIoError) << message;
  EXPECT_NE(message.find("postgresql://joe:***@127.0.0.1"), std::string::npos) << message;
  EXPECT_NE(message.find("is the PostgreSQL server running"), std::string::npos) << message;
  EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(PostgresStore, PasswordMayComeFromPgpasswordOrAPassfile) {
  const std::string location = NewStoreLocation("postgresql");
  ASSERT_FALSE(location.empty());
  std::string bare = location;
  bare.replace(bare.find(":s3cret-Pw%21"), std::strlen(":s3cret-Pw%21"), "");
  {
    ScopedEnv password("PGPASSWORD", kPassword);
    auto store = OpenLocationOrDie(bare);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->Apply({.jobs = {FullJob(JobId(1))}}).ok());
  }
  testing::TempDir dir;
  const std::string passfile = dir.File("pgpass");
  {
    FILE* out = std::fopen(passfile.c_str(), "w");
    ASSERT_NE(out, nullptr);
    std::fprintf(out, "127.0.0.1:%d:*:refinery:%s\n", testing::PostgresPort(), kPassword);
    std::fclose(out);
    ::chmod(passfile.c_str(), 0600);
  }
  ScopedEnv file("PGPASSFILE", passfile);
  auto store = OpenLocationOrDie(bare);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->GetJob(JobId(1)).ok());
}

// The server ends the connection (a restart, a failover, an idle timeout):
// the next calls connect again instead of failing forever.
TEST(PostgresStore, ReconnectsAfterTheServerDroppedTheConnection) {
  const std::string location = NewStoreLocation("postgresql");
  ASSERT_FALSE(location.empty());
  auto store = OpenLocationOrDie(location);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Apply({.jobs = {FullJob(JobId(1))}}).ok());
  auto raw = RawConnection(location);
  ASSERT_NE(raw, nullptr);
  for (int round = 0; round < 2; ++round) {
    auto killed = raw->Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" +
                               DatabaseOf(location) + "' AND pid <> pg_backend_pid()");
    ASSERT_TRUE(killed.ok()) << killed.status().ToString();
    ASSERT_EQ(*killed, 1);
    // A read after the first kill, a batch after the second.
    if (round == 0) {
      Result<WorkflowJobRecord> job = store->GetJob(JobId(1));
      EXPECT_TRUE(job.ok()) << job.status().ToString();
    } else {
      const Status status = store->Apply({.jobs = {FullJob(JobId(2))}, .actions = {FullAction(JobId(2), "a")}});
      EXPECT_TRUE(status.ok()) << status.ToString();
    }
  }
  EXPECT_TRUE(store->GetAction(JobId(2) + "@a").ok());
}

// Each store is its own connection, as each process would be.
TEST(PostgresStore, SeveralConnectionsApplyingAtOnceLoseNothing) {
  const std::string location = NewStoreLocation("postgresql");
  ASSERT_FALSE(location.empty());
  constexpr int kStores = 4;
  constexpr int kBatches = 60;
  auto shared = OpenLocationOrDie(location);
  ASSERT_NE(shared, nullptr);
  ASSERT_TRUE(shared->Apply({.jobs = {FullJob(JobId(0))}}).ok());
  std::vector<std::unique_ptr<Store>> stores;
  for (int i = 0; i < kStores; ++i) stores.push_back(OpenLocationOrDie(location));
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < kStores; ++s) {
    threads.emplace_back([&, s] {
      for (int b = 0; b < kBatches; ++b) {
        const std::string id = JobId(1 + s * kBatches + b);
        const Status status = stores[s]->Apply({.jobs = {FullJob(id)},
                                                .actions = {FullAction(id, "a")},
                                                .log_lines = {{id, "own"}, {JobId(0), "shared"}},
                                                .notifications = {{.url = "http://h/" + id}}});
        if (!status.ok()) {
          ADD_FAILURE() << status.ToString();
          ++failures;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(shared->ListJobs({}, 0, 0)->total, 1 + kStores * kBatches);
  EXPECT_EQ(shared->CountNotifications("PENDING").value(), kStores * kBatches);
  const std::string log = *shared->ReadLog(JobId(0));
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n') + 1, kStores * kBatches);
}

}  // namespace
}  // namespace refinery::store
