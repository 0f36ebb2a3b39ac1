// The gRPC adapter of registry.v1.RegistryApi: every standard method of
// every resource forwards to the one generic implementation (ResourceApi)
// with its resource kind, and converts the status once
// (proto/common/errors.h). Every method first authenticates and authorises
// its caller (proto/common/access_control.h); WatchChanges streams are
// capped in number and duration.
//
// The reads (Get, List, BatchGet) run on gRPC's callback API and never
// block its threads: a read the in-memory view answers is served where it
// arrived; one that must wait (min_revision) or ask the store (as_of, an
// old page token) moves to a bounded pool of worker threads, and when
// that is full the caller gets RESOURCE_EXHAUSTED. The writes and
// WatchChanges stay on the synchronous API, whose threads may wait for the
// store.
#ifndef REGISTRY_SERVICE_SERVICE_REGISTRY_API_SERVICE_H_
#define REGISTRY_SERVICE_SERVICE_REGISTRY_API_SERVICE_H_

#include <atomic>
#include <memory>

#include "absl/time/time.h"
#include "grpcpp/support/byte_buffer.h"
#include "proto/common/access_control.h"
#include "proto/common/limits.h"
#include "proto/common/worker_pool.h"
#include "registry-service/domain/resource_api.h"
#include "registry/v1/registry_api.grpc.pb.h"

namespace missions::registry {

// Declares the standard methods of resource type T (plural P): the reads
// on gRPC's callback API, the writes on the synchronous one.
#define MISSIONS_DECLARE_STANDARD_METHODS(T, P)                                   \
  /* The generated synchronous overloads (never called) stay visible. */        \
  using RegistryApiBase::Get##T;                                                  \
  using RegistryApiBase::List##P;                                                 \
  using RegistryApiBase::BatchGet##P;                                             \
  grpc::ServerUnaryReactor* Get##T(grpc::CallbackServerContext*, const grpc::ByteBuffer*, \
                                   grpc::ByteBuffer*) override;                    \
  grpc::ServerUnaryReactor* List##P(grpc::CallbackServerContext*, const grpc::ByteBuffer*, \
                                    grpc::ByteBuffer*) override;                   \
  grpc::ServerUnaryReactor* BatchGet##P(grpc::CallbackServerContext*,              \
                                        const grpc::ByteBuffer*, grpc::ByteBuffer*) override; \
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

// RegistryApi::Service with Get, List and BatchGet of resource type T
// (plural P) on the callback API, raw (request and response as bytes),
// over `Base`.
#define MISSIONS_CALLBACK_READS(T, P, Base)                             \
  ::registry::v1::RegistryApi::WithRawCallbackMethod_Get##T<            \
      ::registry::v1::RegistryApi::WithRawCallbackMethod_List##P<       \
          ::registry::v1::RegistryApi::WithRawCallbackMethod_BatchGet##P<Base>>>

// The generated service with every read method on the callback API: they
// answer from the in-memory view on the thread that received the call, so
// no thread hand-off or pool stands between a read and its answer, and
// raw, so that the answer is written from the records' serialized bytes
// the view holds (read_output.h) instead of copied into response messages.
using RegistryApiBase = MISSIONS_CALLBACK_READS(
    Region, Regions,
    MISSIONS_CALLBACK_READS(
        Cluster, Clusters,
        MISSIONS_CALLBACK_READS(
            CapPool, CapPools,
            MISSIONS_CALLBACK_READS(
                ReportYear, ReportYears,
                MISSIONS_CALLBACK_READS(
                    ReportText, ReportTexts,
                    MISSIONS_CALLBACK_READS(
                        Mission, Missions,
                        MISSIONS_CALLBACK_READS(
                            InternationalMandateDecision, InternationalMandateDecisions,
                            MISSIONS_CALLBACK_READS(
                                NationalMandateDecision, NationalMandateDecisions,
                                MISSIONS_CALLBACK_READS(
                                    PersonnelFigures, PersonnelFigures,
                                    MISSIONS_CALLBACK_READS(
                                        Posting, Postings,
                                        MISSIONS_CALLBACK_READS(
                                            FinancialContribution, FinancialContributions,
                                            MISSIONS_CALLBACK_READS(
                                                Narrative, Narratives,
                                                ::registry::v1::RegistryApi::Service))))))))))));

#undef MISSIONS_CALLBACK_READS

// Limits on WatchChanges streams, each of which holds a server thread.
struct WatchLimits {
  // Open streams of all principals together, and of any one (<= 0: none).
  int max_streams = 256;
  int max_streams_per_principal = 16;
  // A stream ends with RESOURCE_EXHAUSTED (naming where to resume) after
  // this long, whatever deadline the client set (<= 0: no limit).
  absl::Duration max_duration = absl::Hours(1);
};

class RegistryApiService final : public RegistryApiBase {
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
  using ReadMethod = absl::Status (ResourceApi::*)(ResourceKind,
                                                   const google::protobuf::Message&,
                                                   const ReadOptions&, ReadOutput*);

  // Authorises and serves a read of `kind` with `read`: on this thread if
  // the view answers it at once, else on blocking_reads_.
  // `request` is an empty message of the method's request type, and
  // `response_type` the type of its response.
  grpc::ServerUnaryReactor* ServeRead(grpc::CallbackServerContext* context,
                                      const char* full_method,
                                      const grpc::ByteBuffer* request_bytes,
                                      std::unique_ptr<google::protobuf::Message> request,
                                      const google::protobuf::Descriptor* response_type,
                                      grpc::ByteBuffer* response_bytes, ReadMethod read,
                                      ResourceKind kind);

  ResourceApi* api_;
  AccessControl* access_;
  const WatchLimits watch_limits_;
  StreamLimiter watch_streams_;
  std::atomic<bool> ending_streams_{false};
  // The reads that wait for a revision or ask the store.
  WorkerPool blocking_reads_{WorkerPool::Options{}};
};

#undef MISSIONS_DECLARE_STANDARD_METHODS

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_SERVICE_REGISTRY_API_SERVICE_H_
