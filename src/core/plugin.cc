#include "core/plugin.h"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <vector>

namespace refinery {

namespace {

namespace stdfs = std::filesystem;

std::string ExecutableDirectory() {
  std::error_code ec;
  const stdfs::path self = stdfs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

std::vector<std::string> SearchDirectories() {
  std::vector<std::string> directories;
  if (const char* configured = std::getenv("REFINERY_PLUGIN_DIR"); configured != nullptr && *configured != '\0') {
    directories.emplace_back(configured);
  }
  const std::string executable = ExecutableDirectory();
  if (!executable.empty()) {
    directories.push_back(executable + "/plugins");
    directories.push_back(executable + "/../lib/refinery");
  }
#ifdef REFINERY_PLUGIN_BUILD_DIR
  directories.emplace_back(REFINERY_PLUGIN_BUILD_DIR);
#endif
  return directories;
}

// Handles are never closed: objects the plugin made may outlive any caller.
struct LoadedPlugins {
  std::mutex mutex;
  std::map<std::string, void*> handles;
};

LoadedPlugins& Plugins() {
  static LoadedPlugins* plugins = new LoadedPlugins();
  return *plugins;
}

Result<void*> Load(const std::string& name) {
  const std::string file = "refinery-" + name + ".so";
  std::string searched;
  for (const std::string& directory : SearchDirectories()) {
    const std::string path = directory + "/" + file;
    searched += (searched.empty() ? "" : ", ") + directory;
    if (::access(path.c_str(), R_OK) != 0) continue;
    void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* reason = ::dlerror();
      return Status::Internal("Could not load plugin \"" + path + "\": " + (reason ? reason : "unknown reason") +
                                  "; reinstall Refinery's dependencies (scripts/install-deps.sh)",
                              kPluginCode);
    }
    return handle;
  }
  return Status::NotFound("Plugin \"" + file + "\" not found in " + searched +
                              "; rebuild Refinery or set REFINERY_PLUGIN_DIR to the directory holding it",
                          kPluginCode);
}

}  // namespace

Result<void*> FindPluginSymbol(const std::string& name, const std::string& symbol) {
  LoadedPlugins& plugins = Plugins();
  std::lock_guard<std::mutex> lock(plugins.mutex);
  auto found = plugins.handles.find(name);
  if (found == plugins.handles.end()) {
    auto handle = Load(name);
    if (!handle.ok()) return handle.status();
    found = plugins.handles.emplace(name, *handle).first;
  }
  void* address = ::dlsym(found->second, symbol.c_str());
  if (address == nullptr) {
    return Status::Internal("Plugin \"refinery-" + name + ".so\" has no symbol \"" + symbol +
                                "\"; it is from another Refinery version, rebuild it",
                            kPluginCode);
  }
  return address;
}

}  // namespace refinery
