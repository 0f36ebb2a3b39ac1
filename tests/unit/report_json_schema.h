// A small, strict JSON reader (RFC 8259) and a validator for the subset of
// JSON Schema (draft 2020-12) that report-service/docs/report.schema.json
// uses, for tests of the JSON renderer.
//
// Supported keywords: type (a name or a list), properties, required,
// additionalProperties (false or a schema), items, enum, const, minimum,
// maximum, minLength, maxLength (in UTF-8 characters), anyOf, $ref to
// "#/$defs/NAME", and the annotations $schema, $id, $defs, title,
// description. Any other keyword is reported as an error, so that a schema
// cannot silently rely on what this validator does not check.
#ifndef TESTS_UNIT_REPORT_JSON_SCHEMA_H_
#define TESTS_UNIT_REPORT_JSON_SCHEMA_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace missions::testing {

// A parsed JSON value.
struct JsonValue {
  enum class Type { kNull, kBool, kNumber, kString, kArray, kObject };
  Type type = Type::kNull;
  bool boolean = false;
  double number = 0;
  // True for a number written without fraction or exponent.
  bool integer = false;
  std::string string;
  std::vector<JsonValue> array;
  // Members in document order.
  std::vector<std::pair<std::string, JsonValue>> object;

  // The member `key` of an object, or nullptr.
  const JsonValue* Find(absl::string_view key) const;
};

// Parses one JSON document (surrounding white space allowed). Rejects
// trailing commas, duplicate keys, unescaped control characters, lone
// surrogates, leading zeros and trailing content; the error names the
// byte offset.
absl::StatusOr<JsonValue> ParseJson(absl::string_view text);

// Validates `instance` against `schema` (the document root, for $ref).
// Returns one line per violation, "PATH: reason", PATH a JSON pointer
// ("/annex2/rows/3/mandate_military"); empty if valid.
std::vector<std::string> ValidateAgainstSchema(const JsonValue& schema,
                                               const JsonValue& instance);

}  // namespace missions::testing

#endif  // TESTS_UNIT_REPORT_JSON_SCHEMA_H_
