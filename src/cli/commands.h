// The verbs of `refinery`. Each returns the process exit code: 0 success,
// 1 the job did not succeed (FAILED, KILLED, SUSPENDED) or a check failed,
// 2 bad usage or input.
#pragma once

#include <string>
#include <vector>

#include "core/properties.h"
#include "core/status.h"

namespace refinery::cli {

inline constexpr const char* kVersion = "0.1.0";

struct GlobalOptions {
  std::string home;
  std::string oozie_url;
};

struct JobOptions {
  std::string config;
  std::vector<std::string> defines;
  bool run = false;
  bool submit = false;
  bool dryrun = false;
  bool verbose = false;
  bool quiet = false;
  int workers = 4;
  std::string start_id, info_id, log_id, definition_id, configcontent_id;
  std::string kill_id, suspend_id, resume_id, rerun_id;
  std::string change_id, change_value;  // coordinator -change ID -value 'endtime=..;concurrency=..;pausetime=..'
  std::string ignore_id, action_scope;  // coordinator -ignore ID -action 1,3-4
  // coordinator -rerun ID -action 1,3-4 | -date A::B [-refresh] [-nocleanup] [-failed]
  std::string date_scope;
  std::string coordinator_scope;  // bundle -rerun ID [-coordinator c1,c2] [-date A::B]
  bool refresh = false, nocleanup = false, failed = false;
  std::string poll_id;          // follow a job (or coordinator action) until it ends; needs a server
  int poll_timeout_minutes = 30;  // Oozie's -timeout for -poll; 0 waits for ever
};

struct JobsOptions {
  std::string jobtype = "wf";
  std::string filter;
  int len = 100;
  int offset = 1;
};

struct AdminOptions {
  bool status = false;
  bool version = false;
  std::vector<std::string> migrate_store;  // -migrate-store FROM TO: two store locations
};

struct ServerCommandOptions {
  std::string address;    // "" = refinery.server.address or 127.0.0.1
  int port = -1;          // -1 = refinery.server.port or 11000; 0 = any free port
  int workers = 4;        // action worker threads
  int http_threads = 2;
  bool reads_need_token = false;
  // A replica: no engine, no scheduler; serves the production models of the
  // data home's registry (shared or copied) and follows their swaps.
  bool serve_only = false;
  std::string store;      // --store: state store location ("" = see OpenOptions::store_location)
  std::string executor;   // --executor: local or slurm ("" = refinery.action.executor or local)
  int lease_ttl_seconds = 0;  // --lease-ttl (0 = refinery.lease.ttl.seconds or 30)
};

// Prints "Error: <status>" to stderr; returns 2 for bad input (invalid
// argument, unknown job), 1 otherwise.
int PrintError(const Status& status);

// The job configuration a verb submits: -config file (relative app paths
// anchored to its directory), then -D values, with user.name set.
Result<Properties> LoadJobConfiguration(const JobOptions& options, bool config_required);

// The server URL from -oozie, else $OOZIE_URL; "" to work in-process.
std::string ServerUrlOf(const GlobalOptions& global);
// Remote mode: the same verbs through a server's Oozie API.
int RunRemoteJobCommand(const GlobalOptions& global, const JobOptions& options);
int RunRemoteJobsCommand(const GlobalOptions& global, const JobsOptions& options);
int RunRemoteAdminCommand(const GlobalOptions& global, const AdminOptions& options);

int RunJobCommand(const GlobalOptions& global, const JobOptions& options);
int RunJobsCommand(const GlobalOptions& global, const JobsOptions& options);
int RunValidateCommand(const GlobalOptions& global, const std::string& file);
int RunAdminCommand(const GlobalOptions& global, const AdminOptions& options);
// `admin -migrate-store FROM TO`: copies and verifies a state store (store/store_migration.h).
int RunMigrateStoreCommand(const std::string& from, const std::string& to);
int RunServerCommand(const GlobalOptions& global, const ServerCommandOptions& options);

// `refinery models list|show|register|promote|rollback|diff` on the data home's registry.
struct ModelsOptions {
  std::string verb;  // the subcommand
  std::string name;
  std::string bundle;
  int version = 0;
  int other_version = 0;  // diff's second version; rollback's --to
  std::string reason;
  bool promote = false;
  bool json = false;
};
int RunModelsCommand(const GlobalOptions& global, const ModelsOptions& options);

// `refinery predict MODEL [FILE]`: scores JSON (an object, an array) or a CSV
// file (by its .csv name) with the production version, or --version N, in
// process, exactly as the server's /api/v1 would.
struct PredictOptions {
  std::string model;
  std::string file;  // "" or "-" = standard input
  int version = 0;
  bool explain = false;
  bool csv = false;
};
int RunPredictCommand(const GlobalOptions& global, const PredictOptions& options);
int RunFsCommand(const std::vector<std::string>& args);
// `refinery run-action --spec FILE`: runs one action a Slurm job was given
// (executor/action_spec.h) and writes its result next to the spec.
int RunRunActionCommand(const GlobalOptions& global, const std::string& spec_file);
// Resumes the jobs an earlier process left unfinished and waits for them.
int RunRecoverCommand(const GlobalOptions& global, int workers);

}  // namespace refinery::cli
