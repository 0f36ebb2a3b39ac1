// ViewLookup: resolves references (ReferenceLookup) against the records of
// one RegistryView, deleted ones not counting.
#ifndef REGISTRY_SERVICE_VIEW_VIEW_LOOKUP_H_
#define REGISTRY_SERVICE_VIEW_VIEW_LOOKUP_H_

#include "registry-service/domain/validation.h"
#include "registry-service/view/registry_view.h"

namespace missions::registry {

class ViewLookup final : public ReferenceLookup {
 public:
  // `view` is not owned and must outlive the lookup.
  explicit ViewLookup(const RegistryView* view) : view_(view) {}

  bool Exists(absl::string_view name) const override {
    const ViewRecord* record = view_->Find(name);
    return record != nullptr && !record->deleted;
  }

 private:
  const RegistryView* view_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_VIEW_VIEW_LOOKUP_H_
