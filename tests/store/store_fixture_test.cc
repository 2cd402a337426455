// Stores written by earlier schema versions must still open, keep their
// records, and migrate to exactly the schema a fresh store gets. One fixture
// per released version lives in fixtures/ as SQL text, so it can be reviewed.

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "store/store.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullAction;
using testing::FullJob;
using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

const std::string kJob = "0000001-210114070000000-refinery-test-W";
const std::string kChild = "0000002-210114070000000-refinery-test-W";

std::string ReadFixture(const std::string& name) {
  std::ifstream in(std::string(REFINERY_SOURCE_DIR) + "/tests/store/fixtures/" + name);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_FALSE(text.str().empty()) << "missing fixture " << name;
  return text.str();
}

// Builds a database file from a fixture's SQL.
std::string MakeFromFixture(const TempDir& dir, const std::string& name) {
  const std::string path = dir.File(name + ".db");
  RawDb(path).Exec(ReadFixture(name));
  return path;
}

// Tables, indexes and their SQL, in a stable order.
std::string SchemaOf(const std::string& path) {
  RawDb raw(path);
  return raw.QueryText(
      "SELECT group_concat(type || ' ' || name || ': ' || ifnull(sql, ''), char(10)) "
      "FROM (SELECT * FROM sqlite_master ORDER BY type, name)");
}

TEST(StoreFixture, Version1StoreOpensWithItsRecords) {
  TempDir dir;
  const std::string path = MakeFromFixture(dir, "state_v1.sql");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);

  Result<WorkflowJobRecord> job = store->GetJob(kJob);
  ASSERT_TRUE(job.ok()) << job.status().ToString();
  testing::ExpectSameJob(*job, FullJob(kJob));

  Result<std::vector<WorkflowActionRecord>> actions = store->ListActions(kJob);
  ASSERT_TRUE(actions.ok()) << actions.status().ToString();
  ASSERT_EQ(actions->size(), 2u);
  EXPECT_EQ((*actions)[0].name, ":start:");
  EXPECT_EQ((*actions)[0].transition, "shell-node");
  testing::ExpectSameAction((*actions)[1], FullAction(kJob, "shell-node"));

  EXPECT_EQ(*store->ReadLog(kJob), "first line\nsecond line");
  EXPECT_EQ(**store->GetMeta("owner." + kJob), "4242:1610608000000");
  EXPECT_EQ(store->ListJobs({.parent_id = kJob}, 0, 10)->jobs.at(0).id, kChild);
}

TEST(StoreFixture, Version1StoreTakesNewWrites) {
  TempDir dir;
  const std::string path = MakeFromFixture(dir, "state_v1.sql");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  WriteBatch batch;
  batch.log_lines.push_back({kJob, "third line"});
  ASSERT_TRUE(store->Apply(batch).ok());
  EXPECT_EQ(*store->ReadLog(kJob), "first line\nsecond line\nthird line");
}

TEST(StoreFixture, MigratedVersion1SchemaEqualsAFreshStore) {
  TempDir dir;
  const std::string old_path = MakeFromFixture(dir, "state_v1.sql");
  const std::string fresh_path = dir.File("fresh.db");
  ASSERT_NE(OpenOrDie(old_path), nullptr);
  ASSERT_NE(OpenOrDie(fresh_path), nullptr);
  EXPECT_EQ(SchemaOf(old_path), SchemaOf(fresh_path));
  EXPECT_EQ(RawDb(old_path).QueryText("PRAGMA user_version"), RawDb(fresh_path).QueryText("PRAGMA user_version"));
}

TEST(StoreFixture, Version2StoreOpensWithItsCoordinatorsAndOutbox) {
  TempDir dir;
  const std::string path = MakeFromFixture(dir, "state_v2.sql");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetJob(kJob)->id, kJob);
  Result<CoordinatorJobRecord> coordinator = store->GetCoordinatorJob("0000002-210114070000000-refinery-test-C");
  ASSERT_TRUE(coordinator.ok()) << coordinator.status().ToString();
  EXPECT_EQ(coordinator->frequency, "150");
  EXPECT_EQ(store->ListCoordinatorActions(coordinator->id)->at(0).external_id, kJob);
  EXPECT_EQ(*store->CountNotifications("PENDING"), 1);
  // Version 3's tables exist and start empty.
  EXPECT_TRUE(store->ListModelVersions("")->empty());
  EXPECT_EQ(*store->LastModelEventId(), 0);
}

TEST(StoreFixture, MigratedVersion2SchemaEqualsAFreshStore) {
  TempDir dir;
  const std::string old_path = MakeFromFixture(dir, "state_v2.sql");
  const std::string fresh_path = dir.File("fresh.db");
  ASSERT_NE(OpenOrDie(old_path), nullptr);
  ASSERT_NE(OpenOrDie(fresh_path), nullptr);
  EXPECT_EQ(SchemaOf(old_path), SchemaOf(fresh_path));
  EXPECT_EQ(RawDb(old_path).QueryText("PRAGMA user_version"), RawDb(fresh_path).QueryText("PRAGMA user_version"));
}

TEST(StoreFixture, Version3StoreOpensWithItsModels) {
  TempDir dir;
  const std::string path = MakeFromFixture(dir, "state_v3.sql");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetJob(kJob)->id, kJob);
  Result<std::vector<ModelVersionRecord>> versions = store->ListModelVersions("bank");
  ASSERT_TRUE(versions.ok()) << versions.status().ToString();
  ASSERT_EQ(versions->size(), 1u);
  EXPECT_EQ(versions->front().stage, "production");
  EXPECT_EQ(*store->LastModelEventId(), 2);
  // Version 4's SLA events start empty.
  EXPECT_TRUE(store->ListSlaEvents(kJob)->empty());
}

TEST(StoreFixture, MigratedVersion3SchemaEqualsAFreshStore) {
  TempDir dir;
  const std::string old_path = MakeFromFixture(dir, "state_v3.sql");
  const std::string fresh_path = dir.File("fresh.db");
  ASSERT_NE(OpenOrDie(old_path), nullptr);
  ASSERT_NE(OpenOrDie(fresh_path), nullptr);
  EXPECT_EQ(SchemaOf(old_path), SchemaOf(fresh_path));
  EXPECT_EQ(RawDb(old_path).QueryText("PRAGMA user_version"), RawDb(fresh_path).QueryText("PRAGMA user_version"));
}

TEST(StoreFixture, Version4StoreOpensWithItsSlaEventsAndTakesBundles) {
  TempDir dir;
  const std::string path = MakeFromFixture(dir, "state_v4.sql");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  Result<std::vector<SlaEventRecord>> events = store->ListSlaEvents(kJob);
  ASSERT_TRUE(events.ok()) << events.status().ToString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ(events->front().event, "END_MISS");
  // Version 5: the coordinator keeps its fields and has no bundle; bundles start empty.
  const std::string coordinator_id = "0000002-210114070000000-refinery-test-C";
  Result<CoordinatorJobRecord> coordinator = store->GetCoordinatorJob(coordinator_id);
  ASSERT_TRUE(coordinator.ok()) << coordinator.status().ToString();
  EXPECT_EQ(coordinator->frequency, "150");
  EXPECT_EQ(coordinator->bundle_id, "");
  EXPECT_EQ(store->ListBundleJobs({}, 0, 10)->total, 0);

  BundleJobRecord bundle;
  bundle.id = "0000003-210114070000000-refinery-test-B";
  bundle.app_name = "b";
  bundle.status = "RUNNING";
  bundle.kickoff_ms = 1610608000000;
  bundle.start_ms = 1610608000000;
  coordinator->bundle_id = bundle.id;
  WriteBatch batch;
  batch.bundle_jobs.push_back(bundle);
  batch.coordinator_jobs.push_back(*coordinator);
  ASSERT_TRUE(store->Apply(batch).ok());
  EXPECT_EQ(store->GetBundleJob(bundle.id)->kickoff_ms, 1610608000000);
  EXPECT_EQ(store->ListBundleCoordinatorJobs(bundle.id)->at(0).id, coordinator_id);
  EXPECT_EQ(store->ListBundleJobs({"RUNNING"}, 0, 10)->jobs.at(0).id, bundle.id);
  EXPECT_EQ(store->GetBundleJob("nope-B").status().error_code(), "E0604");
}

TEST(StoreFixture, MigratedVersion4SchemaEqualsAFreshStore) {
  TempDir dir;
  const std::string old_path = MakeFromFixture(dir, "state_v4.sql");
  const std::string fresh_path = dir.File("fresh.db");
  ASSERT_NE(OpenOrDie(old_path), nullptr);
  ASSERT_NE(OpenOrDie(fresh_path), nullptr);
  EXPECT_EQ(SchemaOf(old_path), SchemaOf(fresh_path));
  EXPECT_EQ(RawDb(old_path).QueryText("PRAGMA user_version"), RawDb(fresh_path).QueryText("PRAGMA user_version"));
}

// Version 6 adds the processes and leases of several servers on one store.
TEST(StoreFixture, Version5StoreOpensWithItsBundleAndTakesLeases) {
  TempDir dir;
  const std::string path = MakeFromFixture(dir, "state_v5.sql");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->GetBundleJob("0000003-210114070000000-refinery-test-B")->kickoff_ms, 1610608000000);
  testing::ExpectSameJob(*store->GetJob(kJob), FullJob(kJob));
  EXPECT_TRUE(store->ListProcesses()->empty());
  EXPECT_EQ(store->AcquireLease("workflow:" + kJob, "p1", 60'000)->fence, 1);
}

TEST(StoreFixture, MigratedVersion5SchemaEqualsAFreshStore) {
  TempDir dir;
  const std::string old_path = MakeFromFixture(dir, "state_v5.sql");
  const std::string fresh_path = dir.File("fresh.db");
  ASSERT_NE(OpenOrDie(old_path), nullptr);
  ASSERT_NE(OpenOrDie(fresh_path), nullptr);
  EXPECT_EQ(SchemaOf(old_path), SchemaOf(fresh_path));
  EXPECT_EQ(RawDb(old_path).QueryText("PRAGMA user_version"), RawDb(fresh_path).QueryText("PRAGMA user_version"));
}

}  // namespace
}  // namespace refinery::store
