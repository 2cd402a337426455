// The web UI's pages rendered from a real SQLite store and file system, no
// HTTP: what each page shows, that everything is escaped and secrets
// redacted, 404 pages for unknown ids, the embedded assets and the page hook.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/time_format.h"
#include "serve/web_ui.h"
#include "serve/web_ui_internal.h"

namespace refinery::serve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr int64_t kT0 = 1764600000000;  // 2025-12-01T14:40:00Z
const std::string kJob = "0000001-251201144000000-oozie-W";
const std::string kFailedJob = "0000002-251201144000000-oozie-W";
const std::string kCoordinator = "0000003-251201144000000-oozie-C";

constexpr const char* kDefinition = R"(<workflow-app xmlns="uri:oozie:workflow:0.5" name="quality">
  <start to="prepare"/>
  <action name="prepare"><fs><mkdir path="/user/ui/out"/></fs><ok to="profile"/><error to="fail"/></action>
  <action name="profile"><profile xmlns="uri:refinery:profile-action:1.0"><input>/user/ui/people.csv</input>
    <output>/user/ui/quality/people</output></profile><ok to="end"/><error to="fail"/></action>
  <kill name="fail"><message>failed</message></kill>
  <end name="end"/>
</workflow-app>)";

class WebUiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "refinery-web-ui-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto store = store::OpenSqliteStore((dir_ / "state.db").string());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
    files_ = std::make_unique<fs::FileSystem>(dir_ / "fs");
    std::filesystem::create_directories(dir_ / "fs");
    WebUiOptions options;
    options.store = store_.get();
    options.files = files_.get();
    options.clock = &clock_;
    options.base_url = "http://127.0.0.1:11000";
    ui_ = std::make_unique<WebUi>(options);
  }

  void TearDown() override {
    ui_.reset();
    store_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  static store::WorkflowJobRecord Job(const std::string& id, const std::string& name, const std::string& status,
                                      int64_t created_ms) {
    store::WorkflowJobRecord job;
    job.id = id;
    job.app_name = name;
    job.app_path = "file:///apps/" + name;
    job.user = "ana";
    job.status = status;
    job.run = 0;
    job.conf =
        "<configuration><property><name>db.password</name><value>hunter2</value></property>"
        "<property><name>queue</name><value>default</value></property></configuration>";
    job.definition = kDefinition;
    job.created_ms = created_ms;
    job.start_ms = created_ms;
    job.end_ms = status == "RUNNING" ? 0 : created_ms + 5000;
    return job;
  }

  static store::WorkflowActionRecord Action(const std::string& job, const std::string& name, const std::string& type,
                                            const std::string& status, int64_t start_ms, int64_t end_ms) {
    store::WorkflowActionRecord action;
    action.id = job + "@" + name;
    action.job_id = job;
    action.name = name;
    action.type = type;
    action.status = status;
    action.start_ms = start_ms;
    action.end_ms = end_ms;
    return action;
  }

  // A finished run with a profile action and its report, a failed run, and a
  // coordinator whose second action started the first run.
  void AddRuns() {
    store::WriteBatch batch;
    batch.jobs.push_back(Job(kJob, "quality", "SUCCEEDED", kT0));
    batch.jobs.back().parent_id = kCoordinator + "@2";
    store::WorkflowJobRecord failed = Job(kFailedJob, "<script>alert(1)</script>", "FAILED", kT0 + 60000);
    failed.error_code = "E0729";
    failed.error_message = "Kill node message [<img src=x onerror=alert(2)>]";
    batch.jobs.push_back(failed);
    batch.actions.push_back(Action(kJob, ":start:", ":START:", "OK", kT0, kT0));
    batch.actions.push_back(Action(kJob, "prepare", "fs", "OK", kT0 + 10, kT0 + 1200));
    auto profile = Action(kJob, "profile", "profile", "OK", kT0 + 1300, kT0 + 4800);
    profile.conf =
        "<profile xmlns=\"uri:refinery:profile-action:1.0\"><input>/user/ui/people.csv</input>"
        "<output>/user/ui/quality/people</output></profile>";
    profile.data =
        "rows=3\ncolumns=2\nduplicate_rows=0\nrules=2\nfailed_rules=0\nfailed=\ndrift=false\n"
        "output=/user/ui/quality/people\nreport=/user/ui/quality/people/profile.html\napi.token=s3cret\n";
    batch.actions.push_back(profile);
    batch.actions.push_back(Action(kJob, "end", ":END:", "OK", kT0 + 4900, kT0 + 4900));
    auto broken = Action(kFailedJob, "prepare", "fs", "ERROR", kT0 + 60010, kT0 + 60500);
    broken.error_code = "FS004";
    broken.error_message = "cannot <mkdir> \"/x\"";
    batch.actions.push_back(broken);
    batch.log_lines.push_back({kJob, "2025-12-01 14:40:00 INFO action prepare <started>"});
    store::CoordinatorJobRecord coordinator;
    coordinator.id = kCoordinator;
    coordinator.app_name = "hourly";
    coordinator.status = "RUNNING";
    coordinator.frequency = "60";
    coordinator.time_unit = "MINUTE";
    coordinator.timezone = "UTC";
    coordinator.start_ms = kT0 - 3600000;
    coordinator.end_ms = kT0 + 86400000;
    coordinator.next_materialized_ms = kT0 + 3600000;
    coordinator.last_action_number = 2;
    coordinator.definition = "<coordinator-app name=\"hourly\"/>";
    coordinator.conf = "<configuration/>";
    batch.coordinator_jobs.push_back(coordinator);
    for (int n = 1; n <= 2; ++n) {
      store::CoordinatorActionRecord action;
      action.id = kCoordinator + "@" + std::to_string(n);
      action.job_id = kCoordinator;
      action.action_number = n;
      action.status = n == 2 ? "SUCCEEDED" : "WAITING";
      action.external_id = n == 2 ? kJob : "";
      action.missing_dependencies = n == 1 ? "/user/in/2025/_SUCCESS" : "";
      action.nominal_ms = kT0 - 3600000 + (n - 1) * 3600000;
      batch.coordinator_actions.push_back(action);
    }
    ASSERT_TRUE(store_->Apply(batch).ok());
    std::filesystem::create_directories(dir_ / "fs/user/ui/quality/people");
    std::ofstream(dir_ / "fs/user/ui/quality/people/profile.html") << "<!doctype html><h1>Profile of people</h1>";
  }

  HttpResponse Get(const std::string& path, const std::string& query_status = "") {
    HttpRequest request;
    request.method = "GET";
    request.path = path;
    request.target = path;
    if (!query_status.empty()) request.query["status"] = query_status;
    return ui_->Handle(request);
  }

  std::filesystem::path dir_;
  FakeClock clock_{FromEpochMillis(kT0 + 120000)};
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<fs::FileSystem> files_;
  std::unique_ptr<WebUi> ui_;
};

TEST_F(WebUiTest, DashboardListsCoordinatorsAndRecentRunsAndKeepsTheApiLinks) {
  AddRuns();
  const HttpResponse page = Get("/");
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.content_type, HasSubstr("text/html"));
  EXPECT_THAT(page.body, HasSubstr("<h1>Dashboard</h1>"));
  EXPECT_THAT(page.body, HasSubstr("href=\"/ui/coordinators/" + kCoordinator + "\">hourly</a>"));
  EXPECT_THAT(page.body, HasSubstr("every 60 minutes"));
  EXPECT_THAT(page.body, HasSubstr("2025-12-01 15:40:00 UTC"));  // next materialization
  EXPECT_THAT(page.body, HasSubstr("href=\"/ui/jobs/" + kJob + "\">quality</a>"));
  EXPECT_THAT(page.body, HasSubstr("5.0 s"));
  EXPECT_THAT(page.body, HasSubstr("href=\"/oozie/v2/jobs\""));
  EXPECT_THAT(page.body, HasSubstr("href=\"/metrics\""));
  EXPECT_THAT(page.body, HasSubstr("OOZIE_URL=http://127.0.0.1:11000/oozie"));
}

TEST_F(WebUiTest, EveryPageSharesTheLayoutWithSkipLinkNavAndOneStylesheet) {
  AddRuns();
  for (const std::string& path :
       std::vector<std::string>{"/", "/ui/jobs", "/ui/jobs/" + kJob, "/ui/coordinators/" + kCoordinator, "/ui/quality",
                                "/ui/quality/" + kJob + "@profile", "/ui/models", "/ui/nothing"}) {
    const HttpResponse page = Get(path);
    EXPECT_THAT(page.body, HasSubstr("<a class=\"skip-link\" href=\"#main\">")) << path;
    EXPECT_THAT(page.body, HasSubstr("<main id=\"main\"")) << path;
    EXPECT_THAT(page.body, HasSubstr("<link rel=\"stylesheet\" href=\"/ui/assets/style.css\">")) << path;
    for (const char* nav : {">Dashboard</a>", ">Jobs</a>", ">Data quality</a>", ">Models</a>"}) {
      EXPECT_THAT(page.body, HasSubstr(nav)) << path;
    }
    bool csp = false;
    for (const auto& [name, value] : page.headers) csp = csp || (name == "Content-Security-Policy");
    EXPECT_TRUE(csp) << path;
  }
  EXPECT_THAT(Get("/ui/jobs").body, HasSubstr("<a href=\"/ui/jobs\" aria-current=\"page\">Jobs</a>"));
}

TEST_F(WebUiTest, JobsListFiltersByStatusAndPages) {
  store::WriteBatch batch;
  for (int i = 0; i < 60; ++i) {
    char id[64];
    snprintf(id, sizeof(id), "%07d-251201144000000-oozie-W", 100 + i);
    batch.jobs.push_back(Job(id, "bulk-" + std::to_string(i), i % 3 == 0 ? "KILLED" : "SUCCEEDED", kT0 + i * 1000));
  }
  ASSERT_TRUE(store_->Apply(batch).ok());
  const std::string first = Get("/ui/jobs").body;
  EXPECT_THAT(first, HasSubstr("Runs 1–50 of 60"));
  EXPECT_THAT(first, HasSubstr(">bulk-59</a>"));  // newest first
  EXPECT_THAT(first, Not(HasSubstr(">bulk-5</a>")));
  EXPECT_THAT(first, HasSubstr("href=\"/ui/jobs?page=2\">Older →</a>"));
  HttpRequest second;
  second.method = "GET";
  second.path = "/ui/jobs";
  second.query["page"] = "2";
  EXPECT_THAT(ui_->Handle(second).body, HasSubstr("Runs 51–60 of 60"));
  const std::string killed = Get("/ui/jobs", "KILLED").body;
  EXPECT_THAT(killed, HasSubstr("of 20"));
  EXPECT_THAT(killed, HasSubstr("<option selected>KILLED</option>"));
  EXPECT_THAT(killed, Not(HasSubstr("SUCCEEDED</span>")));
  EXPECT_THAT(Get("/ui/jobs", "<b>").body, HasSubstr("Unknown status \"&lt;b&gt;\""));
}

TEST_F(WebUiTest, JobPageShowsGraphTimelineActionsDataAndLog) {
  AddRuns();
  const HttpResponse page = Get("/ui/jobs/" + kJob);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<h1>Workflow quality</h1>"));
  // The graph, with nodes coloured by action status.
  EXPECT_THAT(page.body, HasSubstr("data-node=\"profile\" data-status=\"OK\""));
  // The Gantt chart: one bar per action, none for control nodes.
  EXPECT_THAT(page.body, HasSubstr("class=\"gantt\""));
  EXPECT_THAT(page.body, HasSubstr("<g class=\"bar\" data-action=\"prepare\" data-status=\"OK\">"));
  EXPECT_THAT(page.body, HasSubstr("<g class=\"bar\" data-action=\"profile\" data-status=\"OK\">"));
  EXPECT_THAT(page.body, Not(HasSubstr("data-action=\":start:\"")));
  EXPECT_THAT(page.body, HasSubstr("14:40:00 → 14:40:01 UTC (1.2 s)"));
  // Per action: its data, redacted where the key says secret, and a link to the report.
  EXPECT_THAT(page.body, HasSubstr("<section class=\"action\" id=\"action-profile\""));
  EXPECT_THAT(page.body, HasSubstr("<code>report</code></td><td>/user/ui/quality/people/profile.html"));
  EXPECT_THAT(page.body, HasSubstr("<code>api.token</code></td><td>*****"));
  EXPECT_THAT(page.body, Not(HasSubstr("s3cret")));
  EXPECT_THAT(page.body, HasSubstr("href=\"/ui/quality/" + kJob + "%40profile\">Open the data-quality report"));
  // The log, escaped; the parent coordinator linked; the configuration redacted.
  EXPECT_THAT(page.body, HasSubstr("action prepare &lt;started&gt;"));
  EXPECT_THAT(page.body, HasSubstr("href=\"/ui/coordinators/" + kCoordinator + "\">" + kCoordinator + "@2</a>"));
  EXPECT_THAT(page.body, HasSubstr("db.password"));
  EXPECT_THAT(page.body, Not(HasSubstr("hunter2")));
}

TEST_F(WebUiTest, ErrorsAndNamesAreEscapedEverywhere) {
  AddRuns();
  for (const std::string& path : std::vector<std::string>{"/", "/ui/jobs", "/ui/jobs/" + kFailedJob}) {
    const std::string body = Get(path).body;
    EXPECT_THAT(body, Not(HasSubstr("<script>alert"))) << path;
    EXPECT_THAT(body, Not(HasSubstr("<img src=x"))) << path;
    EXPECT_THAT(body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;")) << path;
  }
  const std::string job = Get("/ui/jobs/" + kFailedJob).body;
  EXPECT_THAT(job, HasSubstr("&lt;img src=x onerror=alert(2)&gt;"));
  EXPECT_THAT(job, HasSubstr("<code>FS004</code> cannot &lt;mkdir&gt; &quot;/x&quot;"));
  EXPECT_THAT(job, HasSubstr("<g class=\"bar\" data-action=\"prepare\" data-status=\"ERROR\">"));
  EXPECT_THAT(job, HasSubstr("fill=\"#c62828\""));  // the failed bar is red
}

TEST_F(WebUiTest, CoordinatorPageListsItsActionsWithLinksToTheirRuns) {
  AddRuns();
  const HttpResponse page = Get("/ui/coordinators/" + kCoordinator);
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<h1>Coordinator hourly</h1>"));
  EXPECT_THAT(page.body, HasSubstr("<a href=\"/ui/jobs/" + kJob + "\">" + kJob + "</a>"));
  EXPECT_THAT(page.body, HasSubstr("/user/in/2025/_SUCCESS"));
  EXPECT_THAT(page.body, HasSubstr("WAITING"));
  EXPECT_THAT(page.body, HasSubstr("Next materialization"));
}

TEST_F(WebUiTest, QualityPagesListProfilesAndFrameTheReportFromTheFileSystem) {
  AddRuns();
  const std::string list = Get("/ui/quality").body;
  EXPECT_THAT(list, HasSubstr("<code>/user/ui/people.csv</code>"));
  EXPECT_THAT(list, HasSubstr("2 of 2 passed"));
  EXPECT_THAT(list, HasSubstr("href=\"/ui/quality/" + kJob + "%40profile\""));
  const HttpResponse page = Get("/ui/quality/" + kJob + "@profile");
  ASSERT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<h1>Quality of /user/ui/people.csv</h1>"));
  EXPECT_THAT(page.body, HasSubstr("<iframe class=\"report\" src=\"/ui/quality/" + kJob + "%40profile/profile.html\""));
  const HttpResponse report = Get("/ui/quality/" + kJob + "@profile/profile.html");
  EXPECT_EQ(report.status, 200);
  EXPECT_THAT(report.body, HasSubstr("<h1>Profile of people</h1>"));
  std::filesystem::remove(dir_ / "fs/user/ui/quality/people/profile.html");
  EXPECT_THAT(Get("/ui/quality/" + kJob + "@profile").body, HasSubstr("The report cannot be shown"));
  EXPECT_EQ(Get("/ui/quality/" + kJob + "@profile/profile.html").status, 404);
}

TEST_F(WebUiTest, UnknownIdsAndPathsGiveNotFoundPages) {
  AddRuns();
  for (const std::string& path :
       std::vector<std::string>{"/ui/jobs/0000099-251201144000000-oozie-W", "/ui/jobs/<b>", "/ui/coordinators/nope-C",
                                "/ui/quality/x@y", "/ui/quality/" + kJob + "@prepare",
                                "/ui/quality/nope@x/profile.html", "/ui/assets/missing.css", "/ui/somewhere"}) {
    const HttpResponse page = Get(path);
    EXPECT_EQ(page.status, 404) << path;
    EXPECT_THAT(page.body, Not(HasSubstr("<b>"))) << path;
  }
  EXPECT_THAT(Get("/ui/quality/" + kJob + "@prepare").body, HasSubstr("not a profile action"));
}

TEST_F(WebUiTest, AssetsAreEmbeddedAndPagesAreReadOnly) {
  const HttpResponse css = Get("/ui/assets/style.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_THAT(css.content_type, HasSubstr("text/css"));
  EXPECT_THAT(css.body, HasSubstr(":focus-visible"));
  EXPECT_THAT(Get("/ui/assets/app.js").content_type, HasSubstr("javascript"));
  HttpRequest post;
  post.method = "POST";
  post.path = "/ui/jobs";
  EXPECT_EQ(ui_->Handle(post).status, 405);
}

TEST_F(WebUiTest, AddedPagesAreWrappedInTheLayout) {
  EXPECT_EQ(Get("/ui/models").status, 404);  // nothing registered yet
  ui_->AddPage("/ui/models", [](const HttpRequest& request) {
    WebPage page;
    page.title = "Models";
    page.body_html = "<p>model " + EscapeHtml(request.path) + "</p>";
    return page;
  });
  const HttpResponse page = Get("/ui/models/churn");
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, HasSubstr("<p>model /ui/models/churn</p>"));
  EXPECT_THAT(page.body, HasSubstr("<a href=\"/ui/models\" aria-current=\"page\">Models</a>"));
}

TEST_F(WebUiTest, RoutesForMetricsReplaceIds) {
  EXPECT_EQ(WebUi::RouteOf("/ui/jobs/" + kJob), "/ui/jobs/{id}");
  EXPECT_EQ(WebUi::RouteOf("/ui/quality/a@b/profile.html"), "/ui/quality/{id}");
  EXPECT_EQ(WebUi::RouteOf("/ui/whatever/123"), "/ui/other");
  EXPECT_EQ(WebUi::RouteOf("/"), "/");
  EXPECT_TRUE(WebUi::Serves("/ui/jobs"));
  EXPECT_FALSE(WebUi::Serves("/oozie/v2/jobs"));
}

TEST(WebUiHtmlTest, DurationsAndTimesReadAsPeopleWriteThem) {
  EXPECT_EQ(internal::DurationText(1000, 1012, 0), "12 ms");
  EXPECT_EQ(internal::DurationText(1000, 4500, 0), "3.5 s");
  EXPECT_EQ(internal::DurationText(0, 4500, 0), "—");
  EXPECT_EQ(internal::DurationText(1000, 0, 1000 + 125000), "2 min 5 s so far");
  EXPECT_EQ(internal::DurationText(1000, 1000 + 7500000, 0), "2 h 5 min");
  EXPECT_EQ(internal::TimeHtml(kT0), "<time datetime=\"2025-12-01T14:40:00.000Z\">2025-12-01 14:40:00 UTC</time>");
  EXPECT_EQ(EscapeHtml("<a href='x'>&\"</a>"), "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
}

TEST(WebUiHtmlTest, GanttDrawsFastRunsInMillisecondsAndRunningActionsToNow) {
  store::WorkflowActionRecord done;
  done.name = "import";
  done.type = "sqoop";
  done.status = "OK";
  done.start_ms = kT0;
  done.end_ms = kT0 + 40;
  store::WorkflowActionRecord running = done;
  running.name = "train";
  running.status = "RUNNING";
  running.start_ms = kT0 + 40;
  running.end_ms = 0;
  const std::string svg = internal::RenderGanttSvg({done, running}, kT0 + 80);
  EXPECT_THAT(svg, HasSubstr("+20 ms"));
  EXPECT_THAT(svg, HasSubstr("OK · 40 ms"));
  EXPECT_THAT(svg, HasSubstr("RUNNING · 40 ms so far"));
  EXPECT_THAT(svg, HasSubstr("stroke-dasharray"));  // the running bar is dashed
  EXPECT_EQ(internal::RenderGanttSvg({}, kT0), "");
}

}  // namespace
}  // namespace refinery::serve
