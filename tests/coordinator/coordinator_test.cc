#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "coordinator/coord_el.h"
#include "coordinator/coordinator.h"
#include "core/time_format.h"

namespace refinery::coordinator {
namespace {

TimePoint T(const char* text) { return ParseOozieTime(text).value(); }

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string MinimalXml(const std::string& frequency, const std::string& start, const std::string& end,
                       const std::string& tz = "UTC") {
  return "<coordinator-app name='c' frequency='" + frequency + "' start='" + start + "' end='" + end +
         "' timezone='" + tz +
         "' xmlns='uri:oozie:coordinator:0.5'><action><workflow><app-path>/app</app-path></workflow></action>"
         "</coordinator-app>";
}

CoordinatorApp Parse(const std::string& xml) {
  Result<CoordinatorApp> app = ParseCoordinatorXml(xml, {});
  EXPECT_TRUE(app.ok()) << app.status().ToString();
  return std::move(app).value();
}

TEST(CoordinatorParser, ParsesEveryExampleCoordinator) {
  const std::filesystem::path root = "/work/shared/oozie-compat/examples";
  std::vector<std::filesystem::path> dirs = {std::filesystem::path(REFINERY_SOURCE_DIR) / "examples", root};
  int parsed = 0;
  for (const auto& dir : dirs) {
    if (!std::filesystem::exists(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("coordinator", 0) != 0 || entry.path().extension() != ".xml") continue;
      Properties conf;
      for (const char* props : {"job.properties", "job-with-offset.properties"}) {
        auto p = entry.path().parent_path() / props;
        if (!std::filesystem::exists(p)) continue;
        Result<Properties> loaded = ParseJavaProperties(Read(p), p.string());
        ASSERT_TRUE(loaded.ok());
        conf.MergeFrom(*loaded);
      }
      conf.Set("user.name", "joe");
      for (const char* key : {"hcatNode", "db", "table"}) {
        if (!conf.Contains(key)) conf.Set(key, "x");
      }
      ParseOptions options;
      options.job_conf = &conf;
      options.source_name = entry.path().string();
      Result<CoordinatorApp> app = ParseCoordinatorXml(Read(entry.path()), options);
      EXPECT_TRUE(app.ok()) << entry.path() << ": " << app.status().ToString();
      ++parsed;
    }
  }
  EXPECT_GE(parsed, 5);
}

TEST(CoordinatorParser, KeepsActionConfigurationElForActionStart) {
  Properties conf;
  conf.Set("nameNode", "hdfs://nn");
  ParseOptions options;
  options.job_conf = &conf;
  options.user = "joe";
  Result<CoordinatorApp> app = ParseCoordinatorXml(
      "<coordinator-app name='c' frequency='60' start='2009-01-01T00:00Z' end='2009-01-02T00:00Z' timezone='UTC' "
      "xmlns='uri:oozie:coordinator:0.1'><action><workflow><app-path>${nameNode}/app</app-path><configuration>"
      "<property><name>t</name><value>${coord:nominalTime()}</value></property>"
      "<property><name>u</name><value>${coord:user()}</value></property>"
      "</configuration></workflow></action></coordinator-app>",
      options);
  ASSERT_TRUE(app.ok()) << app.status().ToString();
  EXPECT_EQ(app->app_path, "hdfs://nn/app");
  EXPECT_EQ(app->action_configuration.Get("t").value(), "${coord:nominalTime()}");
  EXPECT_EQ(app->action_configuration.Get("u").value(), "joe");
}

TEST(CoordinatorParser, ErrorsNameTheFileAndLine) {
  ParseOptions options;
  options.source_name = "app/coordinator.xml";
  Result<CoordinatorApp> app = ParseCoordinatorXml(
      "<coordinator-app name='c' frequency='60'\n start='2009-01-01T00:00Z' end='bad' timezone='UTC' "
      "xmlns='uri:oozie:coordinator:0.1'/>",
      options);
  ASSERT_FALSE(app.ok());
  EXPECT_EQ(app.status().error_code(), "E1003");
  EXPECT_NE(app.status().ToString().find("app/coordinator.xml:1"), std::string::npos) << app.status().ToString();
}

TEST(CoordinatorParser, NeverCrashesOnTruncatedInput) {
  const std::string xml = Read(std::filesystem::path("/work/shared/oozie-compat/examples/aggregator/coordinator.xml"));
  for (size_t n = 0; n < xml.size(); n += 7) {
    (void)ParseCoordinatorXml(std::string_view(xml).substr(0, n), {});
  }
}

TEST(Calendar, MonthAdditionClampsToMonthEnd) {
  TimeZone utc;
  EXPECT_EQ(FormatOozieTime(AddCalendar(T("2009-01-31T10:00Z"), TimeUnit::kMonth, 1, utc)), "2009-02-28T10:00Z");
  EXPECT_EQ(FormatOozieTime(AddCalendar(T("2008-01-31T10:00Z"), TimeUnit::kMonth, 1, utc)), "2008-02-29T10:00Z");
  EXPECT_EQ(FormatOozieTime(AddCalendar(T("2009-01-31T10:00Z"), TimeUnit::kMonth, 2, utc)), "2009-03-31T10:00Z");
}

TEST(Calendar, DayAdditionKeepsWallClockAcrossDst) {
  TimeZone la = TimeZone::Find("America/Los_Angeles").value();
  EXPECT_EQ(FormatOozieTime(AddCalendar(T("2016-03-12T23:10Z"), TimeUnit::kDay, 1, la)), "2016-03-13T22:10Z");
  EXPECT_EQ(FormatOozieTime(AddCalendar(T("2016-03-12T23:10Z"), TimeUnit::kHour, 24, la)), "2016-03-13T23:10Z");
}

TEST(TimeZone, AcceptsGmtOffsetsAndJavaAliases) {
  EXPECT_EQ(TimeZone::Find("GMT-07:00")->OffsetAt(T("2012-01-01T00:00Z")).count(), -420);
  EXPECT_EQ(TimeZone::Find("GMT-0700")->OffsetAt(T("2012-01-01T00:00Z")).count(), -420);
  EXPECT_EQ(TimeZone::Find("GMT+05:30")->OffsetAt(T("2012-01-01T00:00Z")).count(), 330);
  EXPECT_EQ(TimeZone::Find("PST")->OffsetAt(T("2012-06-13T00:00Z")).count(), -420);
  EXPECT_FALSE(TimeZone::Find("Not/AZone").ok());
  EXPECT_FALSE(TimeZone::Find("../../etc/passwd").ok());
}

TEST(Materializer, EndTimeIsExclusive) {
  CoordinatorApp app = Parse(MinimalXml("${coord:hours(1)}", "2010-01-01T01:00Z", "2010-01-01T03:00Z"));
  FakeClock clock(T("2010-01-01T01:00Z"));
  MaterializeOptions options;
  options.window = std::chrono::hours(5);
  Materializer m(&app, &clock, options);
  JobState state;
  state.job_id = "0000001-100101000000000-oozie-C";
  Result<MaterializeResult> r = m.Materialize(state);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->actions.size(), 2u);
  EXPECT_EQ(r->actions[0].id, "0000001-100101000000000-oozie-C@1");
  EXPECT_EQ(r->actions[1].id, "0000001-100101000000000-oozie-C@2");
  EXPECT_EQ(FormatOozieTime(r->actions[1].nominal_time), "2010-01-01T02:00Z");
  EXPECT_EQ(r->actions[1].status, "WAITING");
  EXPECT_TRUE(r->done);
}

TEST(Materializer, WaitsForTheClockInsteadOfReadingTheWallClock) {
  CoordinatorApp app = Parse(MinimalXml("10", "2030-01-01T00:00Z", "2030-01-01T01:00Z"));
  FakeClock clock(T("2029-12-31T23:00Z"));
  Materializer m(&app, &clock);
  JobState state;
  EXPECT_TRUE(m.Materialize(state)->actions.empty());
  clock.Set(T("2030-01-01T00:00Z"));
  EXPECT_EQ(m.Materialize(state)->actions.size(), 6u);
}

TEST(Materializer, FinishedJobCreatesNothing) {
  CoordinatorApp app = Parse(MinimalXml("10", "2010-01-01T00:00Z", "2010-01-01T01:00Z"));
  FakeClock clock(T("2011-01-01T00:00Z"));
  Materializer m(&app, &clock);
  JobState state;
  state.next_materialized_time = T("2010-01-01T01:00Z");
  state.last_action_number = 6;
  Result<MaterializeResult> r = m.Materialize(state);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->actions.empty());
  EXPECT_TRUE(r->done);
}

TEST(CoordEl, DataInIsCommaSeparatedNewestFirstAtActionStart) {
  MaterializedAction action;
  action.inputs.push_back(DataInstances{"input", "raw", {}, {"/d/02", "/d/01"}, ""});
  action.outputs.push_back(DataInstances{"output", "agg", {}, {"/o/02"}, ""});
  CoordElContext ctx;
  ctx.action = &action;
  ctx.nominal_time = T("2010-01-01T02:00Z");
  EXPECT_EQ(EvaluateCoordText("${coord:dataIn('input')}", ctx).value(), "/d/02,/d/01");
  EXPECT_EQ(EvaluateCoordText("${coord:dataOut('output')}", ctx).value(), "/o/02");
  EXPECT_EQ(EvaluateCoordText("${coord:formatTime(coord:nominalTime(), 'yyyy/MM')}", ctx).value(), "2010/01");
}

TEST(NextNominalTime, NominalTimeOfCountsFromTheOriginalStart) {
  CoordinatorApp app = Parse(MinimalXml("${coord:months(1)}", "2009-01-31T10:00Z", "2010-01-01T00:00Z"));
  EXPECT_EQ(FormatOozieTime(NominalTimeOf(app, 3)->value()), "2009-03-31T10:00Z");
  EXPECT_FALSE(NominalTimeOf(app, 13)->has_value());
}

}  // namespace
}  // namespace refinery::coordinator
