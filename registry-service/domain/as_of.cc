#include "registry-service/domain/as_of.h"

#include "absl/strings/str_cat.h"
#include "proto/common/status_macros.h"

namespace missions::registry {

absl::StatusOr<ReadPoint> ResolveAsOf(RecordStore& store, int64_t current,
                                      const ::registry::v1::AsOf* as_of,
                                      const std::string& field, ViolationList* violations) {
  const ReadPoint now{current, current == 0};
  if (as_of == nullptr) return now;
  switch (as_of->point_case()) {
    case ::registry::v1::AsOf::kRevision:
      if (as_of->revision() < 1 || as_of->revision() > current) {
        violations->Add(absl::StrCat(field, ".revision"),
                        absl::StrCat("must be between 1 and the current revision ", current));
        return now;
      }
      return ReadPoint{as_of->revision(), false};
    case ::registry::v1::AsOf::kTime: {
      if (as_of->time().nanos() < 0 || as_of->time().nanos() > 999999999) {
        violations->Add(absl::StrCat(field, ".time"),
                        "nanos must be between 0 and 999,999,999");
        return now;
      }
      const absl::Time time = absl::FromUnixSeconds(as_of->time().seconds()) +
                              absl::Nanoseconds(as_of->time().nanos());
      ASSIGN_OR_RETURN(const int64_t revision, store.RevisionAt(time));
      return ReadPoint{revision, revision == 0};
    }
    default:
      return now;
  }
}

}  // namespace missions::registry
