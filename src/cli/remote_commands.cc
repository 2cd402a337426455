// The job, jobs and admin verbs against a running server (-oozie URL or
// $OOZIE_URL), through the Oozie Web Services API. As with Oozie's client,
// -run returns the id at once; the job runs in the server.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/data_home.h"
#include "cli/oozie_format.h"
#include "coordinator/bundle.h"
#include "serve/http.h"
#include "serve/http_client.h"
#include "serve/oozie_json.h"

namespace refinery::cli {
namespace {

using nlohmann::json;

// $REFINERY_TOKEN, else the token file of the local data home, else none
// (reads may still work).
std::string FindToken(const GlobalOptions& global) {
  if (const char* env = std::getenv("REFINERY_TOKEN"); env != nullptr && *env != '\0') return env;
  std::ifstream in(ResolveHomePath(global.home) / "server.token");
  std::string token;
  std::getline(in, token);
  return token;
}

class RemoteServer {
 public:
  static Result<RemoteServer> Connect(const GlobalOptions& global) {
    REFINERY_ASSIGN_OR_RETURN(serve::HttpUrl url, serve::ParseHttpUrl(ServerUrlOf(global)));
    return RemoteServer(std::move(url), FindToken(global));
  }

  // An HTTP error becomes a Status carrying the server's Oozie error code.
  Result<std::string> Call(const std::string& method, const std::string& target, const std::string& xml_body = "") {
    serve::HttpCall call;
    call.method = method;
    call.target = target;
    call.body = xml_body;
    if (!xml_body.empty() || method != "GET") call.headers.emplace_back("Content-Type", "application/xml;charset=UTF-8");
    if (!token_.empty()) call.headers.emplace_back("Authorization", "Bearer " + token_);
    REFINERY_ASSIGN_OR_RETURN(serve::HttpReply reply, serve::SendHttp(url_, call));
    if (reply.status < 400) return reply.body;
    std::string message = reply.headers["oozie-error-message"];
    auto body = json::parse(reply.body, nullptr, false);
    if (body.is_object() && body.contains("errorMessage") && body["errorMessage"].is_string()) {
      message = body["errorMessage"].get<std::string>();
    }
    if (message.empty()) message = "HTTP " + std::to_string(reply.status);
    const auto code = reply.status >= 500 ? StatusCode::kInternal
                      : reply.status == 401 ? StatusCode::kFailedPrecondition
                                            : StatusCode::kInvalidArgument;
    return Status(code, "", message);
  }

  Result<json> CallJson(const std::string& method, const std::string& target, const std::string& xml_body = "") {
    REFINERY_ASSIGN_OR_RETURN(std::string body, Call(method, target, xml_body));
    auto parsed = json::parse(body, nullptr, false);
    if (parsed.is_discarded()) return Status::IoError("the server answered " + target + " with invalid JSON");
    return parsed;
  }

 private:
  RemoteServer(serve::HttpUrl url, std::string token) : url_(std::move(url)), token_(std::move(token)) {}
  serve::HttpUrl url_;
  std::string token_;
};

std::string JobPath(const std::string& id, const std::string& query) {
  return "/v2/job/" + serve::PercentEncode(id) + "?" + query;
}

// Oozie's client layout for a coordinator dry run: the job, then each action
// the server would create (its text is split on "action for new instance").
int PrintCoordinatorDryRun(const json& answer) {
  const std::string text = answer.value("id", "");
  const std::string separator = "action for new instance";
  std::vector<std::string> parts;
  for (size_t begin = 0;;) {
    const size_t at = text.find(separator, begin);
    parts.push_back(text.substr(begin, at == std::string::npos ? std::string::npos : at - begin));
    if (at == std::string::npos) break;
    begin = at + separator.size();
  }
  std::printf("***coordJob after parsing: ***\n%s", parts[0].c_str());
  std::printf("***total coord actions is %zu ***\n", parts.size() - 1);
  for (size_t i = 1; i < parts.size(); ++i) {
    std::printf("%s\n***coordAction for new instance***\n%zu:%s", std::string(132, '-').c_str(), i, parts[i].c_str());
  }
  return 0;
}

int Submit(RemoteServer& server, const JobOptions& options) {
  auto conf = LoadJobConfiguration(options, true);
  if (!conf.ok()) return PrintError(conf.status());
  const std::string action = options.dryrun ? "?action=dryrun" : options.run ? "?action=start" : "";
  auto answer = server.CallJson("POST", "/v2/jobs" + action, FormatHadoopConfigurationXml(*conf));
  if (!answer.ok()) return PrintError(answer.status());
  if (options.dryrun && answer->contains("actions")) return PrintCoordinatorDryRun(*answer);
  if (options.dryrun && answer->contains("coordinators")) {  // a bundle
    std::printf("%s", FormatBundleDryRun(*answer).c_str());
    return 0;
  }
  if (options.dryrun) {
    std::printf("OK\n");
    return 0;
  }
  std::printf("job: %s\n", answer->value("id", "").c_str());
  return 0;
}

bool IsCoordinatorId(const std::string& id) {
  const std::string job = id.substr(0, id.find('@'));
  return job.size() > 2 && job.compare(job.size() - 2, 2, "-C") == 0;
}

std::string TextOr(const json& object, const char* key, const char* fallback = "-") {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Oozie's `job -info` layout for a coordinator and its actions.
void PrintCoordinator(const json& job) {
  const std::string rule(132, '-');
  std::printf("Job ID : %s\n%s\n", TextOr(job, "coordJobId").c_str(), rule.c_str());
  std::printf("Job Name    : %s\n", TextOr(job, "coordJobName").c_str());
  std::printf("App Path    : %s\n", TextOr(job, "coordJobPath").c_str());
  std::printf("Status      : %s\n", TextOr(job, "status").c_str());
  std::printf("Start Time  : %s\n", TextOr(job, "startTime").c_str());
  std::printf("End Time    : %s\n", TextOr(job, "endTime").c_str());
  std::printf("Frequency   : %s %s (%s)\n", TextOr(job, "frequency").c_str(), TextOr(job, "timeUnit").c_str(),
              TextOr(job, "timeZone").c_str());
  std::printf("Next Materialized Time : %s\n%s\n", TextOr(job, "nextMaterializedTime").c_str(), rule.c_str());
  std::printf("%-48s %-10s %-44s %s\n%s\n", "ID", "Status", "Ext ID", "Nominal Time", rule.c_str());
  for (const json& action : job.value("actions", json::array())) {
    std::printf("%-48s %-10s %-44s %s\n", TextOr(action, "id").c_str(), TextOr(action, "status").c_str(),
                TextOr(action, "externalId").c_str(), TextOr(action, "nominalTime").c_str());
  }
  std::printf("%s\n", rule.c_str());
}

int Show(RemoteServer& server, const JobOptions& options) {
  if (!options.log_id.empty() || !options.definition_id.empty()) {
    const bool log = !options.log_id.empty();
    auto text = server.Call("GET", JobPath(log ? options.log_id : options.definition_id,
                                           log ? "show=log" : "show=definition"));
    if (!text.ok()) return PrintError(text.status());
    std::printf("%s\n", text->c_str());
    return 0;
  }
  const std::string& id = !options.info_id.empty() ? options.info_id : options.configcontent_id;
  if (coordinator::IsBundleJobId(id)) {
    auto answer = server.CallJson("GET", JobPath(id, "show=info"));
    if (!answer.ok()) return PrintError(answer.status());
    if (!options.configcontent_id.empty()) {
      std::printf("%s\n", TextOr(*answer, "conf", "").c_str());
    } else {
      std::printf("%s", FormatBundleInfo(*answer).c_str());
    }
    return 0;
  }
  if (IsCoordinatorId(id)) {
    auto answer = server.CallJson("GET", JobPath(id, "show=info&offset=1&len=1000"));
    if (!answer.ok()) return PrintError(answer.status());
    if (!options.configcontent_id.empty()) {
      std::printf("%s\n", TextOr(*answer, "conf", "").c_str());
    } else if (id.find('@') != std::string::npos) {
      std::printf("%s\n", answer->dump(2).c_str());
    } else {
      PrintCoordinator(*answer);
    }
    return 0;
  }
  auto answer = server.CallJson("GET", JobPath(id, "show=info"));
  if (!answer.ok()) return PrintError(answer.status());
  std::vector<store::WorkflowActionRecord> actions;
  auto job = serve::WorkflowJobFromJson(*answer, &actions);
  if (!job.ok()) return PrintError(job.status());
  if (!options.configcontent_id.empty()) {
    std::printf("%s\n", job->conf.c_str());
    return 0;
  }
  std::printf("%s", FormatJobInfo(*job, actions, options.verbose).c_str());
  return 0;
}

int Control(RemoteServer& server, const JobOptions& options) {
  std::string id, action, body;
  if (!options.kill_id.empty()) id = options.kill_id, action = "kill";
  if (!options.suspend_id.empty()) id = options.suspend_id, action = "suspend";
  if (!options.resume_id.empty()) id = options.resume_id, action = "resume";
  if (!options.start_id.empty()) id = options.start_id, action = "start";
  const bool coord_rerun = !options.rerun_id.empty() && IsCoordinatorId(options.rerun_id);
  if (coord_rerun) {
    // Oozie's coordinator rerun: -action or -date (one of them), then the flags.
    if (options.action_scope.empty() == options.date_scope.empty()) {
      std::fprintf(stderr, "Error: E0303: a coordinator -rerun needs exactly one of -action 1,3-4 or -date A::B\n");
      return 2;
    }
    id = options.rerun_id;
    action = "coord-rerun&type=" + std::string(options.action_scope.empty() ? "date" : "action") + "&scope=" +
             serve::PercentEncode(options.action_scope.empty() ? options.date_scope : options.action_scope) +
             "&refresh=" + (options.refresh ? "true" : "false") + "&nocleanup=" +
             (options.nocleanup ? "true" : "false") + "&failed=" + (options.failed ? "true" : "false");
  } else if (coordinator::IsBundleJobId(options.rerun_id)) {
    // Oozie's bundle rerun: -coordinator names and/or -date, then the flags.
    id = options.rerun_id;
    action = "bundle-rerun&coord-scope=" + serve::PercentEncode(options.coordinator_scope) +
             "&date-scope=" + serve::PercentEncode(options.date_scope) + "&refresh=" +
             (options.refresh ? "true" : "false") + "&nocleanup=" + (options.nocleanup ? "true" : "false");
  } else if (!options.rerun_id.empty()) {
    id = options.rerun_id, action = "rerun";
    auto conf = LoadJobConfiguration(options, false);
    if (!conf.ok()) return PrintError(conf.status());
    body = FormatHadoopConfigurationXml(*conf);
  }
  if (!options.change_id.empty()) {
    id = options.change_id, action = "change&value=" + serve::PercentEncode(options.change_value);
  }
  if (!options.ignore_id.empty()) {
    id = options.ignore_id, action = "ignore";
    if (!options.action_scope.empty()) action += "&type=action&scope=" + serve::PercentEncode(options.action_scope);
  }
  auto answer = server.Call("PUT", JobPath(id, "action=" + action), body);
  if (!answer.ok()) return PrintError(answer.status());
  const json ignored = json::parse(*answer, nullptr, false);
  const bool listed = !options.ignore_id.empty() || coord_rerun || coordinator::IsBundleJobId(options.rerun_id);
  if (listed && ignored.is_object()) {
    for (const json& item : ignored.value("actions", json::array())) {
      std::printf("%s %s\n", TextOr(item, "id").c_str(), TextOr(item, "status").c_str());
    }
  }
  return 0;
}

bool IsTerminal(const std::string& status) {
  for (const char* end : {"SUCCEEDED", "KILLED", "FAILED", "TIMEDOUT", "SKIPPED", "DONEWITHERROR"}) {
    if (status == end) return true;
  }
  return false;
}

// Follows a job as Oozie's `job -poll` does, printing what changes rather
// than a final verdict only: a coordinator (its latest action) or coordinator
// action is followed into the workflow it starts; a workflow's actions are
// printed as they start and end, and with -verbose its log lines as they come
// (the train action logs every boosting round there).
class JobFollower {
 public:
  JobFollower(RemoteServer& server, const JobOptions& options) : server_(server), options_(options) {}

  int Follow() {
    auto workflow_id = WorkflowOf(options_.poll_id);
    if (!workflow_id.ok()) return PrintError(workflow_id.status());
    if (workflow_id->empty()) return 1;  // the coordinator action ended without a run; already said why
    return FollowWorkflow(*workflow_id);
  }

 private:
  static constexpr auto kInterval = std::chrono::milliseconds(250);

  bool TimedOut() const {
    if (options_.poll_timeout_minutes <= 0) return false;
    return std::chrono::steady_clock::now() - start_ > std::chrono::minutes(options_.poll_timeout_minutes);
  }

  double Elapsed() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  Status TimeoutError(const std::string& id) const {
    return Status::Cancelled("-poll gave up on " + id + " after " + std::to_string(options_.poll_timeout_minutes) +
                                    " minutes; it may still be running (raise -timeout, or 0 to wait for ever)");
  }

  // The workflow id a coordinator action runs, once it has one; "" when the
  // action ended without starting one.
  Result<std::string> WorkflowOf(const std::string& id) {
    if (!IsCoordinatorId(id)) return id;
    std::string action_id = id;
    std::string last_status;
    while (true) {
      if (action_id.find('@') == std::string::npos) {
        REFINERY_ASSIGN_OR_RETURN(json coordinator, server_.CallJson("GET", JobPath(id, "show=info&offset=1&len=1&order=desc")));
        const json actions = coordinator.value("actions", json::array());
        if (!actions.empty()) action_id = TextOr(actions.front(), "id", "");
      }
      if (action_id.find('@') != std::string::npos) {
        auto lookup = server_.CallJson("GET", JobPath(action_id, "show=info"));
        // An action not materialized yet is waited for, like its run.
        if (!lookup.ok() && lookup.status().code() != StatusCode::kInvalidArgument) return lookup.status();
        const json action = lookup.ok() ? *lookup : json::object();
        const std::string status = TextOr(action, "status", "");
        const std::string workflow = TextOr(action, "externalId", "");
        if (status != last_status) {
          std::printf("[%8.3fs] %s %s\n", Elapsed(), action_id.c_str(), status.c_str());
          std::fflush(stdout);
          last_status = status;
        }
        if (!workflow.empty() && workflow != "-") return workflow;
        if (IsTerminal(status)) {
          std::printf("%s ended %s without a workflow run: %s\n", action_id.c_str(), status.c_str(),
                      TextOr(action, "errorMessage", "no message").c_str());
          return std::string();
        }
      }
      if (TimedOut()) return TimeoutError(id);
      std::this_thread::sleep_for(kInterval);
    }
  }

  int FollowWorkflow(const std::string& id) {
    std::printf("[%8.3fs] following %s\n", Elapsed(), id.c_str());
    while (true) {
      auto answer = server_.CallJson("GET", JobPath(id, "show=info"));
      if (!answer.ok()) return PrintError(answer.status());
      std::vector<store::WorkflowActionRecord> actions;
      auto job = serve::WorkflowJobFromJson(*answer, &actions);
      if (!job.ok()) return PrintError(job.status());
      // The log says when each action starts and ends, so -verbose prints it alone.
      if (options_.verbose) {
        PrintNewLogLines(id);
      } else {
        PrintActionChanges(actions);
      }
      if (IsTerminal(job->status)) return Finish(*job, actions);
      if (TimedOut()) return PrintError(TimeoutError(id));
      std::this_thread::sleep_for(kInterval);
    }
  }

  void PrintActionChanges(const std::vector<store::WorkflowActionRecord>& actions) {
    for (const auto& action : actions) {
      if (action.type == ":START:" || action.type == ":END:") continue;
      std::string& seen = seen_status_[action.name];
      if (seen == action.status) continue;
      seen = action.status;
      std::printf("[%8.3fs]   %-28s %-12s %s", Elapsed(), action.name.c_str(), action.type.c_str(), action.status.c_str());
      if (!action.transition.empty() && action.status != "RUNNING" && action.status != "PREP") {
        std::printf(" -> %s", action.transition.c_str());
      }
      std::printf("\n");
    }
    std::fflush(stdout);
  }

  // The log only grows, so what is new is what lies past the part printed.
  void PrintNewLogLines(const std::string& id) {
    auto log = server_.Call("GET", JobPath(id, "show=log"));
    if (!log.ok() || log->size() <= printed_log_bytes_) return;
    const size_t end = log->rfind('\n');
    if (end == std::string::npos || end < printed_log_bytes_) return;
    std::istringstream lines(log->substr(printed_log_bytes_, end + 1 - printed_log_bytes_));
    for (std::string line; std::getline(lines, line);) std::printf("  | %s\n", line.c_str());
    printed_log_bytes_ = end + 1;
  }

  int Finish(const store::WorkflowJobRecord& job, const std::vector<store::WorkflowActionRecord>& actions) {
    const double seconds = job.end_ms > 0 && job.start_ms > 0 ? (job.end_ms - job.start_ms) / 1000.0 : 0.0;
    std::printf("job: %s\nstatus: %s", job.id.c_str(), job.status.c_str());
    if (seconds > 0) std::printf(" (%.3fs)", seconds);
    std::printf("\n");
    if (job.status == "SUCCEEDED") return 0;
    for (const auto& action : actions) {
      if (action.error_message.empty()) continue;
      std::printf("  %s: %s%s%s\n", action.name.c_str(), action.error_code.c_str(),
                  action.error_code.empty() ? "" : ": ", action.error_message.c_str());
    }
    return 1;
  }

  RemoteServer& server_;
  const JobOptions& options_;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::map<std::string, std::string> seen_status_;
  size_t printed_log_bytes_ = 0;
};

}  // namespace

std::string ServerUrlOf(const GlobalOptions& global) {
  if (!global.oozie_url.empty()) return global.oozie_url;
  const char* env = std::getenv("OOZIE_URL");
  return env == nullptr ? "" : env;
}

int RunRemoteJobCommand(const GlobalOptions& global, const JobOptions& options) {
  auto server = RemoteServer::Connect(global);
  if (!server.ok()) return PrintError(server.status());
  if (options.run || options.submit || options.dryrun) return Submit(*server, options);
  if (!options.poll_id.empty()) return JobFollower(*server, options).Follow();
  if (!options.info_id.empty() || !options.log_id.empty() || !options.definition_id.empty() ||
      !options.configcontent_id.empty()) {
    return Show(*server, options);
  }
  if (!options.kill_id.empty() || !options.suspend_id.empty() || !options.resume_id.empty() ||
      !options.start_id.empty() || !options.rerun_id.empty() || !options.change_id.empty() ||
      !options.ignore_id.empty()) {
    return Control(*server, options);
  }
  std::fprintf(stderr, "Error: say what to do: -run, -submit, -dryrun, -start, -info, -log, -definition, -kill, "
                       "-suspend, -resume, -rerun or -poll (refinery job -h)\n");
  return 2;
}

int RunRemoteJobsCommand(const GlobalOptions& global, const JobsOptions& options) {
  auto server = RemoteServer::Connect(global);
  if (!server.ok()) return PrintError(server.status());
  const std::string target = "/v2/jobs?jobtype=" + serve::PercentEncode(options.jobtype) +
                             "&filter=" + serve::PercentEncode(options.filter) +
                             "&offset=" + std::to_string(std::max(options.offset, 1)) +
                             "&len=" + std::to_string(std::max(options.len, 1));
  auto answer = server->CallJson("GET", target);
  if (!answer.ok()) return PrintError(answer.status());
  if (answer->contains("bundlejobs")) {
    std::printf("%s", FormatBundleList((*answer)["bundlejobs"]).c_str());
    return 0;
  }
  if (answer->contains("coordinatorjobs")) {
    std::printf("%-44s %-20s %-16s %-8s %-22s %s\n", "Job ID", "App Name", "Status", "Freq", "Unit",
                "Next Materialized");
    for (const json& job : (*answer)["coordinatorjobs"]) {
      std::printf("%-44s %-20s %-16s %-8s %-22s %s\n", TextOr(job, "coordJobId").c_str(),
                  TextOr(job, "coordJobName").substr(0, 20).c_str(), TextOr(job, "status").c_str(),
                  TextOr(job, "frequency").c_str(), TextOr(job, "timeUnit").c_str(),
                  TextOr(job, "nextMaterializedTime").c_str());
    }
    return 0;
  }
  store::JobPage page;
  page.total = answer->value("total", 0);
  for (const json& item : answer->value("workflows", json::array())) {
    auto job = serve::WorkflowJobFromJson(item, nullptr);
    if (job.ok()) page.jobs.push_back(std::move(*job));
  }
  std::printf("%s", FormatJobList(page).c_str());
  return 0;
}

int RunRemoteAdminCommand(const GlobalOptions& global, const AdminOptions& options) {
  auto server = RemoteServer::Connect(global);
  if (!server.ok()) return PrintError(server.status());
  if (options.version) {
    auto answer = server->CallJson("GET", "/v2/admin/build-version");
    if (!answer.ok()) return PrintError(answer.status());
    std::printf("Refinery server build version: %s\n", answer->value("buildVersion", "?").c_str());
    return 0;
  }
  auto answer = server->CallJson("GET", "/v2/admin/status");
  if (!answer.ok()) return PrintError(answer.status());
  std::printf("System mode: %s\n", answer->value("systemMode", "?").c_str());
  return 0;
}

}  // namespace refinery::cli
