// The state store's on-disk identity and schema (doc/formats/state-store.md):
// how a file is recognised as a Refinery store, and the ordered migrations
// that bring an older one up to this build's version.
#pragma once

#include <cstdint>

#include "core/status.h"
#include "store/sqlite_db.h"

namespace refinery::store {

// PRAGMA application_id of every Refinery store: "RFNY" in ASCII.
inline constexpr int32_t kApplicationId = 0x52464E59;
// PRAGMA user_version this build writes. Bump it with every new migration.
inline constexpr int kSchemaVersion = 6;

// Reads the file header and schema (nothing is written) and fails unless the
// file is empty or a Refinery store no newer than kSchemaVersion. The first
// read of a non-SQLite file fails here with an InvalidArgument naming it.
// Run it before switching to WAL so a foreign file is never modified.
Status CheckStoreIdentity(sqlite::Database& db);

// Creates or migrates the schema to kSchemaVersion in one IMMEDIATE
// transaction (all migrations or none), re-checking identity under the write
// lock in case another process migrated first. A current store is only read,
// so opening it never waits for another process's writes.
Status MigrateSchema(sqlite::Database& db);

}  // namespace refinery::store
