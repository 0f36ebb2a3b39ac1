#include "registry-service/domain/message_fields.h"

#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/type/date.pb.h"
#include "proto/common/dates.h"

namespace missions::registry {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// Reads the int32 field `name` of `message`, or 0 if there is none.
int32_t Int32Field(const Message& message, absl::string_view name) {
  const FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr || field->cpp_type() != FieldDescriptor::CPPTYPE_INT32 ||
      field->is_repeated()) {
    return 0;
  }
  return message.GetReflection()->GetInt32(message, field);
}

int64_t Int64Field(const Message& message, absl::string_view name) {
  const FieldDescriptor* field =
      message.GetDescriptor()->FindFieldByName(std::string(name));
  if (field == nullptr || field->cpp_type() != FieldDescriptor::CPPTYPE_INT64 ||
      field->is_repeated()) {
    return 0;
  }
  return message.GetReflection()->GetInt64(message, field);
}

bool IsContinuationByte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

}  // namespace

size_t CharCount(absl::string_view text) {
  size_t count = 0;
  for (char c : text) {
    if (!IsContinuationByte(c)) ++count;
  }
  return count;
}

absl::Status CheckLength(absl::string_view what, absl::string_view text,
                         int max_chars) {
  const size_t limit = static_cast<size_t>(max_chars);
  const size_t chars = CharCount(text);
  if (chars > limit) {
    return absl::InvalidArgumentError(absl::StrCat(what, ": too long (", chars,
                                                   " characters; at most ",
                                                   max_chars, " are allowed)"));
  }
  if (text.size() > 4 * limit) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, ": too long (", text.size(), " bytes; at most ",
                     max_chars, " characters are allowed)"));
  }
  return absl::OkStatus();
}

size_t CharPosition(absl::string_view text, size_t offset) {
  if (offset > text.size()) offset = text.size();
  return CharCount(text.substr(0, offset)) + 1;
}

absl::string_view CharAt(absl::string_view text, size_t offset) {
  if (offset >= text.size()) return absl::string_view();
  size_t end = offset + 1;
  if ((static_cast<unsigned char>(text[offset]) & 0xC0) == 0xC0) {
    while (end < text.size() && end - offset < 4 &&
           IsContinuationByte(text[end])) {
      ++end;
    }
  }
  return text.substr(offset, end - offset);
}

std::string PrintableText(absl::string_view text) {
  std::string out;
  for (char c : text) {
    const unsigned char byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) {
      absl::StrAppend(&out, absl::StrFormat("\\x%02x", byte));
    } else {
      out += c;
    }
  }
  return out;
}

std::string FieldNameList(const Descriptor* type) {
  std::string names;
  for (int i = 0; i < type->field_count(); ++i) {
    absl::StrAppend(&names, i == 0 ? "" : ", ", type->field(i)->name());
  }
  return names;
}

bool IsDateType(const Descriptor* type) {
  return type != nullptr && type->full_name() == "google.type.Date";
}

bool IsTimestampType(const Descriptor* type) {
  return type != nullptr && type->full_name() == "google.protobuf.Timestamp";
}

std::string FieldTypeName(const FieldDescriptor* field) {
  if (field->is_map()) {
    return absl::StrCat("map<", FieldTypeName(field->message_type()->map_key()),
                        ", ", FieldTypeName(field->message_type()->map_value()),
                        ">");
  }
  std::string name;
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_ENUM:
      name = absl::StrCat("enum ", field->enum_type()->full_name());
      break;
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (IsDateType(field->message_type())) {
        name = "date";
      } else if (IsTimestampType(field->message_type())) {
        name = "timestamp";
      } else {
        name = absl::StrCat("message ", field->message_type()->full_name());
      }
      break;
    default:
      name = field->type_name();
      break;
  }
  return field->is_repeated() ? absl::StrCat("repeated ", name) : name;
}

std::optional<absl::CivilDay> DateFirstDay(const Message& date) {
  google::type::Date value;
  value.set_year(Int32Field(date, "year"));
  value.set_month(Int32Field(date, "month"));
  value.set_day(Int32Field(date, "day"));
  if (IsEmptyDate(value) || !IsValidPartialDate(value)) return std::nullopt;
  return FirstDay(value);
}

absl::Time TimestampTime(const Message& timestamp) {
  return absl::FromUnixSeconds(Int64Field(timestamp, "seconds")) +
         absl::Nanoseconds(Int32Field(timestamp, "nanos"));
}

bool HasComparableValue(const Message& message, const FieldDescriptor* field) {
  const google::protobuf::Reflection* reflection = message.GetReflection();
  if (field->has_presence() && !reflection->HasField(message, field)) {
    return false;
  }
  if (field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
      IsDateType(field->message_type())) {
    return DateFirstDay(reflection->GetMessage(message, field)).has_value();
  }
  return true;
}

}  // namespace missions::registry
