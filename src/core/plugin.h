// Plugins: the parts of Refinery that need a heavy client library (libpq,
// libmariadb, libcurl, XGBoost) are built as shared modules and loaded on
// first use, so a workflow that never touches them does not pay for loading
// those libraries at every start. A plugin is `refinery-<name>.so`, found in
// $REFINERY_PLUGIN_DIR, then `<directory of the executable>/plugins`, then
// `<directory of the executable>/../lib/refinery`, then the build tree.
#pragma once

#include <string>

#include "core/status.h"

namespace refinery {

inline constexpr char kPluginCode[] = "PLUGIN001";

// The address of `symbol` (an extern "C" function) in plugin `name`. Loads
// the plugin once per process and keeps it loaded. Thread-safe. Errors name
// the directories searched and the loader's reason.
Result<void*> FindPluginSymbol(const std::string& name, const std::string& symbol);

}  // namespace refinery
