#include "actions/spark_action.h"

#include <cstdlib>

#include "action_test_util.h"
#include "actions/action.h"

namespace refinery::actions {
namespace {

using testing::ReadLocal;
using testing::WriteLocal;
namespace stdfs = std::filesystem;
using Args = std::vector<std::string>;

constexpr char kNs[] = "<spark xmlns='uri:oozie:spark-action:1.0'>";
constexpr char kHeader[] =
    "<resource-manager>localhost:8032</resource-manager><name-node>hdfs://localhost:8020</name-node>";

// The --conf pairs Oozie always adds when spark-opts does not set them.
const Args kSecurityAndLog4j = {
    "--conf", "spark.yarn.security.tokens.hadoopfs.enabled=false",
    "--conf", "spark.yarn.security.tokens.hive.enabled=false",
    "--conf", "spark.yarn.security.tokens.hbase.enabled=false",
    "--conf", "spark.yarn.security.credentials.hadoopfs.enabled=false",
    "--conf", "spark.yarn.security.credentials.hive.enabled=false",
    "--conf", "spark.yarn.security.credentials.hbase.enabled=false",
    "--conf", "spark.executor.extraJavaOptions=-Dlog4j.configuration=spark-log4j.properties",
    "--conf", "spark.driver.extraJavaOptions=-Dlog4j.configuration=spark-log4j.properties",
};

Args Concat(std::initializer_list<Args> parts) {
  Args all;
  for (const Args& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

Args Lines(const std::string& text) {
  Args lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// Cancels the job as soon as the program says it has started.
class CancellingReporter : public ActionReporter {
 public:
  explicit CancellingReporter(Cancellation* cancel) : cancel_(cancel) {}
  void Log(const std::string& line) override {
    if (line.find("stdout: started") != std::string::npos) cancel_->Cancel();
  }
  void Progress(double, const std::string&) override {}

 private:
  Cancellation* cancel_;
};

class SparkActionTest : public testing::ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    RegisterBuiltinActions(&registry_);
    record_ = base_ / "argv.txt";
    cwd_record_ = base_ / "cwd.txt";
    // A stand-in spark-submit: records its arguments (one a line) and the
    // files it was given in its working directory.
    submit_ = base_ / "bin" / "spark-submit";
    WriteLocal(submit_,
               "#!/bin/sh\n"
               "for a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + record_.string() + "'\n"
               "ls > '" + cwd_record_.string() + "'\n"
               "echo 'Submitted application application_1700000000000_0001'\n"
               "exit 0\n",
               0755);
  }

  ActionResult RunSpark(const std::string& body, bool configure_submit = true) {
    ActionContext context = Context(std::string(kNs) + kHeader + body + "</spark>");
    if (configure_submit) context.action_conf.Set("refinery.spark.submit", submit_.string());
    for (const auto& [key, value] : extra_conf_.entries()) context.action_conf.Set(key, value);
    return registry_.Find("spark")->Run(context);
  }
  Args Recorded() const { return Lines(ReadLocal(record_)); }

  ActionRegistry registry_;
  stdfs::path record_, cwd_record_, submit_;
  Properties extra_conf_;
};

TEST_F(SparkActionTest, YarnClusterAddsClassPathsLauncherFilesAndShippedFiles) {
  WriteLocal(root_ / "user/joe/apps/demo/lib/helper.jar", "jar");
  WriteLocal(root_ / "user/joe/apps/demo/lookup.csv", "a,b\n");
  const ActionResult result = RunSpark(
      "<master>yarn</master><mode>cluster</mode><name>Spark-FileCopy</name>"
      "<class>org.apache.oozie.example.SparkFileCopy</class><jar>/user/joe/apps/demo/lib/app.jar</jar>"
      "<arg>/user/joe/input</arg><arg>/user/joe/output</arg>"
      "<file>lib/helper.jar</file><file>lookup.csv#lookup</file>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(Recorded(), Concat({{"--master", "yarn", "--deploy-mode", "cluster", "--name", "Spark-FileCopy", "--class",
                                 "org.apache.oozie.example.SparkFileCopy", "--conf",
                                 "spark.executor.extraClassPath=$PWD/*", "--conf", "spark.driver.extraClassPath=$PWD/*"},
                                kSecurityAndLog4j,
                                {"--files", "helper.jar,lookup,spark-log4j.properties,hive-site.xml", "--verbose",
                                 "/user/joe/apps/demo/lib/app.jar", "/user/joe/input", "/user/joe/output"}}));
  const std::string shipped = ReadLocal(cwd_record_);
  for (const char* name : {"helper.jar", "lookup", "spark-log4j.properties", "hive-site.xml"}) {
    EXPECT_NE(shipped.find(name), std::string::npos) << name << " in " << shipped;
  }
  EXPECT_TRUE(reporter_.Contains("stdout: Submitted application application_1700000000000_0001"));
  EXPECT_TRUE(reporter_.Contains("    --master"));
}

TEST_F(SparkActionTest, LocalModeMatchesOoziesLocalClientCase) {
  // TestSparkArgsExtractor.testLocalClientArgsParsing: no class-path merging
  // and no --files outside YARN.
  const ActionResult result = RunSpark(
      "<master>local[*]</master><mode>client</mode><name>Spark Copy File</name>"
      "<class>org.apache.oozie.example.SparkFileCopy</class><jar>/lib/test.jar</jar>"
      "<spark-opts>--driver-memory  1042M --conf spark.executor.extraClassPath=aaa "
      "--conf user.property.after.spark.executor.extraClassPath=bbb --conf spark.driver.extraClassPath=ccc "
      "--conf user.property.after.spark.driver.extraClassPath=ddd "
      "--conf spark.executor.extraJavaOptions=\"-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/tmp\"</spark-opts>"
      "<arg>arg0</arg><arg>arg1</arg>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Recorded(),
            (Args{"--master", "local[*]", "--deploy-mode", "client", "--name", "Spark Copy File", "--class",
                  "org.apache.oozie.example.SparkFileCopy", "--driver-memory", "1042M", "--conf",
                  "spark.executor.extraClassPath=aaa", "--conf", "user.property.after.spark.executor.extraClassPath=bbb",
                  "--conf", "spark.driver.extraClassPath=ccc", "--conf",
                  "user.property.after.spark.driver.extraClassPath=ddd", "--conf",
                  "spark.executor.extraJavaOptions=-XX:+HeapDumpOnOutOfMemoryError -XX:HeapDumpPath=/tmp "
                  "-Dlog4j.configuration=spark-log4j.properties",
                  "--conf", "spark.yarn.security.tokens.hadoopfs.enabled=false", "--conf",
                  "spark.yarn.security.tokens.hive.enabled=false", "--conf",
                  "spark.yarn.security.tokens.hbase.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hadoopfs.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hive.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hbase.enabled=false", "--conf",
                  "spark.driver.extraJavaOptions=-Dlog4j.configuration=spark-log4j.properties", "--verbose",
                  "/lib/test.jar", "arg0", "arg1"}));
}

TEST_F(SparkActionTest, YarnClientMergesClassPathsAndQuotedJavaOptions) {
  // TestSparkArgsExtractor.testYarnClientExecutorAndDriverExtraClasspathsArgsParsing
  // and testQuotedDriverAndExecutorExtraJavaOptionsParsing (Oozie's
  // spark.yarn.jar=null, a sharelib artefact, is left out).
  const ActionResult result = RunSpark(
      "<master>yarn</master><mode>client</mode><name>Spark Copy File</name><jar>/lib/test.jar</jar>"
      "<spark-opts>--conf spark.executor.extraClassPath=aaa --conf user.x=bbb --driver-class-path ccc "
      "--conf spark.driver.extraJavaOptions=\"-Xmn2703m -XX:SurvivorRatio=2\"</spark-opts>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Recorded(),
            (Args{"--master", "yarn", "--deploy-mode", "client", "--name", "Spark Copy File", "--conf", "user.x=bbb",
                  "--conf", "spark.driver.extraJavaOptions=-Xmn2703m -XX:SurvivorRatio=2 "
                  "-Dlog4j.configuration=spark-log4j.properties",
                  "--conf", "spark.executor.extraClassPath=aaa:$PWD/*", "--conf", "spark.driver.extraClassPath=ccc:$PWD/*",
                  "--conf", "spark.yarn.security.tokens.hadoopfs.enabled=false", "--conf",
                  "spark.yarn.security.tokens.hive.enabled=false", "--conf",
                  "spark.yarn.security.tokens.hbase.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hadoopfs.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hive.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hbase.enabled=false", "--conf",
                  "spark.executor.extraJavaOptions=-Dlog4j.configuration=spark-log4j.properties", "--files",
                  "spark-log4j.properties,hive-site.xml", "--verbose", "/lib/test.jar"}));
}

TEST_F(SparkActionTest, FilesAndArchivesFromOptsAndElementsAreMergedInYarnModes) {
  WriteLocal(root_ / "user/joe/apps/demo/model.tgz", "tgz");
  WriteLocal(root_ / "user/joe/apps/demo/lib/app.jar", "jar");
  const ActionResult result = RunSpark(
      "<master>yarn-client</master><name>n</name><jar>app.jar</jar>"
      "<spark-opts>--files aaa --archives bbb --files=ccc --archives=ddd --verbose</spark-opts>"
      "<arg>a b</arg><arg>--x=1</arg><file>lib/app.jar</file><archive>model.tgz#model</archive>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  // The application jar among the files is not shipped twice (JarFilter).
  EXPECT_EQ(Recorded(), Concat({{"--master", "yarn-client", "--name", "n", "--verbose", "--conf",
                                 "spark.executor.extraClassPath=$PWD/*", "--conf", "spark.driver.extraClassPath=$PWD/*"},
                                kSecurityAndLog4j,
                                {"--files", "spark-log4j.properties,hive-site.xml,aaa,ccc", "--archives", "model,bbb,ddd",
                                 "app.jar", "a b", "--x=1"}}));
}

TEST_F(SparkActionTest, PySparkJarIsShippedFromLibAndOozieKeysBecomeSparkConf) {
  WriteLocal(root_ / "user/joe/apps/demo/lib/deploy.py", "print('hi')\n");
  extra_conf_.Set("oozie.launcher.mapreduce.map.memory.mb", "2048");  // not forwarded
  extra_conf_.Set("oozie.spark.log.level", "WARN");                   // not forwarded
  extra_conf_.Set("oozie.action.sharelib.for.spark", "spark2");
  extra_conf_.Set("mapreduce.job.tags", "oozie-abc");
  const ActionResult result = RunSpark(
      "<master>local[2]</master><name>deploy</name><jar>deploy.py</jar>"
      "<spark-opts>--conf spark.yarn.security.tokens.hive.enabled=true --executor-memory 2G</spark-opts>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Recorded(),
            (Args{"--master", "local[2]", "--name", "deploy", "--conf", "spark.oozie.action.sharelib.for.spark=spark2",
                  "--conf", "spark.yarn.security.tokens.hive.enabled=true", "--executor-memory", "2G", "--conf",
                  "spark.yarn.tags=oozie-abc", "--conf", "spark.yarn.security.tokens.hadoopfs.enabled=false", "--conf",
                  "spark.yarn.security.tokens.hbase.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hadoopfs.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hive.enabled=false", "--conf",
                  "spark.yarn.security.credentials.hbase.enabled=false", "--conf",
                  "spark.executor.extraJavaOptions=-Dlog4j.configuration=spark-log4j.properties", "--conf",
                  "spark.driver.extraJavaOptions=-Dlog4j.configuration=spark-log4j.properties", "--verbose",
                  "deploy.py"}));
  EXPECT_NE(ReadLocal(cwd_record_).find("deploy.py"), std::string::npos);
}

TEST_F(SparkActionTest, ShippedSparkDefaultsBecomesThePropertiesFile) {
  WriteLocal(root_ / "user/joe/apps/demo/spark-defaults.conf", "spark.executor.cores 2\n");
  ASSERT_EQ(RunSpark("<master>local</master><name>n</name><jar>/a.jar</jar><file>spark-defaults.conf</file>").outcome,
            Outcome::kOk);
  const Args args = Recorded();
  const auto it = std::find(args.begin(), args.end(), "--properties-file");
  ASSERT_NE(it, args.end());
  EXPECT_EQ(*(it + 1), "spark-defaults.conf");
  EXPECT_EQ(args[args.size() - 2], "--verbose");
}

TEST_F(SparkActionTest, SparkSubmitIsFoundOnPath) {
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  ::setenv("PATH", ((base_ / "bin").string() + ":" + saved).c_str(), 1);
  const ActionResult result = RunSpark("<master>local</master><name>n</name><jar>/a.jar</jar>", false);
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(Recorded().front(), "--master");
}

TEST_F(SparkActionTest, WithoutSparkSubmitTheErrorNamesTheTrainAction) {
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path != nullptr ? old_path : "";
  const char* old_home = std::getenv("SPARK_HOME");
  const std::string saved_home = old_home != nullptr ? old_home : "";
  ::setenv("PATH", (base_ / "empty").c_str(), 1);
  ::unsetenv("SPARK_HOME");
  const ActionResult result = RunSpark("<master>local</master><name>n</name><jar>/a.jar</jar>", false);
  ::setenv("PATH", saved.c_str(), 1);
  if (old_home != nullptr) ::setenv("SPARK_HOME", saved_home.c_str(), 1);
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "REFINERY001");
  EXPECT_NE(result.error_message.find("uri:refinery:train-action:1.0"), std::string::npos) << result.error_message;
  EXPECT_NE(result.error_message.find("spark-submit was not found"), std::string::npos) << result.error_message;
}

TEST_F(SparkActionTest, AConfiguredSparkSubmitThatIsMissingIsNamed) {
  submit_ = base_ / "no" / "spark-submit";
  const ActionResult result = RunSpark("<master>local</master><name>n</name><jar>/a.jar</jar>");
  EXPECT_EQ(result.error_code, "REFINERY001");
  EXPECT_NE(result.error_message.find("refinery.spark.submit"), std::string::npos);
  EXPECT_NE(result.error_message.find(submit_.string()), std::string::npos);
}

TEST_F(SparkActionTest, AFailingSparkSubmitIsAnErrorWithItsExitCodeAndStderr) {
  WriteLocal(submit_, "#!/bin/sh\necho 'Exception in thread main: no such file' >&2\nexit 3\n", 0755);
  const ActionResult result = RunSpark("<master>local</master><name>n</name><jar>/a.jar</jar>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "3");
  EXPECT_NE(result.error_message.find("Main Class [org.apache.oozie.action.hadoop.SparkMain], exit code [3]"),
            std::string::npos);
  EXPECT_NE(result.error_message.find("no such file"), std::string::npos);
  EXPECT_TRUE(reporter_.Contains("stderr: Exception in thread main"));
}

TEST_F(SparkActionTest, CancellationKillsSparkSubmit) {
  WriteLocal(submit_, "#!/bin/sh\necho started\nexec sleep 30\n", 0755);
  CancellingReporter reporter(&cancel_);
  ActionContext context = Context(std::string(kNs) + "<master>local</master><name>n</name><jar>/a.jar</jar></spark>");
  context.action_conf.Set("refinery.spark.submit", submit_.string());
  context.reporter = &reporter;
  const ActionResult result = registry_.Find("spark")->Run(context);
  EXPECT_EQ(result.outcome, Outcome::kKilled);
}

TEST_F(SparkActionTest, MissingMasterNameOrJarFailsTheWorkflow) {
  for (const char* body : {"<name>n</name><jar>/a.jar</jar>", "<master>local</master><jar>/a.jar</jar>",
                           "<master>local</master><name>n</name>"}) {
    const ActionResult result = RunSpark(body);
    EXPECT_EQ(result.outcome, Outcome::kFailed) << body;
    EXPECT_EQ(result.error_code, "E0701") << body;
  }
}

TEST_F(SparkActionTest, PasswordsAreMaskedInTheLog) {
  ASSERT_EQ(RunSpark("<master>local</master><name>n</name><jar>/a.jar</jar>"
                     "<spark-opts>--conf spark.ssl.keyPassword=s3cret</spark-opts>")
                .outcome,
            Outcome::kOk);
  EXPECT_TRUE(reporter_.Contains("spark.ssl.keyPassword=*****"));
  EXPECT_FALSE(reporter_.Contains("s3cret"));
}

// ---- The splitter as a table (SparkOptionsSplitter) ----

struct SplitCase {
  std::string opts;
  Args expected;
};

TEST(SparkOptionsSplitter, SplitsAsOozieDoes) {
  const std::vector<SplitCase> cases = {
      {"--driver-memory  1042M --executor-memory 2G", {"--driver-memory", "1042M", "--executor-memory", "2G"}},
      {"--conf spark.a=\"x y\"", {"--conf", "spark.a=x y"}},
      // TestSparkOptionsSplitter's cases.
      {"   --option1 value1   ", {"--option1", "value1"}},
      {"--conf special=\"value1\"", {"--conf", "special=value1"}},
      {"--conf special=value1 value2 --conf value3", {"--conf", "special=value1 value2", "--conf", "value3"}},
      {"--conf special1=value1 special2=\"value2 value3\" --conf value4",
       {"--conf", "special1=value1 special2=\"value2 value3\"", "--conf", "value4"}},
      {"--conf special1=value1 value2 special2=value3 value4",
       {"--conf", "special1=value1 value2 special2=value3 value4"}},
      {"--option1 value1 --option2=value2", {"--option1", "value1", "--option2", "value2"}},
      {"--verbose --option1 value1", {"--verbose", "--option1", "value1"}},
      {"--conf key=value1 \"value2\"", {"--conf", "key=value1 \"value2\""}},
      {"--driver-java-options \"-Da=1 -Db=2\"", {"--driver-java-options", "\"-Da=1 -Db=2\""}},
      {"--files=a,b --verbose", {"--files", "a,b", "--verbose"}},
      {"ignored --name x", {"--name", "x"}},
      {"", {}},
      {"--conf spark.x=-XX:+A -XX:B=1", {"--conf", "spark.x=-XX:+A -XX:B=1"}},
  };
  for (const SplitCase& c : cases) EXPECT_EQ(internal::SplitSparkOpts(c.opts), c.expected) << c.opts;
}

TEST(SparkOptionsSplitter, AVeryLongValueNeitherCrashesNorSplits) {
  const std::string value = "spark.x=\"" + std::string(200000, 'a') + " " + std::string(200000, ' ') + "b\"";
  const auto pieces = internal::SplitSparkOpts("--conf " + value + " --verbose");
  ASSERT_EQ(pieces.size(), 3u);
  EXPECT_EQ(pieces[1].size(), value.size() - 2);  // unquoted
  EXPECT_EQ(pieces[2], "--verbose");
}

}  // namespace
}  // namespace refinery::actions
