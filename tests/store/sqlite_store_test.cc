// What only the SQLite store has: the file's identity, WAL and indexes as
// seen through a raw connection, and the synchronous option. Behaviour
// through the Store interface is tested on every backend
// (store_records_test.cc).

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/store.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullJob;
using testing::JobId;
using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("state.db");
    store_ = OpenOrDie(path_);
    ASSERT_NE(store_, nullptr);
  }

  TempDir dir_;
  std::string path_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, FileIsWalWithRefineryIdentity) {
  store_.reset();
  RawDb raw(path_);
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(raw.QueryText("PRAGMA application_id"), std::to_string(0x52464E59));
  EXPECT_EQ(raw.QueryText("PRAGMA user_version"), "6");
  EXPECT_EQ(raw.QueryText("PRAGMA integrity_check"), "ok");
}

TEST_F(SqliteStoreTest, HasIndexesForStatusParentAndCreated) {
  store_.reset();
  RawDb raw(path_);
  for (const char* column : {"status", "parent_id", "created_ms"}) {
    const std::string sql =
        std::string("SELECT count(*) FROM sqlite_master m, pragma_index_info(m.name) i "
                    "WHERE m.type = 'index' AND m.tbl_name = 'workflow_jobs' AND i.seqno = 0 AND i.name = '") +
        column + "'";
    EXPECT_EQ(raw.QueryText(sql), "1") << column;
  }
}

TEST(SqliteStoreOptions, FullSynchronousWorks) {
  TempDir dir;
  std::unique_ptr<Store> store = OpenOrDie(dir.File("state.db"), {.synchronous = "FULL"});
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Apply({.jobs = {FullJob(JobId(1))}}).ok());
  EXPECT_TRUE(store->GetJob(JobId(1)).ok());
}

TEST(SqliteStoreOptions, UnknownSynchronousValueListsTheValidOnes) {
  TempDir dir;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(dir.File("state.db"), {.synchronous = "off"});
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(store.status().message().find("[off]"), std::string::npos) << store.status().ToString();
  EXPECT_NE(store.status().message().find("normal, full, extra"), std::string::npos) << store.status().ToString();
}

}  // namespace
}  // namespace refinery::store
