// Bundles: `bundle.xml` (uri:oozie:bundle:0.1 and 0.2) into a BundleApp —
// the bundle's name, its kick-off time and the coordinators it submits, each
// with its app path and <configuration> after submit-time `${x}` and
// `bundle:conf('x')` resolution against the job configuration (with the
// 0.2 <parameters> defaults injected). And the bundle status roll-up from its
// coordinators' statuses (SPEC §6.6, §7.5). It starts nothing and never
// reads the wall clock; the scheduler (scheduler/) runs bundles.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/properties.h"
#include "core/status.h"

namespace refinery::coordinator {

struct BundleCoordinator {
  std::string name;           // unique in the bundle; the coordinator job's name
  bool critical = false;      // critical="true" (any case); recorded, rolls up like any other
  bool enabled = true;        // enabled="false" (0.2) leaves it out at kick-off
  std::string app_path;       // resolved; may be relative to bundle.xml's directory
  Properties configuration;   // resolved <configuration>
  int line = 0;               // of <coordinator> in the source
};

struct BundleApp {
  std::string xmlns;
  std::string name;
  std::optional<TimePoint> kickoff;  // none: kick off at submission
  std::vector<BundleCoordinator> coordinators;
  std::vector<std::pair<std::string, std::optional<std::string>>> parameters;  // 0.2, as declared
  Properties conf;  // the job configuration with the <parameters> defaults injected
};

struct BundleParseOptions {
  const Properties* job_conf = nullptr;  // ${} resolution; may be null
  std::string source_name = "bundle.xml";
};

// Parses and validates. Errors carry Oozie's codes and `source:line`: E0701
// (XML or schema: root, namespace, missing name/app-path, element order),
// E1304 (duplicate coordinator name), E1305 (empty coordinator name), E0738 /
// E0739 (parameters), E1004 (an expression that cannot be evaluated), E1310
// (a kick-off time that is not yyyy-MM-dd'T'HH:mm'Z'). Never throws; any byte
// string is safe input.
Result<BundleApp> ParseBundleXml(std::string_view xml, const BundleParseOptions& options);

// A bundle's status from its coordinators' (Oozie's BundleStatusTransit with
// the default backward-compatible states): IGNORED coordinators are left out;
// nullopt while any other has not ended (the bundle stays RUNNING); when all
// have ended, their common status if they agree, else DONEWITHERROR. None
// left: SUCCEEDED. A critical="true" coordinator counts like any other:
// Oozie records the flag on its bundle action but no status rule reads it.
std::optional<std::string> RollUpBundleStatus(const std::vector<std::string>& coordinator_statuses);

// Whether a coordinator (or bundle) job status is final: SUCCEEDED,
// DONEWITHERROR, KILLED, FAILED, IGNORED.
bool IsTerminalJobStatus(std::string_view status);

// Bundle job ids end in -B (SPEC §8).
bool IsBundleJobId(std::string_view id);

}  // namespace refinery::coordinator
