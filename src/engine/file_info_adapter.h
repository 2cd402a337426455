// Lets fs:* EL functions read the file-system layer. Internal to the engine.
#pragma once

#include "el/functions.h"
#include "fs/file_system.h"

namespace refinery::engine::internal {

class FileInfoAdapter : public el::FileInfo {
 public:
  explicit FileInfoAdapter(const fs::FileSystem* files) : files_(files) {}
  Result<bool> Exists(const std::string& uri) const override;
  Result<bool> IsDir(const std::string& uri) const override;
  Result<int64_t> DirSize(const std::string& uri) const override;
  Result<int64_t> FileSize(const std::string& uri) const override;
  Result<int64_t> BlockSize(const std::string& uri) const override;

 private:
  const fs::FileSystem* files_;
};

}  // namespace refinery::engine::internal
