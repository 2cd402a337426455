// A data home in a temp directory with a real SQLite store, a real file
// system, the builtin actions and a scripted `test` action whose behaviour
// each workflow sets in its XML.
#pragma once

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <pugixml.hpp>

#include "actions/action.h"
#include "engine/engine.h"
#include "fs/file_system.h"
#include "store/store.h"

namespace refinery::engine::testing {

// <test xmlns="uri:refinery:test">
//   <outcome>ok|error|failed|transient</outcome> <error-code>X</error-code>
//   <sleep-ms>N</sleep-ms> <data>k=v</data> <rendezvous>name</rendezvous>
//   <log>line</log> <log-after-ms ms="N">line</log-after-ms>
// </test>
// <log> lines are reported first; each <log-after-ms> after waiting N ms
// more; then the sleep.
// Counts runs per action name. A rendezvous blocks until two actions with the
// same name arrive (proves concurrency) or 5 s pass (then it errors).
class ScriptedAction : public actions::Action {
 public:
  std::string type() const override { return "test"; }
  bool idempotent() const override { return idempotent_; }
  void set_idempotent(bool value) { idempotent_ = value; }

  actions::ActionResult Run(actions::ActionContext& context) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++runs_[context.action_name];
      last_xml_[context.action_name] = context.action_xml;
    }
    pugi::xml_document doc;
    doc.load_string(context.action_xml.c_str());
    const pugi::xml_node root = doc.first_child();
    for (const pugi::xml_node line : root.children("log")) context.reporter->Log(line.text().as_string());
    for (const pugi::xml_node line : root.children("log-after-ms")) {
      std::this_thread::sleep_for(std::chrono::milliseconds(line.attribute("ms").as_int(0)));
      context.reporter->Log(line.text().as_string());
    }
    const int sleep_ms = root.child("sleep-ms").text().as_int(0);
    for (int waited = 0; waited < sleep_ms; waited += 5) {
      if (context.cancel->cancelled()) return Killed();
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const std::string rendezvous = root.child("rendezvous").text().as_string();
    if (!rendezvous.empty() && !Meet(rendezvous)) {
      return actions::ActionResult::Error("TEST", "rendezvous [" + rendezvous + "] timed out: ran serially");
    }
    const std::string outcome = root.child("outcome").text().as_string("ok");
    const std::string code = root.child("error-code").text().as_string("TEST");
    if (outcome == "error") return actions::ActionResult::Error(code, "scripted error");
    if (outcome == "failed") return actions::ActionResult::Failed(code, "scripted failure");
    if (outcome == "transient") {
      actions::ActionResult result;
      result.outcome = actions::Outcome::kTransient;
      result.error_code = code;
      result.error_message = "scripted transient error";
      return result;
    }
    actions::ActionResult result;
    result.data = root.child("data").text().as_string();
    return result;
  }

  int runs(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return runs_[name];
  }
  std::string last_xml(const std::string& name) {
    std::lock_guard<std::mutex> lock(mu_);
    return last_xml_[name];
  }

 private:
  static actions::ActionResult Killed() {
    actions::ActionResult result;
    result.outcome = actions::Outcome::kKilled;
    return result;
  }
  bool Meet(const std::string& name) {
    std::unique_lock<std::mutex> lock(mu_);
    ++arrived_[name];
    cv_.notify_all();
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return arrived_[name] >= 2; });
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, int> runs_;
  std::map<std::string, int> arrived_;
  std::map<std::string, std::string> last_xml_;
  bool idempotent_ = true;
};

class EngineFixture : public ::testing::Test {
 public:  // helpers shared with free functions in the tests
  void SetUp() override {
    std::random_device random;
    dir_ = std::filesystem::temp_directory_path() /
           ("refinery-engine-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(dir_ / "fs");
    std::filesystem::create_directories(dir_ / "apps");
    OpenEngine();
  }

  void TearDown() override {
    engine_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void OpenEngine(EngineOptions options = {}) {
    engine_.reset();
    store_.reset();
    auto store = store::OpenSqliteStore((dir_ / "state.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    files_ = std::make_unique<fs::FileSystem>(dir_ / "fs");
    registry_ = std::make_unique<actions::ActionRegistry>();
    actions::RegisterBuiltinActions(registry_.get());
    auto scripted = std::make_unique<ScriptedAction>();
    scripted_ = scripted.get();
    registry_->Register(std::move(scripted));
    processes_ = actions::MakeLocalProcessRunner();
    EngineEnvironment env;
    env.store = store_.get();
    env.files = files_.get();
    env.actions = registry_.get();
    env.processes = processes_.get();
    env.scratch_root = (dir_ / "scratch").string();
    options.retry_interval_unit = std::chrono::milliseconds(1);
    options.transient_retry_interval = std::chrono::milliseconds(1);
    auto engine = Engine::Create(env, options);
    ASSERT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
  }

  // Writes apps/<name>/workflow.xml and returns a conf pointing at it.
  Properties App(const std::string& name, const std::string& workflow_xml) {
    const auto app_dir = dir_ / "apps" / name;
    std::filesystem::create_directories(app_dir);
    std::ofstream(app_dir / "workflow.xml") << workflow_xml;
    Properties conf;
    conf.Set("oozie.wf.application.path", "file://" + app_dir.string());
    conf.Set("user.name", "tester");
    return conf;
  }

  store::WorkflowJobRecord RunToEnd(const Properties& conf) {
    auto id = engine_->Submit(conf, true);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return {};
    auto record = engine_->WaitForJob(*id);
    EXPECT_TRUE(record.ok()) << record.status().ToString();
    return record.ok() ? *record : store::WorkflowJobRecord{};
  }

  std::map<std::string, store::WorkflowActionRecord> Actions(const std::string& job_id) {
    std::map<std::string, store::WorkflowActionRecord> by_name;
    auto records = store_->ListActions(job_id);
    EXPECT_TRUE(records.ok());
    if (!records.ok()) return by_name;
    for (auto& record : *records) by_name[record.name] = record;
    return by_name;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fs::FileSystem> files_;
  std::unique_ptr<actions::ActionRegistry> registry_;
  std::unique_ptr<actions::ProcessRunner> processes_;
  std::unique_ptr<Engine> engine_;
  ScriptedAction* scripted_ = nullptr;
};

// Wraps nodes in a workflow-app of schema 0.5.
inline std::string Workflow(const std::string& nodes, const std::string& start = "a") {
  return "<workflow-app xmlns=\"uri:oozie:workflow:0.5\" name=\"test-wf\">\n<start to=\"" + start + "\"/>\n" +
         nodes + "\n<kill name=\"fail\"><message>failed at [${wf:lastErrorNode()}]: " +
         "${wf:errorMessage(wf:lastErrorNode())}</message></kill>\n<end name=\"end\"/>\n</workflow-app>\n";
}

inline std::string TestAction(const std::string& name, const std::string& body, const std::string& ok = "end",
                              const std::string& error = "fail", const std::string& attributes = "") {
  return "<action name=\"" + name + "\"" + attributes + "><test xmlns=\"uri:refinery:test\">" + body +
         "</test><ok to=\"" + ok + "\"/><error to=\"" + error + "\"/></action>\n";
}

}  // namespace refinery::engine::testing
