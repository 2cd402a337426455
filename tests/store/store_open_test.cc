// Opening files that are not a healthy store of this version: every case is
// an error Status that names the file, never a crash, and a foreign file is
// left untouched.

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "store/store.h"
#include "store_test_util.h"

namespace refinery::store {
namespace {

using testing::FullAction;
using testing::FullJob;
using testing::JobId;
using testing::OpenOrDie;
using testing::RawDb;
using testing::TempDir;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string RandomBytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string bytes(n, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Fills a store with enough rows to span many pages, then closes it (the
// last close checkpoints, so everything is in the main file).
void MakePopulatedStore(const std::string& path) {
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 200; ++i) {
    const std::string id = JobId(i);
    WriteBatch batch{.jobs = {FullJob(id)}, .actions = {FullAction(id, "a"), FullAction(id, "b")}};
    batch.log_lines.push_back({id, std::string(200, 'l')});
    ASSERT_TRUE(store->Apply(batch).ok());
  }
}

// Opens `path` and, if that works, exercises every read. Returns how many
// calls reported an error; a crash fails the whole test binary.
int ErrorsFromUsing(const std::string& path) {
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(path);
  if (!opened.ok()) return 1;
  Store& store = **opened;
  int errors = 0;
  Result<JobPage> page = store.ListJobs({}, 0, 1000);
  errors += page.ok() ? 0 : 1;
  errors += store.ListJobs({.statuses = {"RUNNING"}, .text = "app"}, 0, 10).ok() ? 0 : 1;
  errors += store.ListUnfinishedJobIds().ok() ? 0 : 1;
  for (int i = 0; i < 200; ++i) {
    const std::string id = JobId(i);
    errors += store.GetJob(id).ok() ? 0 : 1;
    errors += store.ListActions(id).ok() ? 0 : 1;
    errors += store.ReadLog(id).ok() ? 0 : 1;
  }
  errors += store.GetMeta("k").ok() ? 0 : 1;
  errors += store.Apply({.jobs = {FullJob(JobId(1000))}}).ok() ? 0 : 1;
  return errors;
}

TEST(StoreOpen, CreatesAStoreInAnEmptyFile) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  WriteFile(path, "");
  std::unique_ptr<Store> store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->Apply({.jobs = {FullJob(JobId(1))}}).ok());
}

TEST(StoreOpen, TextFileIsRefusedAndLeftUntouched) {
  TempDir dir;
  const std::string path = dir.File("notes.txt");
  const std::string text = "job.properties are not a database\n" + std::string(4096, 'x');
  WriteFile(path, text);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  const std::string message = store.status().message();
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << message;
  EXPECT_TRUE(Contains(message, path)) << message;
  EXPECT_TRUE(Contains(message, "not a SQLite database")) << message;
  EXPECT_TRUE(Contains(message, "move the file aside")) << message;
  EXPECT_EQ(ReadFile(path), text);
  EXPECT_FALSE(std::filesystem::exists(path + "-wal"));
}

TEST(StoreOpen, RandomBytesAreRefused) {
  TempDir dir;
  for (unsigned seed = 1; seed <= 5; ++seed) {
    const std::string path = dir.File("garbage" + std::to_string(seed));
    WriteFile(path, RandomBytes(8192 * seed, seed));
    Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
    ASSERT_FALSE(store.ok()) << "seed " << seed;
    EXPECT_TRUE(Contains(store.status().message(), path)) << store.status().ToString();
  }
}

TEST(StoreOpen, ForeignSqliteDatabaseIsRefusedAndLeftUntouched) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  {
    RawDb raw(path);
    raw.Exec("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers VALUES (1, 'x');");
  }
  const std::string before = ReadFile(path);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  const std::string message = store.status().message();
  EXPECT_EQ(store.status().code(), StatusCode::kInvalidArgument) << message;
  EXPECT_TRUE(Contains(message, path)) << message;
  EXPECT_TRUE(Contains(message, "not a Refinery state store")) << message;
  EXPECT_EQ(ReadFile(path), before);
  RawDb raw(path);
  EXPECT_EQ(raw.QueryText("PRAGMA journal_mode"), "delete");
}

TEST(StoreOpen, NewerSchemaVersionIsRefused) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  { ASSERT_NE(OpenOrDie(path), nullptr); }
  { RawDb(path).Exec("PRAGMA user_version = 99"); }
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  const std::string message = store.status().message();
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition) << message;
  EXPECT_TRUE(Contains(message, path)) << message;
  EXPECT_TRUE(Contains(message, "newer Refinery (schema version 99, this build reads up to 6)")) << message;
}

TEST(StoreOpen, ReopeningTheCurrentVersionKeepsData) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  {
    std::unique_ptr<Store> store = OpenOrDie(path);
    ASSERT_TRUE(store->Apply({.jobs = {FullJob(JobId(1))}}).ok());
  }
  for (int i = 0; i < 3; ++i) {
    std::unique_ptr<Store> store = OpenOrDie(path);
    ASSERT_NE(store, nullptr);
    EXPECT_TRUE(store->GetJob(JobId(1)).ok());
  }
  EXPECT_EQ(RawDb(path).QueryText("PRAGMA user_version"), "6");
}

TEST(StoreOpen, MissingDirectoryIsAnIoErrorNamingThePath) {
  TempDir dir;
  const std::string path = dir.File("no/such/dir/state.db");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), StatusCode::kIoError) << store.status().ToString();
  EXPECT_TRUE(Contains(store.status().message(), path)) << store.status().ToString();
}

TEST(StoreOpen, DamagedHeaderIsAnError) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  MakePopulatedStore(path);
  std::string bytes = ReadFile(path);
  bytes.replace(0, 100, RandomBytes(100, 7));
  WriteFile(path, bytes);
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(path);
  ASSERT_FALSE(store.ok());
  EXPECT_TRUE(Contains(store.status().message(), path)) << store.status().ToString();
}

TEST(StoreOpen, TruncatedFileGivesErrorsNotCrashes) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  MakePopulatedStore(path);
  const auto size = std::filesystem::file_size(path);
  ASSERT_GT(size, 16u * 4096u);
  std::filesystem::resize_file(path, size / 2 + 123);  // mid-page, like a torn copy
  EXPECT_GT(ErrorsFromUsing(path), 0);
}

TEST(StoreOpen, OverwrittenPagesGiveErrorsNotCrashes) {
  TempDir dir;
  for (unsigned seed = 1; seed <= 8; ++seed) {
    const std::string path = dir.File("state" + std::to_string(seed) + ".db");
    MakePopulatedStore(path);
    std::string bytes = ReadFile(path);
    // Scribble over random 512-byte runs after the first page.
    std::mt19937 rng(seed);
    for (int i = 0; i < 20; ++i) {
      const size_t at = 4096 + rng() % (bytes.size() - 4096 - 512);
      bytes.replace(at, 512, RandomBytes(512, seed * 100 + i));
    }
    WriteFile(path, bytes);
    EXPECT_GT(ErrorsFromUsing(path), 0) << "seed " << seed;
  }
}

TEST(StoreOpen, ErrorsNameTheCorruptFileAndSayWhatToDo) {
  TempDir dir;
  const std::string path = dir.File("state.db");
  MakePopulatedStore(path);
  std::string bytes = ReadFile(path);
  for (size_t at = 4096; at + 4096 <= bytes.size(); at += 4096) bytes.replace(at, 4096, std::string(4096, '\xff'));
  WriteFile(path, bytes);
  Result<std::unique_ptr<Store>> opened = OpenSqliteStore(path);
  const Status status = opened.ok() ? (*opened)->ListJobs({}, 0, 10).status() : opened.status();
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(Contains(status.message(), path)) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "restore a backup") || Contains(status.message(), "move the file aside"))
      << status.ToString();
}

}  // namespace
}  // namespace refinery::store
