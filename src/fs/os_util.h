// Internal to fs/: thin wrappers over POSIX calls that turn errno into a
// Status naming the path, plus the copy / fsync / atomic-replace steps that
// FileSystem and AtomicDirectory share. Not part of the public API.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "core/status.h"

namespace refinery::fs::internal {

// `<what>: <strerror(err)>`, with the category chosen from errno: ENOENT is
// NotFound, EEXIST/ENOTEMPTY AlreadyExists, EACCES/EPERM/EROFS
// FailedPrecondition with Oozie's FS014 (access control), the rest IoError.
Status OsError(int err, const std::string& what);

// `"text"` — how messages quote user values.
std::string Quote(std::string_view text);

// 16 lowercase hex characters from a per-thread random engine.
std::string RandomSuffix();

// A hidden sibling name for temporary work next to `target`:
// <parent>/.<name>.<tag>_<host>-<pid>-<random>. Host and pid say who owns
// it, so work left behind by a killed process can be recognized.
std::filesystem::path HiddenSibling(const std::filesystem::path& target, std::string_view tag);

// Removes the hidden siblings of `target` that a process of this host left
// behind when it was killed (its pid no longer runs): staging directories are
// deleted; an old copy moved aside is put back when `target` is missing (a
// crash between the two renames of the fallback replace), else deleted.
// Siblings of live processes or other hosts are left alone. Returns how many
// it cleaned.
int SweepAbandonedSiblings(const std::filesystem::path& target);

// Creates `dir` and its missing parents (mode 0777 before umask). An existing
// non-directory component is ENOTDIR. `uri` names the path in messages.
Status MakeDirs(const std::filesystem::path& dir, const std::string& uri);

// Writes all of `data` to `fd`, retrying short writes and EINTR.
bool WriteAll(int fd, std::string_view data);

// fsync on a file or directory opened read-only.
Status FsyncPath(const std::filesystem::path& path);
// fsync every regular file and directory under `root` (and root itself).
Status FsyncTree(const std::filesystem::path& root);

// Copies a file or a directory tree. Symbolic links are followed (a link to
// a directory at most 40 levels deep, so loops end); fifos, sockets and
// devices inside a tree are skipped. Regular files keep their permission
// bits. Existing files at `to` are overwritten. When `sync` is true every
// copied file is fsynced. `what` prefixes error messages.
Status CopyTree(const std::filesystem::path& from, const std::filesystem::path& to, bool sync,
                const std::string& what);

// Moves `staging` to `target`, replacing whatever is there, so that `target`
// always names either the old or the new content: RENAME_EXCHANGE where the
// file system supports it, otherwise old aside, new in, old removed. Then
// fsyncs the parent directory.
Status ReplaceAtomically(const std::filesystem::path& staging, const std::filesystem::path& target,
                         const std::string& uri);

// rename(2) that refuses to replace an existing entry (RENAME_NOREPLACE, or a
// check-then-rename where the kernel lacks it).
int RenameNoReplace(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace refinery::fs::internal
