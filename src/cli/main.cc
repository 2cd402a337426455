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
               "Data home: --home, else $REFINERY_HOME, else ~/.refinery.",
               "refinery"};  // the name usage lines print
  app.require_subcommand(1);
  app.footer("Run `refinery <verb> --help` for a verb's options and examples. Oozie's one-dash spellings work\n"
             "(-config, -run, -oozie). Documentation: doc/README.md in the source tree.\n"
             "Examples:\n"
             "  refinery validate workflow.xml\n"
             "  refinery server &\n"
             "  refinery job -oozie http://127.0.0.1:11000/oozie -config examples/funnel/job.properties -run");
  app.fallthrough();  // -oozie and --home may follow the verb, as with Oozie's CLI
  refinery::cli::GlobalOptions global;
  app.add_option("--home", global.home, "data home directory (state, file-system root, scratch)");
  app.add_option("--oozie", global.oozie_url,
                 "server URL, e.g. http://127.0.0.1:11000/oozie (else $OOZIE_URL); without it verbs run in-process "
                 "against the data home. The token comes from $REFINERY_TOKEN or <home>/server.token");

  refinery::cli::JobOptions job;
  CLI::App* job_cmd = app.add_subcommand(
      "job", "submit, run and manage workflow jobs (Oozie's `oozie job`); in-process against the data home, or "
             "through a server with -oozie URL (coordinators need a server; bundles are stored in-process and run "
             "by the server)");
  job_cmd->footer(
      "Job ids look like 0000001-261201101500000-refinery-W; an action is <job id>@<node name>.\n"
      "Exit status: 0 when the command worked (with -run: the job SUCCEEDED); 2 for a bad argument, file or id;\n"
      "1 otherwise.\n"
      "Examples:\n"
      "  refinery job -config job.properties -run\n"
      "  refinery job -config job.properties -DqueueName=adhoc -dryrun\n"
      "  refinery job -info 0000001-261201101500000-refinery-W -verbose\n"
      "  refinery job -rerun 0000001-261201101500000-refinery-W -Doozie.wf.rerun.failnodes=true\n"
      "  refinery job -oozie http://127.0.0.1:11000/oozie -config examples/funnel/job.properties -run\n"
      "  refinery job -oozie http://127.0.0.1:11000/oozie -poll 0000002-261201101500000-refinery-C -verbose");
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
  job_cmd->add_option("--poll", job.poll_id,
                      "with -oozie: follow a job until it ends, printing its actions as they start and end (with "
                      "-verbose its log too); a coordinator id follows its latest action, ID@N that action's run. "
                      "Exit status 0 when it SUCCEEDED");
  job_cmd->add_option("--timeout", job.poll_timeout_minutes, "with -poll: give up after this many minutes (default 30; "
                                                             "0 waits for ever)");
  job_cmd->add_option("--suspend", job.suspend_id, "suspend a running job");
  job_cmd->add_option("--resume", job.resume_id, "resume a suspended job and run it to completion");
  job_cmd->add_option("--rerun", job.rerun_id,
                      "rerun a finished job (-config/-D may set oozie.wf.rerun.failnodes=true or "
                      "oozie.wf.rerun.skip.nodes=a,b); a coordinator id reruns the actions given with -action or "
                      "-date (with -refresh, -nocleanup, -failed); a bundle id its coordinators (-coordinator, -date)");
  job_cmd->add_option("--change", job.change_id,
                      "change a coordinator's endtime, concurrency, pausetime or status (RUNNING revives a FAILED, "
                      "KILLED or IGNORED one), or a bundle's endtime or pausetime (give -value)");
  job_cmd->add_option("--value", job.change_value,
                      "with -change: 'endtime=2026-12-31T00:00Z;concurrency=2;pausetime=...;status=RUNNING' (empty "
                      "pausetime clears it)");
  job_cmd->add_option("--ignore", job.ignore_id,
                      "mark a coordinator's FAILED, KILLED or TIMEDOUT actions IGNORED (give -action), or without "
                      "-action the FAILED or KILLED coordinator itself");
  job_cmd->add_option("--action", job.action_scope,
                      "with -ignore or a coordinator's -rerun: coordinator action numbers, e.g. 1,3-4");
  job_cmd->add_option("--date", job.date_scope,
                      "with a coordinator's -rerun: nominal times, ranges A::B and dates comma-separated, e.g. "
                      "2026-01-01T00:00Z::2026-01-02T00:00Z");
  job_cmd->add_option("--coordinator", job.coordinator_scope,
                      "with a bundle's -rerun: the coordinators to rerun, by name, comma-separated (default: all; "
                      "-date narrows to those nominal times)");
  job_cmd->add_flag("--refresh", job.refresh, "with a coordinator's -rerun: resolve the input dependencies again");
  job_cmd->add_flag("--nocleanup", job.nocleanup,
                    "with a coordinator's -rerun: keep the actions' output directories (deleted otherwise)");
  job_cmd->add_flag("--failed", job.failed,
                    "with a coordinator's -rerun: rerun only the failed nodes of each action's workflow");
  job_cmd->add_flag("--quiet", job.quiet, "with -run: print only the job id and final status");
  job_cmd->add_option("--workers", job.workers, "worker threads for actions (default 4)");

  refinery::cli::JobsOptions jobs;
  CLI::App* jobs_cmd = app.add_subcommand("jobs", "list workflow jobs, newest first (Oozie's `oozie jobs`)");
  jobs_cmd->footer(
      "Examples:\n"
      "  refinery jobs -filter status=FAILED -len 20\n"
      "  refinery jobs -filter 'name=funnelWorkflow;status=RUNNING'\n"
      "  refinery jobs -oozie http://127.0.0.1:11000/oozie -jobtype coordinator");
  jobs_cmd->add_option("--jobtype", jobs.jobtype, "wf (default), coordinator (needs -oozie) or bundle");
  jobs_cmd->add_option("--filter", jobs.filter, "status=RUNNING;name=x;user=y;id=z;text=t");
  jobs_cmd->add_option("--len", jobs.len, "number of jobs to show (default 100)");
  jobs_cmd->add_option("--offset", jobs.offset, "1-based index of the first job (default 1)");

  std::string validate_file;
  CLI::App* validate_cmd = app.add_subcommand(
      "validate", "check a workflow.xml fully (schema and graph) and list every error with file:line");
  validate_cmd->footer(
      "Exit status: 0 and \"Valid workflow-app\" when the file is valid; 1 with one line per error otherwise.\n"
      "It checks the definition only: ${...} values and job.properties are checked by `refinery job -dryrun`.\n"
      "Example:\n"
      "  refinery validate examples/funnel/workflow.xml");
  validate_cmd->add_option("file", validate_file, "workflow.xml to check")->required();

  refinery::cli::AdminOptions admin;
  CLI::App* admin_cmd = app.add_subcommand(
      "admin", "engine status and version (Oozie's `oozie admin`); with -oozie URL, the server's");
  admin_cmd->footer(
      "Without a flag it prints the system mode and the data home.\n"
      "Examples:\n"
      "  refinery admin -status\n"
      "  refinery admin -migrate-store ~/.refinery/state.db postgresql://refinery@db.example/refinery\n"
      "  refinery admin -oozie http://127.0.0.1:11000/oozie -version");
  admin_cmd->add_flag("--status", admin.status, "print the system mode");
  admin_cmd->add_flag("--version", admin.version, "print the build version");
  admin_cmd->add_option("--migrate-store", admin.migrate_store,
                        "FROM TO: copy a state store (state.db path or postgresql:// URL) into an empty one and "
                        "verify it; see doc/formats/state-store.md")
      ->expected(2);

  int recover_workers = 4;
  CLI::App* recover_cmd = app.add_subcommand(
      "recover", "resume jobs a crashed or stopped process left unfinished, and wait for them");
  recover_cmd->footer(
      "Jobs another live refinery process runs are left alone. An interrupted shell, email, sqoop, hive,\n"
      "spark or sub-workflow action is not run again: its job is SUSPENDED; check the action's effects,\n"
      "then `refinery job -resume ID` (runs it again) or `refinery job -kill ID`. `refinery server`\n"
      "recovers at start on its own.\n"
      "Example:\n"
      "  refinery --home /var/lib/refinery recover");
  recover_cmd->add_option("--workers", recover_workers, "worker threads for actions (default 4)");

  refinery::cli::ServerCommandOptions server;
  CLI::App* server_cmd = app.add_subcommand(
      "server", "run the server: the engine, the scheduler and the HTTP API (Oozie's web services) until "
                "SIGTERM or Ctrl-C");
  server_cmd->footer(
      "The token for changes (POST/PUT/DELETE) is created at first start in <home>/server.token and printed\n"
      "once. Logs: stderr and <home>/logs/server.log. Settings: <home>/refinery.properties (doc/server.md).\n"
      "Examples:\n"
      "  refinery server                                   # http://127.0.0.1:11000/ (UI), /oozie, /api/v1\n"
      "  refinery --home /var/lib/refinery server --address 0.0.0.0 --port 11000\n"
      "  refinery server --serve-only --port 11001          # a prediction replica of the same data home");
  server_cmd->add_option("--address", server.address, "listen address (default 127.0.0.1; refinery.server.address)");
  server_cmd->add_option("--port", server.port, "listen port (default 11000; 0 = any free port, written to "
                                                "<home>/server.url)");
  server_cmd->add_option("--workers", server.workers, "worker threads for actions (default 4)");
  server_cmd->add_option("--http-threads", server.http_threads, "threads answering HTTP requests (default 2)");
  server_cmd->add_flag("--serve-only", server.serve_only,
                       "a prediction replica: no jobs, no scheduler; serves the registry's production models and "
                       "follows their swaps (run several behind a load balancer)");
  server_cmd->add_flag("--reads-need-token", server.reads_need_token,
                       "require the token for reading too (refinery.server.read.token.required=true)");
  server_cmd->add_option("--store", server.store,
                         "state store: postgresql://user@host:port/db (password from PGPASSWORD or ~/.pgpass) or a "
                         "SQLite file (default $REFINERY_STORE, else refinery.store.url, else <home>/state.db)");
  server_cmd->add_option("--executor", server.executor,
                         "where actions run unless they set refinery.action.executor: local (default) or slurm "
                         "(batch jobs on a Slurm cluster; doc/executors.md)");
  server_cmd->add_option("--lease-ttl", server.lease_ttl_seconds,
                         "seconds a job or scheduler lease lasts unless renewed, when several servers share one "
                         "store (default 30; refinery.lease.ttl.seconds; doc/operations.md)");

  refinery::cli::ModelsOptions models;
  CLI::App* models_cmd = app.add_subcommand("models", "the model registry: versions, stages, promotion and rollback");
  models_cmd->require_subcommand(1);
  models_cmd->footer(
      "Run `refinery models <command> --help` for each command. Changes are written to the deployment log;\n"
      "a running server swaps in a new production version on its own.\n"
      "Examples:\n"
      "  refinery models list\n"
      "  refinery models show funnel\n"
      "  refinery models promote funnel 2 --reason \"reviewed\"\n"
      "  refinery models rollback funnel --reason \"complaints from sales\"");
  CLI::App* models_list = models_cmd->add_subcommand("list", "registered models with their production version");
  models_list->add_flag("--json", models.json, "print JSON");
  models_list->footer("Example:\n  refinery models list --json");
  CLI::App* models_show = models_cmd->add_subcommand("show", "a model's versions, metrics and deployment log");
  models_show->add_option("name", models.name, "model name")->required();
  models_show->add_flag("--json", models.json, "print JSON");
  models_show->footer("Example:\n  refinery models show funnel --json");
  CLI::App* models_register = models_cmd->add_subcommand(
      "register", "register a published bundle directory (e.g. /user/refinedzone/model/v3) as a new version");
  models_register->add_option("name", models.name, "model name, e.g. bank-marketing")->required();
  models_register->add_option("bundle", models.bundle, "the bundle's URI in the file system")->required();
  models_register->add_flag("--promote", models.promote, "also make it the production version");
  models_register->add_option("--reason", models.reason, "why, for the deployment log");
  models_register->footer(
      "The bundle is a directory the train action published (doc/formats/model-bundle.md); it becomes the\n"
      "model's next version, a candidate unless --promote. Workflows register with the <publish> action.\n"
      "Example:\n"
      "  refinery models register funnel /user/refinedzone/model/v3 --promote --reason \"retrained by hand\"");
  CLI::App* models_promote = models_cmd->add_subcommand("promote", "make a version the production version");
  models_promote->add_option("name", models.name, "model name")->required();
  models_promote->add_option("version", models.version, "version number")->required();
  models_promote->add_option("--reason", models.reason, "why, for the deployment log");
  models_promote->footer(
      "The former production version becomes archived.\n"
      "Example:\n"
      "  refinery models promote funnel 3 --reason \"beats v2 on last week's leads\"");
  CLI::App* models_rollback = models_cmd->add_subcommand(
      "rollback", "restore the version production replaced (or --to N)");
  models_rollback->add_option("name", models.name, "model name")->required();
  models_rollback->add_option("--to", models.other_version, "the version to restore");
  models_rollback->add_option("--reason", models.reason, "why, for the deployment log");
  models_rollback->footer(
      "Examples:\n"
      "  refinery models rollback funnel --reason \"conversion dropped\"\n"
      "  refinery models rollback funnel --to 1");
  CLI::App* models_diff = models_cmd->add_subcommand("diff", "compare two versions' metrics and lineage");
  models_diff->add_option("name", models.name, "model name")->required();
  models_diff->add_option("a", models.version, "first version")->required();
  models_diff->add_option("b", models.other_version, "second version")->required();
  models_diff->add_flag("--json", models.json, "print JSON");
  models_diff->footer("Example:\n  refinery models diff funnel 1 2");

  refinery::cli::PredictOptions predict;
  CLI::App* predict_cmd = app.add_subcommand(
      "predict", "score leads with a registered model in process: a JSON object or array, or a CSV file");
  predict_cmd->add_option("model", predict.model, "model name")->required();
  predict_cmd->add_option("file", predict.file, "input file (.csv = CSV, else JSON); - or none = stdin");
  predict_cmd->add_option("--version", predict.version, "a fixed version instead of production");
  predict_cmd->add_flag("--explain", predict.explain, "add each prediction's top contributing features");
  predict_cmd->add_flag("--csv", predict.csv, "read CSV from stdin");
  predict_cmd->footer(
      "Input is checked against the model's input schema as the prediction API checks it (doc/models.md);\n"
      "a CSV file gets its rows back with predicted_label,probability,model_version appended.\n"
      "Exit status: 0; 2 when the input does not fit the model (every problem on stderr); 1 otherwise.\n"
      "Examples:\n"
      "  echo '{\"age\":30,\"job\":\"admin.\",...}' | refinery predict funnel --explain\n"
      "  refinery predict funnel leads.csv > scored.csv\n"
      "  refinery predict funnel leads.json --version 1");

  std::string run_action_spec;
  CLI::App* run_action_cmd = app.add_subcommand(
      "run-action", "run one action a Slurm job was given (the engine writes the spec; doc/executors.md)");
  run_action_cmd->footer(
      "Runs the action in this process against the data home of the spec (else --home / $REFINERY_HOME),\n"
      "prints its log lines, and writes its result atomically to the spec's result file.\n"
      "Exit status: 0 when the action ran, even if it ended in error (the result file says so); 2 when the\n"
      "spec cannot be read; 1 when the action could not run or its result could not be written.\n"
      "Example (what the batch script of a Slurm job runs):\n"
      "  refinery run-action --spec /srv/refinery/fs/.refinery/slurm/0000001-...-W@train-0/spec.json");
  run_action_cmd->add_option("--spec", run_action_spec, "the action spec (JSON) the engine wrote")->required();

  CLI::App* version_cmd = app.add_subcommand("version", "print the client version");
  version_cmd->footer("Example:\n  refinery version");
  app.add_subcommand("fs", "manage the file-system root (<home>/fs) like `hdfs dfs`: -put, -get, -ls, -cat, -mkdir, "
                           "-rm, -du, -test (refinery fs --help)");

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
  if (predict_cmd->parsed()) return refinery::cli::RunPredictCommand(global, predict);
  if (run_action_cmd->parsed()) return refinery::cli::RunRunActionCommand(global, run_action_spec);
  if (models_cmd->parsed()) {
    for (CLI::App* verb : {models_list, models_show, models_register, models_promote, models_rollback, models_diff}) {
      if (verb->parsed()) models.verb = verb->get_name();
    }
    return refinery::cli::RunModelsCommand(global, models);
  }
  if (version_cmd->parsed()) {
    std::printf("Refinery client build version: %s\n", refinery::cli::kVersion);
    return 0;
  }
  return 0;
}
