// The records one report year needs, read from a RegistryView and sent in
// parts as StreamYearDataset sends them: the report year, all regions,
// clusters and cap pools, the year's report texts, then the missions active
// during the year or holding personnel figures or narratives for it, in
// report order, each with all its records, a batch of missions per part.
//
// Only the part being sent is built: records are copied from the view into
// one message at a time, so streaming a large registry adds one batch to
// the server's memory, not a copy of the registry.
#ifndef REGISTRY_SERVICE_VIEW_YEAR_DATASET_H_
#define REGISTRY_SERVICE_VIEW_YEAR_DATASET_H_

#include <functional>

#include "absl/status/status.h"
#include "registry-service/view/registry_view.h"
#include "registry/v1/registry_service.pb.h"

namespace missions::registry {

// Sends the year's dataset of `view` to `sink` in parts of at most
// `batch_size` missions (after a first part with everything but the
// missions), each stamped with the view's revision. NotFound if the view
// has no live report year `year`; stops at the first error of `sink`.
absl::Status SendYearDataset(
    const RegistryView& view, int year, int batch_size,
    const std::function<absl::Status(::registry::v1::StreamYearDatasetResponse)>& sink);

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_VIEW_YEAR_DATASET_H_
