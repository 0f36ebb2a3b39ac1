// Reflection helpers shared by the List-method filter (filter.h) and
// ordering (order_by.h): positions in their texts, field listings for error
// messages, and the values of google.type.Date and google.protobuf.Timestamp
// fields read through reflection (so that dynamic messages work too).
//
// Internal to registry_filter; pure functions, thread-safe.
#ifndef REGISTRY_SERVICE_DOMAIN_MESSAGE_FIELDS_H_
#define REGISTRY_SERVICE_DOMAIN_MESSAGE_FIELDS_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace missions::registry {

// Number of characters (UTF-8 code points) in `text`: the bytes that are not
// UTF-8 continuation bytes.
size_t CharCount(absl::string_view text);

// Returns InvalidArgument ("<what>: too long (2001 characters; at most 2000
// are allowed)") if `text` has more than `max_chars` characters or more
// than 4 * `max_chars` bytes (so that no byte sequence, valid UTF-8 or not,
// is unbounded).
absl::Status CheckLength(absl::string_view what, absl::string_view text,
                         int max_chars);

// The 1-based character position of the byte at `offset` in `text`
// (`offset` may be text.size(), the position just after the end).
size_t CharPosition(absl::string_view text, size_t offset);

// The character at byte `offset` of `text`: a UTF-8 lead byte with its
// continuation bytes (at most 4 bytes), or a single byte otherwise. Empty
// at the end of `text`.
absl::string_view CharAt(absl::string_view text, size_t offset);

// `text` for error messages: control characters (bytes below 0x20 and
// 0x7F) written as \xNN, everything else as is.
std::string PrintableText(absl::string_view text);

// The field names of `type` in declaration order, joined by ", ".
std::string FieldNameList(const google::protobuf::Descriptor* type);

// True for google.type.Date and google.protobuf.Timestamp.
bool IsDateType(const google::protobuf::Descriptor* type);
bool IsTimestampType(const google::protobuf::Descriptor* type);

// Describes the type of a field for messages: "int32", "string", "bool",
// "enum registry.v1.LeadOrganization", "date", "timestamp",
// "message registry.v1.PersonnelCap", "map<string, string>"; prefixed with
// "repeated " for repeated fields.
std::string FieldTypeName(const google::protobuf::FieldDescriptor* field);

// The first day of the date in `date` (a google.type.Date message): "2021"
// is 2021-01-01, "2021-06" is 2021-06-01. Returns nullopt for an empty date
// (the unset value) and for invalid dates.
std::optional<absl::CivilDay> DateFirstDay(
    const google::protobuf::Message& date);

// The instant of a google.protobuf.Timestamp message.
absl::Time TimestampTime(const google::protobuf::Message& timestamp);

// True if the singular, non-map `field` of `message` holds a value that
// comparisons can use: false for an unset field with explicit presence
// (message fields, proto3 `optional`, oneof members) and for an unset or
// empty Date.
bool HasComparableValue(const google::protobuf::Message& message,
                        const google::protobuf::FieldDescriptor* field);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_MESSAGE_FIELDS_H_
