// Checkpointer: copies the WAL back into the database file on a thread of
// its own, so a checkpoint's fsyncs never stall the thread that commits.
// SQLite's automatic checkpoint runs inside the COMMIT that crosses the
// threshold, which puts a multi-millisecond pause on every ~100th Apply.
#pragma once

#include <thread>

#include "store/sqlite_db.h"
#include "store/thread_annotations.h"

namespace refinery::store {

class Checkpointer {
 public:
  // `db` is a connection of its own to the store file, already in WAL mode;
  // only the checkpointer's thread uses it.
  explicit Checkpointer(sqlite::Database db);
  // Lets a running checkpoint finish, then stops the thread.
  ~Checkpointer() EXCLUDES(mu_);
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // Asks for one checkpoint soon. Returns at once; requests made while one is
  // pending are merged. Thread-safe.
  void Request() EXCLUDES(mu_);

  // Runs a RESTART checkpoint on `writer` (the caller's connection, outside
  // any transaction) after a background checkpoint in progress finishes:
  // SQLite fails a checkpoint at once, without the busy handler, while
  // another holds its checkpoint lock.
  Status RestartOn(sqlite::Database& writer) EXCLUDES(run_mu_);

 private:
  void Loop();
  // Blocks until a request or shutdown; false means stop.
  bool WaitForRequest() EXCLUDES(mu_);

  sqlite::Database db_;  // used only on thread_
  // Held while a checkpoint runs, on either connection.
  Mutex run_mu_;
  Mutex mu_;
  CondVar cv_{&mu_};
  bool requested_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts after everything it uses exists
};

}  // namespace refinery::store
