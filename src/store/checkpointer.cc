#include "store/checkpointer.h"

#include "core/log.h"

namespace refinery::store {

Checkpointer::Checkpointer(sqlite::Database db) : db_(std::move(db)), thread_([this] { Loop(); }) {}

Checkpointer::~Checkpointer() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
    cv_.Signal();
  }
  thread_.join();
}

void Checkpointer::Request() {
  MutexLock lock(&mu_);
  if (requested_) return;
  requested_ = true;
  cv_.Signal();
}

bool Checkpointer::WaitForRequest() {
  MutexLock lock(&mu_);
  while (!requested_ && !stopping_) cv_.Wait();
  requested_ = false;
  return !stopping_;
}

Status Checkpointer::RestartOn(sqlite::Database& writer) {
  MutexLock lock(&run_mu_);
  return writer.Checkpoint(sqlite::Database::CheckpointMode::kRestart);
}

void Checkpointer::Loop() {
  while (WaitForRequest()) {
    MutexLock lock(&run_mu_);
    // A failed checkpoint loses nothing: the frames stay in the WAL, readers
    // still see them, and the next request tries again.
    const Status status = db_.Checkpoint(sqlite::Database::CheckpointMode::kPassive);
    if (!status.ok()) Log(LogLevel::kWarn, status.ToString());
  }
}

}  // namespace refinery::store
