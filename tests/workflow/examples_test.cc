// Every workflow definition among Oozie's example apps parses and validates.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "workflow/workflow_app.h"

namespace refinery::workflow {
namespace {

const std::vector<std::string> kKnownActionTypes = {
    "fs",  "shell",  "email", "sub-workflow", "sqoop", "hive", "hive2",   "spark", "ssh",
    "distcp", "git", "map-reduce", "pig", "java", "profile", "train", "publish", "score"};

std::vector<std::filesystem::path> WorkflowDefinitions(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file() && name.rfind("workflow", 0) == 0 && entry.path().extension() == ".xml") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(OozieExamples, EveryWorkflowParsesAndValidates) {
  const std::filesystem::path root = REFINERY_SOURCE_DIR "/../shared/oozie-compat/examples";
  if (!std::filesystem::is_directory(root)) GTEST_SKIP() << "no examples at " << root;
  const std::vector<std::filesystem::path> files = WorkflowDefinitions(root);
  ASSERT_FALSE(files.empty());
  for (const auto& path : files) {
    SCOPED_TRACE(path.string());
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    ParseOptions parse_options;
    parse_options.source_name = path.string();
    const Result<WorkflowApp> app = ParseWorkflowXml(text.str(), parse_options);
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    ValidateOptions validate_options;
    validate_options.known_action_types = kKnownActionTypes;
    const Status status = ValidateWorkflow(*app, validate_options);
    EXPECT_TRUE(status.ok()) << status.ToString();
    EXPECT_TRUE(ValidateWorkflowAll(*app, validate_options).empty());
  }
  std::printf("example workflows checked: %zu\n", files.size());
}

}  // namespace
}  // namespace refinery::workflow
