#include "registry-service/dataset_file/dataset_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <tuple>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"

namespace missions::registry {
namespace {

constexpr size_t kMaxFileBytes = size_t{64} << 20;

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

absl::Status ErrnoStatus(int error_number, const std::string& path,
                         absl::string_view action) {
  const std::string message = absl::StrCat("cannot ", action, " ", path, ": ",
                                           std::strerror(error_number));
  switch (error_number) {
    case ENOENT:
    case ENOTDIR:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EISDIR:
      return absl::InvalidArgumentError(message);
    default:
      return absl::Status(absl::ErrnoToStatusCode(error_number), message);
  }
}

}  // namespace

absl::StatusOr<ParsedDataset> ParseDatasetYaml(absl::string_view text,
                                               absl::string_view file_name) {
  ParsedDataset parsed;
  YamlReadOptions options;
  options.max_input_bytes = kMaxFileBytes;
  const std::vector<YamlError> errors =
      ReadYamlMessage(text, &parsed.dataset, &parsed.positions, options);
  if (!errors.empty()) return YamlErrorsToStatus(file_name, errors);
  return parsed;
}

namespace {

// Reads the file at `path` (at most kMaxFileBytes); errors as documented for
// ReadDatasetFile.
absl::StatusOr<std::string> ReadFileText(const std::string& path) {
  std::unique_ptr<std::FILE, FileCloser> file(std::fopen(path.c_str(), "rb"));
  if (file == nullptr) return ErrnoStatus(errno, path, "open");
  struct stat info {};
  if (fstat(fileno(file.get()), &info) == 0 && S_ISDIR(info.st_mode)) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot read ", path, ": it is a directory"));
  }
  // Read at most one byte more than allowed, whatever the file claims to
  // be (a pipe or device has no useful size).
  std::string text;
  char buffer[64 * 1024];
  while (text.size() <= kMaxFileBytes) {
    const size_t n = std::fread(buffer, 1, sizeof(buffer), file.get());
    text.append(buffer, n);
    if (n < sizeof(buffer)) break;
  }
  if (std::ferror(file.get())) return ErrnoStatus(errno, path, "read");
  if (text.size() > kMaxFileBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, " is larger than ", kMaxFileBytes >> 20,
                     " MiB; a data file may not be"));
  }
  return text;
}

// True if `path` is `prefix` or lies below it.
bool IsAtOrBelow(absl::string_view path, absl::string_view prefix) {
  if (!absl::StartsWith(path, prefix)) return false;
  if (path.size() == prefix.size()) return true;
  const char next = path[prefix.size()];
  return next == '.' || next == '[';
}

}  // namespace

absl::StatusOr<ParsedDataset> ReadDatasetFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileText(path));
  return ParseDatasetYaml(text, path);
}

absl::StatusOr<DatasetFileCheck> CheckDatasetFile(
    const std::string& path, const ReferenceLookup& references) {
  ASSIGN_OR_RETURN(std::string text, ReadFileText(path));
  DatasetFileCheck check;
  YamlReadOptions options;
  options.max_input_bytes = kMaxFileBytes;
  check.errors = ReadYamlMessage(text, &check.parsed.dataset,
                                 &check.parsed.positions, options);
  const bool syntax_error =
      std::any_of(check.errors.begin(), check.errors.end(),
                  [](const YamlError& e) { return e.path.empty(); });
  if (!syntax_error) {
    // The records' rules, on what could be read; a field whose form was
    // wrong is reported once, for its form.
    const std::vector<YamlError> form_errors = check.errors;
    const ViolationList violations =
        ValidateDataset(check.parsed.dataset, references);
    for (const FieldViolation& v : violations.violations()) {
      const bool already = std::any_of(
          form_errors.begin(), form_errors.end(),
          [&](const YamlError& e) { return IsAtOrBelow(v.field, e.path); });
      if (already) continue;
      check.errors.push_back(
          {v.field, ClosestPosition(check.parsed.positions, v.field), v.description});
    }
  }
  std::stable_sort(check.errors.begin(), check.errors.end(),
                   [](const YamlError& a, const YamlError& b) {
                     return std::tie(a.position.line, a.position.column) <
                            std::tie(b.position.line, b.position.column);
                   });
  return check;
}

std::string FormatViolations(absl::string_view file_name,
                             const ParsedDataset& parsed,
                             const std::vector<FieldViolation>& violations) {
  std::string out;
  for (const FieldViolation& violation : violations) {
    const YamlError located{violation.field,
                            ClosestPosition(parsed.positions, violation.field),
                            violation.description};
    absl::StrAppend(&out, FormatYamlError(file_name, located), "\n");
  }
  return out;
}

}  // namespace missions::registry
