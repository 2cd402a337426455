// fs: where workflow data lives. Scheme-less absolute paths, ${nameNode}/path
// and hdfs://host:port/path all map into one local root under the data home
// (/user/rawzone/x is <root>/user/rawzone/x), so Oozie apps run unchanged.
// Writes never escape the root, and data is published atomically (temporary
// name, fsync, rename). file:// URIs name real local files, read-only, so an
// application can run from where it was written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/status.h"

namespace refinery::fs {

struct FileStatus {
  std::string uri;        // as "/user/x/y" (root-relative, with leading /)
  bool is_directory = false;
  int64_t size = 0;
  int64_t modified_ms = 0;
  int permissions = 0;    // e.g. 0755
};

// Thread-safe (no mutable state beyond the disk).
class FileSystem {
 public:
  explicit FileSystem(std::filesystem::path root);
  const std::filesystem::path& root() const { return root_; }

  // Maps a URI to a local path. hdfs://h:p/a, /a, and (when `for_write` is
  // false) file:///a are accepted; relative paths, other schemes and paths
  // that escape the root ("..") are InvalidArgument naming the URI
  // (FS001 missing scheme / FS002 scheme not allowed / FS011 relative where
  // Oozie has them).
  Result<std::filesystem::path> Resolve(const std::string& uri, bool for_write = false) const;

  Result<bool> Exists(const std::string& uri) const;
  Result<bool> IsDirectory(const std::string& uri) const;
  Result<FileStatus> Stat(const std::string& uri) const;
  Result<std::vector<FileStatus>> List(const std::string& uri) const;  // a dir's entries, or the file itself
  // Expands *, ? and [..] in the last components; no match = empty vector.
  Result<std::vector<std::string>> Glob(const std::string& uri) const;
  Result<int64_t> DiskUsage(const std::string& uri) const;  // recursive bytes

  Status MakeDirectories(const std::string& uri);            // mkdir -p
  Status Delete(const std::string& uri, bool recursive);     // absent = ok
  Status Rename(const std::string& from_uri, const std::string& to_uri);
  Status Touch(const std::string& uri);                      // touchz
  Status SetPermissions(const std::string& uri, int mode, bool recursive, bool dir_files);

  Result<std::string> ReadFile(const std::string& uri) const;
  // Writes to a temporary sibling, fsyncs, renames over `uri`.
  Status WriteFileAtomic(const std::string& uri, std::string_view content);
  // Copies a local file or directory (outside the root) in: `fs -put`.
  Status CopyFromLocal(const std::filesystem::path& local, const std::string& uri, bool overwrite);
  Status CopyToLocal(const std::string& uri, const std::filesystem::path& local);

 private:
  std::filesystem::path root_;
};

// Publishes a directory atomically: write everything under staging_path(),
// then Commit() renames it over the target (replacing an existing one) after
// writing `_SUCCESS` and fsyncing. Destroying it uncommitted removes the
// staging directory, so readers never see half a snapshot. A writer killed
// with SIGKILL leaves its staging directory hidden; the next Begin() on the
// same target removes it (see doc/formats/raw-zone.md).
class AtomicDirectory {
 public:
  static Result<AtomicDirectory> Begin(FileSystem* fs, const std::string& target_uri);
  ~AtomicDirectory();
  AtomicDirectory(AtomicDirectory&&) noexcept;
  AtomicDirectory& operator=(AtomicDirectory&&) = delete;
  const std::filesystem::path& staging_path() const { return staging_; }
  Status Commit(bool write_success_marker = true);

 private:
  AtomicDirectory(std::filesystem::path staging, std::filesystem::path target);
  std::filesystem::path staging_;
  std::filesystem::path target_;
  bool done_ = false;
};

}  // namespace refinery::fs
