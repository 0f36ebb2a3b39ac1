// Writing files so that no reader ever sees a half-written one.
#ifndef REPORT_SERVICE_TOOLS_ATOMIC_FILE_H_
#define REPORT_SERVICE_TOOLS_ATOMIC_FILE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace missions::report {

// Writes `content` to `path` atomically: into a temporary file in the same
// directory, flushed to disk, then renamed over `path` (and the directory
// flushed). On error the temporary file is removed and `path` is untouched.
// Returns NotFound if the directory does not exist, PermissionDenied if it
// cannot be written, Internal for other I/O errors; each names the path.
absl::Status WriteFileAtomically(const std::string& path,
                                 absl::string_view content);

}  // namespace missions::report

#endif  // REPORT_SERVICE_TOOLS_ATOMIC_FILE_H_
