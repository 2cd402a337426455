// `refinery job`, `jobs`, `validate` and `admin`.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/data_home.h"
#include "cli/oozie_format.h"
#include "core/job_id.h"
#include "core/clock.h"
#include "core/time_format.h"
#include "coordinator/bundle.h"
#include "scheduler/coordinator_scheduler.h"
#include "serve/bundle_api.h"
#include "serve/oozie_json.h"
#include "store/job_query.h"
#include "workflow/workflow_app.h"

namespace refinery::cli {
namespace {

// Prints job and action transitions as they happen, with time since start.
class ProgressPrinter : public engine::EngineObserver {
 public:
  ProgressPrinter(bool verbose, bool quiet) : verbose_(verbose), quiet_(quiet) {}

  void OnEvent(const engine::EngineEvent& event) override {
    if (quiet_) return;
    std::lock_guard<std::mutex> lock(mu_);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const std::string stamp = fmt::format("[{:7.3f}s]", seconds);
    using Kind = engine::EngineEvent::Kind;
    switch (event.kind) {
      case Kind::kJobStatus:
        std::printf("%s job %s %s%s\n", stamp.c_str(), event.job_id.c_str(), event.status.c_str(),
                    event.detail.empty() ? "" : (": " + event.detail).c_str());
        break;
      case Kind::kActionStart:
        started_[event.job_id + "@" + event.action_name] = seconds;
        std::printf("%s   %-28s %-12s RUNNING\n", stamp.c_str(), event.action_name.c_str(),
                    event.action_type.c_str());
        break;
      case Kind::kActionEnd: {
        const double began = started_[event.job_id + "@" + event.action_name];
        std::string detail = event.status == "OK" ? "-> " + event.detail : event.detail;
        std::printf("%s   %-28s %-12s %-10s %6.3fs %s\n", stamp.c_str(), event.action_name.c_str(),
                    event.action_type.c_str(), event.status.c_str(), seconds - began, detail.c_str());
        break;
      }
      case Kind::kActionProgress:
        std::printf("%s   %-28s %s%s\n", stamp.c_str(), event.action_name.c_str(), event.detail.c_str(),
                    event.fraction >= 0 ? fmt::format(" ({:.0f}%)", event.fraction * 100).c_str() : "");
        break;
      case Kind::kActionLog:
        if (verbose_) std::printf("%s   %-28s | %s\n", stamp.c_str(), event.action_name.c_str(), event.detail.c_str());
        break;
    }
    std::fflush(stdout);
  }

 private:
  std::mutex mu_;
  bool verbose_;
  bool quiet_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::map<std::string, double> started_;
};

// An app path written relative to the properties file ("." or "apps/x")
// points at a local directory next to it, so an app runs where it was
// written; hdfs:// and /abs paths live in the file-system root.
void AnchorRelativeAppPath(Properties* conf, const std::string& config_path) {
  for (const char* key : {"oozie.wf.application.path", "oozie.coord.application.path", "oozie.bundle.application.path"}) {
    auto value = conf->Get(key);
    if (!value || value->empty()) continue;
    const bool has_scheme = value->find("://") != std::string::npos || value->rfind("${", 0) == 0;
    if (has_scheme || (*value)[0] == '/') continue;
    const auto base = std::filesystem::absolute(config_path).parent_path();
    conf->Set(key, "file://" + (base / *value).lexically_normal().string());
  }
}

// Waits for the job and the jobs recovered at start, then reports.
int WaitAndReport(DataHome& home, const std::string& job_id, const std::vector<std::string>& recovered) {
  auto final_record = home.engine->WaitForJob(job_id);
  for (const std::string& id : recovered) (void)home.engine->WaitForJob(id);
  home.engine->Shutdown();
  if (!final_record.ok()) return PrintError(final_record.status());
  const auto& job = *final_record;
  const double seconds = job.end_ms > 0 && job.start_ms > 0 ? (job.end_ms - job.start_ms) / 1000.0 : 0.0;
  std::printf("job: %s\nstatus: %s", job.id.c_str(), job.status.c_str());
  if (job.end_ms > 0) std::printf(" (%.3fs)", seconds);
  std::printf("\n");
  if (job.status != "SUCCEEDED" && !job.error_message.empty()) {
    std::printf("error: %s%s\n", job.error_code.empty() ? "" : (job.error_code + ": ").c_str(),
                job.error_message.c_str());
  }
  if (job.status == "SUSPENDED") {
    std::printf("resume with: refinery job -resume %s   (or kill it: refinery job -kill %s)\n", job.id.c_str(),
                job.id.c_str());
  }
  return job.status == "SUCCEEDED" ? 0 : 1;
}

Result<std::unique_ptr<DataHome>> OpenWithEngine(const GlobalOptions& global, const JobOptions& options,
                                                 ProgressPrinter* printer, std::vector<std::string>* recovered) {
  OpenOptions open_options;
  open_options.with_engine = true;
  open_options.worker_threads = options.workers;
  REFINERY_ASSIGN_OR_RETURN(auto home, OpenDataHome(ResolveHomePath(global.home), open_options));
  home->engine->AddObserver(printer);
  REFINERY_ASSIGN_OR_RETURN(*recovered, home->engine->Recover());
  if (!recovered->empty() && !options.quiet) {
    std::printf("resuming %zu unfinished job(s) interrupted earlier\n", recovered->size());
  }
  return home;
}

// Bundles without a server (bundle_api.h serves the same over HTTP): -submit
// and -run store the bundle in the data home, where `refinery server` kicks
// it off; -info, -start and `jobs -jobtype bundle` read or edit the store.
// Kill, suspend and resume reach running workflows, so they need the server.
int SubmitBundleLocally(const GlobalOptions& global, const Properties& conf, bool start) {
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  scheduler::CoordinatorScheduler bundles((*home)->store.get(), nullptr, (*home)->files.get(), SystemClock());
  auto id = bundles.SubmitBundle(conf, start);
  if (!id.ok()) return PrintError(id.status());
  std::printf("job: %s\n", id->c_str());
  std::fprintf(stderr, "bundle %s stored %s; its coordinators are submitted and run by `refinery server` from its "
                       "kick-off time%s\n",
               id->c_str(), start ? "RUNNING" : "PREP (start it with refinery job -start ID)",
               start ? "" : " once started");
  return 0;
}

int ShowBundleLocally(store::Store& store, const std::string& id, const JobOptions& options) {
  auto bundle = store.GetBundleJob(id);
  if (!bundle.ok()) return PrintError(bundle.status());
  if (!options.definition_id.empty()) {
    std::printf("%s\n", bundle->definition.c_str());
    return 0;
  }
  if (!options.configcontent_id.empty()) {
    std::printf("%s\n", bundle->conf.c_str());
    return 0;
  }
  if (!options.log_id.empty()) {
    std::fprintf(stderr, "Error: a bundle has no log of its own; see its coordinators (refinery job -info %s)\n",
                 id.c_str());
    return 2;
  }
  auto coordinators = store.ListBundleCoordinatorJobs(id);
  if (!coordinators.ok()) return PrintError(coordinators.status());
  std::printf("%s", FormatBundleInfo(serve::BundleJobToJson(*bundle, *coordinators, "")).c_str());
  return 0;
}

int ControlBundleLocally(const GlobalOptions& global, const JobOptions& options) {
  if (options.start_id.empty()) {
    std::fprintf(stderr, "Error: killing, suspending, resuming or rerunning a bundle reaches the coordinators "
                         "running in the server: add -oozie http://127.0.0.1:11000/oozie (or set OOZIE_URL)\n");
    return 2;
  }
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  scheduler::CoordinatorScheduler bundles((*home)->store.get(), nullptr, (*home)->files.get(), SystemClock());
  const Status started = bundles.StartBundle(options.start_id);
  return started.ok() ? 0 : PrintError(started);
}

int RunJob(const GlobalOptions& global, const JobOptions& options) {
  auto conf = LoadJobConfiguration(options, true);
  if (!conf.ok()) return PrintError(conf.status());
  if (conf->Get("oozie.bundle.application.path")) return SubmitBundleLocally(global, *conf, options.run);
  if (conf->Get("oozie.coord.application.path")) {
    std::fprintf(stderr,
                 "Error: coordinators run in the server, which keeps their schedule: start `refinery server`, "
                 "then submit with -oozie http://127.0.0.1:11000/oozie (or set OOZIE_URL)\n");
    return 2;
  }
  ProgressPrinter printer(options.verbose, options.quiet);
  std::vector<std::string> recovered;
  auto home = OpenWithEngine(global, options, &printer, &recovered);
  if (!home.ok()) return PrintError(home.status());
  auto job_id = (*home)->engine->Submit(*conf, /*start=*/options.run);
  if (!job_id.ok()) {
    (*home)->engine->Shutdown();
    return PrintError(job_id.status());
  }
  if (!options.run) {
    std::printf("job: %s\n", job_id->c_str());
    return 0;
  }
  return WaitAndReport(**home, *job_id, recovered);
}

// A bundle dry run in process answers as the server does (bundle_api.h).
int DryRunBundleLocally(const GlobalOptions& global, const Properties& conf) {
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  scheduler::CoordinatorScheduler bundles((*home)->store.get(), nullptr, (*home)->files.get(), SystemClock());
  const serve::HttpResponse response = serve::DryRunBundle(conf, &bundles);
  const nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status >= 400 || !answer.is_object()) {
    std::fprintf(stderr, "Error: %s\n",
                 answer.is_object() ? answer.value("errorMessage", response.body).c_str() : response.body.c_str());
    return 2;
  }
  std::printf("%s", FormatBundleDryRun(answer).c_str());
  return 0;
}

int DryRun(const GlobalOptions& global, const JobOptions& options) {
  auto conf = LoadJobConfiguration(options, true);
  if (!conf.ok()) return PrintError(conf.status());
  if (conf->Get("oozie.bundle.application.path")) return DryRunBundleLocally(global, *conf);
  if (conf->Get("oozie.coord.application.path")) {
    std::fprintf(stderr, "Error: a coordinator dry run asks the server: add -oozie http://127.0.0.1:11000/oozie "
                         "(or set OOZIE_URL) after starting `refinery server`\n");
    return 2;
  }
  OpenOptions open_options;
  open_options.with_engine = true;
  auto home = OpenDataHome(ResolveHomePath(global.home), open_options);
  if (!home.ok()) return PrintError(home.status());
  auto result = (*home)->engine->DryRun(*conf);
  if (!result.ok()) return PrintError(result.status());
  std::printf("Workflow [%s] from %s\n\nNodes:\n%s\nConfiguration:\n", result->submission.app_name.c_str(),
              result->submission.app_path.c_str(), result->graph_text.c_str());
  for (const auto& [key, value] : result->submission.job_conf.entries()) {
    std::printf("  %s=%s\n", key.c_str(), value.c_str());
  }
  std::printf("OK\n");
  return 0;
}

// `job -rerun <coordinator id> -action 1,3-4 | -date A::B` without a server:
// the actions go back to WAITING in the store and the coordinator RUNNING; the
// next `refinery server` (or the one running, at its next pass) starts them.
int RerunCoordinator(const GlobalOptions& global, const JobOptions& options) {
  if (options.action_scope.empty() == options.date_scope.empty()) {
    std::fprintf(stderr, "Error: E0303: a coordinator -rerun needs exactly one of -action 1,3-4 or -date A::B\n");
    return 2;
  }
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  // Rerun only edits the store; the engine is not needed until a server runs the job.
  scheduler::CoordinatorScheduler coordinators((*home)->store.get(), nullptr, (*home)->files.get(), SystemClock());
  scheduler::CoordinatorScheduler::RerunRequest request;
  request.type = options.action_scope.empty() ? "date" : "action";
  request.scope = options.action_scope.empty() ? options.date_scope : options.action_scope;
  request.refresh = options.refresh;
  request.nocleanup = options.nocleanup;
  request.failed = options.failed;
  auto rerun = coordinators.Rerun(options.rerun_id, request);
  if (!rerun.ok()) return PrintError(rerun.status());
  for (const auto& action : *rerun) std::printf("%s %s\n", action.id.c_str(), action.status.c_str());
  return 0;
}

// `job -change ID -value ..` and `job -ignore ID [-action 1,3-4]` without a
// server: they edit the store (coordinator_commands.cc); a running server
// (or the next one started) takes the change at its next pass.
int ChangeOrIgnoreLocally(const GlobalOptions& global, const JobOptions& options) {
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  scheduler::CoordinatorScheduler coordinators((*home)->store.get(), nullptr, (*home)->files.get(), SystemClock());
  if (!options.change_id.empty()) {
    const Status changed = coordinator::IsBundleJobId(options.change_id)
                               ? coordinators.ChangeBundle(options.change_id, options.change_value)
                               : coordinators.Change(options.change_id, options.change_value);
    return changed.ok() ? 0 : PrintError(changed);
  }
  if (coordinator::IsBundleJobId(options.ignore_id)) {
    return PrintError(Status::InvalidArgument("Invalid parameter [Bundle Ignore Not supported]; ignore its coordinators",
                                              "E0302"));
  }
  auto ignored = coordinators.Ignore(options.ignore_id, options.action_scope);
  if (!ignored.ok()) return PrintError(ignored.status());
  for (const auto& action : *ignored) std::printf("%s %s\n", action.id.c_str(), action.status.c_str());
  return 0;
}

// Verbs that act on a stored job and may need the engine to continue it.
int ControlJob(const GlobalOptions& global, const JobOptions& options) {
  ProgressPrinter printer(options.verbose, options.quiet);
  std::vector<std::string> recovered;
  auto home = OpenWithEngine(global, options, &printer, &recovered);
  if (!home.ok()) return PrintError(home.status());
  engine::Engine& engine = *(*home)->engine;
  auto finish = [&](const Status& status, const std::string& id, bool wait) {
    if (!status.ok()) {
      engine.Shutdown();
      return PrintError(status);
    }
    if (wait) return WaitAndReport(**home, id, recovered);
    for (const std::string& other : recovered) (void)engine.WaitForJob(other);
    engine.Shutdown();
    return 0;
  };
  if (!options.kill_id.empty()) return finish(engine.Kill(options.kill_id), options.kill_id, false);
  if (!options.suspend_id.empty()) return finish(engine.Suspend(options.suspend_id), options.suspend_id, false);
  if (!options.resume_id.empty()) return finish(engine.Resume(options.resume_id), options.resume_id, true);
  if (!options.start_id.empty()) return finish(engine.Start(options.start_id), options.start_id, true);
  auto conf = LoadJobConfiguration(options, false);
  if (!conf.ok()) return finish(conf.status(), "", false);
  conf->Erase("user.name");
  return finish(engine.Rerun(options.rerun_id, *conf), options.rerun_id, true);
}

int ShowJob(const GlobalOptions& global, const JobOptions& options) {
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  store::Store& store = *(*home)->store;
  const std::string& id = !options.info_id.empty()         ? options.info_id
                          : !options.log_id.empty()        ? options.log_id
                          : !options.definition_id.empty() ? options.definition_id
                                                           : options.configcontent_id;
  if (coordinator::IsBundleJobId(id)) return ShowBundleLocally(store, id, options);
  auto job = store.GetJob(id);
  if (!job.ok()) return PrintError(job.status());
  if (!options.log_id.empty()) {
    auto log = store.ReadLog(id);
    if (!log.ok()) return PrintError(log.status());
    std::printf("%s\n", log->c_str());
    return 0;
  }
  if (!options.definition_id.empty()) {
    std::printf("%s\n", job->definition.c_str());
    return 0;
  }
  if (!options.configcontent_id.empty()) {
    std::printf("%s\n", job->conf.c_str());
    return 0;
  }
  auto actions = store.ListActions(id);
  if (!actions.ok()) return PrintError(actions.status());
  std::printf("%s", FormatJobInfo(*job, *actions, options.verbose).c_str());
  return 0;
}

}  // namespace

int PrintError(const Status& status) {
  std::fprintf(stderr, "Error: %s\n", status.ToString().c_str());
  return status.code() == StatusCode::kInvalidArgument || status.code() == StatusCode::kNotFound ? 2 : 1;
}

Result<Properties> LoadJobConfiguration(const JobOptions& options, bool config_required) {
  Properties conf;
  conf.Set("user.name", CurrentUserName());
  if (!options.config.empty()) {
    if (!std::filesystem::exists(options.config)) {
      return Status::NotFound("configuration file [" + options.config + "] not found");
    }
    REFINERY_ASSIGN_OR_RETURN(Properties file_conf, LoadConfigurationFile(options.config));
    conf.MergeFrom(file_conf);
    AnchorRelativeAppPath(&conf, options.config);
  } else if (config_required) {
    return Status::InvalidArgument("-config is required: give the job.properties (or .xml) of the app");
  }
  for (const std::string& define : options.defines) {
    const auto eq = define.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::InvalidArgument("-D [" + define + "] must be key=value");
    }
    conf.Set(define.substr(0, eq), define.substr(eq + 1));
  }
  return conf;
}

int RunJobCommand(const GlobalOptions& global, const JobOptions& options) {
  if (!ServerUrlOf(global).empty()) return RunRemoteJobCommand(global, options);
  if (options.dryrun) return DryRun(global, options);
  if (options.run || options.submit) return RunJob(global, options);
  if (!options.change_id.empty() || !options.ignore_id.empty()) return ChangeOrIgnoreLocally(global, options);
  if (!options.poll_id.empty()) {
    std::fprintf(stderr, "Error: -poll follows a job in a running server: add -oozie http://127.0.0.1:11000/oozie "
                         "(or set OOZIE_URL); in-process, -run already follows the job it runs\n");
    return 2;
  }
  if (!options.info_id.empty() || !options.log_id.empty() || !options.definition_id.empty() ||
      !options.configcontent_id.empty()) {
    return ShowJob(global, options);
  }
  const std::string rerun_job = options.rerun_id.substr(0, options.rerun_id.find('@'));
  if (rerun_job.size() > 2 && rerun_job.compare(rerun_job.size() - 2, 2, "-C") == 0) {
    return RerunCoordinator(global, options);
  }
  for (const std::string* id :
       {&options.kill_id, &options.suspend_id, &options.resume_id, &options.start_id, &options.rerun_id}) {
    if (coordinator::IsBundleJobId(*id)) return ControlBundleLocally(global, options);
  }
  if (!options.kill_id.empty() || !options.suspend_id.empty() || !options.resume_id.empty() ||
      !options.start_id.empty() || !options.rerun_id.empty()) {
    return ControlJob(global, options);
  }
  std::fprintf(stderr,
               "Error: say what to do: -run, -submit, -dryrun, -start, -info, -log, -definition, -kill, "
               "-suspend, -resume or -rerun (refinery job -h)\n");
  return 2;
}

int RunJobsCommand(const GlobalOptions& global, const JobsOptions& options) {
  if (!ServerUrlOf(global).empty()) return RunRemoteJobsCommand(global, options);
  if (options.jobtype.find("bundle") != std::string::npos) {
    auto filter = store::ParseJobFilter(options.filter);
    if (!filter.ok()) return PrintError(filter.status());
    auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
    if (!home.ok()) return PrintError(home.status());
    store::Store& store = *(*home)->store;
    auto page = store.ListBundleJobs(filter->statuses, std::max(options.offset, 1) - 1, std::max(options.len, 1));
    if (!page.ok()) return PrintError(page.status());
    nlohmann::json list = nlohmann::json::array();
    for (const auto& bundle : page->jobs) list.push_back(serve::BundleJobToJson(bundle, {}, ""));
    std::printf("%s", FormatBundleList(list).c_str());
    return 0;
  }
  if (options.jobtype.find("wf") == std::string::npos && options.jobtype.find("workflow") == std::string::npos) {
    std::fprintf(stderr, "Error: E0303: Invalid parameter value, [jobtype] = [%s]; Refinery lists wf jobs\n",
                 options.jobtype.c_str());
    return 2;
  }
  auto filter = store::ParseJobFilter(options.filter);
  if (!filter.ok()) return PrintError(filter.status());
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  auto page = (*home)->store->ListJobs(*filter, std::max(options.offset, 1) - 1, std::max(options.len, 1));
  if (!page.ok()) return PrintError(page.status());
  std::printf("%s", FormatJobList(*page).c_str());
  return 0;
}

int RunValidateCommand(const GlobalOptions& /*global*/, const std::string& file) {
  std::ifstream in(file);
  if (!in) {
    std::fprintf(stderr, "Error: file [%s] cannot be read\n", file.c_str());
    return 2;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  workflow::ParseOptions parse_options;
  parse_options.source_name = file;
  auto app = workflow::ParseWorkflowXml(buffer.str(), parse_options);
  if (!app.ok()) {
    std::printf("%s\n", app.status().ToString().c_str());
    return 1;
  }
  actions::ActionRegistry registry;
  actions::RegisterBuiltinActions(&registry);
  workflow::ValidateOptions validate_options;
  validate_options.known_action_types = registry.KnownTypes();
  const auto errors = workflow::ValidateWorkflowAll(*app, validate_options);
  for (const Status& error : errors) std::printf("%s\n", error.ToString().c_str());
  if (!errors.empty()) {
    std::printf("%zu error(s) in %s\n", errors.size(), file.c_str());
    return 1;
  }
  std::printf("Valid workflow-app\n");
  return 0;
}

int RunRecoverCommand(const GlobalOptions& global, int workers) {
  JobOptions options;
  options.workers = workers;
  ProgressPrinter printer(false, false);
  std::vector<std::string> recovered;
  auto home = OpenWithEngine(global, options, &printer, &recovered);
  if (!home.ok()) return PrintError(home.status());
  int exit_code = 0;
  for (const std::string& id : recovered) {
    auto record = (*home)->engine->WaitForJob(id);
    if (!record.ok()) return PrintError(record.status());
    std::printf("job: %s status: %s\n", id.c_str(), record->status.c_str());
    if (record->status != "SUCCEEDED") exit_code = 1;
  }
  if (recovered.empty()) std::printf("nothing to recover\n");
  (*home)->engine->Shutdown();
  return exit_code;
}

// The processes sharing the store and who runs what (several servers on one
// store; doc/operations.md). Times are the store's clock.
static void PrintProcessesAndLeases(store::Store& store) {
  auto processes = store.ListProcesses();
  auto leases = store.ListLeases("");
  if (!processes.ok() || !leases.ok()) return;
  const int64_t now = leases->empty() ? 0 : leases->front().now_ms;
  std::printf("Processes: %zu\n", processes->size());
  for (const auto& process : *processes) {
    std::printf("  %s  %s  heartbeat %s\n", process.id.c_str(), process.url.empty() ? "-" : process.url.c_str(),
                now > 0 ? (std::to_string(now - process.heartbeat_ms) + " ms ago").c_str() : "-");
  }
  std::printf("Leases: %zu\n", leases->size());
  for (const auto& lease : *leases) {
    const int64_t left = lease.expires_ms - lease.now_ms;
    std::printf("  %s  owner %s  fence %lld  %s\n", lease.resource.c_str(), lease.owner.c_str(),
                static_cast<long long>(lease.fence),
                left > 0 ? ("expires in " + std::to_string(left) + " ms").c_str() : "expired");
  }
}

int RunAdminCommand(const GlobalOptions& global, const AdminOptions& options) {
  if (options.migrate_store.size() == 2) return RunMigrateStoreCommand(options.migrate_store[0], options.migrate_store[1]);
  if (!ServerUrlOf(global).empty()) return RunRemoteAdminCommand(global, options);
  if (options.version) {
    std::printf("Refinery server build version: %s\n", kVersion);
    return 0;
  }
  auto home = OpenDataHome(ResolveHomePath(global.home), OpenOptions{});
  if (!home.ok()) return PrintError(home.status());
  std::printf("System mode: NORMAL\n");
  std::printf("Data home: %s\n", (*home)->root.string().c_str());
  PrintProcessesAndLeases(*(*home)->store);
  return 0;
}

}  // namespace refinery::cli
