#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actions/action.h"

namespace refinery::actions {
namespace {

TEST(LocalProcessRunner, StreamsOutputLinesWhileTheProgramRuns) {
  auto runner = MakeLocalProcessRunner();
  std::mutex mu;
  std::vector<std::string> lines;
  std::atomic<bool> first_line_before_exit{false};
  ProcessSpec spec;
  // The marker file appears only after the first line was printed and
  // before the program ends: seeing the line then proves streaming.
  const std::string marker = ::testing::TempDir() + "/streaming-marker-" + std::to_string(::getpid());
  spec.argv = {"sh", "-c", "echo first; echo oops >&2; sleep 0.3; touch " + marker + "; sleep 0.3; printf last"};
  spec.on_line = [&](const std::string& line, bool is_stderr) {
    std::lock_guard<std::mutex> lock(mu);
    lines.push_back((is_stderr ? "err:" : "out:") + line);
    if (line == "first" && access(marker.c_str(), F_OK) != 0) first_line_before_exit = true;
  };
  Cancellation cancel;
  auto outcome = runner->Run(spec, cancel);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->exit_code, 0);
  EXPECT_TRUE(first_line_before_exit);
  EXPECT_EQ(lines, (std::vector<std::string>{"out:first", "err:oops", "out:last"}));
  EXPECT_EQ(outcome->stdout_text, "first\nlast");
  ::unlink(marker.c_str());
}

}  // namespace
}  // namespace refinery::actions
