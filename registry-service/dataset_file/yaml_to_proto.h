// A generic reader from YAML (libyaml) into protocol buffer messages, driven
// by protobuf reflection.
//
// Mapping of the document onto the message:
// - message: a mapping whose keys are the proto field names. Unknown and
//   duplicate keys are errors. Two members of one oneof are an error.
// - repeated field: a sequence. map field: a mapping (keys parsed as the
//   map's key type).
// - string: any scalar. bytes: the scalar's text as is.
// - integers: decimal with an optional sign ("15", "-3"); no leading zeros
//   (YAML 1.1 would read 015 as octal), no other bases; out of range is an
//   error. float/double: decimal or .inf/-.inf/.nan. bool: true/false.
// - enum: the value name in full (LEAD_ORGANIZATION_EU) or without the
//   prefix derived from the enum type's name (LeadOrganization ->
//   LEAD_ORGANIZATION_, so EU). Numbers are not accepted.
// - google.type.Date: a scalar "YYYY-MM-DD", "YYYY-MM" or "YYYY"
//   (missions::ParseDate); a mapping {year, month, day} also works.
// - A null value (an empty value, ~ or null, unquoted) of a field leaves the
//   field unset (no presence, even for proto3 `optional`); inside a sequence
//   or as a map value it is the empty string or the empty message (and an
//   error for other types).
// - Anchors, aliases, tags and more than one document are errors.
//
// Field paths (in errors and positions) are relative to the root message:
// proto field names joined by dots, `[i]` for sequence elements and
// `["key"]` for map entries (key escaped as in C), e.g.
// `missions[0].mission.full_name["en"]`. The root itself is "".
//
// Every error is collected (up to a limit), not only the first. The reader
// is meant to face hostile input: input size, nesting depth, node count and
// error count are limited, and it never crashes or loops on any input.
//
// Thread-compatible: one call per message at a time.
#ifndef REGISTRY_SERVICE_DATASET_FILE_YAML_TO_PROTO_H_
#define REGISTRY_SERVICE_DATASET_FILE_YAML_TO_PROTO_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace missions::registry {

// A place in the input, 1-based; 0 for "unknown".
struct SourcePosition {
  int line = 0;
  int column = 0;  // in characters

  bool operator==(const SourcePosition&) const = default;
};

// Field path -> where its value starts.
using PositionMap = absl::flat_hash_map<std::string, SourcePosition>;

// One error found while reading.
struct YamlError {
  std::string path;  // field path; "" when no field applies (syntax errors)
  SourcePosition position;
  std::string reason;  // a sentence a person understands

  bool operator==(const YamlError&) const = default;
};

// Limits against hostile input.
struct YamlReadOptions {
  size_t max_input_bytes = size_t{64} << 20;  // 64 MiB
  int max_depth = 64;                         // nested sequences/mappings
  size_t max_nodes = 1'000'000;               // scalars, sequences, mappings
  size_t max_errors = 1000;                   // then reading stops
};

// Reads the YAML document `text` into `message` (which should be empty)
// and records the position of every value it sets in `*positions` (when
// not null). Returns the errors in document order; empty on success. On
// errors `message` holds what could be read and should not be used.
// Errors: unknown key, duplicate key, wrong node kind, bad number, bool or
// enum value, bad date, YAML syntax error (libyaml's position), anchors,
// aliases, tags, several documents, and exceeded limits (which stop the
// reading).
std::vector<YamlError> ReadYamlMessage(absl::string_view text,
                                       google::protobuf::Message* message,
                                       PositionMap* positions,
                                       const YamlReadOptions& options = {});

// Formats "file:line:col: path: reason", leaving out the position when it is
// unknown and the path when it is empty; an empty file name is "<input>".
std::string FormatYamlError(absl::string_view file_name,
                            const YamlError& error);

// Returns OK for no errors; otherwise InvalidArgument whose message holds
// one FormatYamlError line per error (joined by newlines) and whose payload
// is a google.rpc.BadRequest with one violation per error (field = path,
// description = the whole formatted line, so that it carries the position).
absl::Status YamlErrorsToStatus(absl::string_view file_name,
                                const std::vector<YamlError>& errors);

// Returns the position of `path`, or of its closest enclosing path that has
// one (`a.b[2]["x"]` -> `a.b[2]` -> `a.b` -> `a` -> ""); {0, 0} if none.
SourcePosition ClosestPosition(const PositionMap& positions,
                               absl::string_view path);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DATASET_FILE_YAML_TO_PROTO_H_
