#include "serve/oozie_api.h"

#include <algorithm>
#include <cstdlib>
#include <sstream>

#include <nlohmann/json.hpp>

#include "coordinator/bundle.h"
#include "core/job_id.h"
#include "core/properties.h"
#include "core/time_format.h"
#include "serve/bundle_api.h"
#include "serve/http_server.h"
#include "serve/oozie_json.h"
#include "serve/redact.h"
#include "serve/sla_api.h"
#include "serve/svg_to_png.h"
#include "serve/workflow_graph.h"
#include "store/job_query.h"
#include "workflow/workflow_app.h"

namespace refinery::serve {
namespace {

using nlohmann::json;

HttpResponse Text(std::string body, const std::string& content_type) {
  HttpResponse response;
  response.content_type = content_type;
  response.body = std::move(body);
  return response;
}

// Actions a coordinator dry run lists unless the request says len=N.
constexpr int kDryRunActions = 20;
constexpr int kMaxDryRunActions = 1000;

HttpResponse WrongMethod(const HttpRequest& request, const std::string& allowed) {
  HttpResponse response =
      ErrorResponse(405, "E0300", "method " + request.method + " is not allowed on " + request.path + "; use " + allowed);
  response.headers.emplace_back("Allow", allowed);
  return response;
}

// Oozie answers E0300 unless a body is declared as XML.
std::optional<HttpResponse> RequireXml(const HttpRequest& request) {
  const std::string type = request.Header("content-type");
  if (type.find("application/xml") != std::string::npos || type.find("text/xml") != std::string::npos) {
    return std::nullopt;
  }
  return ErrorResponse(400, "E0300", "Invalid content-type [" + type + "]; send the configuration as application/xml");
}

Result<Properties> ConfigurationFromBody(const HttpRequest& request) {
  auto conf = ParseHadoopConfigurationXml(request.body, "request body");
  if (!conf.ok()) {
    return Status::InvalidArgument("the request body is not a Hadoop configuration XML: " + conf.status().message(),
                                   "E0300");
  }
  return conf;
}

// Parses a non-negative integer parameter; nullopt when absent.
Result<std::optional<int>> IntParameter(const HttpRequest& request, const std::string& name) {
  if (!request.HasQuery(name)) return std::optional<int>();
  const std::string text = request.Query(name);
  char* end = nullptr;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || value < 0 || value > 1000000) {
    return Status::InvalidArgument("Invalid parameter value, [" + name + "] = [" + text + "]; expected a number",
                                   "E0303");
  }
  return std::optional<int>(static_cast<int>(value));
}

// Coordinator job ids end in -C, their actions in -C@<n>.
bool IsCoordinatorId(const std::string& id) {
  const size_t at = id.find('@');
  const std::string job = id.substr(0, at);
  return job.size() > 2 && job.compare(job.size() - 2, 2, "-C") == 0;
}

std::string ErrorLines(const std::string& log) {
  std::istringstream in(log);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("ERROR") != std::string::npos || line.find("error") != std::string::npos) out += line + "\n";
  }
  return out;
}

// Splits "/v2/job/ID" into version "v2", resource "job", rest "ID".
struct ApiPath {
  std::string version;
  std::string resource;
  std::string rest;
};

ApiPath SplitApiPath(const std::string& path) {
  ApiPath parts;
  std::string_view view(path);
  if (view.rfind("/oozie", 0) == 0) view.remove_prefix(6);
  if (!view.empty() && view.front() == '/') view.remove_prefix(1);
  auto next = [&view]() {
    const size_t slash = view.find('/');
    std::string part(view.substr(0, slash));
    view = slash == std::string_view::npos ? std::string_view() : view.substr(slash + 1);
    return part;
  };
  parts.version = next();
  parts.resource = next();
  parts.rest = std::string(view);
  return parts;
}

}  // namespace

std::string OozieApi::RouteOf(const std::string& path) {
  const ApiPath parts = SplitApiPath(path);
  if (parts.version == "versions") return "/oozie/versions";
  if (parts.resource == "job" && !parts.rest.empty()) return "/oozie/" + parts.version + "/job/{id}";
  if (parts.resource == "admin") return "/oozie/" + parts.version + "/admin/" + parts.rest;
  if (parts.resource.empty()) return "/oozie";
  return "/oozie/" + parts.version + "/" + parts.resource;
}

HttpResponse OozieApi::Handle(const HttpRequest& request) const {
  const ApiPath parts = SplitApiPath(request.path);
  if (parts.version == "versions" && parts.resource.empty()) {
    if (request.method != "GET") return WrongMethod(request, "GET");
    return OozieJsonResponse(json::array({0, 1, 2}));
  }
  if (parts.version != "v1" && parts.version != "v2") {
    return ErrorResponse(404, "E0300", "no Oozie resource at " + request.path + "; try /oozie/versions or /oozie/v2/jobs");
  }
  if (parts.resource == "admin") return Admin(request, parts.rest);
  if (parts.resource == "jobs" && parts.rest.empty()) {
    if (request.method == "POST") return SubmitJob(request);
    if (request.method == "GET") return ListJobs(request);
    return WrongMethod(request, "GET, POST");
  }
  if (parts.resource == "job" && !parts.rest.empty()) {
    if (request.method == "GET") return ShowJob(request, parts.rest);
    if (request.method == "PUT") return ChangeJob(request, parts.rest);
    return WrongMethod(request, "GET, PUT");
  }
  if (parts.resource == "sla" && parts.rest.empty()) {  // sla_api.h
    if (request.method != "GET") return WrongMethod(request, "GET");
    return ListSlaSummaries(request, store_);
  }
  return ErrorResponse(404, "E0300", "no Oozie resource at " + request.path);
}

HttpResponse OozieApi::Admin(const HttpRequest& request, const std::string& resource) const {
  if (resource == "status") {
    if (request.method == "GET") return OozieJsonResponse({{"systemMode", "NORMAL"}});
    if (request.method != "PUT") return WrongMethod(request, "GET, PUT");
    const std::string mode = request.Query("systemmode");
    if (mode == "NORMAL") return OozieJsonResponse(json::object());
    return OozieInvalidParameter("systemmode", mode, "Refinery runs in NORMAL mode only");
  }
  if (request.method != "GET") return WrongMethod(request, "GET");
  if (resource == "build-version") {
    return OozieJsonResponse({{"buildVersion", options_.build_version},
                 {"buildInfo", {{"build.version", options_.build_version}, {"build.product", "Refinery"}}}});
  }
  if (resource == "os-env") {
    // Only variables that say nothing secret.
    json env = json::object();
    for (const char* name : {"LANG", "TZ", "PATH", "USER", "SHELL"}) {
      if (const char* value = std::getenv(name)) env[name] = value;
    }
    return OozieJsonResponse(env);
  }
  if (resource == "java-sys-properties" || resource == "configuration") return OozieJsonResponse(json::object());
  if (resource == "available-oozie-servers") {
    return OozieJsonResponse({{"refinery", options_.base_url}});
  }
  return ErrorResponse(404, "E0300",
                       "unknown admin resource [" + resource +
                           "]; Refinery offers status, build-version, os-env, available-oozie-servers (metrics are at "
                           "/metrics)");
}

HttpResponse OozieApi::SubmitJob(const HttpRequest& request) const {
  if (auto bad = RequireXml(request)) return *bad;
  auto conf = ConfigurationFromBody(request);
  if (!conf.ok()) return OozieStatusResponse(conf.status());
  if (!conf->Get("user.name")) conf->Set("user.name", CurrentUserName());
  const std::string action = request.Query("action");
  if (conf->Get("oozie.bundle.application.path")) {  // bundle_api.h
    if (action == "dryrun") return DryRunBundle(*conf, scheduler_);
    return SubmitBundle(request, *conf, scheduler_);
  }
  if (conf->Get("oozie.coord.application.path")) {
    if (scheduler_ == nullptr) return ErrorResponse(400, "E0307", "this server does not run coordinators");
    if (action == "dryrun") return DryRunCoordinator(request, *conf);
    if (!action.empty() && action != "start") {
      return OozieInvalidParameter("action", action, "a coordinator is submitted with or without action=start, or dryrun");
    }
    auto id = scheduler_->Submit(*conf, action == "start");
    if (!id.ok()) return OozieStatusResponse(id.status());
    return OozieJsonResponse({{"id", *id}}, 201);
  }
  if (action == "dryrun") {
    auto result = engine_->DryRun(*conf);
    if (!result.ok()) return OozieStatusResponse(result.status());
    return OozieJsonResponse({{"id", "OK"}}, 201);
  }
  if (!action.empty() && action != "start") return OozieInvalidParameter("action", action, "use start or dryrun");
  auto id = engine_->Submit(*conf, action == "start");
  if (!id.ok()) return OozieStatusResponse(id.status());
  return OozieJsonResponse({{"id", *id}}, 201);
}

HttpResponse OozieApi::ListJobs(const HttpRequest& request) const {
  const std::string jobtype = request.Query("jobtype", "wf");
  const auto offset = IntParameter(request, "offset");
  if (!offset.ok()) return OozieStatusResponse(offset.status());
  const auto len = IntParameter(request, "len");
  if (!len.ok()) return OozieStatusResponse(len.status());
  const int first = std::max(1, offset->value_or(1));
  const int count = len->value_or(50);
  if (jobtype.find("coord") != std::string::npos) return ListCoordinators(request, first, count);
  if (jobtype.find("bundle") != std::string::npos) return ListBundles(request, store_, first, count, options_.base_url);
  auto filter = store::ParseJobFilter(request.Query("filter"));
  if (!filter.ok()) return OozieStatusResponse(filter.status());
  auto page = store_->ListJobs(*filter, first - 1, count);
  if (!page.ok()) return OozieStatusResponse(page.status());
  json workflows = json::array();
  for (const auto& job : page->jobs) workflows.push_back(WorkflowJobToJson(job, {}, options_.base_url));
  return OozieJsonResponse({{"workflows", std::move(workflows)}, {"total", page->total}, {"offset", first}, {"len", count}});
}

HttpResponse OozieApi::ShowJob(const HttpRequest& request, const std::string& id) const {
  const std::string show = request.Query("show", "info");
  if (IsCoordinatorId(id)) return ShowCoordinator(request, id, SplitApiPath(request.path).version == "v1");
  if (coordinator::IsBundleJobId(id)) return ShowBundle(request, id, store_, options_.base_url);
  if (id.find('@') != std::string::npos) {
    auto action = store_->GetAction(id);
    if (!action.ok()) return OozieStatusResponse(action.status());
    if (show == "status") return OozieJsonResponse({{"status", action->status}});
    if (show == "info") return OozieJsonResponse(WorkflowActionToJson(*action));
    return OozieInvalidParameter("show", show, "an action id takes show=info or show=status");
  }
  auto job = store_->GetJob(id);
  if (!job.ok()) return OozieStatusResponse(job.status());
  if (show == "info") {
    auto actions = store_->ListActions(id);
    if (!actions.ok()) return OozieStatusResponse(actions.status());
    return OozieJsonResponse(WorkflowJobToJson(*job, *actions, options_.base_url));
  }
  if (show == "status") return OozieJsonResponse({{"status", job->status}});
  if (show == "definition") return Text(RedactDefinitionXml(job->definition), "application/xml;charset=UTF-8");
  if (show == "log" || show == "errorlog" || show == "auditlog") {
    auto log = store_->ReadLog(id);
    if (!log.ok()) return OozieStatusResponse(log.status());
    const std::string text = show == "log" ? *log : show == "errorlog" ? ErrorLines(*log) : "";
    return Text(text, "text/plain;charset=UTF-8");
  }
  if (show == "graph") return ShowGraph(request, *job);
  if (show == "sla") {  // the SLA misses recorded for the job and its actions (engine/sla.h)
    auto events = store_->ListSlaEvents(id);
    if (!events.ok()) return OozieStatusResponse(events.status());
    json list = json::array();
    for (const auto& event : *events) {
      list.push_back({{"id", event.subject_id}, {"appType", event.app_type}, {"appName", event.app_name},
                      {"eventStatus", event.event}, {"nominalTime", event.nominal_ms},
                      {"expected", event.expected_ms}, {"actual", event.actual_ms}, {"createdTime", event.created_ms},
                      {"detail", event.detail}});
    }
    return OozieJsonResponse({{"id", id}, {"slaEvents", std::move(list)}});
  }
  return OozieInvalidParameter("show", show, "use info, definition, log, errorlog, status, graph or sla");
}

HttpResponse OozieApi::ShowGraph(const HttpRequest& request, const store::WorkflowJobRecord& job) const {
  const std::string format = request.Query("format", "png");  // Oozie's default
  if (format != "svg" && format != "dot" && format != "png") {
    return OozieInvalidParameter("format", format, "Refinery draws the graph as png, svg or dot");
  }
  auto app = ParseStoredWorkflow(job);
  if (!app.ok()) return OozieStatusResponse(app.status());
  GraphOptions graph;
  graph.show_kill = request.Query("show-kill") == "true";
  auto actions = store_->ListActions(job.id);
  if (!actions.ok()) return OozieStatusResponse(actions.status());
  for (const auto& action : *actions) graph.status_by_node[action.name] = action.status;
  if (format == "dot") return Text(RenderWorkflowDot(*app, graph), "text/vnd.graphviz;charset=UTF-8");
  if (format == "svg") return Text(RenderWorkflowSvg(*app, graph), "image/svg+xml");
  auto png = RenderSvgAsPng(RenderWorkflowSvg(*app, graph));
  if (!png.ok()) return OozieStatusResponse(png.status());
  return Text(std::move(*png), "image/png");
}

HttpResponse OozieApi::ChangeJob(const HttpRequest& request, const std::string& id) const {
  const std::string action = request.Query("action");
  if (IsCoordinatorId(id)) return ChangeCoordinator(request, id);
  if (coordinator::IsBundleJobId(id)) return ChangeBundle(request, id, scheduler_);
  Status status;
  if (action == "start") {
    status = engine_->Start(id);
  } else if (action == "suspend") {
    status = engine_->Suspend(id);
  } else if (action == "resume") {
    status = engine_->Resume(id);
  } else if (action == "kill") {
    status = engine_->Kill(id);
  } else if (action == "rerun") {
    if (auto bad = RequireXml(request)) return *bad;
    auto conf = ConfigurationFromBody(request);
    if (!conf.ok()) return OozieStatusResponse(conf.status());
    conf->Erase("user.name");
    status = engine_->Rerun(id, *conf);
  } else if (action == "change") {
    return ErrorResponse(400, "E1017", "Cannot change a workflow job [" + id +
                                           "]; -change applies to coordinator and bundle jobs");
  } else if (action == "ignore") {
    return ErrorResponse(400, "E0302", "Invalid parameter [Workflow Ignore Not supported]; ignore a coordinator or "
                                       "its actions");
  } else if (action == "coord-rerun" || action == "bundle-rerun") {
    return OozieInvalidParameter("action", action, "it applies to coordinator and bundle jobs");
  } else {
    return OozieInvalidParameter("action", action, "use start, suspend, resume, kill or rerun");
  }
  if (!status.ok()) return OozieStatusResponse(status);
  return Text("", "application/json;charset=UTF-8");
}

HttpResponse OozieApi::ListCoordinators(const HttpRequest& request, int first, int count) const {
  auto filter = store::ParseJobFilter(request.Query("filter"));
  if (!filter.ok()) return OozieStatusResponse(filter.status());
  auto page = store_->ListCoordinatorJobs(filter->statuses, first - 1, count);
  if (!page.ok()) return OozieStatusResponse(page.status());
  json jobs = json::array();
  for (const auto& job : page->jobs) {
    jobs.push_back(CoordinatorJobToJson(job, {}, static_cast<int>(job.last_action_number), options_.base_url));
  }
  return OozieJsonResponse({{"coordinatorjobs", std::move(jobs)}, {"total", page->total}, {"offset", first}, {"len", count}});
}

HttpResponse OozieApi::ShowCoordinator(const HttpRequest& request, const std::string& id, bool v1) const {
  const std::string show = request.Query("show", "info");
  if (id.find('@') != std::string::npos) {
    auto action = store_->GetCoordinatorAction(id);
    if (!action.ok()) return OozieStatusResponse(action.status());
    if (show == "status") return OozieJsonResponse({{"status", action->status}});
    if (show == "info") return OozieJsonResponse(CoordinatorActionToJson(*action));
    return OozieInvalidParameter("show", show, "a coordinator action id takes show=info or show=status");
  }
  auto job = store_->GetCoordinatorJob(id);
  if (!job.ok()) return OozieStatusResponse(job.status());
  if (show == "status") return OozieJsonResponse({{"status", job->status}});
  if (show == "definition") return Text(RedactDefinitionXml(job->definition), "application/xml;charset=UTF-8");
  if (show == "log") {
    auto actions = store_->ListCoordinatorActions(id);
    if (!actions.ok()) return OozieStatusResponse(actions.status());
    std::string log;
    for (const auto& action : *actions) {
      log += action.id + " " + action.status + (action.external_id.empty() ? "" : " workflow " + action.external_id) +
             (action.missing_dependencies.empty() ? "" : " missing " + action.missing_dependencies) + "\n";
    }
    return Text(log, "text/plain;charset=UTF-8");
  }
  if (show != "info") return OozieInvalidParameter("show", show, "use info, definition, log or status");
  // Oozie: v1 lists up to 1000 actions by default, v2 none unless asked.
  const auto offset = IntParameter(request, "offset");
  if (!offset.ok()) return OozieStatusResponse(offset.status());
  const auto len = IntParameter(request, "len");
  if (!len.ok()) return OozieStatusResponse(len.status());
  auto actions = store_->ListCoordinatorActions(id);
  if (!actions.ok()) return OozieStatusResponse(actions.status());
  const int total = static_cast<int>(actions->size());
  const int first = std::max(1, offset->value_or(1)) - 1;
  const int count = len->value_or(v1 ? 1000 : 0);
  if (request.Query("order") == "desc") std::reverse(actions->begin(), actions->end());
  std::vector<store::CoordinatorActionRecord> shown;
  for (int i = first; i < total && static_cast<int>(shown.size()) < count; ++i) shown.push_back((*actions)[i]);
  return OozieJsonResponse(CoordinatorJobToJson(*job, shown, total, options_.base_url));
}

HttpResponse OozieApi::ChangeCoordinator(const HttpRequest& request, const std::string& id) const {
  if (scheduler_ == nullptr) return ErrorResponse(400, "E0307", "this server does not run coordinators");
  const std::string action = request.Query("action");
  if (action == "coord-rerun") {
    // Oozie: type=action|date&scope=..&refresh=&nocleanup=&failed=; answers the actions rerun.
    scheduler::CoordinatorScheduler::RerunRequest rerun;
    rerun.type = request.Query("type", "action");
    rerun.scope = request.Query("scope");
    rerun.refresh = request.Query("refresh") == "true";
    rerun.nocleanup = request.Query("nocleanup") == "true";
    rerun.failed = request.Query("failed") == "true";
    auto rerun_actions = scheduler_->Rerun(id, rerun);
    if (!rerun_actions.ok()) return OozieStatusResponse(rerun_actions.status());
    json actions = json::array();
    for (const auto& record : *rerun_actions) actions.push_back(CoordinatorActionToJson(record));
    return OozieJsonResponse({{"actions", std::move(actions)}});
  }
  if (action == "ignore") {
    // Oozie: type=action&scope=1,3-4 ignores actions; no scope ignores the
    // job (-change status=IGNORED) and answers an empty 200.
    const std::string type = request.Query("type", "action");
    if (type != "action") {
      return ErrorResponse(400, "E1024", "Currently ignore only support -action option; give type=action&scope=1,3-4");
    }
    const std::string scope = request.Query("scope");
    auto ignored = scheduler_->Ignore(id, scope);
    if (!ignored.ok()) return OozieStatusResponse(ignored.status());
    if (scope.empty()) return Text("", "application/json;charset=UTF-8");
    json actions = json::array();
    for (const auto& record : *ignored) actions.push_back(CoordinatorActionToJson(record));
    return OozieJsonResponse({{"actions", std::move(actions)}});
  }
  Status status;
  if (action == "start") {
    status = scheduler_->Start(id);
  } else if (action == "kill") {
    status = scheduler_->Kill(id);
  } else if (action == "suspend") {
    status = scheduler_->Suspend(id);
  } else if (action == "resume") {
    status = scheduler_->Resume(id);
  } else if (action == "change") {
    status = scheduler_->Change(id, request.Query("value"));
  } else {
    return OozieInvalidParameter("action", action,
                            "coordinators take start, suspend, resume, kill, change, ignore or coord-rerun here");
  }
  if (!status.ok()) return OozieStatusResponse(status);
  return Text("", "application/json;charset=UTF-8");
}

// Oozie answers a coordinator dry run with the job and then, for each action
// it would create, "action for new instance" and the action; the client splits
// on that text. Refinery also lists the actions as JSON under "actions".
HttpResponse OozieApi::DryRunCoordinator(const HttpRequest& request, const Properties& conf) const {
  const auto len = IntParameter(request, "len");
  if (!len.ok()) return OozieStatusResponse(len.status());
  auto result = scheduler_->DryRun(conf, std::min(len->value_or(kDryRunActions), kMaxDryRunActions));
  if (!result.ok()) return OozieStatusResponse(result.status());
  const auto& app = result->app;
  std::string text = "<coordinator-app name=\"" + app.name + "\" frequency=\"" + app.frequency.text +
                     "\" start=\"" + FormatOozieTime(app.start) + "\" end=\"" + FormatOozieTime(app.end) +
                     "\" timezone=\"" + app.timezone.id() + "\"/>\n";
  json actions = json::array();
  for (const auto& action : result->actions) {
    json inputs = json::array();
    text += "action for new instance\n<coordinator-action number=\"" + std::to_string(action.number) +
            "\" nominal-time=\"" + FormatOozieTime(action.nominal_time) + "\">";
    for (const auto& input : action.inputs) {
      for (const auto& uri : input.uris) text += "\n  <uri name=\"" + input.name + "\">" + uri + "</uri>";
      inputs.push_back({{"name", input.name}, {"uris", input.uris}, {"unresolved", input.unresolved}});
    }
    text += "\n</coordinator-action>\n";
    actions.push_back({{"actionNumber", action.number},
                       {"nominalTime", FormatOozieTime(action.nominal_time)},
                       {"inputs", std::move(inputs)}});
  }
  return OozieJsonResponse({{"id", text}, {"actions", std::move(actions)}}, 201);
}

}  // namespace refinery::serve
