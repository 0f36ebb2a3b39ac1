#include "registry-service/domain/filter.h"

#include <cfloat>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "proto/common/dates.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/message_fields.h"

namespace missions::registry {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

namespace internal {

// A map key in a field path, typed like the map's key field.
struct MapKey {
  std::string string_key;
  int64_t int_key = 0;
  uint64_t uint_key = 0;
  bool bool_key = false;
};

// One field of a path; for a map field with `has_key`, the entry `key`.
struct PathStep {
  const FieldDescriptor* field = nullptr;
  bool has_key = false;
  MapKey key;
};

enum class CompareOp {
  kEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kPresent,  // field:*
  kHasKey,   // map:key
};

// The value side of a comparison, converted for the leaf field's type. Only
// the member of that type is meaningful.
struct Literal {
  std::string text;     // string and bytes fields
  bool prefix = false;  // `text` followed by the wildcard
  int64_t int_value = 0;
  uint64_t uint_value = 0;
  double double_value = 0;
  bool bool_value = false;
  int enum_value = 0;
  absl::CivilDay day;
  absl::Time time;
  MapKey key;  // kHasKey
};

// A node of the parsed filter. AND and OR nodes have two or more children
// (nested nodes of the same kind are flattened); NOT has one child, never
// itself a NOT.
struct FilterNode {
  enum class Kind { kAnd, kOr, kNot, kCompare, kCall };
  Kind kind = Kind::kAnd;
  std::vector<FilterNode> children;

  // kCompare. `leaf` is the field compared: the last step's field, or a map
  // value field when the last step selects a map entry.
  std::vector<PathStep> path;
  const FieldDescriptor* leaf = nullptr;
  CompareOp op = CompareOp::kEqual;
  std::string op_text;  // as written: "=", ":", "<", ...
  Literal literal;

  // kCall.
  std::string function_name;
  std::shared_ptr<const FilterFunction> function;
  std::vector<FilterValue> args;
};

}  // namespace internal

namespace {

using internal::CompareOp;
using internal::FilterNode;
using internal::Literal;
using internal::MapKey;
using internal::PathStep;

// ---------------------------------------------------------------------------
// Characters and literals

bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) { return IsLetter(c) || IsDigit(c); }
bool IsKeyChar(char c) { return IsNameChar(c) || c == '-'; }
bool IsWordChar(char c) {
  return IsNameChar(c) || c == '.' || c == '+' || c == '-' || c == '*';
}
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

bool IsName(absl::string_view text) {
  if (text.empty() || !IsLetter(text[0])) return false;
  for (char c : text) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

bool IsKeyWord(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsKeyChar(c)) return false;
  }
  return true;
}

// [+-]?[0-9]+
bool IsIntegerText(absl::string_view text) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  if (i == text.size()) return false;
  for (; i < text.size(); ++i) {
    if (!IsDigit(text[i])) return false;
  }
  return true;
}

// [+-]?(digits[.digits?] | .digits)([eE][+-]?digits)?
bool IsDecimalText(absl::string_view text) {
  size_t i = 0;
  const auto digits = [&] {
    const size_t start = i;
    while (i < text.size() && IsDigit(text[i])) ++i;
    return i - start;
  };
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t mantissa = digits();
  if (i < text.size() && text[i] == '.') {
    ++i;
    mantissa += digits();
  }
  if (mantissa == 0) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (digits() == 0) return false;
  }
  return i == text.size();
}

std::optional<int64_t> ParseInt64(absl::string_view text) {
  int64_t value = 0;
  if (!IsIntegerText(text) || !absl::SimpleAtoi(text, &value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<double> ParseFiniteDouble(absl::string_view text) {
  double value = 0;
  if (!IsDecimalText(text) || !absl::SimpleAtod(text, &value) ||
      !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<absl::Time> ParseRfc3339(absl::string_view text) {
  absl::Time time;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &time, &error) ||
      time == absl::InfiniteFuture() || time == absl::InfinitePast()) {
    return std::nullopt;
  }
  return time;
}

// A string literal in filter syntax: quotes, `"` and `\` escaped, and a
// trailing `*` escaped so that it is not a wildcard.
std::string QuoteString(absl::string_view text) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"' || c == '\\' || (c == '*' && i + 1 == text.size())) {
      out += '\\';
    }
    out += c;
  }
  out += '"';
  return out;
}

std::string FormatDouble(double value) {
  return absl::StrFormat("%.17g", value);
}

std::string FormatTimestamp(absl::Time time) {
  return absl::FormatTime(absl::RFC3339_full, time, absl::UTCTimeZone());
}

// UPPER_SNAKE_CASE of a CamelCase type name: LeadOrganization ->
// LEAD_ORGANIZATION.
std::string UpperSnake(absl::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool upper = c >= 'A' && c <= 'Z';
    if (upper && i > 0) {
      const char prev = name[i - 1];
      const bool prev_lower = (prev >= 'a' && prev <= 'z') || IsDigit(prev);
      const bool next_lower =
          i + 1 < name.size() && name[i + 1] >= 'a' && name[i + 1] <= 'z';
      if (prev_lower || (next_lower && prev >= 'A' && prev <= 'Z')) {
        out += '_';
      }
    }
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

// The prefix that an enum's value names may omit: "LEAD_ORGANIZATION_".
std::string EnumPrefix(const EnumDescriptor* type) {
  return absl::StrCat(UpperSnake(type->name()), "_");
}

// Finds an enum value by its full name or its name without the prefix.
const EnumValueDescriptor* FindEnumValue(const EnumDescriptor* type,
                                         absl::string_view name) {
  if (const EnumValueDescriptor* value =
          type->FindValueByName(std::string(name))) {
    return value;
  }
  return type->FindValueByName(absl::StrCat(EnumPrefix(type), name));
}

// The value names of an enum as filters may write them, shortest form.
std::string EnumValueList(const EnumDescriptor* type) {
  const std::string prefix = EnumPrefix(type);
  std::vector<std::string> names;
  for (int i = 0; i < type->value_count(); ++i) {
    const std::string& name = type->value(i)->name();
    std::string short_name = name;
    if (absl::StartsWith(name, prefix) && name.size() > prefix.size() &&
        type->FindValueByName(name.substr(prefix.size())) == nullptr) {
      short_name = name.substr(prefix.size());
    }
    names.push_back(std::move(short_name));
  }
  return absl::StrJoin(names, ", ");
}

std::string Printable(absl::string_view text) { return PrintableText(text); }

int Sign(int c) { return (c > 0) - (c < 0); }

template <typename T>
int Compare3(const T& a, const T& b) {
  return (b < a) - (a < b);
}

// ---------------------------------------------------------------------------
// Evaluation

bool KeyEquals(const Message& entry, const FieldDescriptor* key_field,
               const MapKey& key) {
  const Reflection* reflection = entry.GetReflection();
  switch (key_field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return reflection->GetStringReference(entry, key_field, &scratch) ==
             key.string_key;
    }
    case FieldDescriptor::CPPTYPE_INT32:
      return reflection->GetInt32(entry, key_field) == key.int_key;
    case FieldDescriptor::CPPTYPE_INT64:
      return reflection->GetInt64(entry, key_field) == key.int_key;
    case FieldDescriptor::CPPTYPE_UINT32:
      return reflection->GetUInt32(entry, key_field) == key.uint_key;
    case FieldDescriptor::CPPTYPE_UINT64:
      return reflection->GetUInt64(entry, key_field) == key.uint_key;
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection->GetBool(entry, key_field) == key.bool_key;
    default:
      return false;
  }
}

bool HasMapKey(const Message& message, const FieldDescriptor* map_field,
               const MapKey& key) {
  const Reflection* reflection = message.GetReflection();
  const FieldDescriptor* key_field = map_field->message_type()->map_key();
  const int size = reflection->FieldSize(message, map_field);
  for (int i = 0; i < size; ++i) {
    if (KeyEquals(reflection->GetRepeatedMessage(message, map_field, i),
                  key_field, key)) {
      return true;
    }
  }
  return false;
}

// Walks `path` from `message` and returns true as soon as `leaf_matches`
// returns true for a (message, field) that the path leads to. Repeated
// message fields on the way fan out (any element); a missing map entry
// leads nowhere.
template <typename LeafMatches>
bool AnyLeaf(const Message& message, absl::Span<const PathStep> path,
             const LeafMatches& leaf_matches) {
  const PathStep& step = path.front();
  const absl::Span<const PathStep> rest = path.subspan(1);
  const Reflection* reflection = message.GetReflection();
  const FieldDescriptor* field = step.field;
  if (step.has_key) {
    const FieldDescriptor* key_field = field->message_type()->map_key();
    const FieldDescriptor* value_field = field->message_type()->map_value();
    const int size = reflection->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      const Message& entry = reflection->GetRepeatedMessage(message, field, i);
      if (!KeyEquals(entry, key_field, step.key)) continue;
      if (rest.empty()) return leaf_matches(entry, value_field);
      return AnyLeaf(entry.GetReflection()->GetMessage(entry, value_field),
                     rest, leaf_matches);
    }
    return false;
  }
  if (rest.empty()) return leaf_matches(message, field);
  if (field->is_repeated()) {
    const int size = reflection->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      if (AnyLeaf(reflection->GetRepeatedMessage(message, field, i), rest,
                  leaf_matches)) {
        return true;
      }
    }
    return false;
  }
  return AnyLeaf(reflection->GetMessage(message, field), rest, leaf_matches);
}

// The "is set" test of `field:*` (see the header).
bool IsSet(const Message& message, const FieldDescriptor* field) {
  const Reflection* reflection = message.GetReflection();
  if (field->is_repeated()) return reflection->FieldSize(message, field) > 0;
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    if (!reflection->HasField(message, field)) return false;
    if (IsDateType(field->message_type())) {
      return DateFirstDay(reflection->GetMessage(message, field)).has_value();
    }
    return true;
  }
  if (field->has_presence()) return reflection->HasField(message, field);
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return reflection->GetInt32(message, field) != 0;
    case FieldDescriptor::CPPTYPE_INT64:
      return reflection->GetInt64(message, field) != 0;
    case FieldDescriptor::CPPTYPE_UINT32:
      return reflection->GetUInt32(message, field) != 0;
    case FieldDescriptor::CPPTYPE_UINT64:
      return reflection->GetUInt64(message, field) != 0;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return reflection->GetDouble(message, field) != 0;
    case FieldDescriptor::CPPTYPE_FLOAT:
      return reflection->GetFloat(message, field) != 0;
    case FieldDescriptor::CPPTYPE_BOOL:
      return reflection->GetBool(message, field);
    case FieldDescriptor::CPPTYPE_ENUM:
      return reflection->GetEnumValue(message, field) != 0;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      return !reflection->GetStringReference(message, field, &scratch).empty();
    }
    default:
      return false;
  }
}

bool ApplyOrdering(CompareOp op, int c) {
  switch (op) {
    case CompareOp::kEqual:
      return c == 0;
    case CompareOp::kLess:
      return c < 0;
    case CompareOp::kLessEqual:
      return c <= 0;
    case CompareOp::kGreater:
      return c > 0;
    case CompareOp::kGreaterEqual:
      return c >= 0;
    default:
      return false;
  }
}

// Compares the value of `field` (element `index` if repeated, else -1) with
// the node's literal.
bool CompareValue(const FilterNode& node, const Message& message,
                  const FieldDescriptor* field, int index) {
  const Reflection* r = message.GetReflection();
  const Literal& lit = node.literal;
  const bool repeated = index >= 0;
  int c = 0;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      c = Compare3<int64_t>(repeated
                                ? r->GetRepeatedInt32(message, field, index)
                                : r->GetInt32(message, field),
                            lit.int_value);
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      c = Compare3<int64_t>(repeated
                                ? r->GetRepeatedInt64(message, field, index)
                                : r->GetInt64(message, field),
                            lit.int_value);
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      c = Compare3<uint64_t>(repeated
                                 ? r->GetRepeatedUInt32(message, field, index)
                                 : r->GetUInt32(message, field),
                             lit.uint_value);
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      c = Compare3<uint64_t>(repeated
                                 ? r->GetRepeatedUInt64(message, field, index)
                                 : r->GetUInt64(message, field),
                             lit.uint_value);
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT: {
      double value = 0;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
        value = repeated ? r->GetRepeatedDouble(message, field, index)
                         : r->GetDouble(message, field);
      } else {
        value = repeated ? r->GetRepeatedFloat(message, field, index)
                         : r->GetFloat(message, field);
      }
      if (std::isnan(value)) return false;
      c = Compare3(value, lit.double_value);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL:
      c = (repeated ? r->GetRepeatedBool(message, field, index)
                    : r->GetBool(message, field)) == lit.bool_value
              ? 0
              : 1;
      break;
    case FieldDescriptor::CPPTYPE_ENUM:
      c = (repeated ? r->GetRepeatedEnumValue(message, field, index)
                    : r->GetEnumValue(message, field)) == lit.enum_value
              ? 0
              : 1;
      break;
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& value =
          repeated
              ? r->GetRepeatedStringReference(message, field, index, &scratch)
              : r->GetStringReference(message, field, &scratch);
      if (lit.prefix) return absl::StartsWith(value, lit.text);
      c = Sign(value.compare(lit.text));
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& value = repeated
                                 ? r->GetRepeatedMessage(message, field, index)
                                 : r->GetMessage(message, field);
      if (IsDateType(field->message_type())) {
        const std::optional<absl::CivilDay> day = DateFirstDay(value);
        if (!day.has_value()) return false;
        c = Compare3(*day, lit.day);
      } else if (IsTimestampType(field->message_type())) {
        c = Compare3(TimestampTime(value), lit.time);
      } else {
        return false;
      }
      break;
    }
  }
  return ApplyOrdering(node.op, c);
}

bool LeafMatches(const FilterNode& node, const Message& message,
                 const FieldDescriptor* field) {
  switch (node.op) {
    case CompareOp::kPresent:
      return IsSet(message, field);
    case CompareOp::kHasKey:
      return HasMapKey(message, field, node.literal.key);
    default:
      break;
  }
  if (field->is_repeated()) {
    const int size = message.GetReflection()->FieldSize(message, field);
    for (int i = 0; i < size; ++i) {
      if (CompareValue(node, message, field, i)) return true;
    }
    return false;
  }
  if (!HasComparableValue(message, field)) return false;
  return CompareValue(node, message, field, -1);
}

absl::StatusOr<bool> Evaluate(const FilterNode& node, const Message& message) {
  switch (node.kind) {
    case FilterNode::Kind::kAnd:
      for (const FilterNode& child : node.children) {
        ASSIGN_OR_RETURN(const bool matches, Evaluate(child, message));
        if (!matches) return false;
      }
      return true;
    case FilterNode::Kind::kOr:
      for (const FilterNode& child : node.children) {
        ASSIGN_OR_RETURN(const bool matches, Evaluate(child, message));
        if (matches) return true;
      }
      return false;
    case FilterNode::Kind::kNot: {
      ASSIGN_OR_RETURN(const bool matches,
                       Evaluate(node.children.front(), message));
      return !matches;
    }
    case FilterNode::Kind::kCompare:
      return AnyLeaf(message, node.path,
                     [&node](const Message& m, const FieldDescriptor* f) {
                       return LeafMatches(node, m, f);
                     });
    case FilterNode::Kind::kCall: {
      if (!node.function->predicate) {
        return absl::InternalError(absl::StrCat(
            "filter: function '", node.function_name, "' has no predicate"));
      }
      absl::StatusOr<bool> result =
          node.function->predicate(message, node.args);
      if (!result.ok()) {
        return absl::Status(
            result.status().code(),
            absl::StrCat("filter: function '", node.function_name,
                         "': ", result.status().message()));
      }
      return *result;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------
// Printing

std::string FormatMapKey(const FieldDescriptor* key_field, const MapKey& key) {
  switch (key_field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return IsKeyWord(key.string_key) ? key.string_key
                                       : QuoteString(key.string_key);
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(key.int_key);
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(key.uint_key);
    case FieldDescriptor::CPPTYPE_BOOL:
      return key.bool_key ? "true" : "false";
    default:
      return "";
  }
}

std::string FormatPath(absl::Span<const PathStep> path) {
  std::string out;
  for (const PathStep& step : path) {
    absl::StrAppend(&out, out.empty() ? "" : ".", step.field->name());
    if (step.has_key) {
      absl::StrAppend(
          &out, ".",
          FormatMapKey(step.field->message_type()->map_key(), step.key));
    }
  }
  return out;
}

std::string FormatLiteral(const FieldDescriptor* leaf, const Literal& lit) {
  switch (leaf->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(lit.int_value);
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(lit.uint_value);
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return FormatDouble(lit.double_value);
    case FieldDescriptor::CPPTYPE_BOOL:
      return lit.bool_value ? "true" : "false";
    case FieldDescriptor::CPPTYPE_ENUM: {
      const EnumValueDescriptor* value =
          leaf->enum_type()->FindValueByNumber(lit.enum_value);
      return value != nullptr ? value->name() : absl::StrCat(lit.enum_value);
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string quoted = QuoteString(lit.text);
      if (lit.prefix) quoted.insert(quoted.size() - 1, "*");
      return quoted;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (IsDateType(leaf->message_type())) {
        return absl::StrFormat("%04d-%02d-%02d", lit.day.year(),
                               lit.day.month(), lit.day.day());
      }
      return absl::StrCat("\"", FormatTimestamp(lit.time), "\"");
  }
  return "";
}

std::string FormatNode(const FilterNode& node) {
  switch (node.kind) {
    case FilterNode::Kind::kAnd:
    case FilterNode::Kind::kOr: {
      std::vector<std::string> parts;
      for (const FilterNode& child : node.children) {
        parts.push_back(FormatNode(child));
      }
      return absl::StrCat(
          "(",
          absl::StrJoin(parts,
                        node.kind == FilterNode::Kind::kAnd ? " AND " : " OR "),
          ")");
    }
    case FilterNode::Kind::kNot:
      return absl::StrCat("NOT ", FormatNode(node.children.front()));
    case FilterNode::Kind::kCompare: {
      const std::string path = FormatPath(node.path);
      switch (node.op) {
        case CompareOp::kPresent:
          return absl::StrCat(path, ":*");
        case CompareOp::kHasKey:
          return absl::StrCat(path, ":",
                              FormatMapKey(node.leaf->message_type()->map_key(),
                                           node.literal.key));
        default:
          if (node.op_text == ":") {
            return absl::StrCat(path, ":",
                                FormatLiteral(node.leaf, node.literal));
          }
          return absl::StrCat(path, " ", node.op_text, " ",
                              FormatLiteral(node.leaf, node.literal));
      }
    }
    case FilterNode::Kind::kCall: {
      std::vector<std::string> args;
      for (const FilterValue& arg : node.args) {
        args.push_back(arg.DebugString());
      }
      return absl::StrCat(node.function_name, "(", absl::StrJoin(args, ", "),
                          ")");
    }
  }
  return "";
}

// ---------------------------------------------------------------------------
// Parsing

FilterNode MakeGroup(FilterNode::Kind kind, std::vector<FilterNode> children) {
  if (children.size() == 1) return std::move(children.front());
  FilterNode node;
  node.kind = kind;
  for (FilterNode& child : children) {
    if (child.kind == kind) {
      for (FilterNode& grandchild : child.children) {
        node.children.push_back(std::move(grandchild));
      }
    } else {
      node.children.push_back(std::move(child));
    }
  }
  return node;
}

FilterNode MakeNot(FilterNode child) {
  if (child.kind == FilterNode::Kind::kNot) {
    return std::move(child.children.front());
  }
  FilterNode node;
  node.kind = FilterNode::Kind::kNot;
  node.children.push_back(std::move(child));
  return node;
}

// A field path segment as written: a name, or a map key (name-like word or
// string).
struct Segment {
  std::string text;
  bool quoted = false;
  size_t pos = 0;
};

// A value or argument as written.
struct ScannedValue {
  std::string text;  // unescaped
  bool quoted = false;
  bool wildcard = false;  // ends with a `*` that was not escaped
  size_t pos = 0;         // of the first character
  size_t end = 0;         // just after the last character
};

// The resolved field of a comparison.
struct ResolvedPath {
  std::vector<PathStep> steps;
  const FieldDescriptor* leaf = nullptr;
  bool map_leaf = false;       // the path ends at a map field (no key)
  std::string repeated_field;  // the first repeated field on the path, if any
  std::string text;            // as written, for messages
};

std::string SegmentText(const Segment& segment) {
  return segment.quoted ? QuoteString(segment.text) : segment.text;
}

std::string DescribeValue(const ScannedValue& value) {
  if (value.quoted) {
    return absl::StrCat("string \"", Printable(value.text), "\"");
  }
  return absl::StrCat("'", Printable(value.text), "'");
}

class Parser {
 public:
  Parser(absl::string_view text, const Descriptor* type,
         const FunctionTable& functions)
      : text_(text), type_(type), functions_(functions) {}

  // Parses the whole text; nullopt for an empty filter.
  absl::StatusOr<std::optional<FilterNode>> Parse() {
    RETURN_IF_ERROR(CheckLength("filter", text_, kMaxFilterLength));
    SkipSpace();
    if (AtEnd()) return std::nullopt;
    ASSIGN_OR_RETURN(FilterNode node, ParseExpression(0));
    SkipSpace();
    if (!AtEnd()) {
      return Error(pos_, "unexpected ')'", "there is no '(' to close");
    }
    return node;
  }

 private:
  absl::Status Error(size_t offset, absl::string_view what,
                     absl::string_view hint = "") const {
    return absl::InvalidArgumentError(absl::StrCat(
        "filter: ", what, " at position ", CharPosition(text_, offset),
        hint.empty() ? "" : "; ", hint));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }

  // The name-like word at the current position.
  absl::string_view PeekName() const {
    size_t end = pos_;
    while (end < text_.size() && IsNameChar(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }

  // "AND", "OR" or "NOT" if that keyword is at the current position, else
  // "".
  absl::string_view PeekKeyword() const {
    const absl::string_view name = PeekName();
    if (name == "AND" || name == "OR" || name == "NOT") return name;
    return "";
  }

  // After the operator `op` at `op_pos`: fails unless a term follows.
  absl::Status ExpectTermAfter(absl::string_view op, size_t op_pos) {
    SkipSpace();
    const absl::string_view keyword = PeekKeyword();
    if (AtEnd() || Peek() == ')' || keyword == "AND" || keyword == "OR") {
      return Error(op_pos,
                   absl::StrCat("'", op, "' is not followed by a term"));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<FilterNode> ParseExpression(int depth) {
    std::vector<FilterNode> children;
    ASSIGN_OR_RETURN(FilterNode first, ParseSequence(depth));
    children.push_back(std::move(first));
    while (true) {
      SkipSpace();
      if (PeekKeyword() != "AND") break;
      const size_t op_pos = pos_;
      pos_ += 3;
      RETURN_IF_ERROR(ExpectTermAfter("AND", op_pos));
      ASSIGN_OR_RETURN(FilterNode next, ParseSequence(depth));
      children.push_back(std::move(next));
    }
    return MakeGroup(FilterNode::Kind::kAnd, std::move(children));
  }

  absl::StatusOr<FilterNode> ParseSequence(int depth) {
    std::vector<FilterNode> children;
    ASSIGN_OR_RETURN(FilterNode first, ParseFactor(depth));
    children.push_back(std::move(first));
    while (true) {
      SkipSpace();
      if (AtEnd() || Peek() == ')' || PeekKeyword() == "AND") break;
      const size_t before = pos_;
      ASSIGN_OR_RETURN(FilterNode next, ParseFactor(depth));
      if (pos_ == before) return Error(pos_, "unexpected input");
      children.push_back(std::move(next));
    }
    return MakeGroup(FilterNode::Kind::kAnd, std::move(children));
  }

  absl::StatusOr<FilterNode> ParseFactor(int depth) {
    std::vector<FilterNode> children;
    ASSIGN_OR_RETURN(FilterNode first, ParseTerm(depth));
    children.push_back(std::move(first));
    while (true) {
      SkipSpace();
      if (PeekKeyword() != "OR") break;
      const size_t op_pos = pos_;
      pos_ += 2;
      RETURN_IF_ERROR(ExpectTermAfter("OR", op_pos));
      ASSIGN_OR_RETURN(FilterNode next, ParseTerm(depth));
      children.push_back(std::move(next));
    }
    return MakeGroup(FilterNode::Kind::kOr, std::move(children));
  }

  absl::StatusOr<FilterNode> ParseTerm(int depth) {
    bool negate = false;
    while (true) {
      SkipSpace();
      const size_t op_pos = pos_;
      if (PeekKeyword() == "NOT") {
        pos_ += 3;
        RETURN_IF_ERROR(ExpectTermAfter("NOT", op_pos));
      } else if (Peek() == '-') {
        ++pos_;
        RETURN_IF_ERROR(ExpectTermAfter("-", op_pos));
      } else {
        break;
      }
      negate = !negate;
    }
    ASSIGN_OR_RETURN(FilterNode node, ParseSimple(depth));
    return negate ? MakeNot(std::move(node)) : std::move(node);
  }

  absl::StatusOr<FilterNode> ParseSimple(int depth) {
    SkipSpace();
    if (AtEnd())
      return Error(pos_, "expected a term, got the end of the filter");
    const char c = Peek();
    if (c == '(') {
      const size_t open = pos_;
      if (depth >= kMaxFilterDepth) {
        return Error(open, absl::StrCat("parentheses nested more than ",
                                        kMaxFilterDepth, " deep"));
      }
      ++pos_;
      SkipSpace();
      if (Peek() == ')') return Error(open, "empty parentheses");
      if (AtEnd()) return Error(open, "unclosed '('");
      ASSIGN_OR_RETURN(FilterNode inner, ParseExpression(depth + 1));
      SkipSpace();
      if (AtEnd()) return Error(open, "unclosed '('", "add a matching ')'");
      if (Peek() != ')') return Error(pos_, "expected ')'");
      ++pos_;
      return inner;
    }
    if (c == ')') return Error(pos_, "unexpected ')'", "expected a term");
    const absl::string_view keyword = PeekKeyword();
    if (keyword == "AND" || keyword == "OR") {
      return Error(pos_, absl::StrCat("expected a term, got '", keyword, "'"));
    }
    if (IsLetter(c)) return ParseRestrictionOrCall();
    if (c == '"') {
      return Error(pos_, "expected a field name or function call, got a string",
                   "free-text search is not supported; compare a field, "
                   "e.g. short_name = \"EULEX\"");
    }
    if (IsWordChar(c)) {
      size_t end = pos_;
      while (end < text_.size() && IsWordChar(text_[end])) ++end;
      return Error(
          pos_, absl::StrCat("expected a field name or function call, got '",
                             Printable(text_.substr(pos_, end - pos_)), "'"));
    }
    return Error(pos_, absl::StrCat("unexpected character '",
                                    Printable(CharAt(text_, pos_)), "'"));
  }

  // Scans a string literal starting at the opening quote.
  absl::StatusOr<ScannedValue> ScanString() {
    ScannedValue value;
    value.quoted = true;
    value.pos = pos_;
    ++pos_;
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        value.end = pos_;
        return value;
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) break;
        const char escaped = text_[pos_ + 1];
        if (escaped != '"' && escaped != '\\' && escaped != '*') {
          return Error(
              pos_,
              absl::StrCat("unknown escape '\\",
                           Printable(CharAt(text_, pos_ + 1)), "' in string"),
              "only \\\", \\\\ and \\* are allowed");
        }
        value.text += escaped;
        value.wildcard = false;
        pos_ += 2;
        continue;
      }
      value.text += c;
      value.wildcard = c == '*';
      ++pos_;
    }
    return Error(value.pos, "unterminated string", "add the closing '\"'");
  }

  // Scans a word (possibly empty).
  ScannedValue ScanWord() {
    ScannedValue value;
    value.pos = pos_;
    while (!AtEnd() && IsWordChar(text_[pos_])) ++pos_;
    value.end = pos_;
    value.text = std::string(text_.substr(value.pos, pos_ - value.pos));
    value.wildcard = absl::EndsWith(value.text, "*");
    return value;
  }

  // Scans a value or argument: a string or a non-empty word.
  absl::StatusOr<std::optional<ScannedValue>> ScanValue() {
    if (Peek() == '"') {
      ASSIGN_OR_RETURN(ScannedValue value, ScanString());
      return std::optional<ScannedValue>(std::move(value));
    }
    ScannedValue word = ScanWord();
    if (word.text.empty()) return std::optional<ScannedValue>();
    return std::optional<ScannedValue>(std::move(word));
  }

  absl::StatusOr<std::vector<Segment>> ScanPath() {
    std::vector<Segment> segments;
    Segment first;
    first.pos = pos_;
    first.text = std::string(PeekName());
    pos_ += first.text.size();
    segments.push_back(std::move(first));
    while (Peek() == '.') {
      ++pos_;
      Segment segment;
      segment.pos = pos_;
      if (Peek() == '"') {
        ASSIGN_OR_RETURN(ScannedValue key, ScanString());
        segment.text = std::move(key.text);
        segment.quoted = true;
      } else {
        while (!AtEnd() && IsKeyChar(text_[pos_])) ++pos_;
        segment.text =
            std::string(text_.substr(segment.pos, pos_ - segment.pos));
        if (segment.text.empty()) {
          return Error(segment.pos, "expected a field name after '.'");
        }
      }
      segments.push_back(std::move(segment));
    }
    return segments;
  }

  absl::StatusOr<FilterNode> ParseRestrictionOrCall() {
    const size_t start = pos_;
    if (++terms_ > kMaxFilterTerms) {
      return Error(start, absl::StrCat("too many terms (more than ",
                                       kMaxFilterTerms, ")"));
    }
    ASSIGN_OR_RETURN(std::vector<Segment> segments, ScanPath());
    if (Peek() == '(') return ParseCall(segments, start);
    ASSIGN_OR_RETURN(ResolvedPath path, ResolvePath(segments));
    SkipSpace();
    const size_t op_pos = pos_;
    absl::string_view op;
    for (absl::string_view candidate : {"<=", ">=", "!=", "=", "<", ">", ":"}) {
      if (absl::StartsWith(text_.substr(pos_), candidate)) {
        op = candidate;
        break;
      }
    }
    if (op.empty()) {
      return Error(op_pos,
                   absl::StrCat("expected a comparison operator (=, !=, <, "
                                "<=, >, >=, :) after '",
                                Printable(path.text), "'"));
    }
    pos_ += op.size();
    if (op == "=" && Peek() == '=') {
      return Error(op_pos, "unknown operator '=='", "use '='");
    }
    SkipSpace();
    ASSIGN_OR_RETURN(std::optional<ScannedValue> value, ScanValue());
    if (!value.has_value()) {
      return Error(pos_, absl::StrCat("expected a value after '", op, "'"));
    }
    return CompileComparison(path, op, op_pos, *value);
  }

  // Parses a map key written as a path segment or a value.
  absl::StatusOr<MapKey> ConvertMapKey(const FieldDescriptor* map_field,
                                       absl::string_view path_text,
                                       const std::string& text, bool quoted,
                                       size_t pos) const {
    const FieldDescriptor* key_field = map_field->message_type()->map_key();
    MapKey key;
    const auto wrong = [&](absl::string_view expected) {
      return Error(pos, absl::StrCat("expected ", expected, " as key of '",
                                     Printable(path_text), "' (",
                                     FieldTypeName(map_field), "), got ",
                                     quoted ? "string \"" : "'",
                                     Printable(text), quoted ? "\"" : "'"));
    };
    switch (key_field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        key.string_key = text;
        return key;
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64: {
        const std::optional<int64_t> value =
            quoted ? std::nullopt : ParseInt64(text);
        if (!value.has_value() ||
            (key_field->cpp_type() == FieldDescriptor::CPPTYPE_INT32 &&
             (*value < std::numeric_limits<int32_t>::min() ||
              *value > std::numeric_limits<int32_t>::max()))) {
          return wrong(
              absl::StrCat("an integer (", key_field->type_name(), ")"));
        }
        key.int_key = *value;
        return key;
      }
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t value = 0;
        if (quoted || !IsIntegerText(text) || text[0] == '-' ||
            !absl::SimpleAtoi(text, &value) ||
            (key_field->cpp_type() == FieldDescriptor::CPPTYPE_UINT32 &&
             value > std::numeric_limits<uint32_t>::max())) {
          return wrong(absl::StrCat("an unsigned integer (",
                                    key_field->type_name(), ")"));
        }
        key.uint_key = value;
        return key;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        if (quoted || (text != "true" && text != "false")) {
          return wrong("true or false");
        }
        key.bool_key = text == "true";
        return key;
      default:
        return wrong("a key");
    }
  }

  absl::StatusOr<ResolvedPath> ResolvePath(
      const std::vector<Segment>& segments) const {
    ResolvedPath path;
    const Descriptor* message = type_;
    const FieldDescriptor* pending_map = nullptr;
    const FieldDescriptor* last = nullptr;
    for (size_t i = 0; i < segments.size(); ++i) {
      const Segment& segment = segments[i];
      const std::string so_far = path.text;
      absl::StrAppend(&path.text, i == 0 ? "" : ".", SegmentText(segment));
      if (pending_map != nullptr) {
        ASSIGN_OR_RETURN(path.steps.back().key,
                         ConvertMapKey(pending_map, so_far, segment.text,
                                       segment.quoted, segment.pos));
        path.steps.back().has_key = true;
        last = pending_map->message_type()->map_value();
        message = last->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
                      ? last->message_type()
                      : nullptr;
        pending_map = nullptr;
        continue;
      }
      if (message == nullptr) {
        return Error(
            segment.pos,
            absl::StrCat("'", Printable(so_far), "' is ", FieldTypeName(last),
                         " and has no field '", Printable(segment.text), "'"));
      }
      const FieldDescriptor* field =
          segment.quoted ? nullptr : message->FindFieldByName(segment.text);
      if (field == nullptr) {
        return Error(
            segment.pos,
            absl::StrCat("unknown field '", Printable(segment.text), "'"),
            absl::StrCat("fields of ", message->full_name(), ": ",
                         FieldNameList(message)));
      }
      PathStep step;
      step.field = field;
      path.steps.push_back(std::move(step));
      last = field;
      if (field->is_map()) {
        pending_map = field;
        message = nullptr;
      } else {
        if (field->is_repeated() && path.repeated_field.empty()) {
          path.repeated_field = path.text;
        }
        message = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE
                      ? field->message_type()
                      : nullptr;
      }
    }
    path.leaf = last;
    path.map_leaf = pending_map != nullptr;
    return path;
  }

  absl::StatusOr<FilterNode> CompileComparison(
      const ResolvedPath& path, absl::string_view op, size_t op_pos,
      const ScannedValue& value) const {
    FilterNode node;
    node.kind = FilterNode::Kind::kCompare;
    node.path = path.steps;
    node.leaf = path.leaf;
    node.op_text = std::string(op);
    const std::string quoted_path =
        absl::StrCat("'", Printable(path.text), "'");
    if (!value.quoted && value.text == "*") {
      if (op != ":") {
        return Error(value.pos, "'*' is only allowed after ':'",
                     absl::StrCat("use ", Printable(path.text),
                                  ":* to test whether the field is set"));
      }
      node.op = CompareOp::kPresent;
      return node;
    }
    if (path.map_leaf) {
      if (op != ":") {
        return Error(
            op_pos,
            absl::StrCat("operator '", op, "' is not allowed on map field ",
                         quoted_path),
            absl::StrCat("use '", Printable(path.text),
                         ":key' to test for a key, or compare an entry: '",
                         Printable(path.text), ".key = value'"));
      }
      node.op = CompareOp::kHasKey;
      ASSIGN_OR_RETURN(node.literal.key,
                       ConvertMapKey(path.leaf, path.text, value.text,
                                     value.quoted, value.pos));
      return node;
    }
    if (!path.repeated_field.empty() && op != ":") {
      return Error(
          op_pos,
          absl::StrCat("operator '", op, "' is not allowed on repeated field '",
                       Printable(path.repeated_field), "'"),
          absl::StrCat(
              "use ':' (has): '", Printable(path.text), ":",
              Printable(text_.substr(value.pos, value.end - value.pos)), "'"));
    }
    const FieldDescriptor* leaf = path.leaf;
    const bool ordering = op == "<" || op == "<=" || op == ">" || op == ">=";
    const auto not_allowed = [&](absl::string_view hint) {
      return Error(op_pos,
                   absl::StrCat("operator '", op, "' is not allowed on ",
                                FieldTypeName(leaf), " field ", quoted_path),
                   hint);
    };
    switch (leaf->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (!IsDateType(leaf->message_type()) &&
            !IsTimestampType(leaf->message_type())) {
          return not_allowed(absl::StrCat(
              "use '", Printable(path.text),
              ":*' to test whether it is set, or compare one of its fields: ",
              FieldNameList(leaf->message_type())));
        }
        break;
      case FieldDescriptor::CPPTYPE_BOOL:
      case FieldDescriptor::CPPTYPE_ENUM:
        if (ordering) return not_allowed("use '=', '!=' or ':'");
        break;
      default:
        break;
    }
    if (op == "<") {
      node.op = CompareOp::kLess;
    } else if (op == "<=") {
      node.op = CompareOp::kLessEqual;
    } else if (op == ">") {
      node.op = CompareOp::kGreater;
    } else if (op == ">=") {
      node.op = CompareOp::kGreaterEqual;
    } else {
      node.op = CompareOp::kEqual;
    }
    if (op == "!=") node.op_text = "=";
    ASSIGN_OR_RETURN(node.literal,
                     ConvertLiteral(leaf, path.text, value, !ordering));
    if (op == "!=") return MakeNot(std::move(node));
    return node;
  }

  absl::StatusOr<Literal> ConvertLiteral(const FieldDescriptor* leaf,
                                         absl::string_view path_text,
                                         const ScannedValue& value,
                                         bool equality) const {
    Literal lit;
    const auto wrong = [&](absl::string_view expected) {
      return Error(value.pos, absl::StrCat("expected ", expected,
                                           " for field '", Printable(path_text),
                                           "' (", FieldTypeName(leaf),
                                           "), got ", DescribeValue(value)));
    };
    const auto out_of_range = [&] {
      return Error(value.pos, absl::StrCat("value '", Printable(value.text),
                                           "' is out of range for field '",
                                           Printable(path_text), "' (",
                                           FieldTypeName(leaf), ")"));
    };
    switch (leaf->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        lit.text = value.text;
        if (equality && value.wildcard) {
          lit.prefix = true;
          lit.text.pop_back();
        }
        return lit;
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64: {
        if (value.quoted || !IsIntegerText(value.text)) {
          return wrong("an integer");
        }
        const std::optional<int64_t> parsed = ParseInt64(value.text);
        if (!parsed.has_value() ||
            (leaf->cpp_type() == FieldDescriptor::CPPTYPE_INT32 &&
             (*parsed < std::numeric_limits<int32_t>::min() ||
              *parsed > std::numeric_limits<int32_t>::max()))) {
          return out_of_range();
        }
        lit.int_value = *parsed;
        return lit;
      }
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64: {
        if (value.quoted || !IsIntegerText(value.text)) {
          return wrong("an integer");
        }
        uint64_t parsed = 0;
        if (value.text[0] == '-' || !absl::SimpleAtoi(value.text, &parsed) ||
            (leaf->cpp_type() == FieldDescriptor::CPPTYPE_UINT32 &&
             parsed > std::numeric_limits<uint32_t>::max())) {
          return out_of_range();
        }
        lit.uint_value = parsed;
        return lit;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        if (value.quoted || !IsDecimalText(value.text)) {
          return wrong("a number");
        }
        const std::optional<double> parsed = ParseFiniteDouble(value.text);
        if (!parsed.has_value()) return out_of_range();
        lit.double_value = *parsed;
        if (leaf->cpp_type() == FieldDescriptor::CPPTYPE_FLOAT) {
          if (std::fabs(*parsed) > FLT_MAX) return out_of_range();
          lit.double_value = static_cast<double>(static_cast<float>(*parsed));
        }
        return lit;
      }
      case FieldDescriptor::CPPTYPE_BOOL:
        if (value.quoted || (value.text != "true" && value.text != "false")) {
          return wrong("true or false");
        }
        lit.bool_value = value.text == "true";
        return lit;
      case FieldDescriptor::CPPTYPE_ENUM: {
        const EnumDescriptor* type = leaf->enum_type();
        const EnumValueDescriptor* found =
            value.quoted || !IsName(value.text)
                ? nullptr
                : FindEnumValue(type, value.text);
        if (found == nullptr) {
          if (value.quoted || !IsName(value.text)) {
            return Error(
                value.pos,
                absl::StrCat("expected a value name of ", type->full_name(),
                             " for field '", Printable(path_text), "', got ",
                             DescribeValue(value)),
                absl::StrCat("values: ", EnumValueList(type)));
          }
          return Error(value.pos,
                       absl::StrCat("unknown value '", Printable(value.text),
                                    "' for field '", Printable(path_text),
                                    "' (", type->full_name(), ")"),
                       absl::StrCat("values: ", EnumValueList(type)));
        }
        lit.enum_value = found->number();
        return lit;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (IsDateType(leaf->message_type())) {
          absl::StatusOr<google::type::Date> date = ParseDate(value.text);
          if (!date.ok()) {
            return wrong("a date (YYYY-MM-DD, YYYY-MM or YYYY)");
          }
          lit.day = FirstDay(*date);
          return lit;
        }
        const std::optional<absl::Time> time = ParseRfc3339(value.text);
        if (!time.has_value()) {
          return wrong(
              "an RFC 3339 timestamp string (\"2021-06-14T09:30:00Z\")");
        }
        lit.time = *time;
        return lit;
      }
    }
    return wrong("a value");
  }

  absl::StatusOr<FilterNode> ParseCall(const std::vector<Segment>& segments,
                                       size_t start) {
    std::vector<std::string> names;
    for (const Segment& segment : segments) {
      if (segment.quoted || !IsName(segment.text)) {
        return Error(segment.pos, "invalid function name",
                     "function names are names joined by '.'");
      }
      names.push_back(segment.text);
    }
    const std::string name = absl::StrJoin(names, ".");
    std::shared_ptr<const FilterFunction> function = functions_.Find(name);
    if (function == nullptr) {
      const std::vector<std::string> known = functions_.Names();
      return Error(
          start, absl::StrCat("unknown function '", Printable(name), "'"),
          known.empty()
              ? std::string("no functions are available")
              : absl::StrCat("functions: ", absl::StrJoin(known, ", ")));
    }
    if (function->message_type != nullptr && function->message_type != type_) {
      return Error(start, absl::StrCat("function '", name, "' applies to ",
                                       function->message_type->full_name(),
                                       ", not ", type_->full_name()));
    }
    const size_t open = pos_;
    ++pos_;
    std::vector<ScannedValue> args;
    SkipSpace();
    if (Peek() == ')') {
      ++pos_;
    } else {
      while (true) {
        SkipSpace();
        if (AtEnd()) {
          return Error(
              open, absl::StrCat("unclosed '(' of the call of '", name, "'"));
        }
        ASSIGN_OR_RETURN(std::optional<ScannedValue> arg, ScanValue());
        if (!arg.has_value()) {
          return Error(pos_, absl::StrCat("expected argument ", args.size() + 1,
                                          " of '", name, "'"));
        }
        args.push_back(*std::move(arg));
        SkipSpace();
        if (AtEnd()) {
          return Error(
              open, absl::StrCat("unclosed '(' of the call of '", name, "'"));
        }
        if (Peek() == ',') {
          ++pos_;
          continue;
        }
        if (Peek() == ')') {
          ++pos_;
          break;
        }
        return Error(pos_, absl::StrCat("expected ',' or ')' after argument ",
                                        args.size(), " of '", name, "'"));
      }
    }
    if (args.size() != function->parameters.size()) {
      return Error(
          start,
          absl::StrCat(
              "function '", name, "' takes ", function->parameters.size(),
              function->parameters.size() == 1 ? " argument" : " arguments",
              ", got ", args.size()));
    }
    FilterNode node;
    node.kind = FilterNode::Kind::kCall;
    node.function_name = name;
    node.function = std::move(function);
    for (size_t i = 0; i < args.size(); ++i) {
      ASSIGN_OR_RETURN(
          FilterValue arg,
          ConvertArgument(node.function->parameters[i], args[i], i + 1, name));
      node.args.push_back(std::move(arg));
    }
    const size_t after = pos_;
    SkipSpace();
    if (!AtEnd() &&
        absl::string_view("=!<>:").find(Peek()) != absl::string_view::npos) {
      return Error(
          pos_,
          absl::StrCat("the result of '", name, "(...)' cannot be compared"),
          "use the call as a term on its own, or negate it with NOT");
    }
    pos_ = after;
    return node;
  }

  absl::StatusOr<FilterValue> ConvertArgument(FilterValue::Kind kind,
                                              const ScannedValue& arg,
                                              size_t index,
                                              absl::string_view name) const {
    const auto wrong = [&](absl::string_view expected) {
      return Error(arg.pos,
                   absl::StrCat("argument ", index, " of '", name, "' must be ",
                                expected, ", got ", DescribeValue(arg)));
    };
    switch (kind) {
      case FilterValue::Kind::kString:
        return FilterValue::String(arg.text);
      case FilterValue::Kind::kInteger: {
        const std::optional<int64_t> value =
            arg.quoted ? std::nullopt : ParseInt64(arg.text);
        if (!value.has_value()) return wrong("an integer");
        return FilterValue::Integer(*value);
      }
      case FilterValue::Kind::kNumber: {
        const std::optional<double> value =
            arg.quoted ? std::nullopt : ParseFiniteDouble(arg.text);
        if (!value.has_value()) return wrong("a number");
        return FilterValue::Number(*value);
      }
      case FilterValue::Kind::kBool:
        if (arg.quoted || (arg.text != "true" && arg.text != "false")) {
          return wrong("true or false");
        }
        return FilterValue::Bool(arg.text == "true");
      case FilterValue::Kind::kDate: {
        absl::StatusOr<google::type::Date> date = ParseDate(arg.text);
        if (!date.ok()) return wrong("a date (YYYY-MM-DD, YYYY-MM or YYYY)");
        return FilterValue::Date(*std::move(date));
      }
      case FilterValue::Kind::kTimestamp: {
        const std::optional<absl::Time> time = ParseRfc3339(arg.text);
        if (!time.has_value()) {
          return wrong(
              "an RFC 3339 timestamp string (\"2021-06-14T09:30:00Z\")");
        }
        return FilterValue::Timestamp(*time);
      }
    }
    return wrong("a value");
  }

  absl::string_view text_;
  const Descriptor* type_;
  const FunctionTable& functions_;
  size_t pos_ = 0;
  int terms_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------
// FilterValue

FilterValue FilterValue::String(std::string value) {
  return FilterValue(Kind::kString, std::move(value));
}
FilterValue FilterValue::Integer(int64_t value) {
  return FilterValue(Kind::kInteger, value);
}
FilterValue FilterValue::Number(double value) {
  return FilterValue(Kind::kNumber, value);
}
FilterValue FilterValue::Bool(bool value) {
  return FilterValue(Kind::kBool, value);
}
FilterValue FilterValue::Date(google::type::Date value) {
  return FilterValue(Kind::kDate, std::move(value));
}
FilterValue FilterValue::Timestamp(absl::Time value) {
  return FilterValue(Kind::kTimestamp, value);
}

const std::string& FilterValue::string_value() const {
  static const std::string* const kEmpty = new std::string();
  const std::string* value = std::get_if<std::string>(&value_);
  return value != nullptr ? *value : *kEmpty;
}

int64_t FilterValue::integer_value() const {
  const int64_t* value = std::get_if<int64_t>(&value_);
  return value != nullptr ? *value : 0;
}

double FilterValue::number_value() const {
  if (const double* value = std::get_if<double>(&value_)) return *value;
  return static_cast<double>(integer_value());
}

bool FilterValue::bool_value() const {
  const bool* value = std::get_if<bool>(&value_);
  return value != nullptr && *value;
}

const google::type::Date& FilterValue::date_value() const {
  const google::type::Date* value = std::get_if<google::type::Date>(&value_);
  return value != nullptr ? *value : google::type::Date::default_instance();
}

absl::Time FilterValue::timestamp_value() const {
  const absl::Time* value = std::get_if<absl::Time>(&value_);
  return value != nullptr ? *value : absl::UnixEpoch();
}

std::string FilterValue::DebugString() const {
  switch (kind_) {
    case Kind::kString:
      return QuoteString(string_value());
    case Kind::kInteger:
      return absl::StrCat(integer_value());
    case Kind::kNumber:
      return FormatDouble(number_value());
    case Kind::kBool:
      return bool_value() ? "true" : "false";
    case Kind::kDate:
      return FormatIsoDate(date_value());
    case Kind::kTimestamp:
      return absl::StrCat("\"", FormatTimestamp(timestamp_value()), "\"");
  }
  return "";
}

bool FilterValue::operator==(const FilterValue& other) const {
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kString:
      return string_value() == other.string_value();
    case Kind::kInteger:
      return integer_value() == other.integer_value();
    case Kind::kNumber:
      return number_value() == other.number_value();
    case Kind::kBool:
      return bool_value() == other.bool_value();
    case Kind::kDate:
      return date_value().year() == other.date_value().year() &&
             date_value().month() == other.date_value().month() &&
             date_value().day() == other.date_value().day();
    case Kind::kTimestamp:
      return timestamp_value() == other.timestamp_value();
  }
  return false;
}

// ---------------------------------------------------------------------------
// FunctionTable

FunctionTable& FunctionTable::Add(std::string name,
                                  std::vector<FilterValue::Kind> parameters,
                                  FilterPredicate predicate) {
  auto function = std::make_shared<FilterFunction>();
  function->parameters = std::move(parameters);
  function->predicate = std::move(predicate);
  functions_[std::move(name)] = std::move(function);
  return *this;
}

std::shared_ptr<const FilterFunction> FunctionTable::Find(
    absl::string_view name) const {
  const auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

std::vector<std::string> FunctionTable::Names() const {
  std::vector<std::string> names;
  for (const auto& [name, function] : functions_) names.push_back(name);
  return names;
}

// ---------------------------------------------------------------------------
// Filter

absl::StatusOr<Filter> Filter::Parse(absl::string_view text,
                                     const Descriptor* type,
                                     const FunctionTable& functions) {
  if (type == nullptr) {
    return absl::InvalidArgumentError("filter: no message type given");
  }
  Parser parser(text, type, functions);
  ASSIGN_OR_RETURN(std::optional<FilterNode> root, parser.Parse());
  Filter filter;
  filter.type_ = type;
  if (root.has_value()) {
    filter.root_ = std::make_shared<const FilterNode>(*std::move(root));
  }
  return filter;
}

absl::StatusOr<bool> Filter::Matches(const Message& message) const {
  if (root_ == nullptr) return true;
  if (message.GetDescriptor() != type_) {
    return absl::InvalidArgumentError(
        absl::StrCat("filter: parsed for ", type_->full_name(), ", applied to ",
                     message.GetDescriptor()->full_name()));
  }
  return Evaluate(*root_, message);
}

std::string Filter::DebugString() const {
  return root_ == nullptr ? "" : FormatNode(*root_);
}

}  // namespace missions::registry
