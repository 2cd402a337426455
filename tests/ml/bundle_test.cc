#include "ml/bundle.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ml/predictor.h"
#include "ml/trainer.h"

namespace refinery::ml {
namespace {

class BundleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("refinery_bundle_test_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
    files_ = std::make_unique<fs::FileSystem>(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static Bundle Trained() {
    TrainSpec spec;
    spec.inputs = {std::string(REFINERY_SOURCE_DIR) + "/examples/data/bank_marketing.csv"};
    spec.target = "y";
    spec.exclude = {"duration"};
    spec.params = {{"rounds", "10"}, {"nthread", "1"}};
    auto result = Train(spec, nullptr);
    EXPECT_TRUE(result.ok()) << result.status().ToString();
    Bundle bundle;
    bundle.booster_json = result->booster_json;
    bundle.pipeline = result->pipeline.ToJson();
    bundle.pipeline["format_version"] = kBundleFormatVersion;
    bundle.pipeline["target"] = result->target.ToJson();
    bundle.metrics = result->metrics;
    bundle.lineage = {{"job_id", "0000001-test-W"}};
    return bundle;
  }

  static std::string Slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::filesystem::path root_;
  std::unique_ptr<fs::FileSystem> files_;
};

TEST_F(BundleTest, VersionsIncreaseAndEachIsComplete) {
  const Bundle bundle = Trained();
  auto v1 = PublishBundle(files_.get(), "/user/refinedzone/model", bundle);
  auto v2 = PublishBundle(files_.get(), "/user/refinedzone/model/", bundle);
  ASSERT_TRUE(v1.ok() && v2.ok()) << v1.status().ToString();
  EXPECT_EQ(*v1, 1);
  EXPECT_EQ(*v2, 2);
  const auto dir = root_ / "user/refinedzone/model/v2";
  for (const char* name : {"_SUCCESS", kBoosterFile, kPipelineFile, kMetricsFile, kLineageFile}) {
    EXPECT_TRUE(std::filesystem::exists(dir / name)) << name;
  }
  auto versions = ListVersions(*files_, "/user/refinedzone/model");
  ASSERT_TRUE(versions.ok());
  EXPECT_EQ(*versions, (std::vector<int>{1, 2}));
  auto metrics = nlohmann::json::parse(Slurp(dir / kMetricsFile));
  EXPECT_TRUE(metrics["auc"].is_number());
}

TEST_F(BundleTest, SaveLoadSaveIsByteIdentical) {
  auto v1 = PublishBundle(files_.get(), "/models/bank", Trained());
  ASSERT_TRUE(v1.ok());
  auto loaded = ReadBundle(root_ / "models/bank/v1");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto v2 = PublishBundle(files_.get(), "/models/bank", *loaded);
  ASSERT_TRUE(v2.ok());
  for (const char* name : {kBoosterFile, kPipelineFile, kMetricsFile, kLineageFile}) {
    EXPECT_EQ(Slurp(root_ / "models/bank/v1" / name), Slurp(root_ / "models/bank/v2" / name)) << name;
  }
}

TEST_F(BundleTest, HalfWrittenBundlesAreNotRead) {
  std::filesystem::create_directories(root_ / "models/m/v1");
  std::ofstream(root_ / "models/m/v1" / kBoosterFile) << "{}";
  auto bundle = ReadBundle(root_ / "models/m/v1");
  ASSERT_FALSE(bundle.ok());
  EXPECT_EQ(bundle.status().error_code(), kBadBundleCode);
  EXPECT_NE(bundle.status().message().find("no _SUCCESS marker"), std::string::npos);
  // Its number is not reused by the next publish, nor listed.
  auto version = PublishBundle(files_.get(), "/models/m", Trained());
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, 2);
  EXPECT_EQ(*ListVersions(*files_, "/models/m"), (std::vector<int>{2}));
}

TEST_F(BundleTest, NewerFormatsAreRefusedWithAReason) {
  Bundle bundle = Trained();
  bundle.pipeline["format_version"] = 99;
  ASSERT_TRUE(PublishBundle(files_.get(), "/models/f", bundle).ok());
  auto loaded = ReadBundle(root_ / "models/f/v1");
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("this Refinery reads up to 1"), std::string::npos);
}

TEST_F(BundleTest, PredictorLoadsAPublishedBundle) {
  ASSERT_TRUE(PublishBundle(files_.get(), "/models/p", Trained()).ok());
  auto predictor = Predictor::Load(root_ / "models/p/v1");
  ASSERT_TRUE(predictor.ok()) << predictor.status().ToString();
  auto p = predictor->Predict({{{"age", 40}, {"job", "retired"}, {"poutcome", "success"}}}, false);
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  EXPECT_GT((*p)[0].value, 0);
  EXPECT_LT((*p)[0].value, 1);
  auto bad = predictor->Predict({{{"age", "forty"}}}, false);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("row 0"), std::string::npos);
  EXPECT_NE(bad.status().message().find("field 'age'"), std::string::npos);
}

}  // namespace
}  // namespace refinery::ml
