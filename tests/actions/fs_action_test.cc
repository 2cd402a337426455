#include <sys/stat.h>

#include "actions/action.h"
#include "action_test_util.h"

namespace refinery::actions {
namespace {

using testing::ReadLocal;
using testing::WriteLocal;
namespace stdfs = std::filesystem;

int ModeOf(const stdfs::path& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? static_cast<int>(st.st_mode & 07777) : -1;
}

class FsActionTest : public testing::ActionTest {
 protected:
  void SetUp() override {
    ActionTest::SetUp();
    RegisterBuiltinActions(&registry_);
  }
  ActionResult RunFs(const std::string& body, const std::string& name_node = "") {
    ActionContext context = Context("<fs>" + body + "</fs>");
    context.name_node = name_node;
    return registry_.Find("fs")->Run(context);
  }
  ActionRegistry registry_;
};

constexpr char kNn[] = "hdfs://localhost:8020";

TEST_F(FsActionTest, RunsCommandsInDocumentOrder) {
  WriteLocal(root_ / "data/in/part-0", "rows");
  const ActionResult result = RunFs(
      "<mkdir path='hdfs://localhost:8020/data/out'/>"
      "<move source='hdfs://localhost:8020/data/in/part-0' target='/data/out/part-0'/>"
      "<touchz path='hdfs://localhost:8020/data/out/_DONE'/>"
      "<delete path='hdfs://localhost:8020/data/in'/>");
  ASSERT_EQ(result.outcome, Outcome::kOk) << result.error_code << " " << result.error_message;
  EXPECT_EQ(ReadLocal(root_ / "data/out/part-0"), "rows");
  EXPECT_TRUE(stdfs::exists(root_ / "data/out/_DONE"));
  EXPECT_FALSE(stdfs::exists(root_ / "data/in"));
  EXPECT_TRUE(reporter_.Contains("Creating directory [hdfs://localhost:8020/data/out]"));
}

TEST_F(FsActionTest, StopsAtTheFirstFailingCommand) {
  const ActionResult result = RunFs(
      "<mkdir path='hdfs://nn/a'/>"
      "<move source='hdfs://nn/missing' target='/b'/>"
      "<mkdir path='hdfs://nn/c'/>");
  EXPECT_EQ(result.error_code, "FS006");
  EXPECT_TRUE(stdfs::exists(root_ / "a"));
  EXPECT_FALSE(stdfs::exists(root_ / "c"));
}

TEST_F(FsActionTest, EmptyFsActionSucceedsAndLeavesNothingBehind) {
  EXPECT_EQ(RunFs("").outcome, Outcome::kOk);  // the cron example's workflow
  EXPECT_TRUE(stdfs::is_empty(root_));
}

// ---- Path rules ----

TEST_F(FsActionTest, PathWithoutSchemeNeedsANameNode) {
  const ActionResult result = RunFs("<mkdir path='/user/joe/x'/>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "FS001");
  EXPECT_EQ(result.error_message, "Missing scheme in path [/user/joe/x]");
}

TEST_F(FsActionTest, SchemeLessAbsolutePathsResolveAgainstTheNameNode) {
  EXPECT_EQ(RunFs("<mkdir path='/user/joe/x'/>", kNn).outcome, Outcome::kOk);
  EXPECT_TRUE(stdfs::is_directory(root_ / "user/joe/x"));
  // The action's own <name-node> element counts as well.
  EXPECT_EQ(RunFs("<name-node>hdfs://nn:8020</name-node><mkdir path='/y'/>").outcome, Outcome::kOk);
  EXPECT_TRUE(stdfs::is_directory(root_ / "y"));
}

TEST_F(FsActionTest, RelativePathIsFS011WithANameNode) {
  const ActionResult result = RunFs("<mkdir path='rel/x'/>", kNn);
  EXPECT_EQ(result.error_code, "FS011");
  EXPECT_EQ(result.error_message, "Path [rel/x] cannot be relative");
}

TEST_F(FsActionTest, UnsupportedSchemeIsFS002) {
  const ActionResult result = RunFs("<delete path='s3://bucket/key'/>");
  EXPECT_EQ(result.error_code, "FS002");
  EXPECT_NE(result.error_message.find("Scheme [s3] not supported in path [s3://bucket/key]"), std::string::npos);
  EXPECT_EQ(RunFs("<delete path='file://localhost/tmp/x'/>", kNn).error_code, "FS002");
  EXPECT_EQ(RunFs("<mkdir path='/x'/>", "localhost:8020").error_code, "FS002");
}

TEST_F(FsActionTest, PathsEscapingTheRootAreRefused) {
  const ActionResult result = RunFs("<mkdir path='hdfs://nn/../../etc/x'/>");
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "FS014");
  EXPECT_FALSE(stdfs::exists(base_ / "etc"));
}

TEST_F(FsActionTest, MissingAttributeFailsTheWorkflow) {
  const ActionResult result = RunFs("<mkdir/>");
  EXPECT_EQ(result.outcome, Outcome::kFailed);
  EXPECT_EQ(result.error_code, "E0701");
}

// ---- delete / mkdir ----

TEST_F(FsActionTest, DeleteRemovesGlobMatchesAndIgnoresMissingPaths) {
  WriteLocal(root_ / "logs/a.log", "1");
  WriteLocal(root_ / "logs/b.log", "2");
  WriteLocal(root_ / "logs/keep.txt", "3");
  EXPECT_EQ(RunFs("<delete path='/logs/*.log'/><delete path='/not/there'/>", kNn).outcome, Outcome::kOk);
  EXPECT_FALSE(stdfs::exists(root_ / "logs/a.log"));
  EXPECT_FALSE(stdfs::exists(root_ / "logs/b.log"));
  EXPECT_TRUE(stdfs::exists(root_ / "logs/keep.txt"));
}

TEST_F(FsActionTest, DeleteWithoutSkipTrashMovesIntoTheUsersTrash) {
  WriteLocal(root_ / "data/old", "x");
  ASSERT_EQ(RunFs("<delete path='/data/old' skip-trash='false'/>", kNn).outcome, Outcome::kOk);
  EXPECT_FALSE(stdfs::exists(root_ / "data/old"));
  EXPECT_EQ(ReadLocal(root_ / "user/joe/.Trash/Current/data/old"), "x");
}

TEST_F(FsActionTest, DeleteFailureIsFS005) {
  WriteLocal(root_ / "locked/sub/f", "x");
  ::chmod((root_ / "locked/sub").c_str(), 0500);
  if (::access((root_ / "locked/sub").c_str(), W_OK) == 0) GTEST_SKIP() << "running as root";
  const ActionResult result = RunFs("<delete path='/locked'/>", kNn);
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_TRUE(result.error_code == "FS005" || result.error_code == "FS014") << result.error_code;
  EXPECT_NE(result.error_message.find("/locked"), std::string::npos);
}

TEST_F(FsActionTest, DeleteThroughALinkOutOfTheRootIsRefused) {
  WriteLocal(outside_ / "precious", "x");
  stdfs::create_directory_symlink(outside_, root_ / "link");
  const ActionResult result = RunFs("<delete path='/link/precious'/>", kNn);
  EXPECT_EQ(result.outcome, Outcome::kError);
  EXPECT_EQ(result.error_code, "FS014");
  EXPECT_NE(result.error_message.find("outside the data root"), std::string::npos) << result.error_message;
  EXPECT_TRUE(stdfs::exists(outside_ / "precious"));
}

TEST_F(FsActionTest, MkdirIsIdempotentAndFailureIsFS004) {
  EXPECT_EQ(RunFs("<mkdir path='/a/b'/><mkdir path='/a/b'/>", kNn).outcome, Outcome::kOk);
  WriteLocal(root_ / "file", "x");
  const ActionResult result = RunFs("<mkdir path='/file/sub'/>", kNn);
  EXPECT_EQ(result.error_code, "FS004");
  EXPECT_NE(result.error_message.find("mkdir, path [hdfs://localhost:8020/file/sub] could not create directory"),
            std::string::npos)
      << result.error_message;
}

// ---- move ----

TEST_F(FsActionTest, MoveIntoAnExistingDirectoryPlacesTheSourceInside) {
  WriteLocal(root_ / "src/f", "x");
  stdfs::create_directories(root_ / "dst");
  ASSERT_EQ(RunFs("<move source='/src/f' target='/dst'/>", kNn).outcome, Outcome::kOk);
  EXPECT_EQ(ReadLocal(root_ / "dst/f"), "x");
}

TEST_F(FsActionTest, MoveOfAMissingSourceIsFS006) {
  const ActionResult result = RunFs("<move source='/nope' target='/x'/>", kNn);
  EXPECT_EQ(result.error_code, "FS006");
  EXPECT_EQ(result.error_message, "move, source path [hdfs://localhost:8020/nope] does not exist");
}

TEST_F(FsActionTest, MoveToAnotherNameNodeIsFS007) {
  WriteLocal(root_ / "src", "x");
  const ActionResult result = RunFs("<move source='hdfs://nn1:8020/src' target='hdfs://nn2:8020/dst'/>");
  EXPECT_EQ(result.error_code, "FS007");
  EXPECT_EQ(result.error_message, "move, target NN URI different from that of source");
  EXPECT_EQ(RunFs("<move source='hdfs://nn1:8020/src' target='hdfs://nn1:8020/dst'/>").outcome, Outcome::kOk);
}

TEST_F(FsActionTest, MoveOntoAnExistingFileIsFS008) {
  WriteLocal(root_ / "a", "A");
  WriteLocal(root_ / "b", "B");
  const ActionResult result = RunFs("<move source='/a' target='/b'/>", kNn);
  EXPECT_EQ(result.error_code, "FS008");
  EXPECT_NE(result.error_message.find("move, could not move [/a] to [/b]"), std::string::npos) << result.error_message;
  EXPECT_EQ(ReadLocal(root_ / "b"), "B");
  EXPECT_EQ(RunFs("<move source='/a' target='/no/parent/b'/>", kNn).error_code, "FS008");
}

TEST_F(FsActionTest, MoveOfManySourcesNeedsADirectoryTarget) {
  WriteLocal(root_ / "in/p1", "1");
  WriteLocal(root_ / "in/p2", "2");
  const ActionResult result = RunFs("<move source='/in/p*' target='/single'/>", kNn);
  EXPECT_EQ(result.error_code, "FS012");
  EXPECT_EQ(result.error_message, "move, could not rename multiple sources to the same target name");
  stdfs::create_directories(root_ / "out");
  ASSERT_EQ(RunFs("<move source='/in/p*' target='/out'/>", kNn).outcome, Outcome::kOk);
  EXPECT_TRUE(stdfs::exists(root_ / "out/p1"));
  EXPECT_TRUE(stdfs::exists(root_ / "out/p2"));
}

TEST_F(FsActionTest, MoveWithARelativeTargetUsesTheUsersHome) {
  WriteLocal(root_ / "src", "x");
  ASSERT_EQ(RunFs("<mkdir path='/user/joe/archives'/><move source='/src' target='archives/run1'/>", kNn).outcome,
            Outcome::kOk);
  EXPECT_EQ(ReadLocal(root_ / "user/joe/archives/run1"), "x");
}

TEST_F(FsActionTest, MoveIsSkippedOnRecoveryAfterACrash) {
  // A crash left the recovery marker behind; the move was already done.
  WriteLocal(root_ / "dst", "moved");
  stdfs::create_directories(root_ / ".refinery/recovery/0000001-240101000000000-refinery-W/node--fs");
  EXPECT_EQ(RunFs("<move source='/src' target='/dst'/>", kNn).outcome, Outcome::kOk);
  EXPECT_FALSE(stdfs::exists(root_ / ".refinery"));
  // Without the marker the same command fails.
  EXPECT_EQ(RunFs("<move source='/src' target='/dst'/>", kNn).error_code, "FS006");
}

// ---- chmod / touchz / chgrp ----

TEST_F(FsActionTest, ChmodAcceptsOctalAndSymbolicMasks) {
  WriteLocal(root_ / "f", "x");
  ASSERT_EQ(RunFs("<chmod path='/f' permissions='640'/>", kNn).outcome, Outcome::kOk);
  EXPECT_EQ(ModeOf(root_ / "f"), 0640);
  ASSERT_EQ(RunFs("<chmod path='/f' permissions='-rwxr-x--x'/>", kNn).outcome, Outcome::kOk);
  EXPECT_EQ(ModeOf(root_ / "f"), 0751);
}

TEST_F(FsActionTest, ChmodDirFilesAndRecursive) {
  WriteLocal(root_ / "d/f", "x");
  WriteLocal(root_ / "d/sub/g", "y");
  ASSERT_EQ(RunFs("<chmod path='/d' permissions='750' dir-files='false'/>", kNn).outcome, Outcome::kOk);
  EXPECT_EQ(ModeOf(root_ / "d"), 0750);
  EXPECT_NE(ModeOf(root_ / "d/f"), 0750);
  ASSERT_EQ(RunFs("<chmod path='/d' permissions='711'/>", kNn).outcome, Outcome::kOk);
  EXPECT_EQ(ModeOf(root_ / "d/f"), 0711);
  EXPECT_NE(ModeOf(root_ / "d/sub/g"), 0711);
  ASSERT_EQ(RunFs("<chmod path='/d' permissions='755'><recursive/></chmod>", kNn).outcome, Outcome::kOk);
  EXPECT_EQ(ModeOf(root_ / "d/sub/g"), 0755);
}

TEST_F(FsActionTest, ChmodOfNothingIsFS009AndABadMaskIsFS010) {
  const ActionResult missing = RunFs("<chmod path='/none*' permissions='755'/>", kNn);
  EXPECT_EQ(missing.error_code, "FS009");
  EXPECT_EQ(missing.error_message, "chmod, path(s) that matches [hdfs://localhost:8020/none*] does not exist");
  WriteLocal(root_ / "f", "x");
  for (const char* mask : {"999", "75", "rwxr-xr-x", "-rwxr-xr-q", "0755"}) {
    const ActionResult bad = RunFs(std::string("<chmod path='/f' permissions='") + mask + "'/>", kNn);
    EXPECT_EQ(bad.error_code, "FS010") << mask;
    EXPECT_NE(bad.error_message.find(std::string("invalid permissions mask [") + mask + "]"), std::string::npos);
  }
}

TEST_F(FsActionTest, TouchzCreatesOrRefreshesAnEmptyFileOnly) {
  ASSERT_EQ(RunFs("<touchz path='/flags/_READY'/>", kNn).outcome, Outcome::kOk);
  EXPECT_EQ(stdfs::file_size(root_ / "flags/_READY"), 0u);
  EXPECT_EQ(RunFs("<touchz path='/flags/_READY'/>", kNn).outcome, Outcome::kOk);
  WriteLocal(root_ / "full", "data");
  const ActionResult full = RunFs("<touchz path='/full'/>", kNn);
  EXPECT_EQ(full.outcome, Outcome::kError);
  EXPECT_EQ(full.error_message, "hdfs://localhost:8020/full must be a zero-length file");
  EXPECT_EQ(RunFs("<touchz path='/flags'/>", kNn).error_message, "hdfs://localhost:8020/flags is a directory");
}

TEST_F(FsActionTest, ChgrpIsAcceptedButNeedsAMatch) {
  WriteLocal(root_ / "f", "x");
  EXPECT_EQ(RunFs("<chgrp path='/f' group='analysts'/>", kNn).outcome, Outcome::kOk);
  EXPECT_TRUE(reporter_.Contains("chgrp [analysts]"));
  EXPECT_EQ(RunFs("<chgrp path='/none' group='g'/>", kNn).error_code, "FS009");
}

TEST_F(FsActionTest, TooManyGlobMatchesIsFS013) {
  for (int i = 0; i < 5; ++i) WriteLocal(root_ / "many" / std::to_string(i), "x");
  ActionContext context = Context("<fs><delete path='/many/*'/></fs>");
  context.name_node = kNn;
  context.action_conf.Set("oozie.action.fs.glob.max", "3");
  const ActionResult result = registry_.Find("fs")->Run(context);
  EXPECT_EQ(result.error_code, "FS013");
  EXPECT_TRUE(stdfs::exists(root_ / "many/0"));
}

TEST_F(FsActionTest, WholeActionElementIsAcceptedToo) {
  ActionContext context = Context(
      "<action name='n'><fs><mkdir path='hdfs://nn/z'/></fs><ok to='end'/><error to='fail'/></action>");
  EXPECT_EQ(registry_.Find("fs")->Run(context).outcome, Outcome::kOk);
  EXPECT_TRUE(stdfs::is_directory(root_ / "z"));
}

TEST_F(FsActionTest, DemoAppCleanupAndFinalMoveRun) {
  // examples/demo: a cleanup delete with ${nameNode} paths, later a move to a scheme-less target.
  WriteLocal(root_ / "user/joe/examples/output-data/demo/mr-node/part-00000", "counts");
  ASSERT_EQ(RunFs("<move source='hdfs://localhost:8020/user/joe/examples/output-data/demo/mr-node' "
                  "target='/user/joe/examples/output-data/demo/final-data'/>")
                .outcome,
            Outcome::kOk);
  EXPECT_EQ(ReadLocal(root_ / "user/joe/examples/output-data/demo/final-data/part-00000"), "counts");
  EXPECT_EQ(RunFs("<delete path='hdfs://localhost:8020/user/joe/examples/output-data/demo'/>").outcome, Outcome::kOk);
  EXPECT_FALSE(stdfs::exists(root_ / "user/joe/examples/output-data/demo"));
}

}  // namespace
}  // namespace refinery::actions
