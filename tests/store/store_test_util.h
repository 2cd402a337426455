// Helpers shared by the store tests: a scratch directory, record builders and
// a raw SQLite handle for poking at files behind the store's back.
#pragma once

#include <sqlite3.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/store.h"

namespace refinery::store::testing {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "refinery-store-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::string JobId(int n) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%07d-210114070000000-refinery-test-W", n);
  return buf;
}

// A job with every field set to something distinct, so a column mix-up shows.
inline WorkflowJobRecord FullJob(const std::string& id) {
  WorkflowJobRecord job;
  job.id = id;
  job.app_name = "app-" + id;
  job.app_path = "file:///apps/" + id;
  job.user = "joe";
  job.group = "users";
  job.status = "RUNNING";
  job.run = 3;
  job.conf = "<configuration><property><name>a</name><value>1</value></property></configuration>";
  job.definition = "<workflow-app name='x' xmlns='uri:oozie:workflow:1.0'/>";
  job.parent_id = "0000009-210114070000000-refinery-test-C@4";
  job.external_id = "ext-" + id;
  job.error_code = "E0729";
  job.error_message = "Kill node message [boom]";
  job.created_ms = 1610608000001;
  job.start_ms = 1610608000002;
  job.end_ms = 1610608000003;
  job.last_modified_ms = 1610608000004;
  return job;
}

inline WorkflowActionRecord FullAction(const std::string& job_id, const std::string& node) {
  WorkflowActionRecord action;
  action.id = job_id + "@" + node;
  action.job_id = job_id;
  action.name = node;
  action.type = "shell";
  action.status = "USER_RETRY";
  action.transition = "end";
  action.conf = "<shell xmlns='uri:oozie:shell-action:1.0'><exec>echo</exec></shell>";
  action.data = "#Properties\nkey=value\n";
  action.error_code = "JA018";
  action.error_message = "exit code [1]";
  action.external_id = "pid-4242";
  action.external_status = "FAILED/KILLED";
  action.tracker_uri = "local";
  action.console_url = "file:///logs/" + node;
  action.retries = 1;
  action.user_retry_count = 2;
  action.user_retry_max = 5;
  action.user_retry_interval = 7;
  action.start_ms = 1610608000011;
  action.end_ms = 1610608000012;
  action.last_modified_ms = 1610608000013;
  action.retry_at_ms = 1610608000014;
  action.run = 4;
  action.execution_path = "/fork-1:0";
  return action;
}

inline void ExpectSameJob(const WorkflowJobRecord& a, const WorkflowJobRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.app_name, b.app_name);
  EXPECT_EQ(a.app_path, b.app_path);
  EXPECT_EQ(a.user, b.user);
  EXPECT_EQ(a.group, b.group);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.run, b.run);
  EXPECT_EQ(a.conf, b.conf);
  EXPECT_EQ(a.definition, b.definition);
  EXPECT_EQ(a.parent_id, b.parent_id);
  EXPECT_EQ(a.external_id, b.external_id);
  EXPECT_EQ(a.error_code, b.error_code);
  EXPECT_EQ(a.error_message, b.error_message);
  EXPECT_EQ(a.created_ms, b.created_ms);
  EXPECT_EQ(a.start_ms, b.start_ms);
  EXPECT_EQ(a.end_ms, b.end_ms);
  EXPECT_EQ(a.last_modified_ms, b.last_modified_ms);
}

inline void ExpectSameAction(const WorkflowActionRecord& a, const WorkflowActionRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.job_id, b.job_id);
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.type, b.type);
  EXPECT_EQ(a.status, b.status);
  EXPECT_EQ(a.transition, b.transition);
  EXPECT_EQ(a.conf, b.conf);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.error_code, b.error_code);
  EXPECT_EQ(a.error_message, b.error_message);
  EXPECT_EQ(a.external_id, b.external_id);
  EXPECT_EQ(a.external_status, b.external_status);
  EXPECT_EQ(a.tracker_uri, b.tracker_uri);
  EXPECT_EQ(a.console_url, b.console_url);
  EXPECT_EQ(a.retries, b.retries);
  EXPECT_EQ(a.user_retry_count, b.user_retry_count);
  EXPECT_EQ(a.user_retry_max, b.user_retry_max);
  EXPECT_EQ(a.user_retry_interval, b.user_retry_interval);
  EXPECT_EQ(a.start_ms, b.start_ms);
  EXPECT_EQ(a.end_ms, b.end_ms);
  EXPECT_EQ(a.last_modified_ms, b.last_modified_ms);
  EXPECT_EQ(a.retry_at_ms, b.retry_at_ms);
  EXPECT_EQ(a.run, b.run);
  EXPECT_EQ(a.execution_path, b.execution_path);
}

// A raw connection to inspect or tamper with a file. Not for the store's use.
class RawDb {
 public:
  explicit RawDb(const std::string& path) {
    if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) ADD_FAILURE() << "open " << path << ": " << sqlite3_errmsg(db_);
  }
  ~RawDb() { sqlite3_close(db_); }
  RawDb(const RawDb&) = delete;
  RawDb& operator=(const RawDb&) = delete;

  void Exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << (error ? error : "?");
    }
    sqlite3_free(error);
  }

  // The first column of the first row as text ("" if none or on error).
  std::string QueryText(const std::string& sql) {
    sqlite3_stmt* stmt = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return out;
    }
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
    }
    sqlite3_finalize(stmt);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

inline std::unique_ptr<Store> OpenOrDie(const std::string& path, const SqliteOptions& options = {}) {
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path, options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

}  // namespace refinery::store::testing
