#include "workflow/job_config.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace refinery::workflow {
namespace {

Properties Props(std::initializer_list<std::pair<std::string, std::string>> entries) {
  Properties p;
  for (const auto& [k, v] : entries) p.Set(k, v);
  return p;
}

// ---- ResolveVariables ------------------------------------------------------

TEST(ResolveVariables, TrimsValuesAndResolvesReferences) {
  const Result<Properties> resolved = ResolveVariables(Props({
      {"nameNode", " hdfs://localhost:8020 "},
      {"user.name", "joe"},
      {"examplesRoot", "examples\n"},
      {"oozie.wf.application.path", "${nameNode}/user/${user.name}/${examplesRoot}/apps/shell"},
  }));
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->Get("nameNode"), "hdfs://localhost:8020");
  EXPECT_EQ(resolved->Get("oozie.wf.application.path"), "hdfs://localhost:8020/user/joe/examples/apps/shell");
}

TEST(ResolveVariables, LeavesUnresolvableReferencesAsWritten) {
  const Result<Properties> resolved = ResolveVariables(Props({{"a", "${missing}/x"}, {"b", "${a}"}}));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->Get("a"), "${missing}/x");
  EXPECT_EQ(resolved->Get("b"), "${missing}/x");
}

TEST(ResolveVariables, StopsAtTheFirstUnresolvableReferenceAsOozieDoes) {
  const Result<Properties> resolved = ResolveVariables(Props({{"a", "${missing}/${b}"}, {"b", "B"}}));
  ASSERT_TRUE(resolved.ok());
  EXPECT_EQ(resolved->Get("a"), "${missing}/${b}");
}

TEST(ResolveVariables, IgnoresTextThatIsNotAVariable) {
  const Result<Properties> resolved =
      ResolveVariables(Props({{"a", "$x ${} ${a b} ${wf:id()}"}, {"wf:id()", "nope"}}));
  ASSERT_TRUE(resolved.ok());
  // ${wf:id()} has no '}' '$' or space inside, so it is a reference and resolves.
  EXPECT_EQ(resolved->Get("a"), "$x ${} ${a b} nope");
}

Properties Chain(int length) {
  Properties p;
  p.Set("key0", "value");
  for (int i = 1; i <= length; ++i) p.Set("key" + std::to_string(i), "${key" + std::to_string(i - 1) + "}");
  return p;
}

TEST(ResolveVariables, ResolvesChainsUpToTheDepthLimit) {
  // G-217: key19 needs 19 substitutions and resolves.
  const Result<Properties> resolved = ResolveVariables(Chain(19));
  ASSERT_TRUE(resolved.ok()) << resolved.status().ToString();
  EXPECT_EQ(resolved->Get("key19"), "value");
}

TEST(ResolveVariables, RejectsChainsDeeperThanTheLimit) {
  // G-217: key20 is one too deep.
  const Result<Properties> resolved = ResolveVariables(Chain(20));
  ASSERT_FALSE(resolved.ok());
  EXPECT_NE(resolved.status().message().find("Variable substitution depth too large: 20"), std::string::npos)
      << resolved.status().ToString();
  EXPECT_NE(resolved.status().message().find("${key19}"), std::string::npos);
}

TEST(ResolveVariables, HonoursACustomDepth) {
  // As in Oozie, the limit counts substitutions including the last one.
  EXPECT_FALSE(ResolveVariables(Chain(5), 5).ok());
  EXPECT_TRUE(ResolveVariables(Chain(5), 6).ok());
  EXPECT_TRUE(ResolveVariables(Chain(100), -1).ok());
}

TEST(ResolveVariables, RejectsSelfReferenceInsteadOfLooping) {
  EXPECT_FALSE(ResolveVariables(Props({{"a", "${a}"}})).ok());
  EXPECT_FALSE(ResolveVariables(Props({{"a", "${a}"}}), -1).ok());
  EXPECT_FALSE(ResolveVariables(Props({{"a", "${a}${a}"}}), -1).ok());
}

// ---- CheckReservedNames ----------------------------------------------------

TEST(CheckReservedNames, RejectsEvaluatorConstantsInTheJobConf) {
  // G-212: GB=5 in the job configuration.
  const Status status = CheckReservedNames(Props({{"a", "1"}, {"GB", "5"}}), false);
  EXPECT_EQ(status.ToString(), "E0808: Disallowed user property [GB]");
  for (const char* name : {"DAYS", "HOURS", "MINUTES", "KB", "MB", "TB", "PB", "RECORDS", "MAP_IN", "MAP_OUT",
                           "REDUCE_IN", "REDUCE_OUT", "GROUPS"}) {
    EXPECT_EQ(CheckReservedNames(Props({{name, "x"}}), false).error_code(), "E0808") << name;
  }
}

TEST(CheckReservedNames, RejectsUserNameOnlyInConfigDefault) {
  EXPECT_TRUE(CheckReservedNames(Props({{"user.name", "joe"}}), false).ok());
  EXPECT_EQ(CheckReservedNames(Props({{"user.name", "joe"}}), true).ToString(),
            "E0808: Disallowed user property [user.name]");
  EXPECT_EQ(CheckReservedNames(Props({{"mapreduce.job.user.name", "joe"}}), true).error_code(), "E0808");
  EXPECT_TRUE(CheckReservedNames(Props({{"gb", "lower case is fine"}}), true).ok());
}

// ---- WorkflowAppPath -------------------------------------------------------

TEST(WorkflowAppPath, ReturnsTheWorkflowPath) {
  const Result<std::string> path = WorkflowAppPath(Props({{"oozie.wf.application.path", "hdfs://nn/app"}}));
  ASSERT_TRUE(path.ok());
  EXPECT_EQ(*path, "hdfs://nn/app");
}

TEST(WorkflowAppPath, RequiresOnePath) {
  EXPECT_EQ(WorkflowAppPath(Props({})).status().ToString(),
            "E0302: Invalid parameter [a workflow, coordinator, or bundle app path is required]");
}

TEST(WorkflowAppPath, RejectsSeveralPaths) {
  const Status status = WorkflowAppPath(Props({{"oozie.wf.application.path", "a"},
                                               {"oozie.coord.application.path", "b"}}))
                            .status();
  EXPECT_EQ(status.ToString(), "E0302: Invalid parameter [Multiple app paths specified, only one is allowed]");
}

TEST(WorkflowAppPath, RejectsACoordinatorPathForAWorkflow) {
  EXPECT_EQ(WorkflowAppPath(Props({{"oozie.bundle.application.path", "b"}})).status().error_code(), "E0302");
}

// ---- PrepareSubmission -----------------------------------------------------

// An in-memory application store.
class FakeFiles {
 public:
  void Add(const std::string& uri, const std::string& text) { files_[uri] = text; }
  AppFileReader Reader() const {
    AppFileReader reader;
    reader.read = [this](const std::string& uri) -> Result<std::string> {
      const auto it = files_.find(uri);
      if (it == files_.end()) return Status::NotFound("no such file [" + uri + "]");
      return it->second;
    };
    reader.is_directory = [this](const std::string& uri) {
      const std::string prefix = uri.back() == '/' ? uri : uri + "/";
      for (const auto& [path, text] : files_) {
        if (path.rfind(prefix, 0) == 0) return true;
      }
      return false;
    };
    return reader;
  }

 private:
  std::map<std::string, std::string> files_;
};

std::string Configuration(std::initializer_list<std::pair<std::string, std::string>> entries) {
  return FormatHadoopConfigurationXml(Props(entries));
}

const char* kSimpleWorkflow = R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="${appName}-foo">
  <start to="a"/>
  <action name="a">
    <fs/>
    <ok to="end"/>
    <error to="end"/>
  </action>
  <end name="end"/>
</workflow-app>)";

TEST(PrepareSubmission, AppendsWorkflowXmlToADirectoryAndResolvesTheAppName) {
  // G-211: name='${appName}-foo' with appName=var-app-name.
  FakeFiles files;
  files.Add("hdfs://nn/app/workflow.xml", kSimpleWorkflow);
  const Result<WorkflowSubmission> submission = PrepareSubmission(
      Props({{"oozie.wf.application.path", "${nameNode}/app"}, {"nameNode", "hdfs://nn"}, {"appName", "var-app-name"}}),
      files.Reader(), ParseOptions{});
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
  EXPECT_EQ(submission->app_path, "hdfs://nn/app");
  EXPECT_EQ(submission->app_name, "var-app-name-foo");
  EXPECT_EQ(submission->app.name, "${appName}-foo");
  EXPECT_EQ(submission->job_conf.Get("oozie.wf.application.path"), "hdfs://nn/app");
}

TEST(PrepareSubmission, AcceptsAPathToTheDefinitionFile) {
  FakeFiles files;
  files.Add("/apps/x/my-flow.xml", kSimpleWorkflow);
  files.Add("/apps/x/config-default.xml", Configuration({{"appName", "from-default"}}));
  const Result<WorkflowSubmission> submission =
      PrepareSubmission(Props({{"oozie.wf.application.path", "/apps/x/my-flow.xml"}}), files.Reader(), ParseOptions{});
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
  EXPECT_EQ(submission->app_path, "/apps/x");
  EXPECT_EQ(submission->app_name, "from-default-foo");
}

TEST(PrepareSubmission, ReportsAMissingDefinition) {
  FakeFiles files;
  files.Add("/apps/x/other.txt", "");
  const Result<WorkflowSubmission> submission =
      PrepareSubmission(Props({{"oozie.wf.application.path", "/apps/x"}}), files.Reader(), ParseOptions{});
  ASSERT_FALSE(submission.ok());
  EXPECT_EQ(submission.status().ToString(), "E0505: App definition [/apps/x/workflow.xml] does not exist");
}

TEST(PrepareSubmission, InjectsConfigDefaultOnlyForAbsentKeys) {
  FakeFiles files;
  files.Add("/app/workflow.xml", kSimpleWorkflow);
  files.Add("/app/config-default.xml",
            Configuration({{"appName", "default-name"}, {"queue", "default-queue"}, {"dir", "${base}/out"}}));
  const Result<WorkflowSubmission> submission = PrepareSubmission(
      Props({{"oozie.wf.application.path", "/app"}, {"appName", "job-name"}, {"base", "/data"}}), files.Reader(),
      ParseOptions{});
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
  EXPECT_EQ(submission->job_conf.Get("appName"), "job-name");
  EXPECT_EQ(submission->job_conf.Get("queue"), "default-queue");
  EXPECT_EQ(submission->job_conf.Get("dir"), "/data/out");  // resolved against the job conf
  EXPECT_EQ(submission->app_name, "job-name-foo");
  EXPECT_EQ(submission->config_default.Get("appName"), "default-name");
  EXPECT_EQ(submission->config_default.Get("dir"), "/data/out");
}

TEST(PrepareSubmission, RejectsReservedNamesInTheJobConf) {
  FakeFiles files;
  files.Add("/app/workflow.xml", kSimpleWorkflow);
  const Result<WorkflowSubmission> submission =
      PrepareSubmission(Props({{"oozie.wf.application.path", "/app"}, {"GB", "5"}}), files.Reader(), ParseOptions{});
  ASSERT_FALSE(submission.ok());
  EXPECT_EQ(submission.status().ToString(), "E0808: Disallowed user property [GB]");
}

TEST(PrepareSubmission, RejectsUserNameInConfigDefault) {
  FakeFiles files;
  files.Add("/app/workflow.xml", kSimpleWorkflow);
  files.Add("/app/config-default.xml", Configuration({{"user.name", "root"}}));
  const Result<WorkflowSubmission> submission =
      PrepareSubmission(Props({{"oozie.wf.application.path", "/app"}}), files.Reader(), ParseOptions{});
  ASSERT_FALSE(submission.ok());
  EXPECT_EQ(submission.status().ToString(), "E0808: Disallowed user property [user.name]");
}

TEST(PrepareSubmission, ReportsABrokenConfigDefaultWithItsFile) {
  FakeFiles files;
  files.Add("/app/workflow.xml", kSimpleWorkflow);
  files.Add("/app/config-default.xml", "<configuration>\n<property>");
  const Result<WorkflowSubmission> submission =
      PrepareSubmission(Props({{"oozie.wf.application.path", "/app"}}), files.Reader(), ParseOptions{});
  ASSERT_FALSE(submission.ok());
  EXPECT_NE(submission.status().message().find("/app/config-default.xml:2"), std::string::npos)
      << submission.status().ToString();
}

const char* kParameterWorkflow = R"(<workflow-app xmlns="uri:oozie:workflow:0.4" name="wf">
  <parameters>
    <property><name>hello</name><value>world</value></property>
    <property><name>fromDefault</name><value>parameter</value></property>
    <property><name>derived</name><value>${hello}!</value></property>
  </parameters>
  <start to="end"/>
  <end name="end"/>
</workflow-app>)";

TEST(PrepareSubmission, AppliesParameterDefaultsBelowJobAndConfigDefault) {
  // G-208: a defined parameter keeps the job's value.
  FakeFiles files;
  files.Add("/app/workflow.xml", kParameterWorkflow);
  files.Add("/app/config-default.xml", Configuration({{"fromDefault", "config-default"}}));
  const Result<WorkflowSubmission> submission = PrepareSubmission(
      Props({{"oozie.wf.application.path", "/app"}, {"hello", "planet"}}), files.Reader(), ParseOptions{});
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
  EXPECT_EQ(submission->job_conf.Get("hello"), "planet");
  EXPECT_EQ(submission->job_conf.Get("fromDefault"), "config-default");
  EXPECT_EQ(submission->job_conf.Get("derived"), "planet!");
}

TEST(PrepareSubmission, ReportsMissingParameters) {
  // G-206.
  FakeFiles files;
  files.Add("/app/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.4" name="wf">
  <parameters><property><name>hello</name></property></parameters>
  <start to="end"/>
  <end name="end"/>
</workflow-app>)");
  const Result<WorkflowSubmission> submission =
      PrepareSubmission(Props({{"oozie.wf.application.path", "/app"}}), files.Reader(), ParseOptions{});
  ASSERT_FALSE(submission.ok());
  EXPECT_EQ(submission.status().ToString(),
            "E0738: /app/workflow.xml:2: The following 1 parameters are required but were not defined and no default "
            "values are available: hello");
}

TEST(PrepareSubmission, RequiresAnAppPath) {
  FakeFiles files;
  EXPECT_EQ(PrepareSubmission(Props({}), files.Reader(), ParseOptions{}).status().error_code(), "E0302");
}

TEST(PrepareSubmission, WorksWithoutAnIsDirectoryCallback) {
  FakeFiles files;
  files.Add("/app/workflow.xml", kSimpleWorkflow);
  AppFileReader reader = files.Reader();
  reader.is_directory = nullptr;
  const Result<WorkflowSubmission> submission =
      PrepareSubmission(Props({{"oozie.wf.application.path", "/app"}, {"appName", "x"}}), reader, ParseOptions{});
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
}

// G-214 (TestSubmitXCommand#testWFConfigPathVarResolve): defaults from
// oozie.default.configuration.path and config-default.xml reach each action's
// configuration with their default values.
class DefaultConfigurationPath : public ::testing::Test {
 protected:
  void SetUp() override {
    files_.Add("/app/workflow.xml", R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="wf">
  <global>
    <configuration>
      <property><name>fromGlobal</name><value>global</value></property>
      <property><name>overridden</name><value>global</value></property>
    </configuration>
  </global>
  <start to="a"/>
  <action name="a">
    <fs>
      <configuration>
        <property><name>overridden</name><value>action</value></property>
      </configuration>
    </fs>
    <ok to="sub"/>
    <error to="end"/>
  </action>
  <action name="sub">
    <sub-workflow>
      <app-path>/child</app-path>
      <configuration>
        <property><name>child</name><value>yes</value></property>
      </configuration>
    </sub-workflow>
    <ok to="end"/>
    <error to="end"/>
  </action>
  <end name="end"/>
</workflow-app>)");
    files_.Add("/app/extra1.xml", Configuration({{"foobarRef1", "${foobarRef2}"}, {"outputDir", "extra-output-dir"}}));
    files_.Add("/conf/extra2.xml", Configuration({{"foobarRef2", "${foobar}"}, {"key", "default_value"}}));
    files_.Add("/app/config-default.xml",
               Configuration({{"foobar", "default-foo-bar"}, {"outputDir", "default-output-dir"}}));
  }

  Result<WorkflowSubmission> Submit() {
    return PrepareSubmission(Props({{"oozie.wf.application.path", "/app"},
                                    {"oozie.default.configuration.path", "extra1.xml, /conf/extra2.xml"},
                                    {"key", "job_prop_value"}}),
                             files_.Reader(), ParseOptions{});
  }

  FakeFiles files_;
};

TEST_F(DefaultConfigurationPath, LaterDefaultFilesWinAndJobValuesWinInTheJobConf) {
  const Result<WorkflowSubmission> submission = Submit();
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
  EXPECT_EQ(submission->job_conf.Get("key"), "job_prop_value");
  EXPECT_EQ(submission->job_conf.Get("outputDir"), "default-output-dir");
  EXPECT_EQ(submission->job_conf.Get("foobarRef1"), "default-foo-bar");
}

TEST_F(DefaultConfigurationPath, ActionConfigurationLayersDefaultsGlobalAndOwn) {
  const Result<WorkflowSubmission> submission = Submit();
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
  const Properties conf = EffectiveActionConfiguration(*submission, *submission->app.FindNode("a"));
  EXPECT_EQ(conf.Get("foobarRef1"), "default-foo-bar");
  EXPECT_EQ(conf.Get("foobarRef2"), "default-foo-bar");
  EXPECT_EQ(conf.Get("key"), "default_value");  // the default, although the job set key
  EXPECT_EQ(conf.Get("outputDir"), "default-output-dir");
  EXPECT_EQ(conf.Get("fromGlobal"), "global");
  EXPECT_EQ(conf.Get("overridden"), "action");
}

TEST_F(DefaultConfigurationPath, SubWorkflowActionsGetNoneOfTheDefaults) {
  const Result<WorkflowSubmission> submission = Submit();
  ASSERT_TRUE(submission.ok()) << submission.status().ToString();
  const Properties conf = EffectiveActionConfiguration(*submission, *submission->app.FindNode("sub"));
  EXPECT_EQ(conf.entries(), (std::vector<std::pair<std::string, std::string>>{{"child", "yes"}}));
}

TEST_F(DefaultConfigurationPath, MissingListedFileIsAnError) {
  files_ = FakeFiles();
  files_.Add("/app/workflow.xml", kSimpleWorkflow);
  const Result<WorkflowSubmission> submission = Submit();
  ASSERT_FALSE(submission.ok());
  EXPECT_NE(submission.status().message().find("/app/extra1.xml"), std::string::npos)
      << submission.status().ToString();
}

TEST(EffectiveActionConfiguration, IsEmptyForControlNodes) {
  WorkflowSubmission submission;
  submission.config_default.Set("a", "b");
  Node kill;
  kill.kind = NodeKind::kKill;
  EXPECT_TRUE(EffectiveActionConfiguration(submission, kill).empty());
}

}  // namespace
}  // namespace refinery::workflow
