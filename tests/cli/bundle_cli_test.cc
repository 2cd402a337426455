// Bundles through the built binary against a data home (no server): -submit
// stores a PREP bundle, -info shows it, `jobs -jobtype bundle` lists it,
// -start makes it RUNNING, and a bad bundle.xml is an error naming file:line.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cli/cli_test_support.h"

namespace refinery::cli::testing {
namespace {

using ::testing::HasSubstr;

TEST_F(CliFixture, BundleSubmitInfoListAndStartInProcess) {
  WriteFile("app/coord/coordinator.xml",
            "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"c\" frequency=\"60\" "
            "start=\"2099-01-01T00:00Z\" end=\"2099-01-02T00:00Z\" timezone=\"UTC\">"
            "<action><workflow><app-path>/nowhere</app-path></workflow></action></coordinator-app>\n");
  WriteFile("app/bundle.xml",
            "<bundle-app xmlns=\"uri:oozie:bundle:0.2\" name=\"nightly\">\n"
            "<controls><kick-off-time>2099-01-01T00:00Z</kick-off-time></controls>\n"
            "<coordinator name=\"first\"><app-path>coord</app-path></coordinator>\n</bundle-app>\n");
  const auto properties = WriteFile("app/job.properties", "oozie.bundle.application.path=.\n");

  const auto submitted = Run({"job", "-config", properties.string(), "-submit"});
  ASSERT_EQ(submitted.exit_code, 0) << submitted.out;
  const std::string id = ExtractJobId(submitted.out);
  ASSERT_THAT(id, ::testing::EndsWith("-B")) << submitted.out;

  const auto info = Run({"job", "-info", id});
  EXPECT_EQ(info.exit_code, 0) << info.out;
  EXPECT_THAT(info.out, HasSubstr("Job ID : " + id));
  EXPECT_THAT(info.out, HasSubstr("Job Name : nightly"));
  EXPECT_THAT(info.out, HasSubstr("Status   : PREP"));
  EXPECT_THAT(info.out, HasSubstr("Kickoff time   : Thu, 01 Jan 2099 00:00:00 GMT"));

  const auto listed = Run({"jobs", "-jobtype", "bundle"});
  EXPECT_EQ(listed.exit_code, 0) << listed.out;
  EXPECT_THAT(listed.out, HasSubstr(id));

  EXPECT_EQ(Run({"job", "-start", id}).exit_code, 0);
  EXPECT_THAT(Run({"job", "-info", id}).out, HasSubstr("Status   : RUNNING"));
  EXPECT_THAT(Run({"job", "-definition", id}).out, HasSubstr("<bundle-app"));
}

TEST_F(CliFixture, BadBundleIsAnErrorNamingFileAndLine) {
  WriteFile("app/bundle.xml",
            "<bundle-app xmlns=\"uri:oozie:bundle:0.1\" name=\"b\">\n"
            "<coordinator name=\"c\"><app-path>x</app-path></coordinator>\n"
            "<coordinator name=\"c\"><app-path>y</app-path></coordinator>\n</bundle-app>\n");
  const auto properties = WriteFile("app/job.properties", "oozie.bundle.application.path=.\n");
  const auto result = Run({"job", "-config", properties.string(), "-run"});
  EXPECT_EQ(result.exit_code, 2) << result.out;
  EXPECT_THAT(result.out, HasSubstr("E1304"));
  EXPECT_THAT(result.out, HasSubstr("bundle.xml:3"));
}

TEST_F(CliFixture, BundleDryRunInProcessValidatesEachCoordinatorAndStoresNothing) {
  WriteFile("app/coord/coordinator.xml",
            "<coordinator-app xmlns=\"uri:oozie:coordinator:0.4\" name=\"c\" frequency=\"60\" "
            "start=\"${start}\" end=\"2099-01-02T00:00Z\" timezone=\"UTC\">"
            "<action><workflow><app-path>/nowhere</app-path></workflow></action></coordinator-app>\n");
  WriteFile("app/bundle.xml",
            "<bundle-app xmlns=\"uri:oozie:bundle:0.2\" name=\"${name}\">\n"
            "<coordinator name=\"first\"><app-path>coord</app-path></coordinator>\n</bundle-app>\n");
  const auto properties =
      WriteFile("app/job.properties", "oozie.bundle.application.path=.\nname=nightly\nstart=2099-01-01T00:00Z\n");
  const auto dry = Run({"job", "-config", properties.string(), "-dryrun"});
  ASSERT_EQ(dry.exit_code, 0) << dry.out;
  EXPECT_THAT(dry.out, HasSubstr("***coordJob after parsing: ***"));
  EXPECT_THAT(dry.out, HasSubstr("name=\"nightly\""));
  EXPECT_THAT(dry.out, HasSubstr("first: every 60 MINUTE from 2099-01-01T00:00Z"));
  EXPECT_THAT(dry.out, HasSubstr("OK"));
  EXPECT_THAT(Run({"jobs", "-jobtype", "bundle"}).out, ::testing::Not(HasSubstr("-B ")));

  const auto bad_properties = WriteFile("app/bad.properties", "oozie.bundle.application.path=.\nname=nightly\n");
  const auto bad = Run({"job", "-config", bad_properties.string(), "-dryrun"});
  EXPECT_EQ(bad.exit_code, 2) << bad.out;
  EXPECT_THAT(bad.out, HasSubstr("coordinator [first]"));  // ${start} is not defined
}

}  // namespace
}  // namespace refinery::cli::testing
