// OpenStore: picks the backend from the location's form. PostgreSQL lives in
// the pgstore plugin (store/postgres_store.h), so only a process that uses it
// loads libpq.
#include "core/plugin.h"
#include "store/postgres_store.h"
#include "store/store.h"

namespace refinery::store {

Result<std::unique_ptr<Store>> OpenStore(const std::string& location, const SqliteOptions& sqlite_options) {
  if (!IsPostgresLocation(location)) return OpenSqliteStore(location, sqlite_options);
  Result<void*> entry = FindPluginSymbol(kPostgresStorePlugin, kOpenPostgresStoreSymbol);
  if (!entry.ok()) {
    return entry.status().WithContext("state store \"" + MaskPassword(location) +
                                      "\": the PostgreSQL store needs the pgstore plugin");
  }
  auto open = reinterpret_cast<OpenPostgresStoreFn>(*entry);
  Result<std::unique_ptr<Store>> store = Status::Internal("the pgstore plugin returned nothing");
  open(&location, &store);
  return store;
}

}  // namespace refinery::store
