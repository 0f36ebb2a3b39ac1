#include "registry-service/service/registry_api_service.h"

#include "proto/common/errors.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;

Caller CallerOf(const grpc::ServerContext* context) {
  return Caller{"anonymous", "", context->peer()};
}

}  // namespace

// Defines the seven standard methods of resource type T (plural P, kind K).
#define MISSIONS_DEFINE_STANDARD_METHODS(T, P, K)                                   \
  grpc::Status RegistryApiService::Get##T(grpc::ServerContext*,                    \
                                          const v1::Get##T##Request* request,      \
                                          v1::T* response) {                       \
    return ToGrpcStatus(api_->Get(K, *request, response));                         \
  }                                                                                \
  grpc::Status RegistryApiService::List##P(grpc::ServerContext*,                   \
                                           const v1::List##P##Request* request,    \
                                           v1::List##P##Response* response) {      \
    return ToGrpcStatus(api_->List(K, *request, response));                        \
  }                                                                                \
  grpc::Status RegistryApiService::BatchGet##P(                                    \
      grpc::ServerContext*, const v1::BatchGet##P##Request* request,               \
      v1::BatchGet##P##Response* response) {                                       \
    return ToGrpcStatus(api_->BatchGet(K, *request, response));                    \
  }                                                                                \
  grpc::Status RegistryApiService::Create##T(grpc::ServerContext* context,         \
                                             const v1::Create##T##Request* request, \
                                             v1::T* response) {                    \
    return ToGrpcStatus(api_->Create(K, *request, CallerOf(context), response));   \
  }                                                                                \
  grpc::Status RegistryApiService::Update##T(grpc::ServerContext* context,         \
                                             const v1::Update##T##Request* request, \
                                             v1::T* response) {                    \
    return ToGrpcStatus(api_->Update(K, *request, CallerOf(context), response));   \
  }                                                                                \
  grpc::Status RegistryApiService::Delete##T(grpc::ServerContext* context,         \
                                             const v1::Delete##T##Request* request, \
                                             v1::T* response) {                    \
    return ToGrpcStatus(api_->Delete(K, *request, CallerOf(context), response));   \
  }                                                                                \
  grpc::Status RegistryApiService::Undelete##T(                                    \
      grpc::ServerContext* context, const v1::Undelete##T##Request* request,       \
      v1::T* response) {                                                           \
    return ToGrpcStatus(api_->Undelete(K, *request, CallerOf(context), response)); \
  }

MISSIONS_DEFINE_STANDARD_METHODS(Region, Regions, ResourceKind::kRegion)
MISSIONS_DEFINE_STANDARD_METHODS(Cluster, Clusters, ResourceKind::kCluster)
MISSIONS_DEFINE_STANDARD_METHODS(CapPool, CapPools, ResourceKind::kCapPool)
MISSIONS_DEFINE_STANDARD_METHODS(ReportYear, ReportYears, ResourceKind::kReportYear)
MISSIONS_DEFINE_STANDARD_METHODS(ReportText, ReportTexts, ResourceKind::kReportText)
MISSIONS_DEFINE_STANDARD_METHODS(Mission, Missions, ResourceKind::kMission)
MISSIONS_DEFINE_STANDARD_METHODS(InternationalMandateDecision, InternationalMandateDecisions,
                                 ResourceKind::kInternationalMandate)
MISSIONS_DEFINE_STANDARD_METHODS(NationalMandateDecision, NationalMandateDecisions,
                                 ResourceKind::kNationalMandate)
MISSIONS_DEFINE_STANDARD_METHODS(PersonnelFigures, PersonnelFigures,
                                 ResourceKind::kPersonnelFigures)
MISSIONS_DEFINE_STANDARD_METHODS(Posting, Postings, ResourceKind::kPosting)
MISSIONS_DEFINE_STANDARD_METHODS(FinancialContribution, FinancialContributions,
                                 ResourceKind::kFinancialContribution)
MISSIONS_DEFINE_STANDARD_METHODS(Narrative, Narratives, ResourceKind::kNarrative)

#undef MISSIONS_DEFINE_STANDARD_METHODS

grpc::Status RegistryApiService::ListAuditEvents(grpc::ServerContext*,
                                                 const v1::ListAuditEventsRequest* request,
                                                 v1::ListAuditEventsResponse* response) {
  return ToGrpcStatus(api_->ListAuditEvents(*request, response));
}

grpc::Status RegistryApiService::WatchChanges(grpc::ServerContext* context,
                                              const v1::WatchChangesRequest* request,
                                              grpc::ServerWriter<v1::ChangeEvent>* writer) {
  const auto deadline = context->deadline();
  const absl::Time until = deadline == std::chrono::system_clock::time_point::max()
                               ? absl::InfiniteFuture()
                               : absl::FromChrono(deadline);
  return ToGrpcStatus(api_->WatchChanges(
      *request, [&](const v1::ChangeEvent& event) { return writer->Write(event); },
      [&] { return context->IsCancelled(); }, until));
}

}  // namespace missions::registry
