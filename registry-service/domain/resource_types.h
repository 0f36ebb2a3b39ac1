// The registry's resource types: for each ResourceKind its message type,
// its collection and how output-only fields are stamped. Lets storage and
// the standard methods treat every resource the same way through protobuf
// reflection.
//
// Pure functions; thread-safe.
#ifndef REGISTRY_SERVICE_DOMAIN_RESOURCE_TYPES_H_
#define REGISTRY_SERVICE_DOMAIN_RESOURCE_TYPES_H_

#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "registry-service/domain/resource_names.h"

namespace missions::registry {

// Every kind, in an order where a parent kind comes before its children.
inline constexpr ResourceKind kAllKinds[] = {
    ResourceKind::kReportYear,
    ResourceKind::kRegion,
    ResourceKind::kCluster,
    ResourceKind::kCapPool,
    ResourceKind::kReportText,
    ResourceKind::kMission,
    ResourceKind::kInternationalMandate,
    ResourceKind::kNationalMandate,
    ResourceKind::kPersonnelFigures,
    ResourceKind::kPosting,
    ResourceKind::kFinancialContribution,
    ResourceKind::kNarrative,
};

// A stable identifier of the kind, as stored ("mission", "posting", ...).
absl::string_view KindId(ResourceKind kind);

// Parses a KindId; InvalidArgument for anything else.
absl::StatusOr<ResourceKind> KindFromId(absl::string_view id);

// The message type of the kind (registry.v1.Mission for kMission, ...).
const google::protobuf::Descriptor* DescriptorOf(ResourceKind kind);

// A new, empty message of the kind.
std::unique_ptr<google::protobuf::Message> NewResource(ResourceKind kind);

// The value of the message's `name` field.
std::string NameOf(const google::protobuf::Message& resource);

// The etag of a resource last changed at `revision`.
std::string EtagFor(int64_t revision);

// Parses an etag made by EtagFor; InvalidArgument for anything else.
absl::StatusOr<int64_t> RevisionOfEtag(absl::string_view etag);

// Clears the output-only fields (etag, create/update/delete time).
void ClearOutputFields(google::protobuf::Message* resource);

// How a change stamps the output-only fields.
enum class Change { kCreate, kUpdate, kDelete, kUndelete };

// Sets the output-only fields after `change` committed at `revision` and
// `time`: etag always; create_time on create; update_time always;
// delete_time set on delete and cleared on undelete.
void StampOutputFields(Change change, int64_t revision, absl::Time time,
                       google::protobuf::Message* resource);

// True if the resource carries a delete_time.
bool IsDeleted(const google::protobuf::Message& resource);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_RESOURCE_TYPES_H_
