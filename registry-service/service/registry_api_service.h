// The gRPC adapter of registry.v1.RegistryApi: every standard method of
// every resource forwards to the one generic implementation (ResourceApi)
// with its resource kind, and converts the status once
// (proto/common/errors.h). Every method first authenticates and authorises
// its caller (proto/common/access_control.h); WatchChanges streams are
// capped in number and duration.
#ifndef REGISTRY_SERVICE_SERVICE_REGISTRY_API_SERVICE_H_
#define REGISTRY_SERVICE_SERVICE_REGISTRY_API_SERVICE_H_

#include <atomic>

#include "absl/time/time.h"
#include "proto/common/access_control.h"
#include "proto/common/limits.h"
#include "registry-service/domain/resource_api.h"
#include "registry/v1/registry_api.grpc.pb.h"

namespace missions::registry {

// Declares the seven standard methods of resource type T (plural P).
#define MISSIONS_DECLARE_STANDARD_METHODS(T, P)                                   \
  grpc::Status Get##T(grpc::ServerContext*, const ::registry::v1::Get##T##Request*, \
                      ::registry::v1::T*) override;                               \
  grpc::Status List##P(grpc::ServerContext*,                                      \
                       const ::registry::v1::List##P##Request*,                   \
                       ::registry::v1::List##P##Response*) override;              \
  grpc::Status BatchGet##P(grpc::ServerContext*,                                  \
                           const ::registry::v1::BatchGet##P##Request*,           \
                           ::registry::v1::BatchGet##P##Response*) override;      \
  grpc::Status Create##T(grpc::ServerContext*,                                    \
                         const ::registry::v1::Create##T##Request*,               \
                         ::registry::v1::T*) override;                            \
  grpc::Status Update##T(grpc::ServerContext*,                                    \
                         const ::registry::v1::Update##T##Request*,               \
                         ::registry::v1::T*) override;                            \
  grpc::Status Delete##T(grpc::ServerContext*,                                    \
                         const ::registry::v1::Delete##T##Request*,               \
                         ::registry::v1::T*) override;                            \
  grpc::Status Undelete##T(grpc::ServerContext*,                                  \
                           const ::registry::v1::Undelete##T##Request*,           \
                           ::registry::v1::T*) override;

// Limits on WatchChanges streams, each of which holds a server thread.
struct WatchLimits {
  // Open streams of all principals together, and of any one (<= 0: none).
  int max_streams = 256;
  int max_streams_per_principal = 16;
  // A stream ends with RESOURCE_EXHAUSTED (naming where to resume) after
  // this long, whatever deadline the client set (<= 0: no limit).
  absl::Duration max_duration = absl::Hours(1);
};

class RegistryApiService final : public ::registry::v1::RegistryApi::Service {
 public:
  // `api` and `access` are not owned and must outlive the service.
  RegistryApiService(ResourceApi* api, AccessControl* access, WatchLimits watch_limits = {})
      : api_(api),
        access_(access),
        watch_limits_(watch_limits),
        watch_streams_(watch_limits.max_streams, watch_limits.max_streams_per_principal) {}

  MISSIONS_DECLARE_STANDARD_METHODS(Region, Regions)
  MISSIONS_DECLARE_STANDARD_METHODS(Cluster, Clusters)
  MISSIONS_DECLARE_STANDARD_METHODS(CapPool, CapPools)
  MISSIONS_DECLARE_STANDARD_METHODS(ReportYear, ReportYears)
  MISSIONS_DECLARE_STANDARD_METHODS(ReportText, ReportTexts)
  MISSIONS_DECLARE_STANDARD_METHODS(Mission, Missions)
  MISSIONS_DECLARE_STANDARD_METHODS(InternationalMandateDecision,
                                    InternationalMandateDecisions)
  MISSIONS_DECLARE_STANDARD_METHODS(NationalMandateDecision, NationalMandateDecisions)
  MISSIONS_DECLARE_STANDARD_METHODS(PersonnelFigures, PersonnelFigures)
  MISSIONS_DECLARE_STANDARD_METHODS(Posting, Postings)
  MISSIONS_DECLARE_STANDARD_METHODS(FinancialContribution, FinancialContributions)
  MISSIONS_DECLARE_STANDARD_METHODS(Narrative, Narratives)

  grpc::Status ListAuditEvents(grpc::ServerContext* context,
                               const ::registry::v1::ListAuditEventsRequest* request,
                               ::registry::v1::ListAuditEventsResponse* response) override;
  grpc::Status WatchChanges(grpc::ServerContext* context,
                            const ::registry::v1::WatchChangesRequest* request,
                            grpc::ServerWriter<::registry::v1::ChangeEvent>* writer) override;
  grpc::Status BatchWrite(grpc::ServerContext* context,
                          const ::registry::v1::BatchWriteRequest* request,
                          ::registry::v1::BatchWriteResponse* response) override;

  // Ends every open WatchChanges stream (within about a second) with
  // UNAVAILABLE naming where to resume, and refuses new ones: call before
  // shutting the server down, so that it need not wait for the streams'
  // deadlines.
  void EndStreams() { ending_streams_.store(true); }

 private:
  ResourceApi* api_;
  AccessControl* access_;
  const WatchLimits watch_limits_;
  StreamLimiter watch_streams_;
  std::atomic<bool> ending_streams_{false};
};

#undef MISSIONS_DECLARE_STANDARD_METHODS

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_REGISTRY_API_SERVICE_H_
