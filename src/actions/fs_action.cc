// The <fs> action: delete, mkdir, move, chmod, touchz, chgrp (and 0.5's
// setrep) in document order, with Oozie's path rules and FSxxx error codes
// (FsActionExecutor). Like Oozie it keeps a recovery marker while it runs,
// so a rerun after a crash skips moves already done.
#include <cctype>

#include "actions/action_util.h"
#include "core/job_id.h"

namespace refinery::actions::internal {
namespace {

constexpr char kGlobMax[] = "oozie.action.fs.glob.max";

const std::vector<SettingSpec>& FsSettings() {
  static const std::vector<SettingSpec> kSettings = {
      {"name-node", "", "", "scheme://authority that scheme-less absolute paths resolve against"},
      {"delete", "", "", "<delete path skip-trash>: removes paths (glob allowed); absent = no-op"},
      {"mkdir", "", "", "<mkdir path>: mkdir -p"},
      {"move", "", "", "<move source target>: rename; glob allowed in source"},
      {"chmod", "", "", "<chmod path permissions dir-files><recursive/></chmod>: 755 or -rwxr-xr-x"},
      {"touchz", "", "", "<touchz path>: create an empty file or update its time"},
      {"chgrp", "", "", "<chgrp path group dir-files>: accepted; Refinery runs as one OS user"},
      {kGlobMax, "50000", "1..10000000", "most paths one glob may match (FS013 beyond)"},
  };
  return kSettings;
}

// "scheme://authority/path" split; any part may be empty.
struct UriParts {
  std::string scheme;
  std::string authority;
  std::string path;
};

UriParts SplitUri(const std::string& text) {
  UriParts parts;
  std::string rest = text;
  if (HasScheme(text)) {
    const size_t colon = text.find(':');
    parts.scheme = text.substr(0, colon);
    for (char& c : parts.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    rest = text.substr(colon + 1);
  }
  if (rest.rfind("//", 0) == 0) {
    const size_t slash = rest.find('/', 2);
    parts.authority = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
    rest = slash == std::string::npos ? "" : rest.substr(slash);
  }
  parts.path = rest;
  return parts;
}

bool SupportedScheme(const std::string& scheme) { return scheme == "hdfs" || scheme == "webhdfs"; }

std::string BaseName(const std::string& uri) {
  const size_t slash = uri.find_last_of('/');
  return slash == std::string::npos ? uri : uri.substr(slash + 1);
}

// Octal "755" or symbolic "-rwxr-xr-x" (FsPermission.valueOf); -1 if neither.
int ParsePermissions(const std::string& mask) {
  if (mask.size() == 3) {
    int mode = 0;
    for (char c : mask) {
      if (c < '0' || c > '7') return -1;
      mode = mode * 8 + (c - '0');
    }
    return mode;
  }
  if (mask.size() != 10) return -1;
  static const char kLetters[] = "rwxrwxrwx";
  int mode = 0;
  for (int i = 0; i < 9; ++i) {
    const char c = mask[static_cast<size_t>(i) + 1];
    const bool last = i == 8;
    if (last && (c == 't' || c == 'T')) {
      mode |= 01000 | (c == 't' ? 1 : 0);
      continue;
    }
    if (c == kLetters[i]) {
      mode |= 1 << (8 - i);
    } else if (c != '-') {
      return -1;
    }
  }
  return mode;
}

bool DirFilesAttribute(const pugi::xml_node& command) {
  const pugi::xml_attribute attribute = command.attribute("dir-files");
  if (!attribute) return true;
  std::string value = Trim(attribute.value());
  for (char& c : value) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return value == "true";  // Boolean.parseBoolean
}

std::string CodeOr(const Status& status, const char* fallback) {
  return status.error_code().empty() ? fallback : status.error_code();
}

// One run of one <fs> element.
class FsRun {
 public:
  FsRun(ActionContext& context, std::string name_node, int64_t glob_max)
      : context_(context), files_(*context.files), name_node_(std::move(name_node)), glob_max_(glob_max) {}

  ActionResult ValidateNameNode() const;
  // Runs one command element; Ok when done or not a command.
  ActionResult Command(const pugi::xml_node& command);
  void set_recovery(bool recovery) { recovery_ = recovery; }

 private:
  Result<std::string> FullPath(const std::string& raw) const;
  Result<std::vector<std::string>> Expand(const std::string& full, const char* fallback_code) const;
  Result<std::string> Attribute(const pugi::xml_node& command, const char* name) const;

  ActionResult Mkdir(const pugi::xml_node& command);
  ActionResult Delete(const pugi::xml_node& command);
  ActionResult Move(const pugi::xml_node& command);
  ActionResult Chmod(const pugi::xml_node& command);
  ActionResult Touchz(const pugi::xml_node& command);
  ActionResult Chgrp(const pugi::xml_node& command);
  Status MoveToTrash(const std::string& path);
  std::string User() const { return context_.user.empty() ? CurrentUserName() : context_.user; }

  ActionContext& context_;
  fs::FileSystem& files_;
  std::string name_node_;
  int64_t glob_max_;
  bool recovery_ = false;
};

ActionResult Fail(const Status& status) { return FromStatus(status, "IOException"); }

ActionResult FsRun::ValidateNameNode() const {
  if (name_node_.empty()) return ActionResult::Ok();
  const UriParts parts = SplitUri(name_node_);
  if (parts.scheme.empty()) return ActionResult::Error("FS001", "Missing scheme in path [" + name_node_ + "]");
  if (!SupportedScheme(parts.scheme)) {
    return ActionResult::Error("FS002", "Scheme [" + parts.scheme + "] not supported in path [" + name_node_ + "]");
  }
  return ActionResult::Ok();
}

// Oozie's resolveToFullPath: without a name-node every path needs a scheme;
// with one, scheme-less absolute paths resolve against it.
Result<std::string> FsRun::FullPath(const std::string& raw) const {
  const std::string path = Trim(raw);
  const UriParts parts = SplitUri(path);
  if (name_node_.empty()) {
    if (parts.scheme.empty()) return Status::InvalidArgument("Missing scheme in path [" + path + "]", "FS001");
    if (!SupportedScheme(parts.scheme)) {
      return Status::InvalidArgument("Scheme [" + parts.scheme + "] not supported in path [" + path + "]", "FS002");
    }
    return path;
  }
  if (parts.scheme.empty() || parts.authority.empty()) {
    if (parts.path.empty() || parts.path[0] != '/') {
      return Status::InvalidArgument("Path [" + path + "] cannot be relative", "FS011");
    }
    const UriParts node = SplitUri(name_node_);
    return node.scheme + "://" + node.authority + parts.path;
  }
  if (!SupportedScheme(parts.scheme)) {
    return Status::InvalidArgument("Scheme [" + parts.scheme + "] not supported in path [" + path + "]", "FS002");
  }
  return path;
}

Result<std::vector<std::string>> FsRun::Expand(const std::string& full, const char* fallback_code) const {
  auto matches = files_.Glob(full);
  if (!matches.ok()) return Status(matches.status().code(), CodeOr(matches.status(), fallback_code),
                                   matches.status().message());
  if (static_cast<int64_t>(matches->size()) > glob_max_) {
    return Status::InvalidArgument("too many globbed files/dirs to do FS operation", "FS013");
  }
  return matches;
}

Result<std::string> FsRun::Attribute(const pugi::xml_node& command, const char* name) const {
  const pugi::xml_attribute attribute = command.attribute(name);
  if (!attribute) {
    return Status::InvalidArgument("XML schema error, <" + std::string(LocalName(command)) + "> needs a [" + name +
                                       "] attribute",
                                   "E0701");
  }
  return Trim(attribute.value());
}

ActionResult FsRun::Command(const pugi::xml_node& command) {
  const std::string_view name = LocalName(command);
  if (name == "mkdir") return Mkdir(command);
  if (name == "delete") return Delete(command);
  if (name == "move") return Move(command);
  if (name == "chmod") return Chmod(command);
  if (name == "touchz") return Touchz(command);
  if (name == "chgrp") return Chgrp(command);
  if (name == "setrep") Report(context_, "setrep ignored: Refinery keeps one copy of every file");
  return ActionResult::Ok();  // name-node, job-xml, configuration, unknown: ignored as Oozie does
}

ActionResult FsRun::Mkdir(const pugi::xml_node& command) {
  auto raw = Attribute(command, "path");
  if (!raw.ok()) return FromStatus(raw.status(), "E0701", Outcome::kFailed);
  auto full = FullPath(*raw);
  if (!full.ok()) return Fail(full.status());
  Report(context_, "Creating directory [" + *full + "]");
  const Status status = files_.MakeDirectories(*full);
  if (status.ok()) return ActionResult::Ok();
  return ActionResult::Error(CodeOr(status, "FS004"),
                             "mkdir, path [" + *full + "] could not create directory: " + status.message());
}

ActionResult FsRun::Delete(const pugi::xml_node& command) {
  auto raw = Attribute(command, "path");
  if (!raw.ok()) return FromStatus(raw.status(), "E0701", Outcome::kFailed);
  const bool skip_trash = Trim(command.attribute("skip-trash").value()) != "false";
  auto full = FullPath(*raw);
  if (!full.ok()) return Fail(full.status());
  Report(context_, "Deleting [" + *full + "]. Skipping trash: [" + (skip_trash ? "true" : "false") + "]");
  auto matches = Expand(*full, "FS005");
  if (!matches.ok()) return Fail(matches.status());
  for (const std::string& path : *matches) {
    if (skip_trash) {
      const Status status = files_.Delete(path, /*recursive=*/true);
      if (!status.ok()) {
        return ActionResult::Error(CodeOr(status, "FS005"),
                                   "delete, path [" + path + "] could not delete path: " + status.message());
      }
      continue;
    }
    const Status status = MoveToTrash(path);
    if (!status.ok()) {
      return ActionResult::Error(CodeOr(status, "FS005"),
                                 "Could not move path [" + path + "] to trash on delete: " + status.message());
    }
  }
  return ActionResult::Ok();
}

// Hadoop's Trash: /user/<user>/.Trash/Current/<path>, a time suffix on clashes.
Status FsRun::MoveToTrash(const std::string& path) {
  std::string destination = "/user/" + User() + "/.Trash/Current" + path;
  const size_t slash = destination.find_last_of('/');
  REFINERY_RETURN_IF_ERROR(files_.MakeDirectories(destination.substr(0, slash)));
  REFINERY_ASSIGN_OR_RETURN(bool exists, files_.Exists(destination));
  if (exists) {
    const Clock* clock = context_.clock != nullptr ? context_.clock : SystemClock();
    destination += std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(clock->Now().time_since_epoch()).count());
  }
  return files_.Rename(path, destination);
}

ActionResult FsRun::Move(const pugi::xml_node& command) {
  auto raw_source = Attribute(command, "source");
  auto raw_target = Attribute(command, "target");
  if (!raw_source.ok()) return FromStatus(raw_source.status(), "E0701", Outcome::kFailed);
  if (!raw_target.ok()) return FromStatus(raw_target.status(), "E0701", Outcome::kFailed);
  auto source = FullPath(*raw_source);
  if (!source.ok()) return Fail(source.status());
  Report(context_, "Moving [" + *source + "] to [" + *raw_target + "]");
  const UriParts source_parts = SplitUri(*source);
  const UriParts target_parts = SplitUri(*raw_target);
  if (!target_parts.scheme.empty() &&
      (target_parts.scheme != source_parts.scheme || target_parts.authority != source_parts.authority)) {
    return ActionResult::Error("FS007", "move, target NN URI different from that of source");
  }
  std::string target = target_parts.path;
  if (target.empty() || target[0] != '/') target = "/user/" + User() + "/" + target;  // HDFS working directory

  auto matches = Expand(*source, "FS006");
  if (!matches.ok()) return Fail(matches.status());
  if (matches->empty()) {
    if (recovery_) return ActionResult::Ok();
    return ActionResult::Error("FS006", "move, source path [" + *source + "] does not exist");
  }
  auto target_is_dir = files_.IsDirectory(target);
  if (!target_is_dir.ok()) return FromStatus(target_is_dir.status(), "FS008");
  if (matches->size() > 1 && !*target_is_dir) {
    if (recovery_) return ActionResult::Ok();
    return ActionResult::Error("FS012", "move, could not rename multiple sources to the same target name");
  }
  for (const std::string& path : *matches) {
    const std::string destination = *target_is_dir ? target + "/" + BaseName(path) : target;
    const Status status = files_.Rename(path, destination);
    if (!status.ok() && !recovery_) {
      return ActionResult::Error(CodeOr(status, "FS008"), "move, could not move [" + path + "] to [" + target +
                                                              "]: " + status.message());
    }
  }
  return ActionResult::Ok();
}

ActionResult FsRun::Chmod(const pugi::xml_node& command) {
  auto raw = Attribute(command, "path");
  auto mask = Attribute(command, "permissions");
  if (!raw.ok()) return FromStatus(raw.status(), "E0701", Outcome::kFailed);
  if (!mask.ok()) return FromStatus(mask.status(), "E0701", Outcome::kFailed);
  const bool recursive = static_cast<bool>(Child(command, "recursive"));
  const bool dir_files = DirFilesAttribute(command);
  auto full = FullPath(*raw);
  if (!full.ok()) return Fail(full.status());
  Report(context_, "Setting permissions [" + *mask + "] on [" + *full + "]. Recursive mode: [" +
                       (recursive ? "true" : "false") + "]");
  auto matches = Expand(*full, "FS009");
  if (!matches.ok()) return Fail(matches.status());
  if (matches->empty()) return ActionResult::Error("FS009", "chmod, path(s) that matches [" + *full + "] does not exist");
  const int mode = ParsePermissions(*mask);
  if (mode < 0) {
    return ActionResult::Error("FS010", "chmod, path [" + *full + "] invalid permissions mask [" + *mask + "]");
  }
  for (const std::string& path : *matches) {
    const Status status = files_.SetPermissions(path, mode, recursive, dir_files);
    if (!status.ok()) return ActionResult::Error(CodeOr(status, "IOException"), status.message());
  }
  return ActionResult::Ok();
}

ActionResult FsRun::Touchz(const pugi::xml_node& command) {
  auto raw = Attribute(command, "path");
  if (!raw.ok()) return FromStatus(raw.status(), "E0701", Outcome::kFailed);
  auto full = FullPath(*raw);
  if (!full.ok()) return Fail(full.status());
  Report(context_, "Performing touch on [" + *full + "]");
  auto exists = files_.Exists(*full);
  if (!exists.ok()) return FromStatus(exists.status(), "IOException");
  if (*exists) {
    auto status = files_.Stat(*full);
    if (!status.ok()) return FromStatus(status.status(), "IOException");
    // Oozie throws a plain Exception here, so its error code is "Exception".
    if (status->is_directory) return ActionResult::Error("Exception", *full + " is a directory");
    if (status->size != 0) return ActionResult::Error("Exception", *full + " must be a zero-length file");
  }
  const Status touched = files_.Touch(*full);
  if (!touched.ok()) return ActionResult::Error(CodeOr(touched, "IOException"), touched.message());
  return ActionResult::Ok();
}

ActionResult FsRun::Chgrp(const pugi::xml_node& command) {
  auto raw = Attribute(command, "path");
  auto group = Attribute(command, "group");
  if (!raw.ok()) return FromStatus(raw.status(), "E0701", Outcome::kFailed);
  if (!group.ok()) return FromStatus(group.status(), "E0701", Outcome::kFailed);
  auto full = FullPath(*raw);
  if (!full.ok()) return Fail(full.status());
  auto matches = Expand(*full, "FS009");
  if (!matches.ok()) return Fail(matches.status());
  if (matches->empty()) return ActionResult::Error("FS009", "chgrp, path(s) that matches [" + *full + "] does not exist");
  Report(context_, "chgrp [" + *group + "] on [" + *full + "] ignored: Refinery runs every job as one OS user");
  return ActionResult::Ok();
}

// Oozie's recovery path (<action dir>/fs-<id>): present while the action
// runs, so a rerun after a crash knows that moves may already be done. Kept
// in one hidden directory of the data root and removed with its parents when
// they empty, so a normal run leaves nothing behind.
std::vector<std::string> RecoveryUris(const ActionContext& context) {
  if (context.job_id.empty() || context.action_name.empty()) return {};
  auto safe = [](std::string text) {
    for (char& c : text) {
      if (c == '/') c = '_';
    }
    return text == ".." || text == "." ? "_" : text;
  };
  const std::string job = "/.refinery/recovery/" + safe(context.job_id);
  return {job + "/" + safe(context.action_name) + "--fs", job, "/.refinery/recovery", "/.refinery"};
}

class FsAction : public Action {
 public:
  std::string type() const override { return "fs"; }
  bool idempotent() const override { return true; }
  std::vector<SettingSpec> settings() const override { return FsSettings(); }

  ActionResult Run(ActionContext& context) override {
    ActionResult error;
    if (MissingService(context.files, "file system", &error)) return error;
    pugi::xml_document doc;
    const pugi::xml_node element = ParseActionElement(context.action_xml, "fs", &doc, &error);
    if (!element) return error;
    auto glob_max = IntSetting(context, FsSettings(), kGlobMax);
    if (!glob_max.ok()) return FromStatus(glob_max.status(), "E0303", Outcome::kFailed);
    std::string name_node = ChildText(element, "name-node");
    if (name_node.empty()) name_node = Trim(context.name_node);

    FsRun run(context, name_node, *glob_max);
    ActionResult result = run.ValidateNameNode();
    if (result.outcome != Outcome::kOk) return result;
    // Only a move changes what a second run would see (its source is gone);
    // the other commands are safe to repeat, so they need no marker and skip
    // its four directory operations per action.
    const bool has_move = static_cast<bool>(element.child("move"));
    const std::vector<std::string> recovery = has_move ? RecoveryUris(context) : std::vector<std::string>{};
    if (!recovery.empty()) {
      auto exists = context.files->Exists(recovery.front());
      run.set_recovery(exists.ok() && *exists);
      if (exists.ok() && !*exists) (void)context.files->MakeDirectories(recovery.front());
    }
    for (pugi::xml_node command = element.first_child(); command; command = command.next_sibling()) {
      if (command.type() != pugi::node_element) continue;
      result = run.Command(command);
      if (result.outcome != Outcome::kOk) break;
    }
    for (const std::string& uri : recovery) (void)context.files->Delete(uri, /*recursive=*/false);
    return result;
  }
};

}  // namespace

std::unique_ptr<Action> MakeFsAction() { return std::make_unique<FsAction>(); }

}  // namespace refinery::actions::internal
