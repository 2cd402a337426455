#include "fs/os_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <random>
#include <system_error>
#include <vector>

#include "core/log.h"

namespace refinery::fs::internal {
namespace stdfs = std::filesystem;

namespace {

constexpr int kMaxCopyDepth = 40;  // like the kernel's symlink limit

// Closes a file descriptor when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Closes now and reports whether close(2) succeeded.
  bool Close() {
    const int fd = fd_;
    fd_ = -1;
    return fd < 0 || ::close(fd) == 0;
  }

 private:
  int fd_;
};

Status CopyFile(const stdfs::path& from, const stdfs::path& to, mode_t mode, bool sync,
                const std::string& what) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return OsError(errno, what + ": could not open " + Quote(from.native()));
  Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777));
  if (out.get() < 0) return OsError(errno, what + ": could not create " + Quote(to.native()));
  std::vector<char> buffer(1 << 16);
  while (true) {
    const ssize_t n = ::read(in.get(), buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return OsError(errno, what + ": could not read " + Quote(from.native()));
    if (n == 0) break;
    if (!WriteAll(out.get(), std::string_view(buffer.data(), static_cast<size_t>(n)))) {
      return OsError(errno, what + ": could not write " + Quote(to.native()));
    }
  }
  // O_CREAT's mode is filtered by the umask; a shipped script must stay executable.
  if (::fchmod(out.get(), mode & 07777) != 0) {
    return OsError(errno, what + ": could not set permissions of " + Quote(to.native()));
  }
  if (sync && ::fsync(out.get()) != 0) return OsError(errno, what + ": could not fsync " + Quote(to.native()));
  if (!out.Close()) return OsError(errno, what + ": could not close " + Quote(to.native()));
  return Status::Ok();
}

Status CopyTreeAt(const stdfs::path& from, const stdfs::path& to, bool sync, const std::string& what,
                  int depth, bool top) {
  if (depth > kMaxCopyDepth) return OsError(ELOOP, what + ": " + Quote(from.native()));
  struct stat st;
  if (::stat(from.c_str(), &st) != 0) return OsError(errno, what + ": " + Quote(from.native()));
  if (S_ISREG(st.st_mode)) return CopyFile(from, to, st.st_mode, sync, what);
  if (!S_ISDIR(st.st_mode)) {
    if (top) return Status::InvalidArgument(what + ": " + Quote(from.native()) + " is not a regular file or directory");
    return Status::Ok();  // a fifo or device inside a tree: skipped
  }
  if (::mkdir(to.c_str(), 0777) != 0 && errno != EEXIST) {
    return OsError(errno, what + ": could not create directory " + Quote(to.native()));
  }
  std::error_code ec;
  stdfs::directory_iterator it(from, ec);
  if (ec) return OsError(ec.value(), what + ": could not list " + Quote(from.native()));
  for (; it != stdfs::directory_iterator(); it.increment(ec)) {
    const stdfs::path name = it->path().filename();
    REFINERY_RETURN_IF_ERROR(CopyTreeAt(it->path(), to / name, sync, what, depth + 1, false));
  }
  if (ec) return OsError(ec.value(), what + ": could not list " + Quote(from.native()));
  if (sync) return FsyncPath(to);
  return Status::Ok();
}

}  // namespace

Status OsError(int err, const std::string& what) {
  std::string message = what + ": " + std::generic_category().message(err);
  switch (err) {
    case ENOENT:
      return Status::NotFound(std::move(message));
    case EEXIST:
    case ENOTEMPTY:
      return Status::AlreadyExists(std::move(message));
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::FailedPrecondition(std::move(message), "FS014");
    default:
      return Status::IoError(std::move(message));
  }
}

std::string Quote(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

std::string RandomSuffix() {
  thread_local std::mt19937_64 engine(std::random_device{}());
  static const char kHex[] = "0123456789abcdef";
  uint64_t bits = engine();
  std::string out(16, '0');
  for (char& c : out) {
    c = kHex[bits & 0xF];
    bits >>= 4;
  }
  return out;
}

namespace {

constexpr std::string_view kStagingTag = "_refinery_tmp";
constexpr std::string_view kAsideTag = "_refinery_old";

// This host's name with anything but [A-Za-z0-9.] made '.', so the owner
// part of a sibling's name parses back unambiguously.
const std::string& HostTag() {
  static const std::string tag = [] {
    char name[256] = {};
    if (::gethostname(name, sizeof(name) - 1) != 0) return std::string("localhost");
    std::string out(name);
    for (char& c : out) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.') c = '.';
    }
    return out.empty() ? std::string("localhost") : out;
  }();
  return tag;
}

struct SiblingOwner {
  std::string tag;   // _refinery_tmp or _refinery_old
  std::string host;
  pid_t pid = 0;
};

// Parses ".<name>.<tag>_<host>-<pid>-<random>"; nullopt for anything else.
std::optional<SiblingOwner> ParseSibling(const std::string& entry, const std::string& target_name) {
  const std::string prefix = "." + target_name + ".";
  if (entry.rfind(prefix, 0) != 0) return std::nullopt;
  const std::string rest = entry.substr(prefix.size());
  for (std::string_view tag : {kStagingTag, kAsideTag}) {
    if (rest.rfind(std::string(tag) + "_", 0) != 0) continue;
    const std::string owner = rest.substr(tag.size() + 1);
    const size_t random_dash = owner.rfind('-');
    if (random_dash == std::string::npos || random_dash == 0) return std::nullopt;
    const size_t pid_dash = owner.rfind('-', random_dash - 1);
    if (pid_dash == std::string::npos) return std::nullopt;
    const std::string pid_text = owner.substr(pid_dash + 1, random_dash - pid_dash - 1);
    if (pid_text.empty() || pid_text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    return SiblingOwner{std::string(tag), owner.substr(0, pid_dash), static_cast<pid_t>(std::stol(pid_text))};
  }
  return std::nullopt;
}

bool ProcessIsGone(pid_t pid) { return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH; }

}  // namespace

stdfs::path HiddenSibling(const stdfs::path& target, std::string_view tag) {
  std::string name = ".";
  name += target.filename().native();
  name += '.';
  name += tag;
  name += '_';
  name += HostTag();
  name += '-';
  name += std::to_string(::getpid());
  name += '-';
  name += RandomSuffix();
  return target.parent_path() / name;
}

int SweepAbandonedSiblings(const stdfs::path& target) {
  std::error_code ec;
  int cleaned = 0;
  const std::string target_name = target.filename().native();
  for (const auto& entry : stdfs::directory_iterator(target.parent_path(), ec)) {
    const std::string name = entry.path().filename().native();
    const auto owner = ParseSibling(name, target_name);
    if (!owner || owner->host != HostTag() || !ProcessIsGone(owner->pid)) continue;
    std::error_code ignored;
    if (owner->tag == kAsideTag && !stdfs::exists(target, ignored)) {
      if (::rename(entry.path().c_str(), target.c_str()) == 0) {
        Log(LogLevel::kWarn, "restored " + Quote(target.native()) + " from the copy process " +
                                 std::to_string(owner->pid) + " moved aside before it was killed");
        ++cleaned;
      }
      continue;
    }
    stdfs::remove_all(entry.path(), ignored);
    if (!ignored) {
      Log(LogLevel::kInfo, "removed " + Quote(entry.path().native()) + ", left by process " +
                               std::to_string(owner->pid) + " that no longer runs");
      ++cleaned;
    }
  }
  return cleaned;
}

Status MakeDirs(const stdfs::path& dir, const std::string& uri) {
  struct stat existing;
  if (::stat(dir.c_str(), &existing) == 0 && S_ISDIR(existing.st_mode)) return Status::Ok();  // the common case
  stdfs::path current;
  for (const stdfs::path& part : dir) {
    current /= part;
    if (part == "/" || part.empty()) continue;
    if (::mkdir(current.c_str(), 0777) == 0) continue;
    const int err = errno;
    struct stat st;
    if (err == EEXIST && ::stat(current.c_str(), &st) == 0) {
      if (S_ISDIR(st.st_mode)) continue;
      return OsError(ENOTDIR, "Could not create directory " + Quote(uri) + ": " + Quote(current.native()) +
                                  " is a file");
    }
    return OsError(err, "Could not create directory " + Quote(uri));
  }
  return Status::Ok();
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Status FsyncPath(const stdfs::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return OsError(errno, "Could not open " + Quote(path.native()) + " to fsync it");
  if (::fsync(fd.get()) != 0 && errno != EINVAL) {
    return OsError(errno, "Could not fsync " + Quote(path.native()));
  }
  return Status::Ok();
}

Status FsyncTree(const stdfs::path& root) {
  std::error_code ec;
  stdfs::recursive_directory_iterator it(root, ec);
  if (ec) return OsError(ec.value(), "Could not list " + Quote(root.native()));
  for (; it != stdfs::recursive_directory_iterator(); it.increment(ec)) {
    const stdfs::file_status status = it->symlink_status(ec);
    if (ec) break;
    if (stdfs::is_regular_file(status) || stdfs::is_directory(status)) {
      REFINERY_RETURN_IF_ERROR(FsyncPath(it->path()));
    }
  }
  if (ec) return OsError(ec.value(), "Could not list " + Quote(root.native()));
  return FsyncPath(root);
}

Status CopyTree(const stdfs::path& from, const stdfs::path& to, bool sync, const std::string& what) {
  return CopyTreeAt(from, to, sync, what, 0, true);
}

int RenameNoReplace(const stdfs::path& from, const stdfs::path& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  // The file system lacks RENAME_NOREPLACE: check, then rename (racy, rare).
  struct stat st;
  if (::lstat(to.c_str(), &st) == 0) return EEXIST;
  if (::rename(from.c_str(), to.c_str()) == 0) return 0;
  return errno;
}

Status ReplaceAtomically(const stdfs::path& staging, const stdfs::path& target, const std::string& uri) {
  const std::string what = "Could not replace " + Quote(uri);
  int err = RenameNoReplace(staging, target);
  if (err == 0) return FsyncPath(target.parent_path());
  if (err != EEXIST && err != ENOTEMPTY) return OsError(err, what);

  std::error_code ec;
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    // `staging` now holds the old content.
    REFINERY_RETURN_IF_ERROR(FsyncPath(target.parent_path()));
    stdfs::remove_all(staging, ec);
    if (ec) Log(LogLevel::kWarn, "could not remove the replaced copy " + Quote(staging.native()) + ": " + ec.message());
    return Status::Ok();
  }
  if (errno != EINVAL && errno != ENOSYS) return OsError(errno, what);

  const stdfs::path aside = HiddenSibling(target, "_refinery_old");
  if (::rename(target.c_str(), aside.c_str()) != 0) return OsError(errno, what + ": could not move the old copy aside");
  if (::rename(staging.c_str(), target.c_str()) != 0) {
    err = errno;
    if (::rename(aside.c_str(), target.c_str()) != 0) {
      Log(LogLevel::kError, "could not restore " + Quote(target.native()) + " from " + Quote(aside.native()));
    }
    return OsError(err, what);
  }
  REFINERY_RETURN_IF_ERROR(FsyncPath(target.parent_path()));
  stdfs::remove_all(aside, ec);
  if (ec) Log(LogLevel::kWarn, "could not remove the replaced copy " + Quote(aside.native()) + ": " + ec.message());
  return Status::Ok();
}

}  // namespace refinery::fs::internal
