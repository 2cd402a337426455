// The PostgreSQL store's schema (doc/formats/state-store.md, "PostgreSQL"):
// the same tables, columns and version numbers as the SQLite schema, in
// PostgreSQL types, and the migrations that bring a database up to this
// build's version. Part of the pgstore plugin.
#pragma once

#include "core/status.h"
#include "store/postgres_connection.h"

namespace refinery::store::pg {

// The meta key that holds the schema version (SQLite keeps it in
// PRAGMA user_version instead).
inline constexpr char kSchemaVersionKey[] = "store.schema_version";

// Creates or migrates the schema in the connection's current schema
// (search_path) to kSchemaVersion: one transaction, run while this
// connection holds an advisory lock, so processes opening a new database
// together migrate it once and the others wait and find it current. A current database is only read. Fails
// for a database from a newer build, one whose meta table is not Refinery's,
// and a server encoding that cannot hold UTF-8 text.
Status MigrateSchema(Connection& db);

}  // namespace refinery::store::pg
