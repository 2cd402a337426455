#include "cli/data_home.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace refinery::cli {
namespace {

std::string Trimmed(std::string text) {
  text.erase(0, text.find_first_not_of(" \t\r\n"));
  text.erase(text.find_last_not_of(" \t\r\n") + 1);
  return text;
}

// SMTP settings use Oozie's server keys; the password comes only from a file
// or the environment so it never sits in a properties file others can read.
Result<actions::SmtpSettings> SmtpSettingsFrom(const Properties& settings) {
  actions::SmtpSettings smtp;
  smtp.host = settings.GetOr("oozie.email.smtp.host", smtp.host);
  smtp.port = std::atoi(settings.GetOr("oozie.email.smtp.port", std::to_string(smtp.port)).c_str());
  smtp.from = settings.GetOr("oozie.email.from.address", smtp.from);
  smtp.auth = settings.GetOr("oozie.email.smtp.auth", "false") == "true";
  smtp.starttls = settings.GetOr("oozie.email.smtp.starttls.enable", "false") == "true";
  smtp.username = settings.GetOr("oozie.email.smtp.username", "");
  smtp.timeout_ms = std::atoi(settings.GetOr("oozie.email.smtp.socket.timeout.ms", "10000").c_str());
  if (const char* env_host = std::getenv("REFINERY_SMTP_HOST")) smtp.host = env_host;
  if (const char* env_port = std::getenv("REFINERY_SMTP_PORT")) smtp.port = std::atoi(env_port);
  if (const char* password = std::getenv("REFINERY_SMTP_PASSWORD")) smtp.password = password;
  const std::string password_file = settings.GetOr("refinery.email.smtp.password.file", "");
  if (!password_file.empty()) {
    std::ifstream in(password_file);
    if (!in) {
      return Status::NotFound("SMTP password file \"" + password_file +
                              "\" (refinery.email.smtp.password.file) cannot be read");
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    smtp.password = Trimmed(buffer.str());
  }
  return smtp;
}

// Shell actions call `refinery fs -put ...` as Oozie scripts call `hdfs dfs`;
// they must find this binary and this data home.
void ExportHomeToChildren(const std::filesystem::path& root) {
  setenv("REFINERY_HOME", root.c_str(), 1);
  std::error_code error;
  const auto self = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return;
  const char* path = std::getenv("PATH");
  const std::string bin_dir = self.parent_path().string();
  const std::string current = path == nullptr ? "" : path;
  if (current.rfind(bin_dir + ":", 0) == 0) return;
  setenv("PATH", (bin_dir + ":" + current).c_str(), 1);
}

// --store, else $REFINERY_STORE, else refinery.store.url, else <home>/state.db.
std::string StoreLocation(const std::filesystem::path& root, const Properties& settings,
                          const OpenOptions& options) {
  if (!options.store_location.empty()) return options.store_location;
  if (const char* env = std::getenv("REFINERY_STORE"); env != nullptr && *env != '\0') return env;
  return settings.GetOr("refinery.store.url", (root / "state.db").string());
}

}  // namespace

std::filesystem::path ResolveHomePath(const std::string& flag_value) {
  if (!flag_value.empty()) return std::filesystem::absolute(flag_value);
  if (const char* env = std::getenv("REFINERY_HOME"); env != nullptr && *env != '\0') {
    return std::filesystem::absolute(env);
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
    return std::filesystem::path(home) / ".refinery";
  }
  return std::filesystem::absolute(".refinery");
}

Result<std::unique_ptr<DataHome>> OpenDataHome(const std::filesystem::path& root, const OpenOptions& options) {
  std::error_code error;
  std::filesystem::create_directories(root / "fs", error);
  std::filesystem::create_directories(root / "scratch", error);
  if (error) {
    return Status::IoError("Could not create the data home \"" + root.string() + "\": " + error.message() +
                           " (set REFINERY_HOME or --home to a writable directory)");
  }
  auto home = std::make_unique<DataHome>();
  home->root = root;
  ExportHomeToChildren(root);
  const auto settings_path = root / "refinery.properties";
  if (std::filesystem::exists(settings_path)) {
    REFINERY_ASSIGN_OR_RETURN(home->settings, LoadConfigurationFile(settings_path.string()));
  }
  const std::string store_location = StoreLocation(root, home->settings, options);
  REFINERY_ASSIGN_OR_RETURN(home->store, store::OpenStore(store_location));
  // Actions' child processes (`refinery fs ...` in a shell action) must open the same state.
  if (store_location != (root / "state.db").string()) setenv("REFINERY_STORE", store_location.c_str(), 1);
  home->files = std::make_unique<fs::FileSystem>(root / "fs");
  home->models = std::make_unique<registry::Registry>(home->store.get(), home->files.get());
  actions::RegisterBuiltinActions(&home->registry);
  home->processes = actions::MakeLocalProcessRunner();
  REFINERY_ASSIGN_OR_RETURN(auto smtp, SmtpSettingsFrom(home->settings));
  home->mailer = actions::MakeSmtpMailer(std::move(smtp));
  if (!options.with_engine) return home;

  engine::EngineEnvironment env;
  env.store = home->store.get();
  env.files = home->files.get();
  env.actions = &home->registry;
  env.clock = SystemClock();
  env.processes = home->processes.get();
  env.mailer = home->mailer.get();
  env.models = home->models.get();
  env.scratch_root = (root / "scratch").string();
  const std::string executor_name =
      !options.executor.empty() ? options.executor : home->settings.GetOr("refinery.action.executor", "local");
  REFINERY_RETURN_IF_ERROR(executor::ValidateExecutorName(
      executor_name, "refinery.action.executor (refinery server --executor or refinery.properties)"));
  executor::DispatcherOptions dispatch;
  dispatch.default_executor = executor_name;
  dispatch.home = root.string();
  dispatch.refinery_binary = home->settings.GetOr("refinery.slurm.refinery-binary", "");
  home->dispatcher = executor::MakeDispatcher(std::move(dispatch));
  env.dispatcher = home->dispatcher.get();
  engine::EngineOptions engine_options;
  engine_options.worker_threads = options.worker_threads;
  // refinery.lease.ttl.seconds: how long a job's lease lasts unless renewed (doc/operations.md).
  const int lease_ttl_ms = options.lease_ttl_ms > 0
                               ? options.lease_ttl_ms
                               : 1000 * std::atoi(home->settings.GetOr("refinery.lease.ttl.seconds", "0").c_str());
  if (lease_ttl_ms > 0) engine_options.lease_ttl = std::chrono::milliseconds(lease_ttl_ms);
  engine_options.take_over_orphans = options.take_over_orphans;
  // refinery.server.webhooks: comma-separated URLs that get every job status change as JSON.
  std::stringstream webhooks(home->settings.GetOr("refinery.server.webhooks", ""));
  for (std::string url; std::getline(webhooks, url, ',');) {
    url = Trimmed(url);
    if (!url.empty()) engine_options.webhook_urls.push_back(url);
  }
  REFINERY_ASSIGN_OR_RETURN(home->engine, engine::Engine::Create(env, engine_options));
  return home;
}

}  // namespace refinery::cli
