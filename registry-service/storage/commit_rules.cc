#include "registry-service/storage/commit_rules.h"

#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"
#include "registry-service/domain/resource_types.h"

namespace missions::registry {
namespace {

using ::google::protobuf::Message;

constexpr absl::string_view kChangeNames[] = {"CREATE", "UPDATE", "DELETE", "UNDELETE"};

// Copies a Timestamp field from one resource to another (both of one type).
void CopyTimestamp(const Message& from, Message* to, const char* field) {
  const auto* fd = from.GetDescriptor()->FindFieldByName(field);
  if (fd == nullptr) return;
  if (from.GetReflection()->HasField(from, fd)) {
    to->GetReflection()->MutableMessage(to, fd)->CopyFrom(
        from.GetReflection()->GetMessage(from, fd));
  } else {
    to->GetReflection()->ClearField(to, fd);
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<Message>> ApplyMutation(const Mutation& mutation,
                                                       const std::optional<StoredRow>& stored,
                                                       int64_t revision, absl::Time now) {
  const std::string name = NameOf(*mutation.after);
  std::unique_ptr<Message> message(mutation.after->New());
  message->CopyFrom(*mutation.after);
  if (mutation.change == Change::kCreate) {
    if (stored.has_value()) {
      return absl::AlreadyExistsError(absl::StrCat(
          name, " already exists", stored->deleted ? " (deleted; undelete it)" : ""));
    }
  } else {
    if (!stored.has_value()) return absl::NotFoundError(absl::StrCat(name, " not found"));
    if (mutation.expected_revision != 0 && stored->revision != mutation.expected_revision) {
      return absl::AbortedError(absl::StrCat(
          name, " was changed since (etag ", EtagFor(mutation.expected_revision), ", now ",
          EtagFor(stored->revision), "); read it again and retry"));
    }
    std::unique_ptr<Message> previous = NewResource(mutation.kind);
    if (!previous->ParseFromString(stored->body)) {
      return absl::DataLossError(absl::StrCat("stored ", name, " cannot be parsed"));
    }
    CopyTimestamp(*previous, message.get(), "create_time");
    CopyTimestamp(*previous, message.get(), "delete_time");
  }
  StampOutputFields(mutation.change, revision, now, message.get());
  return message;
}

absl::StatusOr<StoredResource> DecodeResource(absl::string_view kind_id,
                                              const std::string& body, bool deleted,
                                              int64_t revision) {
  StoredResource stored;
  ASSIGN_OR_RETURN(stored.kind, KindFromId(kind_id));
  std::unique_ptr<Message> message = NewResource(stored.kind);
  if (!message->ParseFromString(body)) {
    return absl::DataLossError(
        absl::StrCat("stored resource of kind ", kind_id, " cannot be parsed"));
  }
  stored.message = std::move(message);
  stored.deleted = deleted;
  stored.revision = revision;
  return stored;
}

absl::string_view ChangeName(Change change) {
  return kChangeNames[static_cast<int>(change)];
}

Change ChangeFromName(absl::string_view name) {
  for (int i = 0; i < 4; ++i) {
    if (kChangeNames[i] == name) return static_cast<Change>(i);
  }
  return Change::kUpdate;
}

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", time, absl::UTCTimeZone());
}

}  // namespace missions::registry
