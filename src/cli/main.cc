// The `refinery` command: Oozie's CLI verbs (job, jobs, validate, admin) run
// in-process against the data home, plus `fs` to manage the file-system root
// as `hdfs dfs` does.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/commands.h"

namespace {

// Oozie spells long options with one dash (-config, -run); CLI11 wants two.
// "-Dkey=value" becomes "-D" "key=value". Negative numbers stay as they are.
std::vector<std::string> NormalizeArguments(int argc, char** argv) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    const bool single_dash_word = arg.size() > 2 && arg[0] == '-' && arg[1] != '-' &&
                                  std::isalpha(static_cast<unsigned char>(arg[1]));
    if (single_dash_word && arg[1] == 'D') {
      args.push_back("-D");
      args.push_back(arg.substr(2));
      continue;
    }
    args.push_back(single_dash_word ? "-" + arg : arg);
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args = NormalizeArguments(argc, argv);
  // `fs` takes hdfs-style arguments CLI11 cannot express; hand it the rest,
  // keeping a --home given before the verb.
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "fs") {
      std::vector<std::string> fs_args(args.begin() + i + 1, args.end());
      for (size_t j = 0; j + 1 < i; ++j) {
        if (args[j] == "--home") fs_args.insert(fs_args.begin(), {"--home", args[j + 1]});
      }
      return refinery::cli::RunFsCommand(fs_args);
    }
    if (args[i] != "--home" && args[i] != "--oozie" && (i == 0 || (args[i - 1] != "--home" && args[i - 1] != "--oozie"))) break;
  }

  CLI::App app{"Refinery runs Oozie workflow apps (job.properties + workflow.xml) natively.\n"
               "Data home: --home, else $REFINERY_HOME, else ~/.refinery."};
  app.require_subcommand(1);
  app.fallthrough();  // -oozie and --home may follow the verb, as with Oozie's CLI
  refinery::cli::GlobalOptions global;
  app.add_option("--home", global.home, "data home directory (state, file-system root, scratch)");
  app.add_option("--oozie", global.oozie_url,
                 "server URL, e.g. http://127.0.0.1:11000/oozie (else $OOZIE_URL); without it verbs run in-process "
                 "against the data home. The token comes from $REFINERY_TOKEN or <home>/server.token");

  refinery::cli::JobOptions job;
  CLI::App* job_cmd = app.add_subcommand("job", "submit, run and manage workflow jobs (Oozie's `oozie job`)");
  job_cmd->add_option("--config", job.config, "job.properties or Hadoop configuration .xml file");
  job_cmd->add_option("-D", job.defines, "extra property key=value (repeatable)");
  job_cmd->add_flag("--run", job.run, "submit and run the job to completion, showing progress");
  job_cmd->add_flag("--submit", job.submit, "submit the job in PREP state (start it with -start ID)");
  job_cmd->add_flag("--dryrun", job.dryrun, "validate and print the resolved graph and configuration");
  job_cmd->add_option("--start", job.start_id, "start a PREP job and run it to completion");
  job_cmd->add_option("--info", job.info_id, "show a job and its actions");
  job_cmd->add_flag("--verbose", job.verbose, "with -info: show error messages; with -run: action logs");
  job_cmd->add_option("--log", job.log_id, "print a job's log");
  job_cmd->add_option("--definition", job.definition_id, "print the workflow definition a job runs");
  job_cmd->add_option("--configcontent", job.configcontent_id, "print a job's configuration");
  job_cmd->add_option("--kill", job.kill_id, "kill a job");
  job_cmd->add_option("--suspend", job.suspend_id, "suspend a running job");
  job_cmd->add_option("--resume", job.resume_id, "resume a suspended job and run it to completion");
  job_cmd->add_option("--rerun", job.rerun_id,
                      "rerun a finished job (-config/-D may set oozie.wf.rerun.failnodes=true or "
                      "oozie.wf.rerun.skip.nodes=a,b)");
  job_cmd->add_flag("--quiet", job.quiet, "with -run: print only the job id and final status");
  job_cmd->add_option("--workers", job.workers, "worker threads for actions (default 4)");

  refinery::cli::JobsOptions jobs;
  CLI::App* jobs_cmd = app.add_subcommand("jobs", "list jobs (Oozie's `oozie jobs`)");
  jobs_cmd->add_option("--jobtype", jobs.jobtype, "wf (default) or coordinator (coordinators need -oozie)");
  jobs_cmd->add_option("--filter", jobs.filter, "status=RUNNING;name=x;user=y;id=z;text=t");
  jobs_cmd->add_option("--len", jobs.len, "number of jobs to show (default 100)");
  jobs_cmd->add_option("--offset", jobs.offset, "1-based index of the first job (default 1)");

  std::string validate_file;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "check a workflow.xml fully (schema and graph) and list every error with file:line");
  validate_cmd->add_option("file", validate_file, "workflow.xml to check")->required();

  refinery::cli::AdminOptions admin;
  CLI::App* admin_cmd = app.add_subcommand("admin", "engine status (Oozie's `oozie admin`)");
  admin_cmd->add_flag("--status", admin.status, "print the system mode");
  admin_cmd->add_flag("--version", admin.version, "print the build version");

  int recover_workers = 4;
  CLI::App* recover_cmd = app.add_subcommand(
      "recover", "resume jobs a crashed or stopped process left unfinished, and wait for them");
  recover_cmd->add_option("--workers", recover_workers, "worker threads for actions (default 4)");

  refinery::cli::ServerCommandOptions server;
  CLI::App* server_cmd = app.add_subcommand(
      "server", "run the server: the engine, the scheduler and the HTTP API (Oozie's web services) until "
                "SIGTERM or Ctrl-C");
  server_cmd->add_option("--address", server.address, "listen address (default 127.0.0.1; refinery.server.address)");
  server_cmd->add_option("--port", server.port, "listen port (default 11000; 0 = any free port, written to "
                                                "<home>/server.url)");
  server_cmd->add_option("--workers", server.workers, "worker threads for actions (default 4)");
  server_cmd->add_option("--http-threads", server.http_threads, "threads answering HTTP requests (default 2)");
  server_cmd->add_flag("--reads-need-token", server.reads_need_token,
                       "require the token for reading too (refinery.server.read.token.required=true)");

  CLI::App* version_cmd = app.add_subcommand("version", "print the client version");
  app.add_subcommand("fs", "manage the file-system root like `hdfs dfs` (refinery fs -h)");

  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  if (job_cmd->parsed()) return refinery::cli::RunJobCommand(global, job);
  if (jobs_cmd->parsed()) return refinery::cli::RunJobsCommand(global, jobs);
  if (validate_cmd->parsed()) return refinery::cli::RunValidateCommand(global, validate_file);
  if (admin_cmd->parsed()) return refinery::cli::RunAdminCommand(global, admin);
  if (server_cmd->parsed()) return refinery::cli::RunServerCommand(global, server);
  if (recover_cmd->parsed()) return refinery::cli::RunRecoverCommand(global, recover_workers);
  if (version_cmd->parsed()) {
    std::printf("Refinery client build version: %s\n", refinery::cli::kVersion);
    return 0;
  }
  return 0;
}
