#include "fs/file_system.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <iterator>
#include <system_error>

#include "fs/glob.h"
#include "fs/os_util.h"

namespace refinery::fs {
namespace stdfs = std::filesystem;
using internal::OsError;
using internal::Quote;

namespace {

constexpr char kAllowed[] =
    "use an absolute path (/user/...), hdfs://host:port/path, webhdfs://host:port/path, "
    "or file:///path to read a local file";

// Where a URI points: inside the data root, or a real local file (file://).
struct Location {
  stdfs::path local;
  bool outside_root = false;  // a file:// URI
};

// A URI split into its scheme and absolute, '/'-separated path.
struct ParsedUri {
  std::string scheme;  // lower case; "" for a bare absolute path
  std::string path;
};

bool IsSchemeChar(char c, bool first) {
  if (std::isalpha(static_cast<unsigned char>(c))) return true;
  return !first && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.');
}

// Length of a leading "scheme:" (without the colon), or 0.
size_t SchemeLength(const std::string& uri) {
  size_t i = 0;
  while (i < uri.size() && IsSchemeChar(uri[i], i == 0)) ++i;
  return (i > 0 && i < uri.size() && uri[i] == ':') ? i : 0;
}

Result<ParsedUri> ParseUri(const std::string& uri) {
  if (uri.empty()) return Status::InvalidArgument("Empty path: " + std::string(kAllowed), "FS011");
  if (uri.find('\0') != std::string::npos) {
    return Status::InvalidArgument("Path " + Quote(uri) + " contains a NUL character", "FS002");
  }
  ParsedUri parsed;
  const size_t scheme_length = SchemeLength(uri);
  if (scheme_length == 0) {
    if (uri[0] != '/') {
      return Status::InvalidArgument("Path [" + uri + "] cannot be relative: " + kAllowed, "FS011");
    }
    parsed.path = uri;
    return parsed;
  }
  parsed.scheme = uri.substr(0, scheme_length);
  std::transform(parsed.scheme.begin(), parsed.scheme.end(), parsed.scheme.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (parsed.scheme != "hdfs" && parsed.scheme != "webhdfs" && parsed.scheme != "file") {
    return Status::InvalidArgument(
        "Scheme [" + parsed.scheme + "] not supported in path [" + uri + "]: " + kAllowed, "FS002");
  }
  std::string rest = uri.substr(scheme_length + 1);
  std::string authority;
  if (rest.rfind("//", 0) == 0) {
    const size_t slash = rest.find('/', 2);
    authority = rest.substr(2, slash == std::string::npos ? std::string::npos : slash - 2);
    rest = slash == std::string::npos ? "/" : rest.substr(slash);
  }
  if (rest.empty() || rest[0] != '/') {
    return Status::InvalidArgument("Path [" + uri + "] cannot be relative: " + kAllowed, "FS011");
  }
  if (parsed.scheme == "file" && !authority.empty() && authority != "localhost") {
    return Status::InvalidArgument("file:// URI [" + uri + "] names host [" + authority +
                                       "]; only local files can be read (file:///path)",
                                   "FS002");
  }
  parsed.path = rest;
  return parsed;
}

// Splits an absolute path into components, folding "." and "..". Returns
// false when ".." climbs above the top.
bool Normalize(const std::string& path, std::vector<std::string>* parts) {
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string part = path.substr(start, end - start);
    start = end + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts->empty()) return false;
      parts->pop_back();
      continue;
    }
    parts->push_back(part);
  }
  return true;
}

// True when `path` equals `root` or lies below it (both canonical).
bool IsUnder(const stdfs::path& path, const stdfs::path& root) {
  const stdfs::path rel = path.lexically_relative(root);
  return !rel.empty() && *rel.begin() != "..";
}

std::string JoinUri(const std::string& base, const std::string& name) {
  if (!base.empty() && base.back() == '/') return base + name;
  return base + "/" + name;
}

Status CheckNotRoot(const stdfs::path& local, const stdfs::path& root, const std::string& uri,
                    const char* verb) {
  std::error_code ec;
  if (stdfs::weakly_canonical(local, ec) == stdfs::weakly_canonical(root, ec)) {
    return Status::InvalidArgument(std::string("Refusing to ") + verb + " " + Quote(uri) +
                                   ": it is the data root itself");
  }
  return Status::Ok();
}

FileStatus ToFileStatus(const std::string& uri, const struct stat& st) {
  FileStatus status;
  status.uri = uri;
  status.is_directory = S_ISDIR(st.st_mode);
  status.size = status.is_directory ? 0 : static_cast<int64_t>(st.st_size);
  status.modified_ms = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000 + st.st_mtim.tv_nsec / 1000000;
  status.permissions = static_cast<int>(st.st_mode & 07777);
  return status;
}

// stat(2) that follows links, falling back to lstat(2) for a dangling one.
int StatEntry(const stdfs::path& path, struct stat* st) {
  if (::stat(path.c_str(), st) == 0) return 0;
  const int err = errno;
  if (err == ENOENT && ::lstat(path.c_str(), st) == 0) return 0;
  return err;
}

Status ChmodOne(const stdfs::path& path, int mode, const std::string& uri) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return OsError(errno, "Could not change permissions of " + Quote(uri));
  if (S_ISLNK(st.st_mode)) return Status::Ok();  // links have no permissions of their own; never follow them out
  if (::chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) {
    return OsError(errno, "Could not change permissions of " + Quote(uri));
  }
  return Status::Ok();
}

// Oozie's recursiveFsOperation: with dir_files, a directory's direct entries
// change too (and with `recursive` their subtrees); deeper levels first.
Status ChmodTree(const stdfs::path& path, const std::string& uri, int mode, bool recursive, bool dir_files,
                 bool is_root) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return OsError(errno, "Could not change permissions of " + Quote(uri));
  if (!dir_files || !S_ISDIR(st.st_mode)) return ChmodOne(path, mode, uri);
  std::vector<std::pair<stdfs::path, std::string>> entries;
  std::error_code ec;
  for (stdfs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().native();
    entries.emplace_back(it->path(), JoinUri(uri, name));
  }
  if (ec) return OsError(ec.value(), "Could not list " + Quote(uri));
  for (const auto& [child, child_uri] : entries) {
    struct stat child_st;
    if (recursive && ::lstat(child.c_str(), &child_st) == 0 && S_ISDIR(child_st.st_mode)) {
      REFINERY_RETURN_IF_ERROR(ChmodTree(child, child_uri, mode, recursive, dir_files, false));
    }
  }
  if (is_root) REFINERY_RETURN_IF_ERROR(ChmodOne(path, mode, uri));
  for (const auto& [child, child_uri] : entries) REFINERY_RETURN_IF_ERROR(ChmodOne(child, mode, child_uri));
  return Status::Ok();
}

}  // namespace

FileSystem::FileSystem(std::filesystem::path root) {
  std::error_code ec;
  stdfs::path absolute = stdfs::absolute(root, ec);
  if (ec) absolute = root;
  root_ = absolute.lexically_normal();
  // "/data/" and "/data" are one root; a trailing separator would upset lexically_relative.
  if (!root_.has_filename() && root_ != root_.root_path()) root_ = root_.parent_path();
}

// ---- Resolution ----

namespace {

Result<Location> Locate(const stdfs::path& root, const std::string& uri, bool for_write) {
  REFINERY_ASSIGN_OR_RETURN(ParsedUri parsed, ParseUri(uri));
  std::vector<std::string> parts;
  if (!Normalize(parsed.path, &parts)) {
    return Status::InvalidArgument(
        "Path [" + uri + "] escapes the data root through \"..\": " + kAllowed, "FS014");
  }
  Location location;
  if (parsed.scheme == "file") {
    if (for_write) {
      return Status::InvalidArgument("Path [" + uri + "] is a local file:// URI, which Refinery only reads; "
                                     "write under the data root with /path or hdfs://host:port/path",
                                     "FS002");
    }
    location.outside_root = true;
    location.local = "/";
  } else {
    location.local = root;
  }
  for (const std::string& part : parts) location.local /= part;
  return location;
}

// True when no component of `local` below `root` (all of them, or with
// `entry_only` all but the last) is a symbolic link: then `local` cannot leave
// the root, since Locate already removed "..". Most paths take this walk of a
// few lstat(2) calls instead of canonicalizing from "/".
bool NoLinkBelowRoot(const stdfs::path& root, const stdfs::path& local, bool entry_only) {
  const stdfs::path relative = local.lexically_relative(root);
  if (relative.empty() || *relative.begin() == "..") return false;
  if (relative == ".") return true;
  stdfs::path current = root;
  const size_t count = static_cast<size_t>(std::distance(relative.begin(), relative.end()));
  size_t index = 0;
  for (const stdfs::path& part : relative) {
    if (entry_only && ++index == count) break;
    current /= part;
    struct stat st;
    if (::lstat(current.c_str(), &st) != 0) return errno == ENOENT || errno == ENOTDIR;  // nothing deeper exists
    if (S_ISLNK(st.st_mode)) return false;
  }
  return true;
}

// Refuses a location whose real path (symbolic links followed; with
// `entry_only` only those of the parent) leaves the root.
Status CheckInsideRoot(const stdfs::path& root, const stdfs::path& local, const std::string& uri,
                       bool entry_only) {
  if (NoLinkBelowRoot(root, local, entry_only)) return Status::Ok();
  std::error_code ec;
  const stdfs::path canonical_root = stdfs::weakly_canonical(root, ec);
  if (ec) return OsError(ec.value(), "Could not resolve the data root " + Quote(root.native()));
  stdfs::path real;
  if (entry_only && local != root) {
    real = stdfs::weakly_canonical(local.parent_path(), ec) / local.filename();
  } else {
    real = stdfs::weakly_canonical(local, ec);
  }
  if (ec) return OsError(ec.value(), "Could not resolve " + Quote(uri));
  if (!IsUnder(real, canonical_root)) {
    return Status::InvalidArgument("Path [" + uri + "] leads outside the data root through a symbolic link (to " +
                                       Quote(real.native()) + "); Refinery writes only under " +
                                       Quote(root.native()),
                                   "FS014");
  }
  return Status::Ok();
}

// The location of an entry that will be removed or renamed itself: a
// symbolic link is acted on, never followed.
Result<stdfs::path> ResolveEntry(const stdfs::path& root, const std::string& uri) {
  REFINERY_ASSIGN_OR_RETURN(Location location, Locate(root, uri, /*for_write=*/true));
  REFINERY_RETURN_IF_ERROR(CheckInsideRoot(root, location.local, uri, /*entry_only=*/true));
  return location.local;
}

}  // namespace

Result<std::filesystem::path> FileSystem::Resolve(const std::string& uri, bool for_write) const {
  REFINERY_ASSIGN_OR_RETURN(Location location, Locate(root_, uri, for_write));
  if (for_write) REFINERY_RETURN_IF_ERROR(CheckInsideRoot(root_, location.local, uri, /*entry_only=*/false));
  return location.local;
}

// ---- Queries ----

Result<bool> FileSystem::Exists(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri));
  struct stat st;
  const int err = StatEntry(local, &st);
  if (err == 0) return true;
  if (err == ENOENT || err == ENOTDIR) return false;
  return OsError(err, "Could not look up " + Quote(uri));
}

Result<bool> FileSystem::IsDirectory(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri));
  struct stat st;
  if (::stat(local.c_str(), &st) == 0) return S_ISDIR(st.st_mode);
  if (errno == ENOENT || errno == ENOTDIR) return false;
  return OsError(errno, "Could not look up " + Quote(uri));
}

Result<FileStatus> FileSystem::Stat(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(Location location, Locate(root_, uri, false));
  struct stat st;
  const int err = StatEntry(location.local, &st);
  if (err != 0) return OsError(err, "Could not stat " + Quote(uri));
  std::string shown = location.local.native();
  if (location.outside_root) {
    shown = "file://" + shown;
  } else {
    shown = "/" + location.local.lexically_relative(root_).generic_string();
    if (shown == "/.") shown = "/";
  }
  return ToFileStatus(shown, st);
}

Result<std::vector<FileStatus>> FileSystem::List(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(FileStatus self, Stat(uri));
  if (!self.is_directory) return std::vector<FileStatus>{self};
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri));
  std::vector<FileStatus> entries;
  std::error_code ec;
  for (stdfs::directory_iterator it(local, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st;
    if (StatEntry(it->path(), &st) != 0) continue;  // vanished meanwhile
    entries.push_back(ToFileStatus(JoinUri(self.uri, it->path().filename().native()), st));
  }
  if (ec) return OsError(ec.value(), "Could not list " + Quote(uri));
  std::sort(entries.begin(), entries.end(),
            [](const FileStatus& a, const FileStatus& b) { return a.uri < b.uri; });
  return entries;
}

namespace {

// Expands one brace-free pattern component by component.
Result<std::vector<std::string>> GlobOne(const stdfs::path& root, const std::string& pattern) {
  REFINERY_ASSIGN_OR_RETURN(ParsedUri parsed, ParseUri(pattern));
  std::vector<std::string> parts;
  if (!Normalize(parsed.path, &parts)) {
    return Status::InvalidArgument("Path [" + pattern + "] escapes the data root through \"..\"", "FS014");
  }
  const bool local = parsed.scheme == "file";
  const stdfs::path base = local ? stdfs::path("/") : root;
  std::vector<std::string> matches = {""};  // relative to base, '/'-joined
  for (const std::string& part : parts) {
    std::vector<std::string> next;
    const bool wild = internal::HasGlobChars(part);
    for (const std::string& match : matches) {
      const stdfs::path dir = base / match;
      if (!wild) {
        const std::string name = internal::Unescape(part);
        struct stat st;
        if (::lstat((dir / name).c_str(), &st) == 0) next.push_back(match.empty() ? name : match + "/" + name);
        continue;
      }
      std::error_code ec;
      for (stdfs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().native();
        if (internal::MatchComponent(part, name)) next.push_back(match.empty() ? name : match + "/" + name);
      }
    }
    matches = std::move(next);
    if (matches.empty()) break;
  }
  std::vector<std::string> uris;
  for (const std::string& match : matches) uris.push_back((local ? "file:///" : "/") + match);
  return uris;
}

}  // namespace

Result<std::vector<std::string>> FileSystem::Glob(const std::string& uri) const {
  REFINERY_RETURN_IF_ERROR(Locate(root_, uri, false).status());  // scheme and ".." rules
  REFINERY_ASSIGN_OR_RETURN(std::vector<std::string> patterns, internal::ExpandBraces(uri));
  std::vector<std::string> all;
  for (const std::string& pattern : patterns) {
    REFINERY_ASSIGN_OR_RETURN(std::vector<std::string> found, GlobOne(root_, pattern));
    all.insert(all.end(), found.begin(), found.end());
  }
  std::sort(all.begin(), all.end());
  all.erase(std::unique(all.begin(), all.end()), all.end());
  return all;
}

Result<int64_t> FileSystem::DiskUsage(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri));
  struct stat st;
  if (::stat(local.c_str(), &st) != 0) return OsError(errno, "Could not measure " + Quote(uri));
  if (!S_ISDIR(st.st_mode)) return static_cast<int64_t>(st.st_size);
  int64_t total = 0;
  std::error_code ec;
  stdfs::recursive_directory_iterator it(local, stdfs::directory_options::skip_permission_denied, ec);
  for (stdfs::recursive_directory_iterator end; !ec && it != end; it.increment(ec)) {
    struct stat entry;
    if (::lstat(it->path().c_str(), &entry) == 0 && S_ISREG(entry.st_mode)) total += entry.st_size;
  }
  if (ec) return OsError(ec.value(), "Could not measure " + Quote(uri));
  return total;
}

// ---- Mutations ----

Status FileSystem::MakeDirectories(const std::string& uri) {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri, /*for_write=*/true));
  return internal::MakeDirs(local, uri);
}

Status FileSystem::Delete(const std::string& uri, bool recursive) {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, ResolveEntry(root_, uri));
  REFINERY_RETURN_IF_ERROR(CheckNotRoot(local, root_, uri, "delete"));
  struct stat st;
  if (::lstat(local.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return Status::Ok();
    return OsError(errno, "Could not delete " + Quote(uri));
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(local.c_str()) != 0 && errno != ENOENT) return OsError(errno, "Could not delete " + Quote(uri));
    return Status::Ok();
  }
  if (!recursive) {
    if (::rmdir(local.c_str()) != 0 && errno != ENOENT) return OsError(errno, "Could not delete " + Quote(uri));
    return Status::Ok();
  }
  std::error_code ec;
  stdfs::remove_all(local, ec);
  if (ec) return OsError(ec.value(), "Could not delete " + Quote(uri));
  return Status::Ok();
}

Status FileSystem::Rename(const std::string& from_uri, const std::string& to_uri) {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path from, ResolveEntry(root_, from_uri));
  REFINERY_ASSIGN_OR_RETURN(stdfs::path to, ResolveEntry(root_, to_uri));
  REFINERY_RETURN_IF_ERROR(CheckNotRoot(from, root_, from_uri, "rename"));
  REFINERY_RETURN_IF_ERROR(CheckNotRoot(to, root_, to_uri, "replace"));
  const int err = internal::RenameNoReplace(from, to);
  if (err != 0) return OsError(err, "Could not rename " + Quote(from_uri) + " to " + Quote(to_uri));
  return Status::Ok();
}

Status FileSystem::Touch(const std::string& uri) {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri, /*for_write=*/true));
  // HDFS create() makes missing parents; so does touchz.
  REFINERY_RETURN_IF_ERROR(internal::MakeDirs(local.parent_path(), uri));
  const int fd = ::open(local.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY, 0666);
  if (fd < 0) return OsError(errno, "Could not touch " + Quote(uri));
  const int rc = ::futimens(fd, nullptr);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return OsError(err, "Could not touch " + Quote(uri));
  return Status::Ok();
}

Status FileSystem::SetPermissions(const std::string& uri, int mode, bool recursive, bool dir_files) {
  if (mode < 0 || mode > 07777) {
    return Status::InvalidArgument("Permissions " + std::to_string(mode) + " for " + Quote(uri) +
                                   " are out of range: expected an octal mode 0000..7777");
  }
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri, /*for_write=*/true));
  return ChmodTree(local, uri, mode, recursive, dir_files, /*is_root=*/true);
}

Result<std::string> FileSystem::ReadFile(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri));
  const int fd = ::open(local.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return OsError(errno, "Could not read " + Quote(uri));
  std::string content;
  struct stat st;
  int err = 0;
  if (::fstat(fd, &st) != 0) {
    err = errno;
  } else if (S_ISDIR(st.st_mode)) {
    err = EISDIR;
  } else {
    char buffer[1 << 16];
    while (true) {
      const ssize_t n = ::read(fd, buffer, sizeof(buffer));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = errno;
      if (n <= 0) break;
      content.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  if (err != 0) return OsError(err, "Could not read " + Quote(uri));
  return content;
}

Status FileSystem::WriteFileAtomic(const std::string& uri, std::string_view content) {
  REFINERY_ASSIGN_OR_RETURN(stdfs::path local, Resolve(uri, /*for_write=*/true));
  REFINERY_RETURN_IF_ERROR(CheckNotRoot(local, root_, uri, "overwrite"));
  REFINERY_RETURN_IF_ERROR(internal::MakeDirs(local.parent_path(), uri));
  const stdfs::path temp = internal::HiddenSibling(local, "_refinery_tmp");
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) return OsError(errno, "Could not write " + Quote(uri));
  int err = 0;
  if (!internal::WriteAll(fd, content) || ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0 && ::rename(temp.c_str(), local.c_str()) != 0) err = errno;
  if (err != 0) {
    ::unlink(temp.c_str());
    return OsError(err, "Could not write " + Quote(uri));
  }
  return internal::FsyncPath(local.parent_path());
}

Status FileSystem::CopyFromLocal(const std::filesystem::path& local, const std::string& uri, bool overwrite) {
  const std::string what = "Could not copy " + Quote(local.native()) + " to " + Quote(uri);
  REFINERY_ASSIGN_OR_RETURN(stdfs::path target, Resolve(uri, /*for_write=*/true));
  REFINERY_RETURN_IF_ERROR(CheckNotRoot(target, root_, uri, "overwrite"));
  struct stat st;
  if (::stat(local.c_str(), &st) != 0) return OsError(errno, what);
  if (::lstat(target.c_str(), &st) == 0 && !overwrite) {
    return Status::AlreadyExists(what + ": " + Quote(uri) + " already exists");
  }
  REFINERY_RETURN_IF_ERROR(internal::MakeDirs(target.parent_path(), uri));
  const stdfs::path staging = internal::HiddenSibling(target, "_refinery_tmp");
  Status status = internal::CopyTree(local, staging, /*sync=*/true, what);
  if (status.ok()) status = internal::ReplaceAtomically(staging, target, uri);
  if (!status.ok()) {
    std::error_code ec;
    stdfs::remove_all(staging, ec);
  }
  return status;
}

Status FileSystem::CopyToLocal(const std::string& uri, const std::filesystem::path& local) {
  const std::string what = "Could not copy " + Quote(uri) + " to " + Quote(local.native());
  REFINERY_ASSIGN_OR_RETURN(stdfs::path source, Resolve(uri));
  if (local.has_parent_path()) REFINERY_RETURN_IF_ERROR(internal::MakeDirs(local.parent_path(), local.native()));
  return internal::CopyTree(source, local, /*sync=*/false, what);
}

}  // namespace refinery::fs
