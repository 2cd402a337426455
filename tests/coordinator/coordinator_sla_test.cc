// <sla:info> inside a coordinator's <action>: kept for the scheduler, with
// its fields checked at submit (unknown ones and a missing nominal-time are
// schema errors with file:line).
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/coordinator.h"

namespace refinery::coordinator {
namespace {

using ::testing::HasSubstr;

Result<CoordinatorApp> ParseWithSla(const std::string& sla) {
  const std::string xml =
      "<coordinator-app name=\"c\" frequency=\"60\" start=\"2026-01-01T00:00Z\" end=\"2026-01-02T00:00Z\" "
      "timezone=\"UTC\" xmlns=\"uri:oozie:coordinator:0.4\" xmlns:sla=\"uri:oozie:sla:0.2\">\n"
      "<action><workflow><app-path>/wf</app-path></workflow>\n" + sla + "\n</action>\n</coordinator-app>\n";
  return ParseCoordinatorXml(xml, ParseOptions{});
}

TEST(CoordinatorSla, TheOozieSlaExampleValidatesAndKeepsItsSla) {
  std::ifstream in(std::filesystem::path(REFINERY_SOURCE_DIR) / "tests/data/coordinator/sla/coordinator.xml");
  std::stringstream text;
  text << in.rdbuf();
  Properties conf;
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"nameNode", "hdfs://localhost:8020"}, {"resourceManager", "localhost:8032"}, {"queueName", "default"},
           {"examplesRoot", "examples"}, {"start", "2010-01-01T01:00Z"}, {"end", "2010-01-01T03:00Z"},
           {"shouldStart", "1"}, {"shouldEnd", "10"}, {"duration", "5"}, {"alertContact", "alert@oozie.com"},
           {"user.name", "joe"}}) {
    conf.Set(key, value);
  }
  ParseOptions options;
  options.job_conf = &conf;
  const auto app = ParseCoordinatorXml(text.str(), options);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_THAT(app->sla_xml, HasSubstr("${coord:nominalTime()}"));
}

TEST(CoordinatorSla, UnknownFieldsAndAMissingNominalTimeAreSchemaErrors) {
  const auto unknown = ParseWithSla("<sla:info><sla:nominal-time>${coord:nominalTime()}</sla:nominal-time>"
                                    "<sla:should-finish>5</sla:should-finish></sla:info>");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().error_code(), "E0701");
  EXPECT_THAT(unknown.status().ToString(), HasSubstr("coordinator.xml:3"));
  EXPECT_THAT(unknown.status().ToString(), HasSubstr("does not allow <sla:should-finish>"));
  const auto no_nominal = ParseWithSla("<sla:info><sla:should-end>${10 * MINUTES}</sla:should-end></sla:info>");
  ASSERT_FALSE(no_nominal.ok());
  EXPECT_THAT(no_nominal.status().ToString(), HasSubstr("needs <sla:nominal-time>"));
  EXPECT_TRUE(ParseWithSla("<sla:info><sla:nominal-time>${coord:nominalTime()}</sla:nominal-time>"
                           "<sla:should-end>${10 * MINUTES}</sla:should-end></sla:info>")
                  .ok());
}

}  // namespace
}  // namespace refinery::coordinator
