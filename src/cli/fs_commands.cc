// `refinery fs`: the file-system root managed as `hdfs dfs` manages HDFS, so
// the seed's `hdfs dfs -put -f workflow.xml /user/refinedzone/` works as
// `refinery fs -put -f workflow.xml /user/refinedzone/`.
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/data_home.h"
#include "core/time_format.h"

namespace refinery::cli {
namespace {

constexpr const char* kFsUsage =
    "Usage: refinery fs [--home DIR] COMMAND\n"
    "  -put [-f] <localsrc>... <dst>   copy local files or directories in\n"
    "  -get <src> <localdst>           copy out\n"
    "  -ls [-R] <path>                 list\n"
    "  -cat <path>                     print a file\n"
    "  -mkdir [-p] <path>              create a directory (always with parents)\n"
    "  -rm [-r|-R] [-f] <path>         delete\n"
    "  -du [-s] <path>                 bytes used\n"
    "  -test -e|-d|-f|-z <path>        exit 0 when the test holds, 1 otherwise\n"
    "Paths: /user/x, hdfs://host:port/user/x (both map into <home>/fs).\n";

std::string Stripped(const std::string& arg) {
  size_t dashes = 0;
  while (dashes < arg.size() && dashes < 2 && arg[dashes] == '-') ++dashes;
  return arg.substr(dashes);
}

std::string PermissionString(const fs::FileStatus& status) {
  std::string text = status.is_directory ? "d" : "-";
  const char* letters = "rwx";
  for (int shift = 8; shift >= 0; --shift) {
    text += (status.permissions >> shift) & 1 ? letters[(8 - shift) % 3] : '-';
  }
  return text;
}

void PrintListing(const fs::FileStatus& status) {
  const std::string when = FormatIsoMillis(FromEpochMillis(status.modified_ms));
  std::printf("%s   %s %10lld %s %s %s\n", PermissionString(status).c_str(), status.is_directory ? "-" : "1",
              static_cast<long long>(status.size), when.substr(0, 10).c_str(), when.substr(11, 5).c_str(),
              status.uri.c_str());
}

int Fail(const Status& status) {
  std::fprintf(stderr, "fs: %s\n", status.ToString().c_str());
  return 1;
}

int ListRecursive(fs::FileSystem& files, const std::string& uri, bool recursive) {
  auto entries = files.List(uri);
  if (!entries.ok()) return Fail(entries.status());
  if (!recursive) std::printf("Found %zu items\n", entries->size());
  for (const auto& entry : *entries) {
    PrintListing(entry);
    if (recursive && entry.is_directory) {
      if (int rc = ListRecursive(files, entry.uri, true); rc != 0) return rc;
    }
  }
  return 0;
}

}  // namespace

int RunFsCommand(const std::vector<std::string>& raw_args) {
  std::string home_flag;
  std::vector<std::string> args;
  for (size_t i = 0; i < raw_args.size(); ++i) {
    if (Stripped(raw_args[i]) == "home" && i + 1 < raw_args.size()) {
      home_flag = raw_args[++i];
      continue;
    }
    args.push_back(raw_args[i]);
  }
  if (args.empty() || Stripped(args[0]) == "h" || Stripped(args[0]) == "help") {
    std::printf("%s", kFsUsage);
    return args.empty() ? 2 : 0;
  }
  const std::string command = Stripped(args[0]);
  std::vector<std::string> flags, paths;
  for (size_t i = 1; i < args.size(); ++i) {
    (args[i].size() > 1 && args[i][0] == '-' ? flags : paths).push_back(Stripped(args[i]));
  }
  auto has_flag = [&](const std::string& f) { return std::find(flags.begin(), flags.end(), f) != flags.end(); };

  auto home = OpenDataHome(ResolveHomePath(home_flag), OpenOptions{});
  if (!home.ok()) return Fail(home.status());
  fs::FileSystem& files = *(*home)->files;

  if (command == "put" && paths.size() >= 2) {
    const std::string target = paths.back();
    auto target_is_dir = files.IsDirectory(target);
    for (size_t i = 0; i + 1 < paths.size(); ++i) {
      std::string destination = target;
      if ((target_is_dir.ok() && *target_is_dir) || paths.size() > 2) {
        destination = target + (target.back() == '/' ? "" : "/") +
                      std::filesystem::path(paths[i]).filename().string();
      }
      Status status = files.CopyFromLocal(paths[i], destination, has_flag("f"));
      if (!status.ok()) return Fail(status);
    }
    return 0;
  }
  if (command == "get" && paths.size() == 2) {
    Status status = files.CopyToLocal(paths[0], paths[1]);
    return status.ok() ? 0 : Fail(status);
  }
  if (command == "ls" && paths.size() <= 1) {
    return ListRecursive(files, paths.empty() ? "/" : paths[0], has_flag("R"));
  }
  if (command == "cat" && !paths.empty()) {
    for (const auto& path : paths) {
      auto content = files.ReadFile(path);
      if (!content.ok()) return Fail(content.status());
      std::fwrite(content->data(), 1, content->size(), stdout);
    }
    return 0;
  }
  if (command == "mkdir" && !paths.empty()) {
    for (const auto& path : paths) {
      Status status = files.MakeDirectories(path);
      if (!status.ok()) return Fail(status);
    }
    return 0;
  }
  if (command == "rm" && !paths.empty()) {
    for (const auto& path : paths) {
      auto exists = files.Exists(path);
      if (!exists.ok()) return Fail(exists.status());
      if (!*exists) {
        if (has_flag("f")) continue;
        std::fprintf(stderr, "rm: `%s': No such file or directory\n", path.c_str());
        return 1;
      }
      Status status = files.Delete(path, has_flag("r") || has_flag("R"));
      if (!status.ok()) return Fail(status);
    }
    return 0;
  }
  if (command == "du" && paths.size() == 1) {
    auto bytes = files.DiskUsage(paths[0]);
    if (!bytes.ok()) return Fail(bytes.status());
    std::printf("%lld  %s\n", static_cast<long long>(*bytes), paths[0].c_str());
    return 0;
  }
  if (command == "test" && paths.size() == 1 && flags.size() == 1) {
    auto exists = files.Exists(paths[0]);
    if (!exists.ok()) return Fail(exists.status());
    if (!*exists) return 1;
    auto status = files.Stat(paths[0]);
    if (!status.ok()) return Fail(status.status());
    if (flags[0] == "e") return 0;
    if (flags[0] == "d") return status->is_directory ? 0 : 1;
    if (flags[0] == "f") return status->is_directory ? 1 : 0;
    if (flags[0] == "z") return !status->is_directory && status->size == 0 ? 0 : 1;
  }
  std::fprintf(stderr, "fs: cannot run [%s] with these arguments\n%s", command.c_str(), kFsUsage);
  return 2;
}

}  // namespace refinery::cli
