#include "registry-service/service/authorized_call.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "proto/common/observability/grpc_observability.h"
#include "registry-service/domain/resource_types.h"

namespace missions::registry {
namespace {

// The value of the top-level string field `field` of `message`, or "".
std::string StringField(const google::protobuf::Message& message, const char* field) {
  const google::protobuf::FieldDescriptor* descriptor =
      message.GetDescriptor()->FindFieldByName(field);
  if (descriptor == nullptr || descriptor->is_repeated() ||
      descriptor->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_STRING) {
    return "";
  }
  return message.GetReflection()->GetString(message, descriptor);
}

// The value of the top-level int64 field `field` of `message`, or 0.
int64_t Int64Field(const google::protobuf::Message& message, const char* field) {
  const google::protobuf::FieldDescriptor* descriptor =
      message.GetDescriptor()->FindFieldByName(field);
  if (descriptor == nullptr || descriptor->is_repeated() ||
      descriptor->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_INT64) {
    return 0;
  }
  return message.GetReflection()->GetInt64(message, descriptor);
}

}  // namespace

void AnnotateRegistryCall(const grpc::ServerContextBase* context,
                          const google::protobuf::Message& request,
                          const google::protobuf::Message* response) {
  if (std::string id = StringField(request, "request_id"); !id.empty()) {
    observability::AnnotateCall(context, "request_id", id);
  }
  if (std::string name = StringField(request, "name"); !name.empty()) {
    observability::AnnotateCall(context, "resource", name);
  } else if (std::string parent = StringField(request, "parent"); !parent.empty()) {
    observability::AnnotateCall(context, "resource", parent);
  }
  if (response == nullptr) return;
  int64_t revision = Int64Field(*response, "revision");
  if (revision == 0) {
    if (std::string etag = StringField(*response, "etag"); !etag.empty()) {
      absl::StatusOr<int64_t> from_etag = RevisionOfEtag(etag);
      if (from_etag.ok()) revision = *from_etag;
    }
  }
  if (revision > 0) observability::AnnotateCall(context, "revision", absl::StrCat(revision));
}

}  // namespace missions::registry
