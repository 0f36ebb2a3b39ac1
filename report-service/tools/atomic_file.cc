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

absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content) {
  const std::string directory = DirectoryOf(path);
  std::string pattern = absl::StrCat(path, ".tmp.XXXXXX");
  std::vector<char> temp(pattern.begin(), pattern.end());
  temp.push_back('\0');
  const int fd = mkstemp(temp.data());
  if (fd < 0) return ErrnoStatus(errno, "cannot create a file next to", path);
  const std::string temp_path(temp.data());
  const auto fail = [&](absl::string_view what) {
    const int error = errno;
    close(fd);
    unlink(temp_path.c_str());
    return ErrnoStatus(error, what, path);
  };
  size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail("cannot write");
    }
    written += static_cast<size_t>(n);
  }
  // Readable like an ordinary file (mkstemp creates it 0600).
  if (fchmod(fd, 0644) != 0) return fail("cannot set permissions of");
  if (fsync(fd) != 0) return fail("cannot flush");
  if (close(fd) != 0) {
    const int error = errno;
    unlink(temp_path.c_str());
    return ErrnoStatus(error, "cannot close", path);
  }
  if (rename(temp_path.c_str(), path.c_str()) != 0) {
    const int error = errno;
    unlink(temp_path.c_str());
    return ErrnoStatus(error, "cannot rename into", path);
  }
  const int dir_fd = open(directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return absl::OkStatus();
}

}  // namespace missions::report
