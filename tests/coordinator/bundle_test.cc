// bundle.xml parsing and validation (uri:oozie:bundle:0.1 and 0.2), and the
// bundle status roll-up.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coordinator/bundle.h"
#include "core/time_format.h"

namespace refinery::coordinator {
namespace {

using ::testing::HasSubstr;

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

Result<BundleApp> Parse(const std::string& xml, const Properties& conf = {}) {
  BundleParseOptions options;
  options.job_conf = &conf;
  options.source_name = "bundle.xml";
  return ParseBundleXml(xml, options);
}

const char* kTwoCoordinators02 = R"(<bundle-app name="${app}" xmlns="uri:oozie:bundle:0.2">
  <parameters>
    <property><name>app</name><value>sales-bundle</value></property>
    <property><name>region</name><value>emea</value></property>
    <property><name>root</name></property>
  </parameters>
  <controls><kick-off-time>2026-01-01T06:00Z</kick-off-time></controls>
  <coordinator name="ingest" critical="true">
    <app-path>${root}/ingest</app-path>
    <configuration>
      <property><name>region</name><value>${bundle:conf('region')}</value></property>
      <property><name>label</name><value>${concat(region, '-in')}</value></property>
    </configuration>
  </coordinator>
  <coordinator name="report" enabled="false">
    <app-path>report</app-path>
  </coordinator>
</bundle-app>
)";

TEST(BundleParser, ParsesTheOozieExampleBundle) {
  const std::filesystem::path dir = "/work/shared/oozie-compat/examples/bundle";
  if (!std::filesystem::exists(dir / "bundle.xml")) GTEST_SKIP() << "no " << dir;
  Properties conf;
  conf.Set("nameNode", "hdfs://localhost:8020");
  conf.Set("userName", "joe");
  conf.Set("examplesRoot", "examples");
  conf.Set("start", "2010-01-01T01:00Z");
  conf.Set("end", "2010-01-01T03:00Z");
  Result<BundleApp> app = Parse(Read(dir / "bundle.xml"), conf);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->xmlns, "uri:oozie:bundle:0.1");
  EXPECT_EQ(app->name, "bundle-app");
  EXPECT_FALSE(app->kickoff.has_value());  // kicks off at submission
  ASSERT_EQ(app->coordinators.size(), 1u);
  const BundleCoordinator& coordinator = app->coordinators[0];
  EXPECT_EQ(coordinator.name, "coord-1");
  EXPECT_TRUE(coordinator.enabled);
  EXPECT_FALSE(coordinator.critical);
  EXPECT_EQ(coordinator.app_path, "hdfs://localhost:8020/user/joe/examples/apps/aggregator/coordinator.xml");
  EXPECT_EQ(coordinator.configuration.Get("start"), "2010-01-01T01:00Z");
  EXPECT_EQ(coordinator.configuration.Get("end"), "2010-01-01T03:00Z");
}

TEST(BundleParser, Version02ParametersControlsAndCoordinatorAttributes) {
  Properties conf;
  conf.Set("root", "hdfs://nn/apps");
  conf.Set("region", "apac");  // the job configuration beats the parameter default
  Result<BundleApp> app = Parse(kTwoCoordinators02, conf);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->name, "sales-bundle");
  ASSERT_TRUE(app->kickoff.has_value());
  EXPECT_EQ(FormatOozieTime(*app->kickoff), "2026-01-01T06:00Z");
  ASSERT_EQ(app->parameters.size(), 3u);
  EXPECT_EQ(app->parameters[2].first, "root");
  EXPECT_FALSE(app->parameters[2].second.has_value());
  EXPECT_EQ(app->conf.Get("app"), "sales-bundle");  // defaults written into the job conf
  EXPECT_EQ(app->conf.Get("region"), "apac");
  ASSERT_EQ(app->coordinators.size(), 2u);
  EXPECT_EQ(app->coordinators[0].app_path, "hdfs://nn/apps/ingest");
  EXPECT_TRUE(app->coordinators[0].critical);
  EXPECT_EQ(app->coordinators[0].configuration.Get("region"), "apac");
  EXPECT_EQ(app->coordinators[0].configuration.Get("label"), "apac-in");
  EXPECT_FALSE(app->coordinators[1].enabled);
  EXPECT_EQ(app->coordinators[1].app_path, "report");
  EXPECT_EQ(app->coordinators[1].line, 15);
}

TEST(BundleParser, MissingParameterIsE0738) {
  Result<BundleApp> app = Parse(kTwoCoordinators02);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E0738");
  EXPECT_THAT(app.status().ToString(), HasSubstr("bundle.xml:2"));
  EXPECT_THAT(app.status().ToString(),
              HasSubstr("The following 1 parameters are required but were not defined and no default values are "
                        "available: root"));
}

TEST(BundleParser, DuplicateCoordinatorNameIsE1304WithItsLine) {
  const std::string xml = R"(<bundle-app name="b" xmlns="uri:oozie:bundle:0.1">
  <coordinator name="c1"><app-path>/a</app-path></coordinator>
  <coordinator name="c1"><app-path>/b</app-path></coordinator>
</bundle-app>)";
  Result<BundleApp> app = Parse(xml);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E1304");
  EXPECT_THAT(app.status().ToString(), HasSubstr("bundle.xml:3"));
  EXPECT_THAT(app.status().ToString(), HasSubstr("Duplicate bundle application coordinator name [c1]"));
}

TEST(BundleParser, EmptyCoordinatorNameIsE1305) {
  const std::string xml = R"(<bundle-app name="b" xmlns="uri:oozie:bundle:0.2">
  <coordinator name=" ${empty}"><app-path>/a</app-path></coordinator>
</bundle-app>)";
  Properties conf;
  conf.Set("empty", "");
  Result<BundleApp> app = Parse(xml, conf);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E1305");
  EXPECT_THAT(app.status().ToString(), HasSubstr("Empty bundle application coordinator name."));
}

TEST(BundleParser, UnresolvableVariableIsE1004) {
  const std::string xml = R"(<bundle-app name="b" xmlns="uri:oozie:bundle:0.1">
  <coordinator name="c"><app-path>${nowhere}/a</app-path></coordinator>
</bundle-app>)";
  Result<BundleApp> app = Parse(xml);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E1004");
  EXPECT_THAT(app.status().ToString(), HasSubstr("bundle.xml:2"));
  EXPECT_THAT(app.status().ToString(), HasSubstr("nowhere"));
}

TEST(BundleParser, SchemaErrorsAreE0701) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"<bundle-app name='b' xmlns='uri:oozie:bundle:0.3'><coordinator name='c'><app-path>/a</app-path>"
       "</coordinator></bundle-app>",
       "uri:oozie:bundle:0.1 or 0.2"},
      {"<bundle-app name='b' xmlns='uri:oozie:bundle:0.1'></bundle-app>", "at least one <coordinator>"},
      {"<bundle-app xmlns='uri:oozie:bundle:0.1'><coordinator name='c'><app-path>/a</app-path></coordinator>"
       "</bundle-app>",
       "required attribute [name]"},
      {"<bundle-app name='b' xmlns='uri:oozie:bundle:0.1'><coordinator name='c'/></bundle-app>", "<app-path>"},
      {"<bundle-app name='b' xmlns='uri:oozie:bundle:0.1'><parameters/><coordinator name='c'><app-path>/a"
       "</app-path></coordinator></bundle-app>",
       "needs uri:oozie:bundle:0.2"},
      {"<bundle-app name='b' xmlns='uri:oozie:bundle:0.2'><coordinator name='c'><app-path>/a</app-path>"
       "</coordinator><controls/></bundle-app>",
       "out of order"},
      {"<bundle-app name='b' xmlns='uri:oozie:bundle:0.1'><coordinator name='c' enabled='false'><app-path>/a"
       "</app-path></coordinator></bundle-app>",
       "[enabled]"},
      {"<bundle-app name='b' xmlns='uri:oozie:bundle:0.1'><coordinator name='1c'><app-path>/a</app-path>"
       "</coordinator></bundle-app>",
       "must start with a letter"},
      {"<bundle-app name='b'", "XML schema error"},
  };
  for (const auto& [xml, message] : cases) {
    Result<BundleApp> app = Parse(xml);
    ASSERT_FALSE(app.ok()) << xml;
    EXPECT_EQ(app.status().error_code(), "E0701") << xml;
    EXPECT_THAT(app.status().ToString(), HasSubstr(message)) << xml;
    EXPECT_THAT(app.status().ToString(), HasSubstr("bundle.xml:1")) << xml;
  }
}

TEST(BundleParser, BadKickOffTimeIsE1310) {
  const std::string xml = R"(<bundle-app name="b" xmlns="uri:oozie:bundle:0.1">
  <controls><kick-off-time>tomorrow</kick-off-time></controls>
  <coordinator name="c"><app-path>/a</app-path></coordinator>
</bundle-app>)";
  Result<BundleApp> app = Parse(xml);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E1310");
  EXPECT_THAT(app.status().ToString(), HasSubstr("bundle.xml:2"));
}

TEST(BundleParser, PrefixedNamespaceIsAccepted) {
  const std::string xml = R"(<b:bundle-app name="b" xmlns:b="uri:oozie:bundle:0.2">
  <b:coordinator name="c"><b:app-path>/a</b:app-path></b:coordinator>
</b:bundle-app>)";
  Result<BundleApp> app = Parse(xml);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->coordinators.at(0).app_path, "/a");
}

TEST(BundleStatus, RollsUpFromItsCoordinators) {
  EXPECT_EQ(RollUpBundleStatus({"SUCCEEDED", "RUNNING"}), std::nullopt);
  EXPECT_EQ(RollUpBundleStatus({"SUSPENDED", "KILLED"}), std::nullopt);
  EXPECT_EQ(RollUpBundleStatus({"SUCCEEDED", "SUCCEEDED"}), "SUCCEEDED");
  EXPECT_EQ(RollUpBundleStatus({"KILLED", "KILLED"}), "KILLED");
  EXPECT_EQ(RollUpBundleStatus({"FAILED"}), "FAILED");
  EXPECT_EQ(RollUpBundleStatus({"SUCCEEDED", "KILLED"}), "DONEWITHERROR");
  EXPECT_EQ(RollUpBundleStatus({"SUCCEEDED", "DONEWITHERROR"}), "DONEWITHERROR");
  EXPECT_EQ(RollUpBundleStatus({}), "SUCCEEDED");
}

TEST(BundleStatus, IgnoredCoordinatorsNoLongerCount) {
  // BundleStatusTransitXCommand reads the un-ignored bundle actions only.
  EXPECT_EQ(RollUpBundleStatus({"SUCCEEDED", "IGNORED"}), "SUCCEEDED");
  EXPECT_EQ(RollUpBundleStatus({"IGNORED", "RUNNING"}), std::nullopt);
  EXPECT_EQ(RollUpBundleStatus({"KILLED", "IGNORED", "KILLED"}), "KILLED");
  EXPECT_EQ(RollUpBundleStatus({"IGNORED"}), "SUCCEEDED");
}

TEST(BundleParser, CriticalIsParsedAsJavaParsesABoolean) {
  // BundleStartXCommand: Boolean.parseBoolean(critical), any case, no trimming.
  for (const auto& [value, critical] : std::vector<std::pair<std::string, bool>>{
           {"true", true}, {"TRUE", true}, {"True", true}, {"false", false}, {"yes", false}, {" true", false}}) {
    const std::string xml = "<bundle-app xmlns=\"uri:oozie:bundle:0.1\" name=\"b\"><coordinator name=\"c\" critical=\"" +
                            value + "\"><app-path>/c</app-path></coordinator></bundle-app>";
    Result<BundleApp> app = ParseBundleXml(xml, BundleParseOptions{});
    ASSERT_TRUE(app.ok()) << app.status().ToString();
    EXPECT_EQ(app->coordinators.at(0).critical, critical) << "[" << value << "]";
  }
}

TEST(BundleStatus, BundleIdsEndInB) {
  EXPECT_TRUE(IsBundleJobId("0000001-210114070000000-oozie-oozi-B"));
  EXPECT_FALSE(IsBundleJobId("0000001-210114070000000-oozie-oozi-C"));
  EXPECT_FALSE(IsBundleJobId("0000001-210114070000000-oozie-oozi-B@c1"));
  EXPECT_FALSE(IsBundleJobId("B"));
}

}  // namespace
}  // namespace refinery::coordinator
