#include <chrono>
#include <thread>

#include "actions/action.h"
#include "action_test_util.h"

namespace refinery::actions {
namespace {

using testing::ReadLocal;
using testing::WriteLocal;
namespace stdfs = std::filesystem;
using std::chrono::steady_clock;

constexpr char kNs[] = "<shell xmlns='uri:oozie:shell-action:1.0'>";

class ShellActionTest : public testing::ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    RegisterBuiltinActions(&registry_);
  }
  ActionResult RunShell(const std::string& body) {
    ActionContext context = Context(std::string(kNs) + body + "</shell>");
    return registry_.Find("shell")->Run(context);
  }
  ActionRegistry registry_;
};

TEST_F(ShellActionTest, OozieShellExampleCapturesOutput) {
  // examples/shell/workflow.xml
  const ActionResult result = RunShell(
      "<resource-manager>localhost:8032</resource-manager><name-node>hdfs://localhost:8020</name-node>"
      "<configuration><property><name>mapred.job.queue.name</name><value>default</value></property>"
      "</configuration><exec>echo</exec><argument>my_output=Hello Oozie</argument><capture-output/>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(result.data, "my_output=Hello Oozie\n");
  auto parsed = ParseJavaProperties(result.data, "data");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->GetOr("my_output", ""), "Hello Oozie");
  EXPECT_TRUE(reporter_.Contains("stdout: my_output=Hello Oozie"));
}

TEST_F(ShellActionTest, WithoutCaptureOutputDataStaysEmpty) {
  const ActionResult result = RunShell("<exec>echo</exec><argument>a=b</argument>");
  ASSERT_EQ(result.outcome, Outcome::kOk);
  EXPECT_TRUE(result.data.empty());
}

TEST_F(ShellActionTest, ArgumentsAreTrimmedAndNeverSplit) {
  const ActionResult result = RunShell(
      "<exec>/usr/bin/printf</exec><argument>  [%s][%s]\\n  </argument><argument> two words </argument>"
      "<argument>$HOME;x</argument>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_TRUE(reporter_.Contains("stdout: [two words][$HOME;x]"));
}

TEST_F(ShellActionTest, ExecUsesOnlyTheBasename) {
  // Oozie runs new Path(exec).getName(): /no/such/dir/echo is plain echo.
  const ActionResult result = RunShell("<exec>/no/such/dir/echo</exec><argument>k=v</argument><capture-output/>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(result.data, "k=v\n");
}

TEST_F(ShellActionTest, NonZeroExitIsErrorCode1WithTheStderrTail) {
  const ActionResult result =
      RunShell("<exec>sh</exec><argument>-c</argument><argument>echo first >&2; echo 'boom: disk full' >&2; "
               "exit 3</argument>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "1");
  EXPECT_EQ(result.error_message.rfind("Main Class [org.apache.oozie.action.hadoop.ShellMain], exit code [3]", 0), 0u)
      << result.error_message;
  EXPECT_NE(result.error_message.find("boom: disk full"), std::string::npos);
  EXPECT_NE(result.error_message.find("first"), std::string::npos);
  EXPECT_TRUE(reporter_.Contains("stderr: boom: disk full"));
}

TEST_F(ShellActionTest, EnvVarsReachTheProgramAlongWithTheActionConf) {
  ActionContext context = Context(std::string(kNs) +
                                  "<exec>sh</exec><argument>-c</argument>"
                                  "<argument>echo \"greeting=$GREETING\"; echo \"eq=$WITH_EQ\"; "
                                  "grep -c queue.name \"$OOZIE_ACTION_CONF_XML\" | sed 's/^/conf=/'</argument>"
                                  "<env-var>GREETING=hello world</env-var><env-var>WITH_EQ=a=b</env-var>"
                                  "<capture-output/></shell>");
  context.action_conf.Set("mapred.job.queue.name", "default");
  const ActionResult result = registry_.Find("shell")->Run(context);
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  auto data = ParseJavaProperties(result.data, "data");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(data->GetOr("greeting", ""), "hello world");
  EXPECT_EQ(data->GetOr("eq", ""), "a=b");
  EXPECT_EQ(data->GetOr("conf", ""), "1");
}

TEST_F(ShellActionTest, EnvVarWithoutEqualsFailsWithJA010) {
  for (const char* bad : {"NOEQUALS", "NAME=", ""}) {
    const ActionResult result =
        RunShell(std::string("<exec>echo</exec><env-var>") + bad + "</env-var>");
    EXPECT_EQ(result.outcome, Outcome::kFailed) << bad;
    EXPECT_EQ(result.error_code, "JA010");
    EXPECT_EQ(result.error_message,
              std::string("Wrong ENV format [") + bad + "] in <env-var> , key=value format expected");
  }
}

TEST_F(ShellActionTest, FileShipsAScriptFromTheRootAndMakesItExecutable) {
  WriteLocal(root_ / "user/joe/apps/demo/scripts/run.sh", "#!/bin/sh\necho \"ran=$1\"\n", 0644);
  const ActionResult result = RunShell(
      "<exec>run.sh</exec><argument>yes</argument>"
      "<file>hdfs://localhost:8020/user/joe/apps/demo/scripts/run.sh#run.sh</file><capture-output/>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(result.data, "ran=yes\n");
}

TEST_F(ShellActionTest, RelativeFileIsTakenFromTheAppDirAndRenamedByItsLink) {
  WriteLocal(root_ / "user/joe/apps/demo/lib/tool-v2.sh", "echo tool=ok\n", 0600);  // no #! line
  const ActionResult result =
      RunShell("<exec>tool</exec><file>lib/tool-v2.sh#tool</file><capture-output/>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(result.data, "tool=ok\n");
}

TEST_F(ShellActionTest, FileFromALocalAppDirectoryIsReadOnlyShipped) {
  WriteLocal(outside_ / "app/hello.sh", "#!/bin/sh\necho local=1\n");
  ActionContext context =
      Context(std::string(kNs) + "<exec>hello.sh</exec><file>hello.sh</file><capture-output/></shell>");
  context.app_path = "file://" + (outside_ / "app").string();
  const ActionResult result = registry_.Find("shell")->Run(context);
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_message;
  EXPECT_EQ(result.data, "local=1\n");
}

TEST_F(ShellActionTest, MissingFileIsJA008) {
  const ActionResult result = RunShell("<exec>x.sh</exec><file>/user/joe/none.sh#x.sh</file>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "JA008");
  EXPECT_NE(result.error_message.find("none.sh"), std::string::npos);
  EXPECT_EQ(RunShell("<exec>x</exec><file>/a#../escape</file>").error_code, "JA008");
}

TEST_F(ShellActionTest, ArchiveIsShippedLikeAFile) {
  WriteLocal(root_ / "user/joe/apps/demo/bundle.tgz", "not really a tarball");
  const ActionResult result =
      RunShell("<exec>cat</exec><argument>b.tgz</argument><archive>bundle.tgz#b.tgz</archive>");
  EXPECT_EQ(result.outcome, Outcome::kOk) << result.error_message;
}

TEST_F(ShellActionTest, UnknownProgramIsAnErrorNamingIt) {
  const ActionResult result = RunShell("<exec>no-such-program-refinery</exec>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "JA018");
  EXPECT_NE(result.error_message.find("no-such-program-refinery"), std::string::npos);
}

TEST_F(ShellActionTest, OutputOverTheLimitIsAnError) {
  const ActionResult result = RunShell(
      "<exec>sh</exec><argument>-c</argument><argument>i=0; while [ $i -lt 300 ]; do echo key$i=value; "
      "i=$((i+1)); done</argument><capture-output/>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_message, "Output data exceeds its limit [2048]");
  // The same output is fine without capture-output.
  EXPECT_EQ(RunShell("<exec>sh</exec><argument>-c</argument><argument>i=0; while [ $i -lt 300 ]; do echo "
                     "key$i=value; i=$((i+1)); done</argument>")
                .outcome,
            Outcome::kOk);
}

TEST_F(ShellActionTest, OutputLimitIsASetting) {
  ActionContext context =
      Context(std::string(kNs) + "<exec>echo</exec><argument>k=0123456789</argument><capture-output/></shell>");
  context.action_conf.Set("oozie.action.max.output.data", "5");
  EXPECT_EQ(registry_.Find("shell")->Run(context).error_message, "Output data exceeds its limit [5]");
  context.action_conf.Set("oozie.action.max.output.data", "lots");
  const ActionResult bad = registry_.Find("shell")->Run(context);
  EXPECT_EQ(bad.outcome, Outcome::kFailed);
  EXPECT_EQ(bad.error_code, "E0303");
}

TEST_F(ShellActionTest, CancellationKillsALongSleepQuickly) {
  std::thread canceller([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel_.Cancel();
  });
  const auto start = steady_clock::now();
  const ActionResult result = RunShell("<exec>sleep</exec><argument>30</argument>");
  const auto elapsed = steady_clock::now() - start;
  canceller.join();
  EXPECT_EQ(result.outcome, Outcome::kKilled);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST_F(ShellActionTest, CancellationAlsoKillsTheScriptsChildren) {
  std::thread canceller([this] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    cancel_.Cancel();
  });
  const auto start = steady_clock::now();
  const ActionResult result =
      RunShell("<exec>sh</exec><argument>-c</argument><argument>sleep 30; echo never</argument>");
  canceller.join();
  EXPECT_EQ(result.outcome, Outcome::kKilled);
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(5));
}

TEST_F(ShellActionTest, MissingExecFailsTheWorkflow) {
  EXPECT_EQ(RunShell("<argument>x</argument>").outcome, Outcome::kFailed);
}

// ---- The local process runner itself ----

TEST_F(ShellActionTest, ProcessRunnerCapsStdoutAndKeepsTheStderrTail) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "head -c 5000 /dev/zero | tr '\\0' a; i=0; while [ $i -lt 2000 ]; do echo err$i >&2; "
                           "i=$((i+1)); done"};
  spec.max_stdout_bytes = 100;
  Cancellation never;
  auto outcome = processes_->Run(spec, never);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_EQ(outcome->stdout_text, std::string(100, 'a'));
  EXPECT_TRUE(outcome->stdout_truncated);
  EXPECT_LE(outcome->stderr_tail.size(), 4096u);
  EXPECT_NE(outcome->stderr_tail.find("err1999\n"), std::string::npos);
  EXPECT_EQ(outcome->stderr_tail.find("err0\n"), std::string::npos);
}

TEST_F(ShellActionTest, ProcessRunnerUsesTheWorkingDirectoryAndReportsSignals) {
  stdfs::create_directories(base_ / "wd");
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "pwd; kill -9 $$"};
  spec.working_directory = (base_ / "wd").string();
  Cancellation never;
  auto outcome = processes_->Run(spec, never);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->stdout_text, (base_ / "wd").string() + "\n");
  EXPECT_EQ(outcome->exit_code, 128 + 9);
  spec.working_directory = (base_ / "missing").string();
  EXPECT_FALSE(processes_->Run(spec, never).ok());
  spec.argv.clear();
  EXPECT_FALSE(processes_->Run(spec, never).ok());
}

TEST_F(ShellActionTest, ProcessRunnerReturnsEvenWhenABackgroundChildHoldsThePipes) {
  ProcessSpec spec;
  spec.argv = {"sh", "-c", "sleep 30 & echo started"};
  Cancellation never;
  const auto start = steady_clock::now();
  auto outcome = processes_->Run(spec, never);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->stdout_text, "started\n");
  EXPECT_LT(steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace refinery::actions
