// Shared by the actions tests: a real temporary data root, a context builder
// and recording fakes for the injected services.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "actions/action.h"

namespace refinery::actions::testing {

namespace stdfs = std::filesystem;

inline void WriteLocal(const stdfs::path& path, const std::string& content, int mode = 0644) {
  stdfs::create_directories(path.parent_path());
  {
    std::ofstream out(path, std::ios::binary);
    out << content;
  }
  ::chmod(path.c_str(), static_cast<mode_t>(mode));
}

inline std::string ReadLocal(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

class RecordingReporter : public ActionReporter {
 public:
  void Log(const std::string& line) override {
    std::lock_guard<std::mutex> lock(mu_);
    lines_.push_back(line);
  }
  void Progress(double, const std::string&) override {}
  std::vector<std::string> lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }
  bool Contains(const std::string& text) const {
    for (const std::string& line : lines()) {
      if (line.find(text) != std::string::npos) return true;
    }
    return false;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> lines_;
};

// A temporary directory holding the data root, a scratch dir and an
// "outside" area, removed afterwards.
class ActionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/refinery-actions-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    base_ = pattern;
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    stdfs::create_directories(root_);
    stdfs::create_directories(outside_);
    files_ = std::make_unique<fs::FileSystem>(root_);
    processes_ = MakeLocalProcessRunner();
  }
  void TearDown() override {
    std::error_code ec;
    for (auto it = stdfs::recursive_directory_iterator(base_, ec); !ec && it != stdfs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_symlink()) ::chmod(it->path().c_str(), 0755);
    }
    stdfs::remove_all(base_, ec);
  }

  // A context for `xml` with every service wired.
  ActionContext Context(const std::string& xml) {
    ActionContext context;
    context.job_id = "0000001-240101000000000-refinery-W";
    context.action_id = context.job_id + "@node";
    context.action_name = "node";
    context.action_xml = xml;
    context.app_path = "hdfs://localhost:8020/user/joe/apps/demo";
    context.user = "joe";
    context.job_conf = &job_conf_;
    context.files = files_.get();
    context.processes = processes_.get();
    context.reporter = &reporter_;
    context.cancel = &cancel_;
    context.scratch_dir = (base_ / "scratch").string();
    return context;
  }

  stdfs::path base_, root_, outside_;
  std::unique_ptr<fs::FileSystem> files_;
  std::unique_ptr<ProcessRunner> processes_;
  Properties job_conf_;
  RecordingReporter reporter_;
  Cancellation cancel_;
};

}  // namespace refinery::actions::testing
