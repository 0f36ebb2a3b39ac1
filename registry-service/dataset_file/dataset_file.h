// The registry data file: a YAML document holding one registry.v1.Dataset
// (format in registry-service/data/README.md), read with the generic reader
// of yaml_to_proto.h.
//
// Reading checks the file's form only (keys, kinds, numbers, enum names,
// dates); the records' rules are checked afterwards by ValidateDataset
// (registry-service/domain/validation.h), whose violations
// FormatViolations places back in the file.
#ifndef REGISTRY_SERVICE_DATASET_FILE_DATASET_FILE_H_
#define REGISTRY_SERVICE_DATASET_FILE_DATASET_FILE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "proto/common/errors.h"
#include "registry-service/dataset_file/yaml_to_proto.h"
#include "registry-service/domain/validation.h"
#include "registry/v1/registry_service.pb.h"

namespace missions::registry {

// A data file read into a Dataset.
struct ParsedDataset {
  ::registry::v1::Dataset dataset;
  // Field path (relative to the Dataset, as in validation.h) -> where its
  // value starts in the file.
  PositionMap positions;
};

// Reads the text of a data file; `file_name` is used in messages only.
// Returns InvalidArgument listing every error as
// "file:line:col: path: reason" (one per line), with a BadRequest payload
// holding one violation per error; see ReadYamlMessage for what is an
// error.
absl::StatusOr<ParsedDataset> ParseDatasetYaml(absl::string_view text,
                                               absl::string_view file_name);

// Reads and parses the data file at `path`. Returns NotFound if it does not
// exist, PermissionDenied if it may not be read, InvalidArgument if it is a
// directory, larger than 64 MiB or not a valid data file (as
// ParseDatasetYaml), and the errno's code for other read failures; every
// message names the path.
absl::StatusOr<ParsedDataset> ReadDatasetFile(const std::string& path);

// A data file checked as a whole: its form and, unless it is not even
// valid YAML, its records' rules (ValidateDataset).
struct DatasetFileCheck {
  // What could be read; incomplete where `errors` name form errors.
  ParsedDataset parsed;
  // Every error, in file order; a field with a form error is not reported
  // again for the rules. Empty if the file is valid.
  std::vector<YamlError> errors;
};

// Reads the file at `path` and checks it as a whole, resolving references
// outside the file with `references`. Returns the read errors of
// ReadDatasetFile (NotFound, PermissionDenied, ...) as a status; problems
// in the file's content come back in DatasetFileCheck::errors.
absl::StatusOr<DatasetFileCheck> CheckDatasetFile(
    const std::string& path, const ReferenceLookup& references);

// Formats violations (paths relative to the Dataset) as lines
// "file:line:col: field: description\n", each at the position of the
// violation's field or, when the file does not set that field, of the
// closest enclosing one.
std::string FormatViolations(absl::string_view file_name,
                             const ParsedDataset& parsed,
                             const std::vector<FieldViolation>& violations);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DATASET_FILE_DATASET_FILE_H_
