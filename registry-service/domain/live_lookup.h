// LiveLookup: resolves references (ReferenceLookup) against the records a
// RecordStore holds now, deleted ones not counting.
#ifndef REGISTRY_SERVICE_DOMAIN_LIVE_LOOKUP_H_
#define REGISTRY_SERVICE_DOMAIN_LIVE_LOOKUP_H_

#include "absl/status/status.h"
#include "registry-service/domain/validation.h"
#include "registry-service/storage/record_store.h"

namespace missions::registry {

class LiveLookup final : public ReferenceLookup {
 public:
  // `store` is not owned and must outlive the lookup.
  explicit LiveLookup(RecordStore* store) : store_(store) {}

  // True if a live record named `name` is stored. A storage failure counts
  // as "not found" here and is remembered for error().
  bool Exists(absl::string_view name) const override {
    absl::StatusOr<StoredResource> found = store_->Get(name, 0);
    if (!found.ok()) {
      if (!absl::IsNotFound(found.status()) && error_.ok()) error_ = found.status();
      return false;
    }
    return !found->deleted;
  }

  // The first storage failure met, so that callers report it as such and
  // not as a missing reference.
  absl::Status error() const { return error_; }

 private:
  RecordStore* store_;
  mutable absl::Status error_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_LIVE_LOOKUP_H_
