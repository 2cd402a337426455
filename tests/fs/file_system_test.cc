#include "fs/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

namespace refinery::fs {
namespace {
namespace stdfs = std::filesystem;

void WriteLocal(const stdfs::path& path, const std::string& content) {
  stdfs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << content;
}

std::string ReadLocal(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int ModeOf(const stdfs::path& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return -1;
  return static_cast<int>(st.st_mode & 07777);
}

// Names under `dir` that look like Refinery's temporary siblings.
std::vector<std::string> Leftovers(const stdfs::path& dir) {
  std::vector<std::string> found;
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.find("_refinery_") != std::string::npos) found.push_back(name);
  }
  return found;
}

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/refinery-fs-test-XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    base_ = pattern;
    root_ = base_ / "root";
    outside_ = base_ / "outside";
    stdfs::create_directories(root_);
    stdfs::create_directories(outside_);
    files_ = std::make_unique<FileSystem>(root_);
  }
  void TearDown() override {
    std::error_code ec;
    // Restore permissions a test may have removed, then clean up.
    for (auto it = stdfs::recursive_directory_iterator(base_, ec); !ec && it != stdfs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_symlink()) ::chmod(it->path().c_str(), 0755);
    }
    stdfs::remove_all(base_, ec);
  }

  stdfs::path base_, root_, outside_;
  std::unique_ptr<FileSystem> files_;
};

// ---- Resolve ----

struct ResolveCase {
  std::string uri;
  std::string expected;  // relative to the root
};

TEST_F(FileSystemTest, ResolveMapsHdfsUrisAndAbsolutePathsIntoTheRoot) {
  const std::vector<ResolveCase> cases = {
      {"hdfs://namenode:8020/user/joe/in", "user/joe/in"},
      {"hdfs:///user/joe", "user/joe"},
      {"/user/rawzone/x", "user/rawzone/x"},
      {"webhdfs://nn:50070/a/b", "a/b"},
      {"HDFS://nn:8020/Upper", "Upper"},
      {"/a/./b/../c", "a/c"},
      {"//a//b/", "a/b"},
      {"hdfs://nn:8020", ""},
  };
  for (const ResolveCase& c : cases) {
    auto resolved = files_->Resolve(c.uri);
    ASSERT_TRUE(resolved.ok()) << c.uri << ": " << resolved.status().ToString();
    EXPECT_EQ(*resolved, c.expected.empty() ? root_ : root_ / c.expected) << c.uri;
  }
}

TEST_F(FileSystemTest, ResolveReadsFileUrisOutsideTheRootOnlyForReading) {
  auto read = files_->Resolve("file://" + outside_.string() + "/app/workflow.xml");
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, outside_ / "app/workflow.xml");
  auto localhost = files_->Resolve("file://localhost" + outside_.string());
  ASSERT_TRUE(localhost.ok());
  EXPECT_EQ(*localhost, outside_);

  auto write = files_->Resolve("file://" + outside_.string() + "/x", /*for_write=*/true);
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(write.status().error_code(), "FS002");
  EXPECT_NE(write.status().message().find("only reads"), std::string::npos) << write.status().message();
}

TEST_F(FileSystemTest, ResolveRefusesRelativePathsAndOtherSchemesNamingWhatIsAllowed) {
  struct Bad {
    std::string uri;
    std::string code;
  };
  const std::vector<Bad> cases = {
      {"relative/path", "FS011"}, {"", "FS011"},           {"hdfs:relative", "FS011"},
      {"s3://bucket/key", "FS002"}, {"ftp://h/x", "FS002"}, {"file://otherhost/etc", "FS002"},
      {std::string("/a\0b", 4), "FS002"},
  };
  for (const Bad& c : cases) {
    auto resolved = files_->Resolve(c.uri);
    ASSERT_FALSE(resolved.ok()) << c.uri;
    EXPECT_EQ(resolved.status().code(), StatusCode::kInvalidArgument) << c.uri;
    EXPECT_EQ(resolved.status().error_code(), c.code) << c.uri;
  }
  auto s3 = files_->Resolve("s3://bucket/key");
  EXPECT_NE(s3.status().message().find("s3://bucket/key"), std::string::npos);
  EXPECT_NE(s3.status().message().find("hdfs://host:port/path"), std::string::npos);
}

TEST_F(FileSystemTest, ResolveRefusesDotDotEscapes) {
  for (const std::string uri : {"/../etc/passwd", "hdfs://nn:8020/a/../../etc", "/a/b/../../../x"}) {
    auto resolved = files_->Resolve(uri);
    ASSERT_FALSE(resolved.ok()) << uri;
    EXPECT_EQ(resolved.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(resolved.status().message().find(uri), std::string::npos);
  }
}

TEST_F(FileSystemTest, ResolveRefusesWritesThroughSymlinksLeavingTheRoot) {
  stdfs::create_directory_symlink(outside_, root_ / "escape");
  EXPECT_TRUE(files_->Resolve("/escape/x").ok());  // reading is fine
  auto write = files_->Resolve("/escape/x", /*for_write=*/true);
  ASSERT_FALSE(write.ok());
  EXPECT_EQ(write.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(write.status().message().find("symbolic link"), std::string::npos);
  EXPECT_FALSE(files_->WriteFileAtomic("/escape/x", "data").ok());
  EXPECT_FALSE(stdfs::exists(outside_ / "x"));
}

TEST_F(FileSystemTest, ResolveAllowsSymlinksThatStayInsideTheRoot) {
  stdfs::create_directories(root_ / "real");
  stdfs::create_directory_symlink(root_ / "real", root_ / "alias");
  EXPECT_TRUE(files_->Resolve("/alias/x", /*for_write=*/true).ok());
}

TEST_F(FileSystemTest, RootWithTrailingSlashBehavesLikeWithout) {
  FileSystem trailing(root_.string() + "/");
  WriteLocal(root_ / "a/f", "x");
  auto status = trailing.Stat("/a/f");
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ(status->uri, "/a/f");
}

// ---- Queries ----

TEST_F(FileSystemTest, ExistsAndIsDirectoryAnswerFalseForMissingPaths) {
  WriteLocal(root_ / "d/f", "abc");
  EXPECT_TRUE(*files_->Exists("/d/f"));
  EXPECT_TRUE(*files_->Exists("hdfs://nn/d"));
  EXPECT_FALSE(*files_->Exists("/d/missing"));
  EXPECT_FALSE(*files_->Exists("/d/f/under-a-file"));
  EXPECT_TRUE(*files_->IsDirectory("/d"));
  EXPECT_FALSE(*files_->IsDirectory("/d/f"));
  EXPECT_FALSE(*files_->IsDirectory("/nope"));
}

TEST_F(FileSystemTest, StatReportsSizeModeAndRootRelativeUri) {
  WriteLocal(root_ / "d/f", "hello");
  ::chmod((root_ / "d/f").c_str(), 0640);
  auto status = files_->Stat("hdfs://nn:8020/d/f");
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->uri, "/d/f");
  EXPECT_FALSE(status->is_directory);
  EXPECT_EQ(status->size, 5);
  EXPECT_EQ(status->permissions, 0640);
  EXPECT_GT(status->modified_ms, 0);
  auto dir = files_->Stat("/d");
  ASSERT_TRUE(dir.ok());
  EXPECT_TRUE(dir->is_directory);
  auto missing = files_->Stat("/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("\"/nope\""), std::string::npos);
}

TEST_F(FileSystemTest, ListGivesSortedEntriesOrTheFileItself) {
  WriteLocal(root_ / "d/b", "22");
  WriteLocal(root_ / "d/a", "1");
  stdfs::create_directories(root_ / "d/c");
  auto entries = files_->List("/d");
  ASSERT_TRUE(entries.ok());
  ASSERT_EQ(entries->size(), 3u);
  EXPECT_EQ((*entries)[0].uri, "/d/a");
  EXPECT_EQ((*entries)[1].uri, "/d/b");
  EXPECT_EQ((*entries)[1].size, 2);
  EXPECT_TRUE((*entries)[2].is_directory);
  auto file = files_->List("/d/a");
  ASSERT_TRUE(file.ok());
  ASSERT_EQ(file->size(), 1u);
  EXPECT_EQ((*file)[0].uri, "/d/a");
}

TEST_F(FileSystemTest, GlobExpandsWildcardsInAnyComponent) {
  for (const char* p : {"logs/2024-01/part-0", "logs/2024-01/part-1", "logs/2024-02/part-0", "logs/2023-12/part-0",
                        "logs/2024-02/_SUCCESS", "other/x"}) {
    WriteLocal(root_ / p, "x");
  }
  auto star = files_->Glob("/logs/2024-*/part-*");
  ASSERT_TRUE(star.ok()) << star.status().ToString();
  EXPECT_EQ(*star, (std::vector<std::string>{"/logs/2024-01/part-0", "/logs/2024-01/part-1", "/logs/2024-02/part-0"}));
  auto question = files_->Glob("hdfs://nn:8020/logs/2024-0?/part-1");
  ASSERT_TRUE(question.ok());
  EXPECT_EQ(*question, (std::vector<std::string>{"/logs/2024-01/part-1"}));
  auto bracket = files_->Glob("/logs/202[3]-*");
  ASSERT_TRUE(bracket.ok());
  EXPECT_EQ(*bracket, (std::vector<std::string>{"/logs/2023-12"}));
  auto negated = files_->Glob("/logs/2024-02/[^_]*");
  ASSERT_TRUE(negated.ok());
  EXPECT_EQ(*negated, (std::vector<std::string>{"/logs/2024-02/part-0"}));
  auto braces = files_->Glob("/{logs/2023-12,other}/*");
  ASSERT_TRUE(braces.ok());
  EXPECT_EQ(*braces, (std::vector<std::string>{"/logs/2023-12/part-0", "/other/x"}));
}

TEST_F(FileSystemTest, GlobWithoutMatchesIsEmptyAndPlainPathsMatchThemselves) {
  WriteLocal(root_ / "a/f", "x");
  EXPECT_TRUE(files_->Glob("/a/*.csv")->empty());
  EXPECT_TRUE(files_->Glob("/missing/*")->empty());
  EXPECT_TRUE(files_->Glob("/a/g")->empty());
  EXPECT_EQ(*files_->Glob("/a/f"), (std::vector<std::string>{"/a/f"}));
  EXPECT_FALSE(files_->Glob("s3://b/*").ok());
}

TEST_F(FileSystemTest, DiskUsageSumsFilesRecursively) {
  WriteLocal(root_ / "d/a", "12345");
  WriteLocal(root_ / "d/sub/b", "123");
  WriteLocal(root_ / "d/sub/deeper/c", "12");
  EXPECT_EQ(*files_->DiskUsage("/d"), 10);
  EXPECT_EQ(*files_->DiskUsage("/d/a"), 5);
  EXPECT_EQ(files_->DiskUsage("/none").status().code(), StatusCode::kNotFound);
}

TEST_F(FileSystemTest, ReadFileReadsRootAndLocalFiles) {
  WriteLocal(root_ / "r/f", std::string("bin\0ary", 7));
  EXPECT_EQ(*files_->ReadFile("/r/f"), std::string("bin\0ary", 7));
  WriteLocal(outside_ / "app/workflow.xml", "<workflow-app/>");
  EXPECT_EQ(*files_->ReadFile("file://" + (outside_ / "app/workflow.xml").string()), "<workflow-app/>");
  EXPECT_EQ(files_->ReadFile("/r/missing").status().code(), StatusCode::kNotFound);
  auto dir = files_->ReadFile("/r");
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.status().message().find("Is a directory"), std::string::npos);
}

// ---- Mutations ----

TEST_F(FileSystemTest, MakeDirectoriesCreatesParentsAndAcceptsExisting) {
  ASSERT_TRUE(files_->MakeDirectories("/a/b/c").ok());
  EXPECT_TRUE(stdfs::is_directory(root_ / "a/b/c"));
  EXPECT_TRUE(files_->MakeDirectories("hdfs://nn/a/b").ok());
  WriteLocal(root_ / "a/file", "x");
  const Status blocked = files_->MakeDirectories("/a/file/sub");
  ASSERT_FALSE(blocked.ok());
  EXPECT_NE(blocked.message().find("Not a directory"), std::string::npos) << blocked.message();
  EXPECT_NE(blocked.message().find("\"/a/file/sub\""), std::string::npos);
}

TEST_F(FileSystemTest, DeleteRemovesFilesAndTreesAndIgnoresAbsentPaths) {
  WriteLocal(root_ / "t/f", "x");
  WriteLocal(root_ / "t/sub/g", "y");
  EXPECT_TRUE(files_->Delete("/t/f", false).ok());
  EXPECT_FALSE(stdfs::exists(root_ / "t/f"));
  const Status not_empty = files_->Delete("/t", false);
  ASSERT_FALSE(not_empty.ok());
  EXPECT_EQ(not_empty.code(), StatusCode::kAlreadyExists);
  EXPECT_NE(not_empty.message().find("Directory not empty"), std::string::npos);
  EXPECT_TRUE(files_->Delete("/t", true).ok());
  EXPECT_FALSE(stdfs::exists(root_ / "t"));
  EXPECT_TRUE(files_->Delete("/t", true).ok());
  EXPECT_TRUE(files_->Delete("/never/existed", false).ok());
}

TEST_F(FileSystemTest, DeleteRefusesTheRootItself) {
  WriteLocal(root_ / "keep", "x");
  EXPECT_FALSE(files_->Delete("/", true).ok());
  EXPECT_FALSE(files_->Delete("hdfs://nn:8020/", true).ok());
  EXPECT_TRUE(stdfs::exists(root_ / "keep"));
}

TEST_F(FileSystemTest, DeleteOfASymlinkRemovesTheLinkNotItsTarget) {
  WriteLocal(outside_ / "precious", "x");
  stdfs::create_directory_symlink(outside_, root_ / "link");
  EXPECT_TRUE(files_->Delete("/link", true).ok());
  EXPECT_FALSE(stdfs::exists(stdfs::symlink_status(root_ / "link")));
  EXPECT_TRUE(stdfs::exists(outside_ / "precious"));
}

TEST_F(FileSystemTest, RenameMovesAndNeverOverwrites) {
  WriteLocal(root_ / "a", "A");
  WriteLocal(root_ / "b", "B");
  const Status clash = files_->Rename("/a", "/b");
  ASSERT_FALSE(clash.ok());
  EXPECT_EQ(clash.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(clash.message(), "Could not rename \"/a\" to \"/b\": File exists");
  EXPECT_EQ(ReadLocal(root_ / "b"), "B");
  ASSERT_TRUE(files_->Rename("/a", "hdfs://nn/c").ok());
  EXPECT_EQ(ReadLocal(root_ / "c"), "A");
  const Status missing = files_->Rename("/a", "/d");
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("No such file or directory"), std::string::npos);
  EXPECT_FALSE(files_->Rename("/c", "/no-parent/c").ok());
}

TEST_F(FileSystemTest, TouchCreatesEmptyFilesAndUpdatesModificationTime) {
  ASSERT_TRUE(files_->Touch("/new/dir/flag").ok());
  EXPECT_EQ(stdfs::file_size(root_ / "new/dir/flag"), 0u);
  WriteLocal(root_ / "old", "keep");
  struct timespec times[2] = {{1000, 0}, {1000, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (root_ / "old").c_str(), times, 0), 0);
  ASSERT_TRUE(files_->Touch("/old").ok());
  EXPECT_GT(files_->Stat("/old")->modified_ms, 1000 * 1000);
  EXPECT_EQ(ReadLocal(root_ / "old"), "keep");
  stdfs::create_directories(root_ / "adir");
  EXPECT_FALSE(files_->Touch("/adir").ok());
}

TEST_F(FileSystemTest, SetPermissionsOnAFile) {
  WriteLocal(root_ / "f", "x");
  ASSERT_TRUE(files_->SetPermissions("/f", 0600, false, true).ok());
  EXPECT_EQ(ModeOf(root_ / "f"), 0600);
}

TEST_F(FileSystemTest, SetPermissionsDirFilesChangesDirectEntriesOnly) {
  WriteLocal(root_ / "d/f", "x");
  WriteLocal(root_ / "d/sub/g", "y");
  ASSERT_TRUE(files_->SetPermissions("/d", 0750, /*recursive=*/false, /*dir_files=*/true).ok());
  EXPECT_EQ(ModeOf(root_ / "d"), 0750);
  EXPECT_EQ(ModeOf(root_ / "d/f"), 0750);
  EXPECT_EQ(ModeOf(root_ / "d/sub"), 0750);
  EXPECT_NE(ModeOf(root_ / "d/sub/g"), 0750);
}

TEST_F(FileSystemTest, SetPermissionsRecursiveReachesTheWholeTree) {
  WriteLocal(root_ / "d/sub/deeper/g", "y");
  ASSERT_TRUE(files_->SetPermissions("/d", 0711, /*recursive=*/true, /*dir_files=*/true).ok());
  EXPECT_EQ(ModeOf(root_ / "d/sub/deeper/g"), 0711);
  EXPECT_EQ(ModeOf(root_ / "d/sub/deeper"), 0711);
}

TEST_F(FileSystemTest, SetPermissionsWithoutDirFilesChangesOnlyThePath) {
  WriteLocal(root_ / "d/f", "x");
  ::chmod((root_ / "d/f").c_str(), 0644);
  ASSERT_TRUE(files_->SetPermissions("/d", 0700, /*recursive=*/true, /*dir_files=*/false).ok());
  EXPECT_EQ(ModeOf(root_ / "d"), 0700);
  EXPECT_EQ(ModeOf(root_ / "d/f"), 0644);
}

TEST_F(FileSystemTest, SetPermissionsRefusesOutOfRangeModesAndMissingPaths) {
  WriteLocal(root_ / "f", "x");
  EXPECT_EQ(files_->SetPermissions("/f", 010000, false, false).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(files_->SetPermissions("/f", -1, false, false).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(files_->SetPermissions("/nope", 0644, false, false).code(), StatusCode::kNotFound);
}

TEST_F(FileSystemTest, SetPermissionsNeverFollowsLinksOutOfTheRoot) {
  WriteLocal(outside_ / "secret", "x");
  ::chmod((outside_ / "secret").c_str(), 0600);
  stdfs::create_directories(root_ / "d");
  stdfs::create_symlink(outside_ / "secret", root_ / "d/link");
  ASSERT_TRUE(files_->SetPermissions("/d", 0777, true, true).ok());
  EXPECT_EQ(ModeOf(outside_ / "secret"), 0600);
}

TEST_F(FileSystemTest, WriteFileAtomicCreatesReplacesAndLeavesNoTemporaryFiles) {
  ASSERT_TRUE(files_->WriteFileAtomic("/out/part-0", "first").ok());
  EXPECT_EQ(ReadLocal(root_ / "out/part-0"), "first");
  ASSERT_TRUE(files_->WriteFileAtomic("hdfs://nn/out/part-0", "second").ok());
  EXPECT_EQ(ReadLocal(root_ / "out/part-0"), "second");
  EXPECT_TRUE(Leftovers(root_ / "out").empty());
  stdfs::create_directories(root_ / "out/dir");
  EXPECT_FALSE(files_->WriteFileAtomic("/out/dir", "x").ok());
  EXPECT_TRUE(Leftovers(root_ / "out").empty());
}

TEST_F(FileSystemTest, CopyFromLocalCopiesFilesAndTreesKeepingExecBits) {
  WriteLocal(outside_ / "tree/run.sh", "#!/bin/sh\necho hi\n");
  ::chmod((outside_ / "tree/run.sh").c_str(), 0755);
  WriteLocal(outside_ / "tree/data/rows.csv", "a,b\n");
  ASSERT_TRUE(files_->CopyFromLocal(outside_ / "tree", "/apps/tree", false).ok());
  EXPECT_EQ(ReadLocal(root_ / "apps/tree/data/rows.csv"), "a,b\n");
  EXPECT_EQ(ModeOf(root_ / "apps/tree/run.sh") & 0111, 0111);
  ASSERT_TRUE(files_->CopyFromLocal(outside_ / "tree/run.sh", "/apps/run.sh", false).ok());
  EXPECT_EQ(ReadLocal(root_ / "apps/run.sh"), "#!/bin/sh\necho hi\n");
  EXPECT_TRUE(Leftovers(root_ / "apps").empty());
}

TEST_F(FileSystemTest, CopyFromLocalOverwritesOnlyWhenAsked) {
  WriteLocal(outside_ / "v2/new", "2");
  WriteLocal(root_ / "dst/old", "1");
  const Status refused = files_->CopyFromLocal(outside_ / "v2", "/dst", false);
  EXPECT_EQ(refused.code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(files_->CopyFromLocal(outside_ / "v2", "/dst", true).ok());
  EXPECT_TRUE(stdfs::exists(root_ / "dst/new"));
  EXPECT_FALSE(stdfs::exists(root_ / "dst/old"));
  EXPECT_TRUE(Leftovers(root_).empty());
  EXPECT_EQ(files_->CopyFromLocal(outside_ / "missing", "/x", true).code(), StatusCode::kNotFound);
}

TEST_F(FileSystemTest, CopyToLocalCopiesFilesAndTrees) {
  WriteLocal(root_ / "src/a.txt", "A");
  WriteLocal(root_ / "src/sub/b.txt", "B");
  ASSERT_TRUE(files_->CopyToLocal("/src", outside_ / "copy").ok());
  EXPECT_EQ(ReadLocal(outside_ / "copy/sub/b.txt"), "B");
  ASSERT_TRUE(files_->CopyToLocal("hdfs://nn/src/a.txt", outside_ / "deep/a.txt").ok());
  EXPECT_EQ(ReadLocal(outside_ / "deep/a.txt"), "A");
  EXPECT_EQ(files_->CopyToLocal("/nope", outside_ / "n").code(), StatusCode::kNotFound);
}

// ---- AtomicDirectory ----

TEST_F(FileSystemTest, AtomicDirectoryCommitPublishesWithSuccessMarker) {
  auto dir = AtomicDirectory::Begin(files_.get(), "/models/m1");
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  const stdfs::path staging = dir->staging_path();
  EXPECT_EQ(staging.parent_path(), root_ / "models");
  EXPECT_EQ(staging.filename().string().rfind(".m1._refinery_tmp_", 0), 0u) << staging;
  WriteLocal(staging / "model.json", "{}");
  EXPECT_FALSE(stdfs::exists(root_ / "models/m1"));
  ASSERT_TRUE(dir->Commit().ok());
  EXPECT_EQ(ReadLocal(root_ / "models/m1/model.json"), "{}");
  EXPECT_TRUE(stdfs::exists(root_ / "models/m1/_SUCCESS"));
  EXPECT_FALSE(stdfs::exists(staging));
  EXPECT_TRUE(Leftovers(root_ / "models").empty());
  EXPECT_EQ(dir->Commit().code(), StatusCode::kFailedPrecondition);
}

TEST_F(FileSystemTest, AtomicDirectoryCommitReplacesTheOldTarget) {
  WriteLocal(root_ / "snap/old-file", "old");
  {
    auto dir = AtomicDirectory::Begin(files_.get(), "hdfs://nn:8020/snap");
    ASSERT_TRUE(dir.ok());
    WriteLocal(dir->staging_path() / "new-file", "new");
    ASSERT_TRUE(dir->Commit(/*write_success_marker=*/false).ok());
  }
  EXPECT_EQ(ReadLocal(root_ / "snap/new-file"), "new");
  EXPECT_FALSE(stdfs::exists(root_ / "snap/old-file"));
  EXPECT_FALSE(stdfs::exists(root_ / "snap/_SUCCESS"));
  EXPECT_TRUE(Leftovers(root_).empty());
}

TEST_F(FileSystemTest, AtomicDirectoryAbortLeavesTargetAndNoStaging) {
  WriteLocal(root_ / "snap/keep", "v1");
  stdfs::path staging;
  {
    auto dir = AtomicDirectory::Begin(files_.get(), "/snap");
    ASSERT_TRUE(dir.ok());
    staging = dir->staging_path();
    WriteLocal(staging / "half", "partial");
    AtomicDirectory moved(std::move(*dir));  // ownership moves; cleanup happens once
    EXPECT_EQ(moved.staging_path(), staging);
  }
  EXPECT_FALSE(stdfs::exists(staging));
  EXPECT_EQ(ReadLocal(root_ / "snap/keep"), "v1");
  EXPECT_FALSE(stdfs::exists(root_ / "snap/half"));
  EXPECT_TRUE(Leftovers(root_).empty());
}

// A child that begins a snapshot and dies by SIGKILL; returns its staging
// directory's name (sent through a pipe) after it is gone.
std::string StagingOfAKilledWriter(FileSystem* files, const std::string& target) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  if (pid == 0) {
    auto dir = AtomicDirectory::Begin(files, target);
    if (!dir.ok()) ::_exit(1);
    WriteLocal(dir->staging_path() / "half", "partial");
    const std::string name = dir->staging_path().filename().string();
    if (::write(fds[1], name.data(), name.size()) < 0) ::_exit(1);
    ::kill(::getpid(), SIGKILL);
  }
  ::close(fds[1]);
  char buffer[512] = {};
  const ssize_t got = ::read(fds[0], buffer, sizeof(buffer) - 1);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status));
  return got > 0 ? std::string(buffer, static_cast<size_t>(got)) : "";
}

TEST_F(FileSystemTest, AtomicDirectoryRemovesWhatAKilledWriterLeftBehind) {
  WriteLocal(root_ / "snap/keep", "v1");
  const std::string abandoned = StagingOfAKilledWriter(files_.get(), "/snap");
  ASSERT_FALSE(abandoned.empty());
  EXPECT_TRUE(stdfs::exists(root_ / abandoned));
  auto mine = AtomicDirectory::Begin(files_.get(), "/snap");
  ASSERT_TRUE(mine.ok());
  EXPECT_FALSE(stdfs::exists(root_ / abandoned)) << "the killed writer's staging directory is removed";
  // Work of a live process (this one) and of another host is not touched.
  stdfs::create_directories(root_ / ".snap._refinery_tmp_other.host-1-0123456789abcdef");
  auto again = AtomicDirectory::Begin(files_.get(), "/snap");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(stdfs::exists(mine->staging_path())) << "a live writer's staging directory stays";
  EXPECT_TRUE(stdfs::exists(root_ / ".snap._refinery_tmp_other.host-1-0123456789abcdef"));
  EXPECT_EQ(ReadLocal(root_ / "snap/keep"), "v1");
}

TEST_F(FileSystemTest, AtomicDirectoryRestoresAnOldCopyAKilledWriterMovedAside) {
  // As if a writer died between "old aside" and "new in" of the fallback replace.
  const std::string abandoned = StagingOfAKilledWriter(files_.get(), "/snap");
  ASSERT_FALSE(abandoned.empty());
  const std::string aside = std::string(abandoned).replace(abandoned.find("_refinery_tmp"), 13, "_refinery_old");
  stdfs::rename(root_ / abandoned, root_ / aside);
  EXPECT_FALSE(stdfs::exists(root_ / "snap"));
  auto dir = AtomicDirectory::Begin(files_.get(), "/snap");
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(ReadLocal(root_ / "snap/half"), "partial");
  EXPECT_FALSE(stdfs::exists(root_ / aside));
}

TEST_F(FileSystemTest, AtomicDirectoryRefusesTargetsOutsideTheRoot) {
  EXPECT_FALSE(AtomicDirectory::Begin(files_.get(), "/../x").ok());
  EXPECT_FALSE(AtomicDirectory::Begin(files_.get(), "file:///tmp/x").ok());
  EXPECT_FALSE(AtomicDirectory::Begin(files_.get(), "/").ok());
  EXPECT_FALSE(AtomicDirectory::Begin(nullptr, "/x").ok());
}

TEST_F(FileSystemTest, AtomicDirectoryReadersNeverSeeAPartialOrMissingSnapshot) {
  constexpr int kFiles = 8;
  auto publish = [&](const std::string& content) {
    auto dir = AtomicDirectory::Begin(files_.get(), "/pub");
    if (!dir.ok()) return dir.status();
    for (int i = 0; i < kFiles; ++i) WriteLocal(dir->staging_path() / ("part-" + std::to_string(i)), content);
    return dir->Commit();
  };
  ASSERT_TRUE(publish("r0").ok());
  std::atomic<bool> stop{false};
  std::atomic<int> missing{0};
  std::atomic<int> checks{0};
  std::thread reader([&] {
    while (!stop.load()) {
      // Every lookup by path must find a complete snapshot, old or new.
      struct stat st;
      if (::stat((root_ / "pub/_SUCCESS").c_str(), &st) != 0) ++missing;
      for (int i = 0; i < kFiles; ++i) {
        if (::stat((root_ / "pub" / ("part-" + std::to_string(i))).c_str(), &st) != 0) ++missing;
      }
      ++checks;
    }
  });
  for (int round = 1; round <= 30; ++round) ASSERT_TRUE(publish("r" + std::to_string(round)).ok());
  stop = true;
  reader.join();
  EXPECT_EQ(missing.load(), 0);
  EXPECT_GT(checks.load(), 0);
  EXPECT_EQ(ReadLocal(root_ / "pub/part-0"), "r30");
  EXPECT_TRUE(Leftovers(root_).empty());
}

}  // namespace
}  // namespace refinery::fs
