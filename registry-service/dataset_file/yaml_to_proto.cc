#include "registry-service/dataset_file/yaml_to_proto.h"

#include <yaml.h>

#include <cfloat>
#include <climits>
#include <cmath>
#include <cstdint>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/cord.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "google/protobuf/descriptor.h"
#include "google/type/date.pb.h"
#include "proto/common/dates.h"
#include "proto/common/errors.h"

namespace missions::registry {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::EnumValueDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

std::string FieldPath(absl::string_view parent, absl::string_view field) {
  if (parent.empty()) return std::string(field);
  return absl::StrCat(parent, ".", field);
}

std::string EntryPath(absl::string_view parent, absl::string_view key) {
  return absl::StrCat(parent, "[\"", absl::CEscape(key), "\"]");
}

// Quotes a scalar for a message, shortened and with control bytes escaped.
std::string Quote(absl::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() > kMax) {
    return absl::StrCat("'", absl::CHexEscape(text.substr(0, kMax)), "...'");
  }
  return absl::StrCat("'", absl::CHexEscape(text), "'");
}

// "LeadOrganization" -> "LEAD_ORGANIZATION_"; "HTTPCode" -> "HTTP_CODE_".
std::string EnumPrefix(const EnumDescriptor* type) {
  const std::string& name = type->name();
  std::string prefix;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (i > 0 && absl::ascii_isupper(c)) {
      const char prev = name[i - 1];
      const bool next_lower =
          i + 1 < name.size() && absl::ascii_islower(name[i + 1]);
      if (absl::ascii_islower(prev) || absl::ascii_isdigit(prev) ||
          (absl::ascii_isupper(prev) && next_lower)) {
        prefix.push_back('_');
      }
    }
    prefix.push_back(absl::ascii_toupper(c));
  }
  prefix.push_back('_');
  return prefix;
}

// The value's name without the type's prefix, if it has it.
std::string ShortEnumName(const EnumValueDescriptor* value,
                          absl::string_view prefix) {
  absl::string_view name = value->name();
  if (absl::StartsWith(name, prefix) && name.size() > prefix.size()) {
    name.remove_prefix(prefix.size());
  }
  return std::string(name);
}

// A word for the expected scalar of a field type, for messages.
absl::string_view ScalarTypeWord(const FieldDescriptor* field) {
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT32:
    case FieldDescriptor::CPPTYPE_UINT64:
      return "an integer";
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      return "a number";
    case FieldDescriptor::CPPTYPE_BOOL:
      return "true or false";
    case FieldDescriptor::CPPTYPE_ENUM:
      return "an enum value name";
    case FieldDescriptor::CPPTYPE_STRING:
      return "a text";
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return "a mapping";
  }
  return "a scalar";
}

// Checks the shape of a decimal integer: optional sign, digits, no leading
// zero. Returns an error reason or "".
std::string IntegerShapeError(absl::string_view text) {
  absl::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) {
    digits.remove_prefix(1);
  }
  if (digits.empty()) {
    return text.empty()
               ? "expected an integer, got an empty value"
               : absl::StrCat("expected an integer, got ", Quote(text));
  }
  for (char c : digits) {
    if (!absl::ascii_isdigit(c)) {
      return absl::StrCat("expected an integer, got ", Quote(text));
    }
  }
  if (digits.size() > 1 && digits[0] == '0') {
    return absl::StrCat(Quote(text),
                        " has a leading zero; write the number without it");
  }
  return "";
}

// Parses a signed integer in [min, max]. Returns an error reason or "".
std::string ParseSigned(absl::string_view text, int64_t min, int64_t max,
                        int64_t* value) {
  if (std::string shape = IntegerShapeError(text); !shape.empty()) {
    return shape;
  }
  if (text[0] == '+') text.remove_prefix(1);
  if (!absl::SimpleAtoi(text, value) || *value < min || *value > max) {
    return absl::StrCat(Quote(text), " is out of range (", min, " to ", max,
                        ")");
  }
  return "";
}

// Parses an unsigned integer up to max. Returns an error reason or "".
std::string ParseUnsigned(absl::string_view text, uint64_t max,
                          uint64_t* value) {
  if (std::string shape = IntegerShapeError(text); !shape.empty()) {
    return shape;
  }
  if (text[0] == '-') {
    return absl::StrCat(Quote(text), " is out of range (0 to ", max, ")");
  }
  if (text[0] == '+') text.remove_prefix(1);
  if (!absl::SimpleAtoi(text, value) || *value > max) {
    return absl::StrCat(Quote(text), " is out of range (0 to ", max, ")");
  }
  return "";
}

// Parses a decimal number or .inf/-.inf/.nan. Returns an error reason or "".
std::string ParseDouble(absl::string_view text, double* value) {
  const std::string lower = absl::AsciiStrToLower(text);
  if (lower == ".inf" || lower == "+.inf") {
    *value = HUGE_VAL;
    return "";
  }
  if (lower == "-.inf") {
    *value = -HUGE_VAL;
    return "";
  }
  if (lower == ".nan") {
    *value = NAN;
    return "";
  }
  bool has_digit = false;
  for (char c : text) {
    if (absl::ascii_isdigit(c)) {
      has_digit = true;
    } else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') {
      has_digit = false;
      break;
    }
  }
  if (!has_digit || !absl::SimpleAtod(text, value)) {
    return absl::StrCat("expected a number, got ", Quote(text));
  }
  if (!std::isfinite(*value)) {
    return absl::StrCat(Quote(text), " is out of range");
  }
  return "";
}

SourcePosition ToPosition(const yaml_mark_t& mark) {
  const auto clamp = [](size_t v) {
    return v >= static_cast<size_t>(INT_MAX) ? INT_MAX
                                             : static_cast<int>(v) + 1;
  };
  return {clamp(mark.line), clamp(mark.column)};
}

// The position of a byte offset in `text` (for reader errors, which carry
// no mark).
SourcePosition PositionOfOffset(absl::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  SourcePosition position{1, 1};
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++position.line;
      position.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++position.column;
    }
  }
  return position;
}

// Reads one document, event by event, into a message. Each Read* method is
// entered with the current event at the start of a node and returns with
// the current event at the end of that node (the scalar itself, or the
// matching *_END), unless reading was aborted.
class Reader {
 public:
  Reader(absl::string_view text, const YamlReadOptions& options,
         PositionMap* positions)
      : text_(text), options_(options), positions_(positions) {}

  ~Reader() {
    if (has_event_) yaml_event_delete(&event_);
    if (parser_ready_) yaml_parser_delete(&parser_);
  }

  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  std::vector<YamlError> Read(Message* root) {
    if (text_.size() > options_.max_input_bytes) {
      errors_.push_back(
          {"",
           {},
           absl::StrCat("the input is ", text_.size(), " bytes long; at most ",
                        options_.max_input_bytes, " bytes are accepted")});
      return std::move(errors_);
    }
    if (!yaml_parser_initialize(&parser_)) {
      errors_.push_back({"", {}, "cannot initialise the YAML parser"});
      return std::move(errors_);
    }
    parser_ready_ = true;
    yaml_parser_set_input_string(
        &parser_, reinterpret_cast<const unsigned char*>(text_.data()),
        text_.size());

    if (!Next() || !Next()) return std::move(errors_);  // stream start
    if (event_.type == YAML_STREAM_END_EVENT) return std::move(errors_);
    if (!Next()) return std::move(errors_);  // document start -> root node
    Record("");
    ReadMessage(root, "");
    if (!Next() || !Next()) return std::move(errors_);  // document end
    if (event_.type == YAML_DOCUMENT_START_EVENT) {
      Error("", Position(),
            "a second YAML document starts here; the file must hold exactly "
            "one");
    }
    return std::move(errors_);
  }

 private:
  enum class NodeKind { kScalar, kSequence, kMapping, kAlias, kOther };

  // ---- Events --------------------------------------------------------

  // Advances to the next event. Returns false (after recording why) on a
  // syntax error or an exceeded limit, and on every call after that.
  bool Next() {
    if (aborted_) return false;
    if (has_event_) {
      yaml_event_delete(&event_);
      has_event_ = false;
    }
    if (!yaml_parser_parse(&parser_, &event_)) {
      RecordSyntaxError();
      aborted_ = true;
      return false;
    }
    has_event_ = true;
    const char* anchor = nullptr;
    const char* tag = nullptr;
    switch (event_.type) {
      case YAML_SCALAR_EVENT:
        anchor = AsChars(event_.data.scalar.anchor);
        tag = AsChars(event_.data.scalar.tag);
        break;
      case YAML_SEQUENCE_START_EVENT:
        anchor = AsChars(event_.data.sequence_start.anchor);
        tag = AsChars(event_.data.sequence_start.tag);
        break;
      case YAML_MAPPING_START_EVENT:
        anchor = AsChars(event_.data.mapping_start.anchor);
        tag = AsChars(event_.data.mapping_start.tag);
        break;
      case YAML_ALIAS_EVENT:
        Error(current_path_, Position(),
              absl::StrCat("aliases (*", AsChars(event_.data.alias.anchor),
                           ") are not supported; write the value out"));
        break;
      default:
        break;
    }
    if (event_.type == YAML_SCALAR_EVENT || IsStart() ||
        event_.type == YAML_ALIAS_EVENT) {
      if (++nodes_ > options_.max_nodes) {
        Abort(absl::StrCat("the document has more than ", options_.max_nodes,
                           " values"));
        return false;
      }
    }
    if (IsStart() && ++depth_ > options_.max_depth) {
      Abort(absl::StrCat("the document is nested more than ",
                         options_.max_depth, " levels deep"));
      return false;
    }
    if (event_.type == YAML_SEQUENCE_END_EVENT ||
        event_.type == YAML_MAPPING_END_EVENT) {
      --depth_;
    }
    if (anchor != nullptr) {
      Error(current_path_, Position(),
            absl::StrCat("anchors (&", anchor,
                         ") are not supported; write the value out"));
    }
    if (tag != nullptr) {
      Error(current_path_, Position(),
            absl::StrCat("tags (", tag, ") are not supported"));
    }
    return !aborted_;
  }

  static const char* AsChars(const yaml_char_t* s) {
    return reinterpret_cast<const char*>(s);
  }

  bool IsStart() const {
    return event_.type == YAML_SEQUENCE_START_EVENT ||
           event_.type == YAML_MAPPING_START_EVENT;
  }

  NodeKind Kind() const {
    switch (event_.type) {
      case YAML_SCALAR_EVENT:
        return NodeKind::kScalar;
      case YAML_SEQUENCE_START_EVENT:
        return NodeKind::kSequence;
      case YAML_MAPPING_START_EVENT:
        return NodeKind::kMapping;
      case YAML_ALIAS_EVENT:
        return NodeKind::kAlias;
      default:
        return NodeKind::kOther;
    }
  }

  SourcePosition Position() const { return ToPosition(event_.start_mark); }

  absl::string_view ScalarText() const {
    return absl::string_view(AsChars(event_.data.scalar.value),
                             event_.data.scalar.length);
  }

  // True for an unquoted empty value, ~ or null.
  bool IsNull() const {
    if (Kind() != NodeKind::kScalar ||
        event_.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
      return false;
    }
    const absl::string_view text = ScalarText();
    return text.empty() || text == "~" || text == "null" || text == "Null" ||
           text == "NULL";
  }

  // Describes the current node for "expected X, got Y" messages.
  std::string Describe() const {
    switch (Kind()) {
      case NodeKind::kScalar:
        return absl::StrCat("the scalar ", Quote(ScalarText()));
      case NodeKind::kSequence:
        return "a sequence";
      case NodeKind::kMapping:
        return "a mapping";
      case NodeKind::kAlias:
        return "an alias";
      case NodeKind::kOther:
        break;
    }
    return "nothing";
  }

  // Consumes the current node, whatever it is.
  void SkipNode() {
    if (!IsStart()) return;
    int level = 1;
    while (level > 0 && Next()) {
      if (IsStart()) {
        ++level;
      } else if (event_.type == YAML_SEQUENCE_END_EVENT ||
                 event_.type == YAML_MAPPING_END_EVENT) {
        --level;
      }
    }
  }

  // ---- Errors --------------------------------------------------------

  void Error(std::string path, SourcePosition position, std::string reason) {
    if (aborted_) return;
    errors_.push_back({std::move(path), position, std::move(reason)});
    if (errors_.size() >= options_.max_errors) {
      errors_.push_back(
          {"", position,
           absl::StrCat("too many errors; stopped after ", errors_.size())});
      aborted_ = true;
    }
  }

  void Abort(std::string reason) {
    Error(current_path_, Position(), std::move(reason));
    aborted_ = true;
  }

  void RecordSyntaxError() {
    const std::string problem =
        parser_.problem != nullptr ? parser_.problem : "unknown problem";
    switch (parser_.error) {
      case YAML_MEMORY_ERROR:
        errors_.push_back({"", {}, "out of memory while reading YAML"});
        return;
      case YAML_READER_ERROR: {
        std::string reason = absl::StrCat(
            "the input is not readable as UTF-8 or UTF-16 text: ", problem);
        if (parser_.problem_value != -1) {
          absl::StrAppend(&reason, " (value 0x",
                          absl::Hex(parser_.problem_value), ")");
        }
        errors_.push_back(
            {"", PositionOfOffset(text_, parser_.problem_offset), reason});
        return;
      }
      default: {
        std::string reason = absl::StrCat("YAML syntax error: ", problem);
        if (parser_.context != nullptr) {
          const SourcePosition context = ToPosition(parser_.context_mark);
          absl::StrAppend(&reason, " (", parser_.context, " at line ",
                          context.line, ", column ", context.column, ")");
        }
        errors_.push_back(
            {current_path_, ToPosition(parser_.problem_mark), reason});
        return;
      }
    }
  }

  void Record(const std::string& path) {
    if (positions_ != nullptr) (*positions_)[path] = Position();
  }

  // ---- Messages and fields --------------------------------------------

  void ReadMessage(Message* message, const std::string& path) {
    const Descriptor* type = message->GetDescriptor();
    if (Kind() == NodeKind::kAlias || IsNull()) return;
    if (Kind() != NodeKind::kMapping) {
      Error(path, Position(),
            absl::StrCat("expected a mapping (", type->name(), "), got ",
                         Describe()));
      SkipNode();
      return;
    }
    absl::flat_hash_map<int, SourcePosition> seen;  // field number -> key
    while (true) {
      current_path_ = path;
      if (!Next() || event_.type == YAML_MAPPING_END_EVENT) return;
      if (Kind() != NodeKind::kScalar) {
        Error(path, Position(),
              absl::StrCat("expected a field name of ", type->name(),
                           " as key, got ", Describe()));
        SkipNode();
        if (!Next()) return;
        SkipNode();
        continue;
      }
      const std::string key(ScalarText());
      const SourcePosition key_position = Position();
      const std::string field_path = FieldPath(path, key);
      current_path_ = field_path;
      if (!Next()) return;
      const FieldDescriptor* field = type->FindFieldByName(key);
      if (field == nullptr) {
        Error(field_path, key_position,
              absl::StrCat("unknown field ", Quote(key), ": ", type->name(),
                           " has no such field"));
        SkipNode();
        continue;
      }
      auto [it, inserted] = seen.try_emplace(field->number(), key_position);
      if (!inserted) {
        Error(
            field_path, key_position,
            absl::StrCat("duplicate key ", Quote(key), " (first at line ",
                         it->second.line, ", column ", it->second.column, ")"));
        SkipNode();
        continue;
      }
      ReadField(message, field, field_path);
    }
  }

  void ReadField(Message* message, const FieldDescriptor* field,
                 const std::string& path) {
    Record(path);
    if (Kind() == NodeKind::kAlias) return;
    if (field->is_map()) {
      ReadMap(message, field, path);
      return;
    }
    if (field->is_repeated()) {
      ReadSequence(message, field, path);
      return;
    }
    if (IsNull()) return;
    const Reflection* reflection = message->GetReflection();
    if (const auto* oneof = field->real_containing_oneof();
        oneof != nullptr && reflection->HasOneof(*message, oneof)) {
      const FieldDescriptor* other =
          reflection->GetOneofFieldDescriptor(*message, oneof);
      Error(path, Position(),
            absl::StrCat("only one of the fields of '", oneof->name(),
                         "' may be set, and ", other->name(), " is set"));
      SkipNode();
      return;
    }
    if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      ReadMessageValue(reflection->MutableMessage(message, field), path);
      return;
    }
    ReadScalar(message, field, /*add=*/false, path);
  }

  void ReadSequence(Message* message, const FieldDescriptor* field,
                    const std::string& path) {
    if (IsNull()) return;
    if (Kind() != NodeKind::kSequence) {
      Error(path, Position(),
            absl::StrCat("expected a sequence (a list), got ", Describe()));
      SkipNode();
      return;
    }
    const Reflection* reflection = message->GetReflection();
    for (int index = 0;; ++index) {
      const std::string element_path = absl::StrCat(path, "[", index, "]");
      current_path_ = element_path;
      if (!Next() || event_.type == YAML_SEQUENCE_END_EVENT) return;
      Record(element_path);
      if (Kind() == NodeKind::kAlias) continue;
      if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        ReadMessageValue(reflection->AddMessage(message, field), element_path);
      } else {
        ReadScalar(message, field, /*add=*/true, element_path);
      }
    }
  }

  void ReadMap(Message* message, const FieldDescriptor* field,
               const std::string& path) {
    if (IsNull()) return;
    if (Kind() != NodeKind::kMapping) {
      Error(path, Position(),
            absl::StrCat("expected a mapping (key: value), got ", Describe()));
      SkipNode();
      return;
    }
    const Reflection* reflection = message->GetReflection();
    const FieldDescriptor* key_field = field->message_type()->map_key();
    const FieldDescriptor* value_field = field->message_type()->map_value();
    absl::flat_hash_map<std::string, SourcePosition> seen;
    while (true) {
      current_path_ = path;
      if (!Next() || event_.type == YAML_MAPPING_END_EVENT) return;
      if (Kind() != NodeKind::kScalar) {
        Error(path, Position(),
              absl::StrCat("expected a scalar as key, got ", Describe()));
        SkipNode();
        if (!Next()) return;
        SkipNode();
        continue;
      }
      const std::string key(ScalarText());
      const SourcePosition key_position = Position();
      const std::string entry_path = EntryPath(path, key);
      Message* entry = reflection->AddMessage(message, field);
      const bool key_ok = SetScalar(entry, key_field, /*add=*/false, key,
                                    entry_path, key_position);
      current_path_ = entry_path;
      if (!Next()) return;
      if (!key_ok) {
        reflection->RemoveLast(message, field);
        SkipNode();
        continue;
      }
      auto [it, inserted] =
          seen.try_emplace(KeyText(*entry, key_field), key_position);
      if (!inserted) {
        Error(
            entry_path, key_position,
            absl::StrCat("duplicate key ", Quote(key), " (first at line ",
                         it->second.line, ", column ", it->second.column, ")"));
        reflection->RemoveLast(message, field);
        SkipNode();
        continue;
      }
      Record(entry_path);
      if (Kind() == NodeKind::kAlias) continue;
      if (value_field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        ReadMessageValue(
            entry->GetReflection()->MutableMessage(entry, value_field),
            entry_path);
      } else {
        ReadScalar(entry, value_field, /*add=*/false, entry_path);
      }
    }
  }

  // A map key as text, so that "+1" and "1" count as the same key.
  static std::string KeyText(const Message& entry,
                             const FieldDescriptor* key_field) {
    const Reflection* r = entry.GetReflection();
    switch (key_field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_INT32:
        return absl::StrCat(r->GetInt32(entry, key_field));
      case FieldDescriptor::CPPTYPE_INT64:
        return absl::StrCat(r->GetInt64(entry, key_field));
      case FieldDescriptor::CPPTYPE_UINT32:
        return absl::StrCat(r->GetUInt32(entry, key_field));
      case FieldDescriptor::CPPTYPE_UINT64:
        return absl::StrCat(r->GetUInt64(entry, key_field));
      case FieldDescriptor::CPPTYPE_BOOL:
        return r->GetBool(entry, key_field) ? "true" : "false";
      default:
        return r->GetString(entry, key_field);
    }
  }

  // Reads a message-typed value; google.type.Date also from a scalar.
  void ReadMessageValue(Message* message, const std::string& path) {
    if (message->GetDescriptor() == google::type::Date::descriptor() &&
        Kind() == NodeKind::kScalar && !IsNull()) {
      absl::StatusOr<google::type::Date> date = ParseDate(ScalarText());
      if (date.ok()) {
        message->CopyFrom(*date);
      } else {
        Error(path, Position(), std::string(date.status().message()));
      }
      return;
    }
    ReadMessage(message, path);
  }

  // Reads the current node as a scalar into a non-message field.
  void ReadScalar(Message* message, const FieldDescriptor* field, bool add,
                  const std::string& path) {
    if (Kind() != NodeKind::kScalar) {
      Error(path, Position(),
            absl::StrCat("expected ", ScalarTypeWord(field), ", got ",
                         Describe()));
      SkipNode();
      return;
    }
    const absl::string_view text = IsNull() ? "" : ScalarText();
    SetScalar(message, field, add, text, path, Position());
  }

  // Parses `text` for `field` and sets (or adds) it. Returns false after
  // recording an error if the text does not fit the field's type.
  bool SetScalar(Message* message, const FieldDescriptor* field, bool add,
                 absl::string_view text, const std::string& path,
                 SourcePosition position) {
    const Reflection* r = message->GetReflection();
    std::string error;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: {
        std::string value(text);
        add ? r->AddString(message, field, std::move(value))
            : r->SetString(message, field, std::move(value));
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT32: {
        int64_t v = 0;
        error = ParseSigned(text, INT32_MIN, INT32_MAX, &v);
        if (!error.empty()) break;
        add ? r->AddInt32(message, field, static_cast<int32_t>(v))
            : r->SetInt32(message, field, static_cast<int32_t>(v));
        return true;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t v = 0;
        error = ParseSigned(text, INT64_MIN, INT64_MAX, &v);
        if (!error.empty()) break;
        add ? r->AddInt64(message, field, v) : r->SetInt64(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT32: {
        uint64_t v = 0;
        error = ParseUnsigned(text, UINT32_MAX, &v);
        if (!error.empty()) break;
        add ? r->AddUInt32(message, field, static_cast<uint32_t>(v))
            : r->SetUInt32(message, field, static_cast<uint32_t>(v));
        return true;
      }
      case FieldDescriptor::CPPTYPE_UINT64: {
        uint64_t v = 0;
        error = ParseUnsigned(text, UINT64_MAX, &v);
        if (!error.empty()) break;
        add ? r->AddUInt64(message, field, v) : r->SetUInt64(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        double v = 0;
        error = ParseDouble(text, &v);
        if (!error.empty()) break;
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          add ? r->AddDouble(message, field, v)
              : r->SetDouble(message, field, v);
          return true;
        }
        if (std::isfinite(v) && std::fabs(v) > FLT_MAX) {
          error = absl::StrCat(Quote(text), " is out of range for a float");
          break;
        }
        add ? r->AddFloat(message, field, static_cast<float>(v))
            : r->SetFloat(message, field, static_cast<float>(v));
        return true;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        bool v = false;
        if (text == "true" || text == "True" || text == "TRUE") {
          v = true;
        } else if (text != "false" && text != "False" && text != "FALSE") {
          error = absl::StrCat("expected true or false, got ", Quote(text));
          break;
        }
        add ? r->AddBool(message, field, v) : r->SetBool(message, field, v);
        return true;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        const EnumValueDescriptor* value = FindEnumValue(field, text, &error);
        if (value == nullptr) break;
        add ? r->AddEnumValue(message, field, value->number())
            : r->SetEnumValue(message, field, value->number());
        return true;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        error = "expected a mapping";
        break;
    }
    Error(path, position, std::move(error));
    return false;
  }

  static const EnumValueDescriptor* FindEnumValue(const FieldDescriptor* field,
                                                  absl::string_view text,
                                                  std::string* error) {
    const EnumDescriptor* type = field->enum_type();
    const std::string prefix = EnumPrefix(type);
    if (!text.empty()) {
      if (const auto* v = type->FindValueByName(std::string(text))) return v;
      if (const auto* v = type->FindValueByName(absl::StrCat(prefix, text))) {
        return v;
      }
    }
    std::vector<std::string> names;
    for (int i = 0; i < type->value_count(); ++i) {
      std::string name = ShortEnumName(type->value(i), prefix);
      // The "not set" value is accepted but never what a file means.
      if (name != "UNSPECIFIED") names.push_back(std::move(name));
    }
    *error =
        absl::StrCat(text.empty() ? "expected a value"
                                  : absl::StrCat("unknown value ", Quote(text)),
                     " for ", type->name(), "; expected one of ",
                     absl::StrJoin(names, ", "));
    return nullptr;
  }

  absl::string_view text_;
  const YamlReadOptions options_;
  PositionMap* positions_;
  yaml_parser_t parser_{};
  bool parser_ready_ = false;
  yaml_event_t event_{};
  bool has_event_ = false;
  bool aborted_ = false;
  int depth_ = 0;
  size_t nodes_ = 0;
  // The path being read, for errors found while reading events.
  std::string current_path_;
  std::vector<YamlError> errors_;
};

// The path one level up: `a.b[2]["x"]` -> `a.b[2]` -> `a.b` -> `a` -> "".
absl::string_view ParentPath(absl::string_view path) {
  if (absl::EndsWith(path, "\"]")) {
    if (size_t at = path.rfind("[\""); at != absl::string_view::npos) {
      return path.substr(0, at);
    }
  }
  if (absl::EndsWith(path, "]")) {
    if (size_t at = path.rfind('['); at != absl::string_view::npos) {
      return path.substr(0, at);
    }
  }
  const size_t dot = path.rfind('.');
  return dot == absl::string_view::npos ? absl::string_view()
                                        : path.substr(0, dot);
}

}  // namespace

std::vector<YamlError> ReadYamlMessage(absl::string_view text,
                                       google::protobuf::Message* message,
                                       PositionMap* positions,
                                       const YamlReadOptions& options) {
  Reader reader(text, options, positions);
  return reader.Read(message);
}

std::string FormatYamlError(absl::string_view file_name,
                            const YamlError& error) {
  std::string line(file_name.empty() ? "<input>" : file_name);
  if (error.position.line > 0) {
    absl::StrAppend(&line, ":", error.position.line, ":",
                    error.position.column);
  }
  absl::StrAppend(&line, ": ");
  if (!error.path.empty()) absl::StrAppend(&line, error.path, ": ");
  absl::StrAppend(&line, error.reason);
  return line;
}

absl::Status YamlErrorsToStatus(absl::string_view file_name,
                                const std::vector<YamlError>& errors) {
  if (errors.empty()) return absl::OkStatus();
  std::vector<FieldViolation> violations;
  std::vector<std::string> lines;
  for (const YamlError& error : errors) {
    lines.push_back(FormatYamlError(file_name, error));
    violations.push_back({error.path, lines.back()});
  }
  // The shared helper attaches the BadRequest payload; the message is ours.
  const absl::Status with_payload =
      InvalidArgumentWithViolations(file_name, violations);
  absl::Status status = absl::InvalidArgumentError(absl::StrJoin(lines, "\n"));
  with_payload.ForEachPayload(
      [&status](absl::string_view type_url, const absl::Cord& payload) {
        status.SetPayload(type_url, payload);
      });
  return status;
}

SourcePosition ClosestPosition(const PositionMap& positions,
                               absl::string_view path) {
  while (true) {
    if (auto it = positions.find(path); it != positions.end()) {
      return it->second;
    }
    if (path.empty()) return {};
    path = ParentPath(path);
  }
}

}  // namespace missions::registry
