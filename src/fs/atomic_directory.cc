#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "fs/file_system.h"
#include "fs/os_util.h"

namespace refinery::fs {
namespace stdfs = std::filesystem;
using internal::OsError;
using internal::Quote;

Result<AtomicDirectory> AtomicDirectory::Begin(FileSystem* fs, const std::string& target_uri) {
  if (fs == nullptr) return Status::Internal("AtomicDirectory::Begin needs a file system");
  REFINERY_ASSIGN_OR_RETURN(stdfs::path target, fs->Resolve(target_uri, /*for_write=*/true));
  std::error_code ec;
  if (stdfs::weakly_canonical(target, ec) == stdfs::weakly_canonical(fs->root(), ec)) {
    return Status::InvalidArgument("Refusing to publish over " + Quote(target_uri) + ": it is the data root itself");
  }
  REFINERY_RETURN_IF_ERROR(internal::MakeDirs(target.parent_path(), target_uri));
  // What a killed writer of this target left behind goes before new work starts.
  internal::SweepAbandonedSiblings(target);
  const stdfs::path staging = internal::HiddenSibling(target, "_refinery_tmp");
  if (::mkdir(staging.c_str(), 0777) != 0) {
    return OsError(errno, "Could not create a staging directory for " + Quote(target_uri));
  }
  return AtomicDirectory(staging, target);
}

AtomicDirectory::AtomicDirectory(std::filesystem::path staging, std::filesystem::path target)
    : staging_(std::move(staging)), target_(std::move(target)) {}

AtomicDirectory::AtomicDirectory(AtomicDirectory&& other) noexcept
    : staging_(std::move(other.staging_)), target_(std::move(other.target_)), done_(other.done_) {
  other.staging_.clear();
  other.done_ = true;
}

AtomicDirectory::~AtomicDirectory() {
  if (done_ || staging_.empty()) return;
  std::error_code ec;
  stdfs::remove_all(staging_, ec);
}

Status AtomicDirectory::Commit(bool write_success_marker) {
  if (done_) return Status::FailedPrecondition("AtomicDirectory for " + Quote(target_.native()) + " is already committed");
  const std::string uri = target_.native();
  if (write_success_marker) {
    const stdfs::path marker = staging_ / "_SUCCESS";
    const int fd = ::open(marker.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return OsError(errno, "Could not write " + Quote(marker.native()));
    ::close(fd);
  }
  REFINERY_RETURN_IF_ERROR(internal::FsyncTree(staging_));
  REFINERY_RETURN_IF_ERROR(internal::ReplaceAtomically(staging_, target_, uri));
  done_ = true;
  return Status::Ok();
}

}  // namespace refinery::fs
