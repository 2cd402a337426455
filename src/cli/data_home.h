// cli: the `refinery` command. Each verb parses its arguments, makes one call
// into a module and prints the result; the logic a test would need lives in
// the modules. This header opens the data home the verbs work on.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "actions/action.h"
#include "core/properties.h"
#include "core/status.h"
#include "engine/engine.h"
#include "executor/executor.h"
#include "fs/file_system.h"
#include "registry/registry.h"
#include "store/store.h"

namespace refinery::cli {

// The data home: <home>/state.db (SQLite store, unless the state lives in
// PostgreSQL: see OpenOptions::store_location), <home>/fs (the file-system
// root), <home>/scratch (action working dirs), <home>/refinery.properties
// (optional server settings such as SMTP).
struct DataHome {
  std::filesystem::path root;
  Properties settings;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<fs::FileSystem> files;
  actions::ActionRegistry registry;
  std::unique_ptr<actions::ProcessRunner> processes;
  std::unique_ptr<actions::Mailer> mailer;
  std::unique_ptr<registry::Registry> models;
  std::unique_ptr<executor::ActionDispatcher> dispatcher;  // only with an engine
  std::unique_ptr<engine::Engine> engine;  // only when opened with an engine
};

// --home, else $REFINERY_HOME, else $HOME/.refinery.
std::filesystem::path ResolveHomePath(const std::string& flag_value);

struct OpenOptions {
  bool with_engine = false;
  int worker_threads = 4;
  // Where the state lives (`refinery server --store URL`): a postgresql://
  // URI or a SQLite file. Empty: $REFINERY_STORE, else refinery.store.url
  // from refinery.properties, else <home>/state.db. A location other than
  // the default is exported as REFINERY_STORE to actions' child processes.
  std::string store_location;
  // Where actions run unless they say otherwise (`refinery server --executor`):
  // local or slurm. Empty: refinery.action.executor, else local (doc/executors.md).
  std::string executor;
  // Several servers on one store: the engine's lease TTL (0 = the engine's
  // default) and whether it takes over jobs of processes that died.
  int lease_ttl_ms = 0;
  bool take_over_orphans = false;
};
Result<std::unique_ptr<DataHome>> OpenDataHome(const std::filesystem::path& root, const OpenOptions& options);

}  // namespace refinery::cli
