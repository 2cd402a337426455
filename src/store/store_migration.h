// store migration: copies the whole state of one store into another (SQLite
// to PostgreSQL, or any direction) through the Store interface, then reads
// both back and compares every field of every record. `refinery admin
// -migrate-store FROM TO` is its command line.
//
// The destination must be empty (no workflow, coordinator or bundle job, no
// model version). The copy is not restartable: it runs in many batches (one
// per workflow job with its actions, log and SLA events; one per coordinator
// job with its actions; chunks for the rest), so a failure leaves a partial
// destination, and the error says so and how to start over (an empty
// database). Stop the processes that write the source first: a copy of a
// source that changes underneath fails its verification.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace refinery::store {

// Records copied (or verified) per kind.
struct MigrationCounts {
  int64_t workflow_jobs = 0;
  int64_t workflow_actions = 0;
  int64_t log_lines = 0;
  int64_t coordinator_jobs = 0;
  int64_t coordinator_actions = 0;
  int64_t bundle_jobs = 0;
  int64_t notifications = 0;  // PENDING and FAILED
  int64_t sla_events = 0;
  int64_t model_versions = 0;
  int64_t model_events = 0;
  int64_t meta_entries = 0;  // all but the schema version, which each store keeps itself

  int64_t Total() const;
  // One line per kind, "  workflow jobs      12".
  std::string Summary() const;
};

// Called after every batch written, with the counts so far.
using MigrationProgress = std::function<void(const MigrationCounts& copied)>;

// FailedPrecondition naming what `to` holds when it is not empty.
Status CheckEmptyDestination(Store& to, const std::string& shown_location);

// Copies everything in `from` to `to` (which must be empty) and verifies the
// copy. Ids of notifications and model events are kept. Returns the counts;
// on error nothing more is written and the message names the record.
Result<MigrationCounts> MigrateStore(Store& from, Store& to, const MigrationProgress& progress = {});

// Compares every record of `from` with its copy in `to`: FailedPrecondition
// naming the record and the field at the first difference.
Result<MigrationCounts> VerifyMigration(Store& from, Store& to);

// Opens the stores at two locations (as OpenStore takes them) and migrates.
// Refuses the same location twice, a SQLite source file that does not
// exist, and a destination that is not empty. Messages mask passwords.
Result<MigrationCounts> MigrateStoreLocations(const std::string& from, const std::string& to,
                                              const MigrationProgress& progress = {});

}  // namespace refinery::store
