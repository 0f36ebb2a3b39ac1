// RegistryView: an immutable, indexed picture of the registry's state at
// one revision, for every read of the current state (Get, List, BatchGet,
// StreamYearDataset, the validation look-ups).
//
// Records are held as shared, immutable messages: a view shares every
// record it did not change with the view it was built from, so the next
// view after a commit costs the changed records plus, per kind the commit
// touched, one copy of that kind's index (pointers, no messages). Per kind
// the index is sorted by name, which is the default order of every List
// (AIP-132), so a page of a collection or of one parent's children is a
// binary search and a slice; deleted records are kept (show_deleted, and
// Undelete) in a second index of their own.
//
// A view is never changed once built: readers keep it as long as they
// need it (a List page, a whole StreamYearDataset) without locks, while
// newer views replace it in the ViewKeeper (view_keeper.h).
#ifndef REGISTRY_SERVICE_VIEW_REGISTRY_VIEW_H_
#define REGISTRY_SERVICE_VIEW_REGISTRY_VIEW_H_

#include <array>
#include <cstdint>
#include <memory>
#include <atomic>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "google/protobuf/message.h"
#include "registry-service/domain/resource_types.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

// One record as a view holds it.
struct ViewRecord {
  std::string name;
  ResourceKind kind = ResourceKind::kRegion;
  // With its output-only fields set, as Get returns it.
  std::shared_ptr<const google::protobuf::Message> message;
  // `message` serialized, made on the first read that sends it and kept:
  // the read methods send these bytes as they are. Only records that are
  // read pay for the bytes. Thread-safe.
  const std::string& Wire() const;
  // The revision of its last change.
  int64_t revision = 0;
  bool deleted = false;
  // Creation order across the registry: a record created later has a
  // larger sequence (ties of equal decision dates are broken by it).
  int64_t sequence = 0;

  // As the store's read methods return it.
  StoredResource ToStored() const { return StoredResource{kind, message, revision, deleted}; }

  ViewRecord() = default;
  ViewRecord(const ViewRecord&) = delete;
  ViewRecord& operator=(const ViewRecord&) = delete;
  ~ViewRecord() { delete wire_.load(std::memory_order_acquire); }

 private:
  mutable std::atomic<const std::string*> wire_{nullptr};
};

using ViewRecordPtr = std::shared_ptr<const ViewRecord>;

// One record a commit changed, in the commit's order.
struct ViewChange {
  ResourceKind kind = ResourceKind::kRegion;
  // The stamped state after the commit.
  std::shared_ptr<const google::protobuf::Message> message;
};

class RegistryView {
 public:
  // The view of an empty registry (revision 0).
  static std::shared_ptr<const RegistryView> Empty();

  // The view of `store` at `revision` (its current state if 0): read once
  // at start-up, and for reads of an older revision than the ViewKeeper
  // keeps. Only records of `kinds` whose names start with `prefix` are
  // read (a partial view, for one List of the past); sequences follow the
  // store's creation order.
  static absl::StatusOr<std::shared_ptr<const RegistryView>> Load(
      RecordStore& store, int64_t revision,
      absl::Span<const ResourceKind> kinds = kAllKinds, absl::string_view prefix = "");

  // The next view: this one with the changes of commit `revision`
  // (creates, updates, deletes, undeletes) applied. `revision` must be
  // greater than this view's; revisions without changes may be skipped.
  std::shared_ptr<const RegistryView> Apply(int64_t revision,
                                            const std::vector<ViewChange>& changes) const;

  int64_t revision() const { return revision_; }
  // Number of records, deleted ones included.
  size_t size() const;

  // The record named `name` of `kind` (deleted or not), or nullptr.
  const ViewRecord* Find(ResourceKind kind, absl::string_view name) const;
  // As above, for a name of any kind (the kind is read from the name).
  const ViewRecord* Find(absl::string_view name) const;

  // The records of `kind` whose names start with `prefix` ("" for all,
  // "missions/unifil/" for one mission's), sorted by name; `live` leaves
  // deleted records out.
  absl::Span<const ViewRecordPtr> Range(ResourceKind kind, absl::string_view prefix,
                                        bool live) const;

 private:
  using Index = std::vector<ViewRecordPtr>;  // sorted by name
  struct KindIndex {
    std::shared_ptr<const Index> all;
    std::shared_ptr<const Index> live;
  };

  RegistryView();

  int64_t revision_ = 0;
  int64_t next_sequence_ = 1;
  std::array<KindIndex, std::size(kAllKinds)> kinds_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_VIEW_REGISTRY_VIEW_H_
