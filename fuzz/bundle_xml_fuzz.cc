// libFuzzer: arbitrary bytes through ParseBundleXml and the status roll-up.
// Nothing may crash, hang or throw. The last byte picks which job properties
// are defined, so both the parameter defaults and the E0738/E1004 paths are
// reached from whole-file seeds.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "coordinator/bundle.h"

namespace coordinator = refinery::coordinator;
using refinery::Properties;
using refinery::Result;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 64 * 1024) return 0;
  const uint8_t flags = data[size - 1];
  const std::string xml(reinterpret_cast<const char*>(data), size);

  Properties conf;
  conf.Set("nameNode", "hdfs://nn:8020");
  conf.Set("examplesRoot", "examples");
  conf.Set("user.name", "fuzz");
  conf.Set("userName", "${user.name}");
  conf.Set("start", "2010-01-01T01:00Z");
  conf.Set("end", "2010-01-01T03:00Z");
  conf.Set("loop", "${loop}");
  if (flags & 1) conf.Set("region", "emea");
  if (flags & 2) conf.Set("kickoff", (flags & 4) ? "2026-01-01T06:00Z" : "soon");
  coordinator::BundleParseOptions options;
  options.job_conf = (flags & 8) ? nullptr : &conf;
  Result<coordinator::BundleApp> app = coordinator::ParseBundleXml(xml, options);
  if (!app.ok()) return 0;
  std::vector<std::string> statuses;
  for (const coordinator::BundleCoordinator& c : app->coordinators) {
    statuses.push_back(c.enabled ? (c.critical ? "FAILED" : "SUCCEEDED") : "KILLED");
  }
  (void)coordinator::RollUpBundleStatus(statuses);
  return 0;
}
