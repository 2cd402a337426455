// The parts of the prediction API that need no model loaded: metric route
// labels from a fixed set, the JSON Schema made from a bundle's pipeline,
// PSI, and a predict request for a model that is not registered.
#include "serve/model_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace refinery::serve {
namespace {

TEST(ModelApiRoute, LabelsComeFromAFixedSet) {
  EXPECT_EQ(ModelApi::RouteOf("/api/v1/models"), "/api/v1/models");
  EXPECT_EQ(ModelApi::RouteOf("/api/v1/openapi.json"), "/api/v1/openapi.json");
  EXPECT_EQ(ModelApi::RouteOf("/api/v1/models/bank"), "/api/v1/models/{name}");
  EXPECT_EQ(ModelApi::RouteOf("/api/v1/models/bank/predict"), "/api/v1/models/{name}/predict");
  EXPECT_EQ(ModelApi::RouteOf("/api/v1/models/bank/versions/3/predict.csv"),
            "/api/v1/models/{name}/versions/{version}/predict.csv");
  EXPECT_EQ(ModelApi::RouteOf("/api/v1/models/bank/whatever/you/like"), "/api/v1/other");
  EXPECT_EQ(ModelApi::RouteOf("/api/v1/random-1234"), "/api/v1/other");
}

TEST(ModelApiSchema, InputsBecomePropertiesWithCategoriesAndRanges) {
  const nlohmann::json pipeline = nlohmann::json::parse(R"({
    "inputs": [{"name": "age", "type": "numeric"}, {"name": "job", "type": "text"}, {"name": "note", "type": "text"}],
    "transforms": [
      {"step": "derive", "name": "old", "expression": "age > 60"},
      {"step": "encode", "features": [
        {"name": "age", "source": "input", "type": "numeric", "range": [18, 95]},
        {"name": "job", "source": "input", "type": "categorical", "unseen": "error",
         "categories": ["admin.", "technician", "__rare__"]},
        {"name": "old", "source": "derived", "type": "numeric", "range": [0, 1]}]}]})");
  const nlohmann::json schema = InputSchema(pipeline);
  EXPECT_EQ(schema["required"], nlohmann::json({"age", "job", "note"}));
  EXPECT_EQ(schema["properties"]["age"]["minimum"], 18);
  EXPECT_EQ(schema["properties"]["age"]["maximum"], 95);
  EXPECT_EQ(schema["properties"]["job"]["enum"], nlohmann::json({"admin.", "technician"}));
  EXPECT_FALSE(schema["properties"].contains("old"));  // derived, not an input
  EXPECT_EQ(schema["properties"]["note"]["type"], nlohmann::json({"string", "null"}));
  EXPECT_EQ(schema["additionalProperties"], false);
}

TEST(ModelHostHealth, PsiIsZeroForTheExpectedSpreadAndLargeForOneBin) {
  EXPECT_NEAR(PopulationStabilityIndex(std::vector<int>(10, 50)), 0.0, 1e-12);
  std::vector<int> one_bin(10, 0);
  one_bin[3] = 500;
  EXPECT_GT(PopulationStabilityIndex(one_bin), 2.0);
  EXPECT_EQ(PopulationStabilityIndex(std::vector<int>(10, 0)), 0.0);
}

TEST(ModelApiPredict, AnUnregisteredModelIsA404NamingTheFix) {
  std::random_device random;
  const auto dir = std::filesystem::temp_directory_path() / ("refinery-model-api-" + std::to_string(random()));
  std::filesystem::create_directories(dir / "fs");
  {
    auto store = store::OpenSqliteStore((dir / "state.db").string());
    ASSERT_TRUE(store.ok());
    fs::FileSystem files(dir / "fs");
    registry::Registry models(store->get(), &files);
    ModelHost host(&models, store->get(), nullptr, ModelHostOptions{});
    ASSERT_TRUE(host.Start().ok());
    ModelApi api(&models, &host, ModelApiOptions{});
    HttpRequest request;
    request.method = "POST";
    request.path = "/api/v1/models/nothing/predict";
    request.body = "{}";
    const HttpResponse response = api.Handle(request);
    EXPECT_EQ(response.status, 404);
    EXPECT_THAT(response.body, ::testing::HasSubstr("refinery models list"));
    request.path = "/api/v1/models/nothing/frobnicate";
    EXPECT_EQ(api.Handle(request).status, 405);
    host.Stop();
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace refinery::serve
