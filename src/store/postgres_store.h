// The PostgreSQL store's plugin boundary (core/plugin.h): OpenStore looks up
// this one extern "C" entry in plugins/refinery-pgstore.so, so libpq is
// loaded only by a process whose state lives in PostgreSQL. The store it
// returns is thread-safe: one connection behind a mutex (a process's engine
// writes small batches one after another; several processes share the
// database, each with its own connection), made again with PQreset when the
// server dropped it. Details: postgres_store.cc, doc/formats/state-store.md.
#pragma once

#include <memory>
#include <string>

#include "core/status.h"
#include "store/store.h"

namespace refinery::store {

inline constexpr char kPostgresStorePlugin[] = "pgstore";
inline constexpr char kOpenPostgresStoreSymbol[] = "refinery_open_pgstore";

// Connects to the libpq URI `*url`, creates or migrates the schema and sets
// `*out` to the store (or the error). Never throws.
using OpenPostgresStoreFn = void (*)(const std::string* url, Result<std::unique_ptr<Store>>* out);

// `location` with the password of a URI's user part and any password=
// parameter replaced by ***, for messages: postgresql://joe:***@host/db.
// Anything else comes back unchanged.
std::string MaskPassword(const std::string& location);

}  // namespace refinery::store
