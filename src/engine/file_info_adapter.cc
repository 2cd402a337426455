#include "engine/file_info_adapter.h"

namespace refinery::engine::internal {
namespace {
// HDFS's default block size; reported so fs:blockSize answers as Oozie's does.
constexpr int64_t kBlockSize = 128LL * 1024 * 1024;
}  // namespace

Result<bool> FileInfoAdapter::Exists(const std::string& uri) const {
  if (uri.find_first_of("*?[") != std::string::npos) {
    REFINERY_ASSIGN_OR_RETURN(auto matches, files_->Glob(uri));
    return !matches.empty();
  }
  return files_->Exists(uri);
}

Result<bool> FileInfoAdapter::IsDir(const std::string& uri) const { return files_->IsDirectory(uri); }

Result<int64_t> FileInfoAdapter::DirSize(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(bool is_dir, files_->IsDirectory(uri));
  if (!is_dir) return int64_t{-1};
  // Oozie sums the sizes of the directory's direct files, not recursively.
  REFINERY_ASSIGN_OR_RETURN(auto entries, files_->List(uri));
  int64_t total = 0;
  for (const auto& entry : entries) {
    if (!entry.is_directory) total += entry.size;
  }
  return total;
}

Result<int64_t> FileInfoAdapter::FileSize(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(bool exists, files_->Exists(uri));
  if (!exists) return int64_t{-1};
  REFINERY_ASSIGN_OR_RETURN(auto status, files_->Stat(uri));
  return status.is_directory ? int64_t{-1} : status.size;
}

Result<int64_t> FileInfoAdapter::BlockSize(const std::string& uri) const {
  REFINERY_ASSIGN_OR_RETURN(bool exists, files_->Exists(uri));
  if (!exists) return int64_t{-1};
  return kBlockSize;
}

}  // namespace refinery::engine::internal
