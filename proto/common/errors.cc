#include "proto/common/errors.h"

#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace missions {
namespace {

// The ErrorInfo domain of this system's errors.
constexpr char kErrorDomain[] = "missions.registry.gov";
constexpr absl::string_view kBadRequestTypeUrl =
    "type.googleapis.com/google.rpc.BadRequest";
// How many violations the human-readable message lists; all of them travel
// in the BadRequest detail.
constexpr size_t kViolationsInMessage = 10;

google::rpc::BadRequest ToBadRequest(
    const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  return bad_request;
}

}  // namespace

void ViolationList::Add(std::string field, std::string description) {
  violations_.push_back({std::move(field), std::move(description)});
}

void ViolationList::Merge(absl::string_view prefix,
                          const ViolationList& other) {
  for (const FieldViolation& v : other.violations_) {
    std::string field =
        prefix.empty() ? v.field
        : v.field.empty() ? std::string(prefix)
                          : absl::StrCat(prefix, ".", v.field);
    violations_.push_back({std::move(field), v.description});
  }
}

absl::Status ViolationList::ToStatus(absl::string_view summary) const {
  if (violations_.empty()) return absl::OkStatus();
  return InvalidArgumentWithViolations(summary, violations_);
}

absl::Status InvalidArgumentWithViolations(
    absl::string_view summary, const std::vector<FieldViolation>& violations) {
  std::string message(summary);
  for (size_t i = 0; i < violations.size() && i < kViolationsInMessage; ++i) {
    absl::StrAppend(&message, i == 0 ? ": " : "; ", violations[i].field, ": ",
                    violations[i].description);
  }
  if (violations.size() > kViolationsInMessage) {
    absl::StrAppend(&message, "; and ",
                    violations.size() - kViolationsInMessage, " more");
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kBadRequestTypeUrl,
                    absl::Cord(ToBadRequest(violations).SerializeAsString()));
  return status;
}

std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> result;
  auto payload = status.GetPayload(kBadRequestTypeUrl);
  if (!payload.has_value()) return result;
  google::rpc::BadRequest bad_request;
  if (!bad_request.ParseFromString(std::string(*payload))) return result;
  for (const auto& fv : bad_request.field_violations()) {
    result.push_back({fv.field(), fv.description()});
  }
  return result;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  const auto code = static_cast<grpc::StatusCode>(status.code());
  std::vector<FieldViolation> violations = FieldViolationsOf(status);
  if (violations.empty()) {
    return grpc::Status(code, std::string(status.message()));
  }
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  details.add_details()->PackFrom(ToBadRequest(violations));
  // A machine-readable reason next to the field violations (AIP-193).
  google::rpc::ErrorInfo info;
  info.set_reason("INVALID_FIELDS");
  info.set_domain(kErrorDomain);
  (*info.mutable_metadata())["violations"] = std::to_string(violations.size());
  (*info.mutable_metadata())["first_field"] = violations.front().field;
  details.add_details()->PackFrom(info);
  return grpc::Status(code, std::string(status.message()),
                      details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status,
                            absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string message =
      context.empty() ? status.error_message()
                      : absl::StrCat(context, ": ", status.error_message());
  std::vector<FieldViolation> violations;
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad_request;
      if (any.UnpackTo(&bad_request)) {
        for (const auto& fv : bad_request.field_violations()) {
          violations.push_back({fv.field(), fv.description()});
        }
      }
    }
  }
  absl::Status result(code, message);
  if (!violations.empty()) {
    result.SetPayload(kBadRequestTypeUrl,
                      absl::Cord(ToBadRequest(violations).SerializeAsString()));
  }
  return result;
}

}  // namespace missions
