// Store locations: which backend a location names, and how it is shown in
// messages (passwords masked). No server needed.

#include <gtest/gtest.h>

#include <string>

#include "store/postgres_store.h"
#include "store/store.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

TEST(StoreLocation, PostgresUrisSelectPostgresAnythingElseIsAFile) {
  EXPECT_TRUE(IsPostgresLocation("postgresql://joe@db.example/refinery"));
  EXPECT_TRUE(IsPostgresLocation("postgres://localhost/refinery"));
  EXPECT_FALSE(IsPostgresLocation("/var/lib/refinery/state.db"));
  EXPECT_FALSE(IsPostgresLocation("state.db"));
  EXPECT_FALSE(IsPostgresLocation("jdbc:postgresql://host/db"));
  EXPECT_FALSE(IsPostgresLocation("mysql://host/db"));
}

TEST(StoreLocation, MasksThePasswordOfTheUserPart) {
  EXPECT_EQ(MaskPassword("postgresql://joe:secret@host/db"), "postgresql://joe:***@host/db");
  EXPECT_EQ(MaskPassword("postgres://joe:s%40cr:et@host:5433/db?sslmode=require"),
            "postgres://joe:***@host:5433/db?sslmode=require");
  EXPECT_EQ(MaskPassword("postgresql://joe:p@ss@host"), "postgresql://joe:***@host");
  EXPECT_EQ(MaskPassword("postgresql://joe:@host/db"), "postgresql://joe:***@host/db");
}

TEST(StoreLocation, MasksAPasswordParameter) {
  EXPECT_EQ(MaskPassword("postgresql://joe@host/db?password=secret&sslmode=disable"),
            "postgresql://joe@host/db?password=***&sslmode=disable");
  EXPECT_EQ(MaskPassword("postgresql:///db?host=/tmp&password=secret"), "postgresql:///db?host=/tmp&password=***");
  EXPECT_EQ(MaskPassword("host=h password=secret dbname=d"), "host=h password=*** dbname=d");
}

TEST(StoreLocation, LeavesLocationsWithoutPasswordsAlone) {
  for (const char* location : {"postgresql://joe@host/db", "postgresql://host:5432/db", "postgresql:///db",
                               "postgresql://[::1]:5432/db", "/var/lib/refinery/state.db",
                               "postgresql://host/db?application_name=x@y"}) {
    EXPECT_EQ(MaskPassword(location), location);
  }
}

TEST(StoreLocation, AFilePathOpensTheSqliteStore) {
  testing::TempDir dir;
  Result<std::unique_ptr<Store>> store = OpenStore(dir.File("state.db"));
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  ASSERT_TRUE((*store)->Apply({.jobs = {testing::FullJob(testing::JobId(1))}}).ok());
  testing::RawDb raw(dir.File("state.db"));
  EXPECT_EQ(raw.QueryText("SELECT count(*) FROM workflow_jobs"), "1");
}

}  // namespace
}  // namespace refinery::store
