// `refinery server`: the long-running process. It opens the data home with an
// engine, resumes unfinished jobs, serves the HTTP API until SIGTERM or
// SIGINT, then stops accepting requests and lets running actions finish.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/data_home.h"
#include "core/log.h"
#include "core/clock.h"
#include "scheduler/coordinator_scheduler.h"
#include "serve/notifier.h"
#include "serve/server.h"

namespace refinery::cli {
namespace {

// Blocked in every thread (they inherit the mask), so only sigwait sees them.
sigset_t BlockStopSignals() {
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  return signals;
}

// Written after the port is bound, renamed into place so a reader never sees
// half a URL; tests and scripts find a server started with --port 0 here.
Status WriteServerUrl(const std::filesystem::path& home, const std::string& url,
                      const std::string& name = "server.url") {
  const auto target = home / name;
  const auto temporary = home / ("." + name + ".tmp");
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << url << "\n";
    if (!out) return Status::IoError("cannot write " + temporary.string());
  }
  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) return Status::IoError("cannot write " + target.string() + ": " + error.message());
  return Status::Ok();
}

Result<serve::ServerOptions> ServerOptionsFrom(const Properties& settings, const ServerCommandOptions& options) {
  serve::ServerOptions server;
  server.build_version = kVersion;
  server.http.address = !options.address.empty() ? options.address
                                                  : settings.GetOr("refinery.server.address", "127.0.0.1");
  const std::string port_text = options.port >= 0 ? std::to_string(options.port)
                                                  : settings.GetOr("refinery.server.port", "11000");
  char* end = nullptr;
  const long port = std::strtol(port_text.c_str(), &end, 10);
  if (port_text.empty() || *end != '\0' || port < 0 || port > 65535) {
    return Status::InvalidArgument("port [" + port_text + "] must be a number from 0 to 65535 (--port or "
                                   "refinery.server.port)");
  }
  server.http.port = static_cast<int>(port);
  server.http.threads = options.http_threads;
  server.access.reads_need_token =
      options.reads_need_token || settings.GetOr("refinery.server.read.token.required", "false") == "true";
  serve::HealthPolicy& health = server.model_host.health;
  health.enabled = settings.GetOr("refinery.serve.rollback.enabled", "true") == "true";
  health.window = std::max(1, std::atoi(settings.GetOr("refinery.serve.rollback.window", "500").c_str()));
  health.minimum_requests =
      std::max(1, std::atoi(settings.GetOr("refinery.serve.rollback.min-requests", "200").c_str()));
  health.max_error_rate = std::atof(settings.GetOr("refinery.serve.rollback.max-error-rate", "0.2").c_str());
  health.max_psi = std::atof(settings.GetOr("refinery.serve.rollback.max-psi", "0.25").c_str());
  // Only the main server rolls back; replicas follow what it decides.
  server.model_host.may_roll_back = !options.serve_only;
  return server;
}

// A replica's whole life: serve until SIGTERM.
int ServeOnly(const std::filesystem::path& root, DataHome& data_home, const serve::ServerOptions& options,
              const sigset_t& stop_signals) {
  auto server = serve::Server::Start(nullptr, nullptr, data_home.store.get(), options);
  if (!server.ok()) return PrintError(server.status());
  const std::string url = (*server)->url();
  // Several replicas may share a data home: each leaves its URL under replicas/<pid>.url.
  const auto replicas = root / "replicas";
  std::filesystem::create_directories(replicas);
  const std::string self = std::to_string(::getpid());
  if (Status written = WriteServerUrl(replicas, url, self + ".url"); !written.ok()) Log(LogLevel::kWarn, written.ToString());
  Log(LogLevel::kInfo, "Refinery prediction replica " + std::string(kVersion) + " listening on " + url +
                           " (data home " + root.string() + ")");
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  (*server)->Stop();
  std::error_code ignored;
  std::filesystem::remove(replicas / (self + ".url"), ignored);
  Log(LogLevel::kInfo, "stopped");
  SetLogFile("");
  return 0;
}

}  // namespace

int RunServerCommand(const GlobalOptions& global, const ServerCommandOptions& options) {
  const sigset_t stop_signals = BlockStopSignals();
  const auto root = ResolveHomePath(global.home);
  OpenOptions open_options;
  open_options.with_engine = !options.serve_only;
  open_options.worker_threads = options.workers;
  open_options.store_location = options.store;
  open_options.executor = options.executor;
  open_options.lease_ttl_ms = 1000 * options.lease_ttl_seconds;  // 0: refinery.lease.ttl.seconds or 30
  open_options.take_over_orphans = true;  // jobs of a server that died are resumed by the others
  auto home = OpenDataHome(root, open_options);
  if (!home.ok()) return PrintError(home.status());
  DataHome& data_home = **home;

  std::filesystem::create_directories(root / "logs");
  if (!SetLogFile((root / "logs" / "server.log").string())) {
    std::fprintf(stderr, "Warning: cannot write %s; logging to stderr only\n", (root / "logs/server.log").c_str());
  }
  auto server_options = ServerOptionsFrom(data_home.settings, options);
  if (!server_options.ok()) return PrintError(server_options.status());
  bool token_created = false;
  auto token = serve::LoadOrCreateToken(root / "server.token", &token_created);
  if (!token.ok()) return PrintError(token.status());
  server_options->access.token = *token;
  server_options->files = data_home.files.get();  // the web UI reads quality reports through it
  server_options->models = data_home.models.get();
  if (token_created) {
    // A terminal sees the token once; the log file never does, nor does a
    // service manager's journal that captures stderr.
    if (::isatty(STDERR_FILENO) != 0) {
      std::fprintf(stderr, "A new server token was written to %s (readable only by you):\n  %s\n",
                   (root / "server.token").c_str(), token->c_str());
    } else {
      std::fprintf(stderr, "A new server token was written to %s (readable only by you)\n",
                   (root / "server.token").c_str());
    }
  }

  if (options.serve_only) return ServeOnly(root, data_home, *server_options, stop_signals);
  scheduler::SchedulerOptions scheduler_options;
  // Oozie refuses frequencies under 5 minutes because it polls; Refinery
  // does not, so the check is off unless the operator asks for it.
  scheduler_options.check_maximum_frequency =
      data_home.settings.GetOr("oozie.service.coord.check.maximum.frequency", "false") == "true";
  // Coordinator action SLA misses go to the same webhooks as the engine's (refinery.server.webhooks).
  std::stringstream sla_webhooks(data_home.settings.GetOr("refinery.server.webhooks", ""));
  for (std::string url; std::getline(sla_webhooks, url, ',');) {
    url.erase(0, url.find_first_not_of(" \t"));
    url.erase(url.find_last_not_of(" \t") + 1);
    if (!url.empty()) scheduler_options.sla_webhook_urls.push_back(url);
  }
  // Several servers on one store: one of them (the scheduler lease's holder) schedules.
  scheduler_options.lease_owner = data_home.engine->ProcessId();
  scheduler_options.lease_ttl = data_home.engine->LeaseTtl();
  scheduler::CoordinatorScheduler scheduler(data_home.store.get(), data_home.engine.get(), data_home.files.get(),
                                           SystemClock(), scheduler_options);
  auto server = serve::Server::Start(data_home.engine.get(), &scheduler, data_home.store.get(), *server_options);
  if (!server.ok()) return PrintError(server.status());
  serve::Metrics* metrics = (*server)->metrics();
  data_home.engine->AddObserver(metrics);
  data_home.engine->AddObserver(&scheduler);
  scheduler.SetLagObserver([metrics](double seconds) { metrics->RecordSchedulerLag(seconds); });
  serve::NotifierOptions notifier_options;
  notifier_options.timeout_seconds =
      std::max(1, std::atoi(data_home.settings.GetOr("oozie.notification.url.connection.timeout", "10000").c_str()) /
                      1000);
  notifier_options.mailer = data_home.mailer.get();  // SLA alert emails
  serve::Notifier notifier(data_home.store.get(), SystemClock(), notifier_options);
  data_home.engine->AddObserver(&notifier);
  notifier.Start();
  scheduler.StartThread();
  auto recovered = data_home.engine->Recover();
  if (!recovered.ok()) {
    Log(LogLevel::kError, "recovery failed: " + recovered.status().ToString());
  } else if (!recovered->empty()) {
    Log(LogLevel::kInfo, "resumed " + std::to_string(recovered->size()) + " unfinished job(s)");
  }
  const std::string oozie_url = (*server)->url() + "/oozie";
  if (Status announced = data_home.engine->AnnounceUrl(oozie_url); !announced.ok()) {
    Log(LogLevel::kWarn, announced.ToString());
  }
  if (Status written = WriteServerUrl(root, oozie_url); !written.ok()) Log(LogLevel::kWarn, written.ToString());
  Log(LogLevel::kInfo, "Refinery server " + std::string(kVersion) + " listening on " + (*server)->url() +
                           " (data home " + root.string() + "); OOZIE_URL=" + oozie_url);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  Log(LogLevel::kInfo, std::string("received ") + (signal_number == SIGTERM ? "SIGTERM" : "SIGINT") +
                           "; stopping: no new requests, waiting for running actions");
  (*server)->Stop();
  scheduler.Stop();
  data_home.engine->Shutdown();
  notifier.Stop();
  std::error_code ignored;
  std::filesystem::remove(root / "server.url", ignored);
  Log(LogLevel::kInfo, "stopped");
  SetLogFile("");
  return 0;
}

}  // namespace refinery::cli
