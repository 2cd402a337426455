// Runs the built `refinery` binary as a user would, in a temporary data home.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

extern char** environ;

namespace refinery::cli::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr, interleaved
};

class CliFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("refinery-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    home_ = dir_ / "home";
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{REFINERY_BINARY, "--home", home_.string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // Starts the binary with output to `log`; returns its pid.
  pid_t Spawn(const std::vector<std::string>& args, const std::filesystem::path& log) const {
    std::vector<std::string> argv = Argv(args);
    if (!args.empty() && args[0] == "fs") {  // fs takes --home after the verb
      argv = {REFINERY_BINARY, "fs", "--home", home_.string()};
      argv.insert(argv.end(), args.begin() + 1, args.end());
    }
    std::vector<char*> raw;
    for (auto& a : argv) raw.push_back(a.data());
    raw.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = -1;
    const int rc = posix_spawn(&pid, raw[0], &actions, nullptr, raw.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    EXPECT_EQ(rc, 0) << "could not start " << raw[0];
    return pid;
  }

  static int Wait(pid_t pid) {
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  CommandResult Run(const std::vector<std::string>& args) {
    const auto log = dir_ / ("out-" + std::to_string(counter_++) + ".txt");
    CommandResult result;
    result.exit_code = Wait(Spawn(args, log));
    std::ifstream in(log);
    std::stringstream buffer;
    buffer << in.rdbuf();
    result.out = buffer.str();
    return result;
  }

  std::filesystem::path WriteFile(const std::string& relative, const std::string& content) {
    const auto path = dir_ / relative;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << content;
    return path;
  }

  static std::string ExtractJobId(const std::string& out) {
    const auto at = out.find("job: ");
    if (at == std::string::npos) return "";
    const auto end = out.find_first_of(" \n", at + 5);
    return out.substr(at + 5, end - at - 5);
  }

  std::filesystem::path dir_;
  std::filesystem::path home_;
  int counter_ = 0;
};

// A time as coordinator.xml writes it (yyyy-MM-ddTHH:mmZ), minute precision.
inline std::string OozieMinute(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof(text), "%Y-%m-%dT%H:%MZ", &utc);
  return text;
}

}  // namespace refinery::cli::testing
