// Remembered requests (`request_id`): every write (the standard methods,
// BatchWrite, ImportDataset) may carry a request_id. The store keeps the
// first successful response under it, together with a fingerprint of the
// request, and a retry of the same request gets that response instead of
// writing again, also after a restart or on another replica.
//
// Pure functions over the RecordStore seam; thread-safe.
#ifndef REGISTRY_SERVICE_DOMAIN_REQUEST_REPLAY_H_
#define REGISTRY_SERVICE_DOMAIN_REQUEST_REPLAY_H_

#include <cstddef>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

// The longest request_id accepted, in bytes.
inline constexpr size_t kMaxRequestIdLength = 200;

// Serializes `message` deterministically (map entries in a fixed order),
// for fingerprints.
std::string DeterministicBytes(const google::protobuf::Message& message);

// The fingerprint of `request` made to `method`, its `request_id` field
// left out: a retry of the same request has the same fingerprint, a
// request that differs in any other field another.
std::string RequestFingerprint(absl::string_view method,
                               const google::protobuf::Message& request);

// Returns InvalidArgument (field `request_id`) if `request_id` is longer
// than kMaxRequestIdLength.
absl::Status CheckRequestId(absl::string_view request_id);

// Looks up `request_id` (an empty one is never found). Returns true, with
// the first response parsed into `response`, if it was used for a request
// with `fingerprint`; false if it was not used. Returns InvalidArgument
// (field `request_id`, naming the earlier method) if it was used for a
// different request, DataLoss if the stored response cannot be parsed, and
// the store's error if the look-up fails.
absl::StatusOr<bool> ReplayRequest(RecordStore& store, absl::string_view request_id,
                                   absl::string_view fingerprint,
                                   google::protobuf::Message* response);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_REQUEST_REPLAY_H_
