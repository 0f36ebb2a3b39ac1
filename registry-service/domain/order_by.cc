#include "registry-service/domain/order_by.h"

#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "registry-service/domain/message_fields.h"

namespace missions::registry {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

bool IsLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsNameChar(char c) { return IsLetter(c) || (c >= '0' && c <= '9'); }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

template <typename T>
int Compare3(const T& a, const T& b) {
  return (b < a) - (a < b);
}

// NaN after every other number, equal to itself.
int CompareDouble(double a, double b) {
  const bool a_nan = std::isnan(a);
  const bool b_nan = std::isnan(b);
  if (a_nan || b_nan) return Compare3(a_nan, b_nan);
  return Compare3(a, b);
}

// Compares the values of the singular `field` in two messages of its
// containing type. Messages without a value sort first.
int CompareField(const Message& a, const Message& b,
                 const FieldDescriptor* field) {
  const bool a_has = HasComparableValue(a, field);
  const bool b_has = HasComparableValue(b, field);
  if (!a_has || !b_has) return Compare3(a_has, b_has);
  const Reflection* ra = a.GetReflection();
  const Reflection* rb = b.GetReflection();
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      return Compare3(ra->GetInt32(a, field), rb->GetInt32(b, field));
    case FieldDescriptor::CPPTYPE_INT64:
      return Compare3(ra->GetInt64(a, field), rb->GetInt64(b, field));
    case FieldDescriptor::CPPTYPE_UINT32:
      return Compare3(ra->GetUInt32(a, field), rb->GetUInt32(b, field));
    case FieldDescriptor::CPPTYPE_UINT64:
      return Compare3(ra->GetUInt64(a, field), rb->GetUInt64(b, field));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return CompareDouble(ra->GetDouble(a, field), rb->GetDouble(b, field));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return CompareDouble(ra->GetFloat(a, field), rb->GetFloat(b, field));
    case FieldDescriptor::CPPTYPE_BOOL:
      return Compare3(ra->GetBool(a, field), rb->GetBool(b, field));
    case FieldDescriptor::CPPTYPE_ENUM:
      return Compare3(ra->GetEnumValue(a, field), rb->GetEnumValue(b, field));
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch_a;
      std::string scratch_b;
      const int c = ra->GetStringReference(a, field, &scratch_a)
                        .compare(rb->GetStringReference(b, field, &scratch_b));
      return (c > 0) - (c < 0);
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      const Message& ma = ra->GetMessage(a, field);
      const Message& mb = rb->GetMessage(b, field);
      if (IsDateType(field->message_type())) {
        // Both have a value (HasComparableValue above).
        return Compare3(DateFirstDay(ma).value_or(absl::CivilDay()),
                        DateFirstDay(mb).value_or(absl::CivilDay()));
      }
      return Compare3(TimestampTime(ma), TimestampTime(mb));
    }
  }
  return 0;
}

const Message& Walk(const Message& message,
                    const std::vector<const FieldDescriptor*>& path) {
  const Message* current = &message;
  for (size_t i = 0; i + 1 < path.size(); ++i) {
    current = &current->GetReflection()->GetMessage(*current, path[i]);
  }
  return *current;
}

class Parser {
 public:
  Parser(absl::string_view text, const Descriptor* type)
      : text_(text), type_(type) {}

  // Parses the keys into `paths` and `keys`.
  absl::Status Parse(std::vector<std::vector<const FieldDescriptor*>>& paths,
                     std::vector<OrderByKey>& keys) {
    if (absl::Status status = CheckLength("order_by", text_, kMaxOrderByLength);
        !status.ok()) {
      return status;
    }
    SkipSpace();
    if (AtEnd()) return absl::OkStatus();
    while (true) {
      SkipSpace();
      if (AtEnd()) return Error(pos_, "expected a field name after ','");
      const size_t start = pos_;
      absl::StatusOr<std::vector<const FieldDescriptor*>> path = ParsePath();
      if (!path.ok()) return path.status();
      OrderByKey key;
      std::vector<absl::string_view> names;
      for (const FieldDescriptor* field : *path) names.push_back(field->name());
      key.field_path = absl::StrJoin(names, ".");
      for (const OrderByKey& previous : keys) {
        if (previous.field_path == key.field_path) {
          return Error(start, absl::StrCat("field '", key.field_path,
                                           "' appears more than once"));
        }
      }
      SkipSpace();
      const absl::string_view word = PeekName();
      if (word == "asc" || word == "desc") {
        key.descending = word == "desc";
        pos_ += word.size();
        SkipSpace();
      } else if (word == "ASC" || word == "DESC") {
        return Error(pos_, absl::StrCat("unknown direction '", word, "'"),
                     "write 'asc' or 'desc' in lower case");
      } else if (!word.empty()) {
        return Error(pos_, absl::StrCat("expected 'asc', 'desc' or ',' after '",
                                        key.field_path, "', got '",
                                        Printable(word), "'"));
      }
      paths.push_back(*std::move(path));
      keys.push_back(std::move(key));
      if (AtEnd()) return absl::OkStatus();
      if (text_[pos_] != ',') {
        return Error(pos_, absl::StrCat("expected ',' after '",
                                        keys.back().field_path, "', got '",
                                        Printable(CharAt(text_, pos_)), "'"));
      }
      ++pos_;
    }
  }

 private:
  static std::string Printable(absl::string_view text) {
    return PrintableText(text);
  }

  absl::Status Error(size_t offset, absl::string_view what,
                     absl::string_view hint = "") const {
    return absl::InvalidArgumentError(absl::StrCat(
        "order_by: ", what, " at position ", CharPosition(text_, offset),
        hint.empty() ? "" : "; ", hint));
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }
  absl::string_view PeekName() const {
    size_t end = pos_;
    while (end < text_.size() && IsNameChar(text_[end])) ++end;
    return text_.substr(pos_, end - pos_);
  }

  absl::StatusOr<std::vector<const FieldDescriptor*>> ParsePath() {
    std::vector<const FieldDescriptor*> path;
    const Descriptor* message = type_;
    std::string so_far;
    while (true) {
      const size_t segment_pos = pos_;
      if (AtEnd() || !IsLetter(text_[pos_])) {
        if (AtEnd()) {
          return Error(pos_, path.empty() ? "expected a field name"
                                          : "expected a field name after '.'");
        }
        return Error(pos_, absl::StrCat("expected a field name, got '",
                                        Printable(CharAt(text_, pos_)), "'"));
      }
      const absl::string_view name = PeekName();
      pos_ += name.size();
      if (message == nullptr) {
        return Error(
            segment_pos,
            absl::StrCat("'", so_far, "' is ", FieldTypeName(path.back()),
                         " and has no field '", name, "'"));
      }
      const FieldDescriptor* field =
          message->FindFieldByName(std::string(name));
      if (field == nullptr) {
        return Error(segment_pos, absl::StrCat("unknown field '", name, "'"),
                     absl::StrCat("fields of ", message->full_name(), ": ",
                                  FieldNameList(message)));
      }
      absl::StrAppend(&so_far, path.empty() ? "" : ".", name);
      path.push_back(field);
      if (field->is_map()) {
        return Error(segment_pos,
                     absl::StrCat("cannot order by map field '", so_far, "'"));
      }
      if (field->is_repeated()) {
        return Error(
            segment_pos,
            absl::StrCat("cannot order by repeated field '", so_far, "'"));
      }
      const bool is_message =
          field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
      const bool is_value_message =
          is_message && (IsDateType(field->message_type()) ||
                         IsTimestampType(field->message_type()));
      message = is_message ? field->message_type() : nullptr;
      if (pos_ < text_.size() && text_[pos_] == '.') {
        ++pos_;
        continue;
      }
      if (is_message && !is_value_message) {
        return Error(
            segment_pos,
            absl::StrCat("cannot order by message field '", so_far, "' (",
                         field->message_type()->full_name(), ")"),
            absl::StrCat("order by one of its fields: ",
                         FieldNameList(field->message_type())));
      }
      return path;
    }
  }

  absl::string_view text_;
  const Descriptor* type_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<OrderBy> OrderBy::Parse(absl::string_view text,
                                       const Descriptor* type) {
  if (type == nullptr) {
    return absl::InvalidArgumentError("order_by: no message type given");
  }
  std::vector<std::vector<const FieldDescriptor*>> paths;
  std::vector<OrderByKey> keys;
  Parser parser(text, type);
  if (absl::Status status = parser.Parse(paths, keys); !status.ok()) {
    return status;
  }
  OrderBy order_by;
  order_by.type_ = type;
  for (size_t i = 0; i < paths.size(); ++i) {
    order_by.paths_.push_back(Key{std::move(paths[i]), keys[i].descending});
  }
  order_by.keys_ = std::move(keys);
  return order_by;
}

bool OrderBy::Less(const Message& a, const Message& b) const {
  if (paths_.empty() || a.GetDescriptor() != type_ ||
      b.GetDescriptor() != type_) {
    return false;
  }
  for (const Key& key : paths_) {
    int c = CompareField(Walk(a, key.path), Walk(b, key.path), key.path.back());
    if (key.descending) c = -c;
    if (c != 0) return c < 0;
  }
  return false;
}

std::string OrderBy::DebugString() const {
  std::vector<std::string> parts;
  for (const OrderByKey& key : keys_) {
    parts.push_back(key.descending ? absl::StrCat(key.field_path, " desc")
                                   : key.field_path);
  }
  return absl::StrJoin(parts, ", ");
}

}  // namespace missions::registry
