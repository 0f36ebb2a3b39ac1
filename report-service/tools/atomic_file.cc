#include "report-service/tools/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "absl/strings/str_cat.h"

namespace missions::report {
namespace {

absl::Status ErrnoStatus(int error, absl::string_view what,
                         absl::string_view path) {
  const std::string message =
      absl::StrCat(what, " ", path, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    default:
      return absl::InternalError(message);
  }
}

std::string DirectoryOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

}  // namespace

absl::StatusOr<std::unique_ptr<AtomicFileWriter>> AtomicFileWriter::Open(
    const std::string& path) {
  std::string pattern = absl::StrCat(path, ".tmp.XXXXXX");
  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');
  const int fd = mkstemp(temp.data());
  if (fd < 0) return ErrnoStatus(errno, "cannot create a file next to", path);
  return std::unique_ptr<AtomicFileWriter>(
      new AtomicFileWriter(path, std::string(temp.data()), fd));
}

AtomicFileWriter::~AtomicFileWriter() { Abort(); }

void AtomicFileWriter::Abort() {
  if (fd_ < 0) return;
  close(fd_);
  unlink(temp_path_.c_str());
  fd_ = -1;
}

absl::Status AtomicFileWriter::Append(absl::string_view data) {
  if (fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the writer of ", path_, " is closed"));
  }
  size_t written = 0;
  while (written < data.size()) {
    const ssize_t n = write(fd_, data.data() + written, data.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      Abort();
      return ErrnoStatus(error, "cannot write", path_);
    }
    written += static_cast<size_t>(n);
  }
  size_ += data.size();
  return absl::OkStatus();
}

absl::Status AtomicFileWriter::Commit() {
  if (fd_ < 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("the writer of ", path_, " is closed"));
  }
  const auto fail = [this](absl::string_view what) {
    const int error = errno;
    Abort();
    return ErrnoStatus(error, what, path_);
  };
  // Readable like an ordinary file (mkstemp creates it 0600).
  if (fchmod(fd_, 0644) != 0) return fail("cannot set permissions of");
  if (fsync(fd_) != 0) return fail("cannot flush");
  const int fd = fd_;
  fd_ = -1;
  if (close(fd) != 0) {
    const int error = errno;
    unlink(temp_path_.c_str());
    return ErrnoStatus(error, "cannot close", path_);
  }
  if (rename(temp_path_.c_str(), path_.c_str()) != 0) {
    const int error = errno;
    unlink(temp_path_.c_str());
    return ErrnoStatus(error, "cannot rename into", path_);
  }
  const int dir_fd = open(DirectoryOf(path_).c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return absl::OkStatus();
}

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content) {
  absl::StatusOr<std::unique_ptr<AtomicFileWriter>> writer =
      AtomicFileWriter::Open(path);
  if (!writer.ok()) return writer.status();
  if (absl::Status status = (*writer)->Append(content); !status.ok()) {
    return status;
  }
  return (*writer)->Commit();
}

}  // namespace missions::report
