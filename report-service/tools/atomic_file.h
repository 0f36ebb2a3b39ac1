// Writing files so that no reader ever sees a half-written one.
#ifndef REPORT_SERVICE_TOOLS_ATOMIC_FILE_H_
#define REPORT_SERVICE_TOOLS_ATOMIC_FILE_H_

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace missions::report {

// Writes `content` to `path` atomically: into a temporary file in the same
// directory, flushed to disk, then renamed over `path` (and the directory
// flushed). On error the temporary file is removed and `path` is untouched.
// Returns NotFound if the directory does not exist, PermissionDenied if it
// cannot be written, Internal for other I/O errors; each names the path.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content);

// Writes a file that arrives in parts, atomically: the parts go to a
// temporary file next to `path`, which Commit() flushes and renames over
// `path`. Destroying the writer before Commit() removes the temporary
// file and leaves `path` untouched. Errors as WriteFileAtomically.
class AtomicFileWriter {
 public:
  // Creates the temporary file.
  static absl::StatusOr<std::unique_ptr<AtomicFileWriter>> Open(
      const std::string& path);
  ~AtomicFileWriter();

  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  // Appends `data` to the temporary file.
  absl::Status Append(absl::string_view data);
  // Flushes the temporary file to disk and renames it over `path`; the
  // writer is done afterwards.
  absl::Status Commit();

  const std::string& path() const { return path_; }
  size_t size() const { return size_; }

 private:
  AtomicFileWriter(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  void Abort();

  std::string path_;
  std::string temp_path_;
  int fd_;
  size_t size_ = 0;
};

}  // namespace missions::report

#endif  // REPORT_SERVICE_TOOLS_ATOMIC_FILE_H_
