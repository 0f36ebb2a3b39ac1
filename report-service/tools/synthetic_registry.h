// A synthetic registry of any size, for measuring the report service (and
// the registry) on more missions than the real data holds; and a writer of
// registry data files (YAML), so that `registryctl import` can load it.
//
// The data is deterministic (the same options give the same records) and
// valid (registryctl validate accepts it), and it exercises what the real
// data does: regions with clusters and missions without one, separate,
// combined and pooled caps, mandates renewed during the year, separately
// reported missions, headquarters postings and national operations,
// postings, financial contributions, narratives in Dutch and English.
#ifndef REPORT_SERVICE_TOOLS_SYNTHETIC_REGISTRY_H_
#define REPORT_SERVICE_TOOLS_SYNTHETIC_REGISTRY_H_

#include <string>

#include "google/protobuf/message.h"
#include "registry/v1/registry_service.pb.h"

namespace missions::report {

struct SyntheticOptions {
  // Missions, 1 or more; every one active in `year`.
  int missions = 1000;
  // The report year (published on 19 May of the next year).
  int year = 2020;
  // Regions, each with two clusters.
  int regions = 6;
  // Paragraphs per narrative text (about 300 characters each).
  int paragraphs = 2;
};

// Returns the synthetic registry.
::registry::v1::Dataset SyntheticRegistry(const SyntheticOptions& options);

// Writes `message` as a registry data file (the format of
// registry-service/data/README.md): block mappings keyed by field name,
// set fields only, strings double-quoted, enums by name, dates as
// "YYYY-MM-DD", map fields as mappings.
std::string ToDataFileYaml(const google::protobuf::Message& message);

}  // namespace missions::report

#endif  // REPORT_SERVICE_TOOLS_SYNTHETIC_REGISTRY_H_
