// Structured errors shared by both services.
//
// Inside the services errors are absl::Status. An INVALID_ARGUMENT status
// may carry field violations (google.rpc.BadRequest) as a payload; the one
// conversion to grpc::Status per service (ToGrpcStatus) turns payloads into
// google.rpc.Status details, and FromGrpcStatus turns them back on the
// client side.
#ifndef PROTO_COMMON_ERRORS_H_
#define PROTO_COMMON_ERRORS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace missions {

// One violation: a field path into the request (dot-separated, with [i] for
// list elements, e.g. "dataset.missions[2].short_name") and a reason that a
// person understands.
struct FieldViolation {
  std::string field;
  std::string description;

  bool operator==(const FieldViolation&) const = default;
};

// Collects violations while a request is checked as a whole.
class ViolationList {
 public:
  // Records one violation of `field`.
  void Add(std::string field, std::string description);
  // Appends all of `other`, each field prefixed with `prefix` and a dot
  // (no dot when `prefix` is empty).
  void Merge(absl::string_view prefix, const ViolationList& other);

  bool empty() const { return violations_.empty(); }
  const std::vector<FieldViolation>& violations() const { return violations_; }

  // Returns OK when empty, else InvalidArgumentError(`summary` and the
  // first violations) carrying every violation as a BadRequest payload.
  absl::Status ToStatus(absl::string_view summary) const;

 private:
  std::vector<FieldViolation> violations_;
};

// Returns an INVALID_ARGUMENT status carrying `violations` (BadRequest) and
// a message that lists them.
absl::Status InvalidArgumentWithViolations(
    absl::string_view summary, const std::vector<FieldViolation>& violations);

// Returns the field violations carried by `status` (empty if none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// Converts to the wire status: same code and message; a BadRequest payload
// becomes google.rpc.Status details (grpc-status-details-bin): the
// BadRequest and a google.rpc.ErrorInfo (reason "INVALID_FIELDS", domain
// "missions.registry.gov", metadata: number of violations, first field).
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a status received from a peer back, keeping BadRequest details.
// `context` (e.g. "registry GetMission") is prefixed to the message.
absl::Status FromGrpcStatus(const grpc::Status& status,
                            absl::string_view context = "");

}  // namespace missions

#endif  // PROTO_COMMON_ERRORS_H_
