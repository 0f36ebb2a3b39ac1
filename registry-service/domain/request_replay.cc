#include "registry-service/domain/request_replay.h"

#include <memory>
#include <optional>

#include "absl/strings/str_cat.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "proto/common/errors.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/signed_token.h"

namespace missions::registry {

std::string DeterministicBytes(const google::protobuf::Message& message) {
  std::string out;
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
  coded.Trim();
  return out;
}

std::string RequestFingerprint(absl::string_view method,
                               const google::protobuf::Message& request) {
  std::unique_ptr<google::protobuf::Message> without_id(request.New());
  without_id->CopyFrom(request);
  if (const google::protobuf::FieldDescriptor* fd =
          without_id->GetDescriptor()->FindFieldByName("request_id")) {
    without_id->GetReflection()->ClearField(without_id.get(), fd);
  }
  return absl::StrCat(method, ":", StableDigest(DeterministicBytes(*without_id)));
}

absl::Status CheckRequestId(absl::string_view request_id) {
  if (request_id.size() <= kMaxRequestIdLength) return absl::OkStatus();
  return InvalidArgumentWithViolations(
      "invalid request",
      {{"request_id", absl::StrCat("must be at most ", kMaxRequestIdLength, " characters")}});
}

absl::StatusOr<bool> ReplayRequest(RecordStore& store, absl::string_view request_id,
                                   absl::string_view fingerprint,
                                   google::protobuf::Message* response) {
  if (request_id.empty()) return false;
  ASSIGN_OR_RETURN(std::optional<StoredRequest> stored, store.FindRequest(request_id));
  if (!stored.has_value()) return false;
  if (stored->fingerprint != fingerprint) {
    return InvalidArgumentWithViolations(
        "request_id reused",
        {{"request_id",
          absl::StrCat("was used for a different request (", stored->method, ")")}});
  }
  if (!response->ParseFromString(stored->response)) {
    return absl::DataLossError("the stored response of this request_id cannot be read");
  }
  return true;
}

}  // namespace missions::registry
