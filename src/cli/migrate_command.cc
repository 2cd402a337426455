// `refinery admin -migrate-store FROM TO`: store/store_migration.h on two
// locations, with progress on stderr and the verified counts on stdout.
#include <chrono>
#include <cstdio>
#include <string>

#include "cli/commands.h"
#include "store/postgres_store.h"
#include "store/store_migration.h"

namespace refinery::cli {

namespace {

// At most one progress line a second, so a large store shows it is moving
// without flooding the terminal.
class ProgressPrinter {
 public:
  void operator()(const store::MigrationCounts& copied) {
    const auto now = std::chrono::steady_clock::now();
    if (printed_ && now - last_ < std::chrono::seconds(1)) return;
    printed_ = true;
    last_ = now;
    std::fprintf(stderr, "migrate: copied %lld records (%lld workflow jobs, %lld coordinator jobs)\n",
                 static_cast<long long>(copied.Total()), static_cast<long long>(copied.workflow_jobs),
                 static_cast<long long>(copied.coordinator_jobs));
  }

 private:
  bool printed_ = false;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace

int RunMigrateStoreCommand(const std::string& from, const std::string& to) {
  std::fprintf(stderr, "migrate: copying \"%s\" to \"%s\"\n", store::MaskPassword(from).c_str(),
               store::MaskPassword(to).c_str());
  ProgressPrinter printer;
  Result<store::MigrationCounts> counts =
      store::MigrateStoreLocations(from, to, [&](const store::MigrationCounts& copied) { printer(copied); });
  if (!counts.ok()) return PrintError(counts.status());
  std::printf("Migrated \"%s\" to \"%s\": %lld records\n%sverified: every record and field matches the source\n",
              store::MaskPassword(from).c_str(), store::MaskPassword(to).c_str(),
              static_cast<long long>(counts->Total()), counts->Summary().c_str());
  return 0;
}

}  // namespace refinery::cli
