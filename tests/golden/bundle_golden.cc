// Golden handler for tests/data/bundle/: each case's input is a bundle.xml,
// parsed with @conf key=value job properties; the output summarizes the
// BundleApp (name, kick-off, each coordinator with its flags, app path and
// configuration), or the error.
#include <sstream>

#include "coordinator/bundle.h"
#include "core/time_format.h"
#include "golden/golden.h"

namespace refinery::golden {
namespace {

Result<std::string> RunBundleCase(const GoldenCase& c) {
  Properties conf;
  for (const std::string& kv : ContextValues(c, "conf")) {
    const size_t eq = kv.find('=');
    conf.Set(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  coordinator::BundleParseOptions options;
  options.job_conf = &conf;
  REFINERY_ASSIGN_OR_RETURN(coordinator::BundleApp app, coordinator::ParseBundleXml(c.input, options));
  std::ostringstream out;
  out << "bundle " << app.name << " " << app.xmlns << "\n";
  out << "kick-off " << (app.kickoff ? FormatOozieTime(*app.kickoff) : "at-submission") << "\n";
  for (const auto& [name, value] : app.parameters) out << "parameter " << name << "=" << value.value_or("(required)") << "\n";
  for (const coordinator::BundleCoordinator& coordinator : app.coordinators) {
    out << "coordinator " << coordinator.name << (coordinator.critical ? " critical" : "")
        << (coordinator.enabled ? "" : " disabled") << " " << coordinator.app_path << "\n";
    for (const auto& [key, value] : coordinator.configuration.entries()) out << "  " << key << "=" << value << "\n";
  }
  std::string text = out.str();
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

const bool kRegistered = RegisterGoldenHandler("bundle", RunBundleCase);

}  // namespace
}  // namespace refinery::golden
