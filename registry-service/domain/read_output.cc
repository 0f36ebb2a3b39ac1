#include "registry-service/domain/read_output.h"

namespace missions::registry {
namespace {

using ::google::protobuf::Descriptor;
using ::google::protobuf::FieldDescriptor;
using ::google::protobuf::Message;

// The repeated field of `response` that holds records of `record`'s type.
const FieldDescriptor* ItemsField(const Descriptor* response, const Descriptor* record) {
  for (int i = 0; i < response->field_count(); ++i) {
    const FieldDescriptor* field = response->field(i);
    if (field->is_repeated() && field->message_type() == record) return field;
  }
  return nullptr;
}

void PutVarint(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>(value | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// A length-delimited field (wire type 2): tag, length, bytes.
void PutBytesField(int number, const std::string& bytes, std::string* out) {
  PutVarint((static_cast<uint64_t>(number) << 3) | 2, out);
  PutVarint(bytes.size(), out);
  out->append(bytes);
}

}  // namespace

void MessageOutput::AddRecord(const Message& record, const std::string* /*wire*/) {
  if (response_->GetDescriptor() == record.GetDescriptor()) {
    response_->CopyFrom(record);
    return;
  }
  const FieldDescriptor* items = ItemsField(response_->GetDescriptor(), record.GetDescriptor());
  response_->GetReflection()->AddMessage(response_, items)->CopyFrom(record);
}

void MessageOutput::SetNextPageToken(const std::string& token) {
  if (const FieldDescriptor* field = response_->GetDescriptor()->FindFieldByName("next_page_token")) {
    response_->GetReflection()->SetString(response_, field, token);
  }
}

void MessageOutput::SetRevision(int64_t revision) {
  NoteRevision(revision);
  const FieldDescriptor* field = response_->GetDescriptor()->FindFieldByName("revision");
  if (field != nullptr && field->cpp_type() == FieldDescriptor::CPPTYPE_INT64) {
    response_->GetReflection()->SetInt64(response_, field, revision);
  }
}

void WireOutput::AddRecord(const Message& record, const std::string* wire) {
  std::string serialized;
  if (wire == nullptr) {
    record.SerializeToString(&serialized);
    wire = &serialized;
  }
  if (response_type_ == record.GetDescriptor()) {
    bytes_ = *wire;
    return;
  }
  PutBytesField(ItemsField(response_type_, record.GetDescriptor())->number(), *wire, &bytes_);
}

void WireOutput::SetNextPageToken(const std::string& token) {
  if (token.empty()) return;
  if (const FieldDescriptor* field = response_type_->FindFieldByName("next_page_token")) {
    PutBytesField(field->number(), token, &bytes_);
  }
}

void WireOutput::SetRevision(int64_t revision) {
  NoteRevision(revision);
  const FieldDescriptor* field = response_type_->FindFieldByName("revision");
  if (revision == 0 || field == nullptr ||
      field->cpp_type() != FieldDescriptor::CPPTYPE_INT64) {
    return;
  }
  PutVarint(static_cast<uint64_t>(field->number()) << 3, &bytes_);  // wire type 0
  PutVarint(static_cast<uint64_t>(revision), &bytes_);
}

}  // namespace missions::registry
