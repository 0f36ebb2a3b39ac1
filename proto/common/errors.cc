#include "proto/common/errors.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/duration.pb.h"
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

// Made valid UTF-8: BadRequest is a proto3 message, which does not parse
// with invalid UTF-8 in a string field, so one stray byte in a description
// would lose every violation.
google::rpc::BadRequest ToBadRequest(
    const std::vector<FieldViolation>& violations) {
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : violations) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(ToValidUtf8(v.field));
    fv->set_description(ToValidUtf8(v.description));
  }
  return bad_request;
}

constexpr absl::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD
constexpr absl::string_view kEllipsis = "\xE2\x80\xA6";              // U+2026

// Bytes of the UTF-8 character that starts with `lead` (1 for a
// continuation byte, which valid text never starts with).
size_t CharLength(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// Bytes a byte takes in grpc-message: gRPC percent-encodes '%' and all
// bytes outside printable ASCII ("%C3").
size_t WireBytes(unsigned char c) {
  return c >= 0x20 && c <= 0x7E && c != '%' ? 1 : 3;
}

size_t ByteCost(unsigned char) { return 1; }

// Returns valid UTF-8 `text` if its cost (the sum of `cost` over its bytes)
// is at most `limit`, else its longest prefix of whole characters that,
// followed by "…", costs at most `limit`, and the "…".
template <typename Cost>
std::string Truncate(absl::string_view text, size_t limit, Cost cost) {
  const auto cost_of = [&cost](absl::string_view s) {
    size_t total = 0;
    for (char c : s) total += cost(static_cast<unsigned char>(c));
    return total;
  };
  if (cost_of(text) <= limit) return std::string(text);
  const size_t ellipsis_cost = cost_of(kEllipsis);
  if (limit < ellipsis_cost) return "";
  const size_t budget = limit - ellipsis_cost;
  size_t used = 0;
  size_t end = 0;
  while (end < text.size()) {
    const size_t length =
        std::min(CharLength(static_cast<unsigned char>(text[end])),
                 text.size() - end);
    const size_t char_cost = cost_of(text.substr(end, length));
    if (used + char_cost > budget) break;
    used += char_cost;
    end += length;
  }
  return absl::StrCat(text.substr(0, end), kEllipsis);
}

// The message as sent: valid UTF-8, at most kMaxWireMessageBytes as
// grpc-message encodes it.
std::string WireMessage(absl::string_view message) {
  return Truncate(ToValidUtf8(message), kMaxWireMessageBytes, WireBytes);
}

std::optional<google::rpc::RetryInfo> RetryInfoOf(const absl::Status& status) {
  const auto payload = status.GetPayload(kRetryInfoTypeUrl);  // absl::optional
  if (!payload.has_value()) return std::nullopt;
  google::rpc::RetryInfo info;
  if (!info.ParseFromString(std::string(*payload))) return std::nullopt;
  return info;
}

// The google.rpc.Status that ToGrpcStatus sends (see errors.h): `message`
// is already WireMessage(), `bounded` the first violations already cut to
// their bounds, `total` the number of violations in all (0 for none). Keeps
// the first `kept` of `bounded`.
google::rpc::Status WireDetails(
    absl::StatusCode code, const std::string& message,
    const std::vector<FieldViolation>& bounded, size_t kept, size_t total,
    const std::optional<google::rpc::RetryInfo>& retry) {
  google::rpc::Status details;
  details.set_code(static_cast<int>(code));
  details.set_message(message);
  if (total > 0) {
    google::rpc::BadRequest bad_request;
    for (size_t i = 0; i < kept; ++i) {
      auto* fv = bad_request.add_field_violations();
      fv->set_field(bounded[i].field);
      fv->set_description(bounded[i].description);
    }
    const size_t omitted = total - kept;
    if (omitted > 0) {
      // A request-level violation, so that clients that only show the
      // violations still tell that there were more.
      bad_request.add_field_violations()->set_description(absl::StrCat(
          "and ", omitted, omitted == 1 ? " more violation" : " more violations"));
    }
    details.add_details()->PackFrom(bad_request);
    // A machine-readable reason next to the field violations (AIP-193).
    google::rpc::ErrorInfo info;
    info.set_reason("INVALID_FIELDS");
    info.set_domain(kErrorDomain);
    auto& metadata = *info.mutable_metadata();
    metadata["violations"] = absl::StrCat(total);
    metadata["first_field"] = bounded.front().field;
    if (omitted > 0) metadata["omitted_violations"] = absl::StrCat(omitted);
    details.add_details()->PackFrom(info);
  }
  if (retry.has_value()) details.add_details()->PackFrom(*retry);
  return details;
}

}  // namespace

std::string ToValidUtf8(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      out.push_back(text[i]);
      ++i;
      continue;
    }
    // The length of the sequence `lead` starts and the range of its second
    // byte (narrower after E0, ED, F0 and F4: no overlong forms, no
    // surrogates, nothing above U+10FFFF); later bytes are 80..BF.
    size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    }
    size_t valid = 1;  // bytes of the sequence that are well-formed so far
    while (length > 0 && valid < length && i + valid < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + valid]);
      if (next < (valid == 1 ? low : 0x80) || next > (valid == 1 ? high : 0xBF)) {
        break;
      }
      ++valid;
    }
    if (valid == length) {
      absl::StrAppend(&out, text.substr(i, length));
    } else {
      // One U+FFFD for the longest ill-formed start of a sequence (the
      // "maximal subpart" of Unicode's chapter 3), as most decoders do.
      absl::StrAppend(&out, kReplacementCharacter);
    }
    i += valid;
  }
  return out;
}

std::string TruncateUtf8(absl::string_view text, size_t max_bytes) {
  return Truncate(text, max_bytes, ByteCost);
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  google::rpc::RetryInfo info;
  delay = std::max(delay, absl::ZeroDuration());
  const int64_t seconds = absl::IDivDuration(delay, absl::Seconds(1), &delay);
  info.mutable_retry_delay()->set_seconds(seconds);
  info.mutable_retry_delay()->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(delay)));
  status.SetPayload(kRetryInfoTypeUrl, absl::Cord(info.SerializeAsString()));
  return status;
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  const std::optional<google::rpc::RetryInfo> info = RetryInfoOf(status);
  if (!info.has_value()) return std::nullopt;
  return absl::Seconds(info->retry_delay().seconds()) +
         absl::Nanoseconds(info->retry_delay().nanos());
}

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
  const std::string message = WireMessage(status.message());
  const std::vector<FieldViolation> violations = FieldViolationsOf(status);
  const std::optional<google::rpc::RetryInfo> retry = RetryInfoOf(status);
  if (violations.empty() && !retry.has_value()) {
    return grpc::Status(code, message);
  }
  std::vector<FieldViolation> bounded;
  for (size_t i = 0; i < violations.size() && i < kMaxWireViolations; ++i) {
    bounded.push_back(
        {TruncateUtf8(ToValidUtf8(violations[i].field), kMaxWireFieldBytes),
         TruncateUtf8(ToValidUtf8(violations[i].description),
                      kMaxWireDescriptionBytes)});
  }
  // Drops violations from the end until the details fit. With the bounds
  // above, the message, the ErrorInfo and several violations always fit,
  // so this stops long before `kept` reaches 0.
  size_t kept = bounded.size();
  google::rpc::Status details =
      WireDetails(status.code(), message, bounded, kept, violations.size(), retry);
  while (kept > 0 && details.ByteSizeLong() > kMaxWireDetailsBytes) {
    --kept;
    details = WireDetails(status.code(), message, bounded, kept,
                          violations.size(), retry);
  }
  return grpc::Status(code, message, details.SerializeAsString());
}

absl::Status FromGrpcStatus(const grpc::Status& status,
                            absl::string_view context) {
  if (status.ok()) return absl::OkStatus();
  const auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string message =
      context.empty() ? status.error_message()
                      : absl::StrCat(context, ": ", status.error_message());
  std::vector<FieldViolation> violations;
  std::optional<google::rpc::RetryInfo> retry;
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::BadRequest bad_request;
      google::rpc::RetryInfo retry_info;
      if (any.UnpackTo(&bad_request)) {
        for (const auto& fv : bad_request.field_violations()) {
          violations.push_back({fv.field(), fv.description()});
        }
      } else if (any.UnpackTo(&retry_info)) {
        retry = std::move(retry_info);
      }
    }
  }
  absl::Status result(code, message);
  if (!violations.empty()) {
    result.SetPayload(kBadRequestTypeUrl,
                      absl::Cord(ToBadRequest(violations).SerializeAsString()));
  }
  if (retry.has_value()) {
    result.SetPayload(kRetryInfoTypeUrl, absl::Cord(retry->SerializeAsString()));
  }
  return result;
}

}  // namespace missions
