// `refinery run-action --spec FILE`: the body of a Slurm job. It opens the
// data home the spec names (the node sees the shared root), runs the one
// action in-process as the engine would, and leaves the result file the
// engine reads when the job ends.
#include <csignal>
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "cli/data_home.h"
#include "engine/engine.h"
#include "executor/action_spec.h"
#include "executor/slurm.h"

namespace refinery::cli {
namespace {

// Slurm's scancel sends SIGTERM, then SIGKILL after KillWait: the action gets
// the same cancellation the engine would give it.
actions::Cancellation* g_cancel = nullptr;

extern "C" void CancelOnSignal(int) {
  if (g_cancel != nullptr) g_cancel->Cancel();
}

// Log lines and progress go to stdout, which Slurm writes to the job's
// output file; the engine streams that file into the action's log.
class StdoutReporter : public actions::ActionReporter {
 public:
  void Log(const std::string& line) override {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  }
  void Progress(double fraction, const std::string& detail) override {
    std::printf("%s%.4f %s\n", executor::internal::kProgressPrefix, fraction, detail.c_str());
    std::fflush(stdout);
  }
};

std::filesystem::path HomeFor(const GlobalOptions& global, const executor::ActionSpec& spec) {
  if (!global.home.empty() || spec.home.empty()) return ResolveHomePath(global.home);
  return spec.home;
}

}  // namespace

int RunRunActionCommand(const GlobalOptions& global, const std::string& spec_file) {
  auto text = executor::ReadWholeFile(spec_file);
  if (!text.ok()) return PrintError(Status::InvalidArgument(text.status().message() + " (the --spec file)"));
  auto spec = executor::SpecFromJson(*text, spec_file);
  if (!spec.ok()) return PrintError(spec.status());
  if (spec->result_file.empty())
    spec->result_file = (std::filesystem::path(spec_file).parent_path() / "result.json").string();

  auto home = OpenDataHome(HomeFor(global, *spec), OpenOptions{});
  if (!home.ok()) {
    std::fprintf(stderr, "run-action: cannot open the data home for %s\n", spec->action_id.c_str());
    PrintError(home.status());
    return 1;
  }
  actions::Cancellation cancel;
  g_cancel = &cancel;
  std::signal(SIGTERM, CancelOnSignal);
  std::signal(SIGINT, CancelOnSignal);

  StdoutReporter reporter;
  const auto state = engine::MakeStoreActionState((*home)->store.get());
  executor::LocalWorld world;
  world.actions = &(*home)->registry;
  world.files = (*home)->files.get();
  world.clock = SystemClock();
  world.processes = (*home)->processes.get();
  world.mailer = (*home)->mailer.get();
  world.models = (*home)->models.get();
  world.state = state.get();
  world.reporter = &reporter;
  world.cancel = &cancel;
  world.scratch_dir = (std::filesystem::path(spec->result_file).parent_path() / "scratch").string();

  const actions::ActionResult result = executor::RunSpec(*spec, world);
  std::error_code ignored;
  std::filesystem::remove_all(world.scratch_dir, ignored);
  g_cancel = nullptr;
  const Status written = executor::WriteFileAtomically(spec->result_file, executor::ResultToJson(result));
  if (!written.ok()) {
    PrintError(written);
    return 1;
  }
  return 0;
}

}  // namespace refinery::cli
