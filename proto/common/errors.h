// Structured errors shared by both services.
//
// Inside the services errors are absl::Status. An INVALID_ARGUMENT status
// may carry field violations (google.rpc.BadRequest) as a payload; the one
// conversion to grpc::Status per service (ToGrpcStatus) turns payloads into
// google.rpc.Status details, and FromGrpcStatus turns them back on the
// client side.
//
// What ToGrpcStatus sends is bounded whatever the status holds, because a
// gRPC client refuses response metadata over 8 KiB by default
// (GRPC_ARG_MAX_METADATA_SIZE) and then reports RESOURCE_EXHAUSTED
// ("received initial metadata size exceeds limit") instead of the error: a
// 3,000-character resource name echoed in a violation, or a few dozen
// violations, used to be enough. See the kMax... constants below.
#ifndef PROTO_COMMON_ERRORS_H_
#define PROTO_COMMON_ERRORS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace missions {

// The bounds of ToGrpcStatus. Together grpc-message (at most 1 KiB as sent)
// and grpc-status-details-bin (at most 4 KiB serialized, 5,464 bytes in
// base64) stay under 6.6 KiB on the wire, which leaves room below the 8 KiB
// limit for the other headers of a trailers-only response.
//
// The message at most, in bytes as grpc-message carries it: gRPC
// percent-encodes '%' and every byte outside printable ASCII (3 bytes each),
// so a message of non-ASCII text is cut at about a third of this.
inline constexpr size_t kMaxWireMessageBytes = 1024;
// Each violation's field path and description at most (UTF-8 bytes). The
// description often echoes user input (a name, a filter).
inline constexpr size_t kMaxWireFieldBytes = 200;
inline constexpr size_t kMaxWireDescriptionBytes = 300;
// Violations sent at most; the rest are counted in one more violation
// ("and 37 more violations") and in the ErrorInfo.
inline constexpr size_t kMaxWireViolations = 20;
// The serialized google.rpc.Status at most; violations beyond what fits are
// left out (and counted) like those beyond kMaxWireViolations.
inline constexpr size_t kMaxWireDetailsBytes = 4096;

// Returns `text` with every invalid UTF-8 sequence (a stray byte, a cut-off
// or overlong sequence, a surrogate) replaced by U+FFFD, so that it may go
// into a proto3 string or grpc-message.
std::string ToValidUtf8(absl::string_view text);

// Returns valid UTF-8 `text` unchanged if it has at most `max_bytes` bytes,
// else cut at a character boundary and ended with "…" (3 bytes), at most
// `max_bytes` bytes in all.
std::string TruncateUtf8(absl::string_view text, size_t max_bytes);

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

// Returns an INVALID_ARGUMENT status carrying `violations` (BadRequest,
// made valid UTF-8) and a message that lists them.
absl::Status InvalidArgumentWithViolations(
    absl::string_view summary, const std::vector<FieldViolation>& violations);

// Returns the field violations carried by `status` (empty if none).
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// The payload type under which a google.rpc.RetryInfo travels in an
// absl::Status (e.g. from RateLimiter, limits.h).
inline constexpr absl::string_view kRetryInfoTypeUrl =
    "type.googleapis.com/google.rpc.RetryInfo";

// Returns `status` carrying a RetryInfo payload: retry after `delay`.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);

// Returns the retry delay carried by `status`, if any.
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

// Converts to the wire status: same code; the message made valid UTF-8 and
// cut to kMaxWireMessageBytes. A BadRequest or RetryInfo payload becomes
// google.rpc.Status details (grpc-status-details-bin): the RetryInfo, and
// for a BadRequest the first kMaxWireViolations violations (made valid
// UTF-8, field and description cut to their bounds, fewer if the details
// would exceed kMaxWireDetailsBytes), then, if any were left out, one more
// with an empty field and the description "and 37 more violations", and a
// google.rpc.ErrorInfo (reason "INVALID_FIELDS", domain
// "missions.registry.gov", metadata: "violations", the number of them all;
// "first_field"; and "omitted_violations", the number left out, if any).
grpc::Status ToGrpcStatus(const absl::Status& status);

// Converts a status received from a peer back, keeping BadRequest details
// (as received, including the "and N more violations" one) and RetryInfo.
// `context` (e.g. "registry GetMission") is prefixed to the message.
absl::Status FromGrpcStatus(const grpc::Status& status,
                            absl::string_view context = "");

}  // namespace missions

#endif  // PROTO_COMMON_ERRORS_H_
