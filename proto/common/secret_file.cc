#include "proto/common/secret_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace missions {
namespace {

// "TLS private key /etc/x/key.pem".
std::string Describe(absl::string_view what, const std::string& path) {
  return absl::StrCat(what, " ", path);
}

absl::Status OpenError(int error_number, absl::string_view what,
                       const std::string& path) {
  std::string message = absl::StrCat("cannot open ", Describe(what, path), ": ",
                                     std::strerror(error_number));
  if (error_number == ENOENT || error_number == ENOTDIR) {
    return absl::NotFoundError(message);
  }
  if (error_number == EACCES || error_number == EPERM) {
    return absl::PermissionDeniedError(message);
  }
  return absl::ErrnoToStatus(error_number, message);
}

// The rules every file read here obeys, on the stat of the opened file (or
// of the path, for CheckSecretFilePermissions).
absl::Status CheckStat(const struct stat& info, absl::string_view what,
                       const std::string& path, bool secret, size_t max_bytes) {
  if (!S_ISREG(info.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(what, path), " is not a regular file"));
  }
  const unsigned mode = static_cast<unsigned>(info.st_mode) & 07777u;
  if (secret && (mode & 077u) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "%s has mode %04o: it must not be accessible to group or others "
        "(chmod 600 %s)",
        Describe(what, path), mode, path));
  }
  if (max_bytes != 0 && static_cast<unsigned long long>(info.st_size) >
                            static_cast<unsigned long long>(max_bytes)) {
    return absl::FailedPreconditionError(
        absl::StrCat(Describe(what, path), " is larger than ", max_bytes,
                     " bytes (", info.st_size, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadCheckedFile(const std::string& path,
                                            absl::string_view what,
                                            size_t max_bytes, bool secret) {
  // O_NONBLOCK: opening a FIFO must not block; the fstat below refuses it.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return OpenError(errno, what, path);
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};

  // The checks are made on the opened file, so the file read is the file
  // checked even if the path is replaced meanwhile.
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat("cannot stat ", Describe(what, path)));
  }
  if (absl::Status checked = CheckStat(info, what, path, secret, max_bytes);
      !checked.ok()) {
    return checked;
  }

  std::string content;
  content.reserve(static_cast<size_t>(info.st_size));
  char buffer[8192];
  while (true) {
    ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return absl::ErrnoToStatus(
          errno, absl::StrCat("cannot read ", Describe(what, path)));
    }
    if (got == 0) break;
    content.append(buffer, static_cast<size_t>(got));
    // The file may have grown since the fstat.
    if (content.size() > max_bytes) {
      return absl::FailedPreconditionError(absl::StrCat(
          Describe(what, path), " is larger than ", max_bytes, " bytes"));
    }
  }
  return content;
}

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const std::string& path,
                                           absl::string_view what,
                                           size_t max_bytes) {
  return ReadCheckedFile(path, what, max_bytes, /*secret=*/true);
}

absl::Status CheckSecretFilePermissions(const std::string& path,
                                        absl::string_view what) {
  struct stat info;
  if (::stat(path.c_str(), &info) != 0) return OpenError(errno, what, path);
  return CheckStat(info, what, path, /*secret=*/true, /*max_bytes=*/0);
}

absl::StatusOr<std::string> ReadPublicFile(const std::string& path,
                                           absl::string_view what,
                                           size_t max_bytes) {
  return ReadCheckedFile(path, what, max_bytes, /*secret=*/false);
}

}  // namespace missions
