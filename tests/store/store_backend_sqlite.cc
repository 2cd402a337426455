// store_test's backends: SQLite only (no server needed under CI's unit run).
#include <atomic>

#include "store/postgres_store.h"
#include "store_backend.h"
#include "store_test_util.h"

namespace refinery::store::testing {

std::vector<std::string> TestedBackends() { return {"sqlite"}; }

std::string NewStoreLocation(const std::string& backend) {
  if (backend != "sqlite") {
    ADD_FAILURE() << "store_test has no backend [" << backend << "]";
    return "";
  }
  static TempDir dir;  // removed at exit
  static std::atomic<int> next{0};
  return dir.File("state-" + std::to_string(next++) + ".db");
}

std::string BackendTest::ShownLocation() const { return MaskPassword(location_); }

}  // namespace refinery::store::testing
