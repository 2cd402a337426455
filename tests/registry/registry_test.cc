// The registry's rules: numbering, one production version, rollback to what
// production replaced, a deployment log that only grows, and writes guarded
// against a concurrent change of the same model.
#include "registry/registry.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace refinery::registry {
namespace {

using ::testing::HasSubstr;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() / ("refinery-registry-test-" + std::to_string(random()));
    std::filesystem::create_directories(dir_ / "fs");
    auto opened = store::OpenSqliteStore((dir_ / "state.db").string());
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(*opened);
    files_ = std::make_unique<fs::FileSystem>(dir_ / "fs");
    registry_ = std::make_unique<Registry>(store_.get(), files_.get());
  }
  void TearDown() override {
    registry_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A bundle directory with the files the registry reads.
  std::string Bundle(int n, double auc, bool complete = true) {
    const std::string uri = "/models/bank/v" + std::to_string(n);
    EXPECT_TRUE(files_->MakeDirectories(uri).ok());
    EXPECT_TRUE(files_->WriteFileAtomic(uri + "/metrics.json",
                                        R"({"auc": )" + std::to_string(auc) + R"(, "roc": [[0,0,1]], "task": "binary"})")
                    .ok());
    EXPECT_TRUE(files_->WriteFileAtomic(uri + "/lineage.json", R"({"job_id": "job-)" + std::to_string(n) + R"("})").ok());
    if (complete) {
      EXPECT_TRUE(files_->Touch(uri + "/_SUCCESS").ok());
    }
    return uri;
  }

  std::string StageOf(int version) {
    auto record = registry_->Version("bank", version);
    return record.ok() ? record->stage : record.status().ToString();
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fs::FileSystem> files_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, RegisterNumbersVersionsAndKeepsHeadlineMetrics) {
  auto first = registry_->Register("bank", Bundle(1, 0.7), "cli", "");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  auto second = registry_->Register("bank", Bundle(2, 0.8), "cli", "");
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(first->version, 1);
  EXPECT_EQ(second->version, 2);
  EXPECT_EQ(second->stage, kCandidate);
  EXPECT_THAT(second->metrics, HasSubstr("\"auc\":0.8"));
  EXPECT_THAT(second->metrics, ::testing::Not(HasSubstr("roc")));  // curves stay in the bundle
  auto models = registry_->ListModels();
  ASSERT_TRUE(models.ok());
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ((*models)[0].latest_version, 2);
  EXPECT_EQ((*models)[0].production_version, 0);
}

TEST_F(RegistryTest, RegisterRefusesBadNamesAndHalfWrittenBundles) {
  auto bad_name = registry_->Register("bank marketing!", Bundle(1, 0.7), "cli", "");
  EXPECT_THAT(bad_name.status().ToString(), HasSubstr("not valid"));
  auto half = registry_->Register("bank", Bundle(2, 0.7, /*complete=*/false), "cli", "");
  EXPECT_THAT(half.status().ToString(), HasSubstr("no _SUCCESS"));
  auto unknown = registry_->Versions("nothing");
  EXPECT_EQ(unknown.status().error_code(), kUnknownModelCode);
}

TEST_F(RegistryTest, PromoteArchivesTheFormerProductionVersion) {
  ASSERT_TRUE(registry_->Register("bank", Bundle(1, 0.7), "cli", "").ok());
  ASSERT_TRUE(registry_->Register("bank", Bundle(2, 0.8), "cli", "").ok());
  ASSERT_TRUE(registry_->Promote("bank", 1, "cli", "first").ok());
  ASSERT_TRUE(registry_->Promote("bank", 2, "cli", "better").ok());
  EXPECT_EQ(StageOf(1), kArchived);
  EXPECT_EQ(StageOf(2), kProduction);
  auto again = registry_->Promote("bank", 2, "cli", "");
  EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);
  auto log = registry_->Log("bank", 10);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ((*log)[0].kind, "promoted");
  EXPECT_EQ((*log)[0].previous_version, 1);
  EXPECT_EQ((*log)[0].reason, "better");
}

TEST_F(RegistryTest, RollbackRestoresWhatProductionReplaced) {
  for (int n = 1; n <= 3; ++n) ASSERT_TRUE(registry_->Register("bank", Bundle(n, 0.7), "cli", "").ok());
  ASSERT_TRUE(registry_->Promote("bank", 1, "cli", "").ok());
  auto nothing = registry_->Rollback("bank", 0, "cli", "");
  EXPECT_THAT(nothing.status().ToString(), HasSubstr("replaced no earlier version"));
  ASSERT_TRUE(registry_->Promote("bank", 3, "cli", "").ok());
  auto restored = registry_->Rollback("bank", 0, "serving-health", "PSI 0.9", /*automatic=*/true);
  ASSERT_TRUE(restored.ok()) << restored.status().ToString();
  EXPECT_EQ(restored->version, 1);
  EXPECT_EQ(StageOf(3), kArchived);
  auto log = registry_->Log("bank", 1);
  EXPECT_EQ((*log)[0].kind, "auto-rolled-back");
  EXPECT_EQ((*log)[0].previous_version, 3);
  auto chosen = registry_->Rollback("bank", 2, "cli", "");
  ASSERT_TRUE(chosen.ok());
  EXPECT_EQ(StageOf(2), kProduction);
}

TEST_F(RegistryTest, AGuardedWriteFailsWhenTheModelChangedMeanwhile) {
  ASSERT_TRUE(registry_->Register("bank", Bundle(1, 0.7), "cli", "").ok());
  auto log = store_->ListModelEvents("bank", 1);
  ASSERT_TRUE(log.ok());
  store::WriteBatch stale;
  stale.guarded_model = "bank";
  stale.last_model_event_id = (*log)[0].id;
  ASSERT_TRUE(registry_->Promote("bank", 1, "cli", "").ok());  // a newer event
  stale.model_events.push_back({.model = "bank", .version = 1, .kind = "promoted"});
  const Status status = store_->Apply(stale);
  EXPECT_EQ(status.error_code(), store::kStoreConflictCode);
  auto after = store_->ListModelEvents("bank", 10);
  EXPECT_EQ(after->size(), 2u);  // nothing of the stale batch was written
}

TEST_F(RegistryTest, DiffShowsBothMetricsAndTheChange) {
  ASSERT_TRUE(registry_->Register("bank", Bundle(1, 0.7), "cli", "").ok());
  ASSERT_TRUE(registry_->Register("bank", Bundle(2, 0.75), "cli", "").ok());
  auto diff = registry_->Diff("bank", 1, 2);
  ASSERT_TRUE(diff.ok());
  EXPECT_NEAR((*diff)["metrics"]["auc"]["change"].get<double>(), 0.05, 1e-9);
  EXPECT_EQ((*diff)["lineage"]["job_id"]["b"], "job-2");
}

}  // namespace
}  // namespace refinery::registry
