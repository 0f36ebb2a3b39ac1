#include "registry-service/service/registry_api_service.h"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "proto/common/errors.h"
#include "registry-service/service/authorized_call.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;

#define MISSIONS_API_METHOD(name) "/registry.v1.RegistryApi/" name

}  // namespace

// Defines the seven standard methods of resource type T (plural P, kind K).
#define MISSIONS_DEFINE_STANDARD_METHODS(T, P, K)                                   \
  grpc::Status RegistryApiService::Get##T(grpc::ServerContext* context,            \
                                          const v1::Get##T##Request* request,      \
                                          v1::T* response) {                       \
    return AuthorizedCall(access_, context, MISSIONS_API_METHOD("Get" #T), *request, \
                          [&](const Caller& caller) { return api_->Get(K, *request, caller.deadline, response); }, response); \
  }                                                                                \
  grpc::Status RegistryApiService::List##P(grpc::ServerContext* context,           \
                                           const v1::List##P##Request* request,    \
                                           v1::List##P##Response* response) {      \
    return AuthorizedCall(access_, context, MISSIONS_API_METHOD("List" #P), *request, \
                          [&](const Caller& caller) { return api_->List(K, *request, caller.deadline, response); }, response); \
  }                                                                                \
  grpc::Status RegistryApiService::BatchGet##P(                                    \
      grpc::ServerContext* context, const v1::BatchGet##P##Request* request,       \
      v1::BatchGet##P##Response* response) {                                       \
    return AuthorizedCall(                                                         \
        access_, context, MISSIONS_API_METHOD("BatchGet" #P), *request,            \
        [&](const Caller& caller) { return api_->BatchGet(K, *request, caller.deadline, response); }, response); \
  }                                                                                \
  grpc::Status RegistryApiService::Create##T(grpc::ServerContext* context,         \
                                             const v1::Create##T##Request* request, \
                                             v1::T* response) {                    \
    return AuthorizedCall(                                                         \
        access_, context, MISSIONS_API_METHOD("Create" #T), *request,              \
        [&](const Caller& caller) { return api_->Create(K, *request, caller, response); }, response); \
  }                                                                                \
  grpc::Status RegistryApiService::Update##T(grpc::ServerContext* context,         \
                                             const v1::Update##T##Request* request, \
                                             v1::T* response) {                    \
    return AuthorizedCall(                                                         \
        access_, context, MISSIONS_API_METHOD("Update" #T), *request,              \
        [&](const Caller& caller) { return api_->Update(K, *request, caller, response); }, response); \
  }                                                                                \
  grpc::Status RegistryApiService::Delete##T(grpc::ServerContext* context,         \
                                             const v1::Delete##T##Request* request, \
                                             v1::T* response) {                    \
    return AuthorizedCall(                                                         \
        access_, context, MISSIONS_API_METHOD("Delete" #T), *request,              \
        [&](const Caller& caller) { return api_->Delete(K, *request, caller, response); }, response); \
  }                                                                                \
  grpc::Status RegistryApiService::Undelete##T(                                    \
      grpc::ServerContext* context, const v1::Undelete##T##Request* request,       \
      v1::T* response) {                                                           \
    return AuthorizedCall(access_, context, MISSIONS_API_METHOD("Undelete" #T), *request, \
                          [&](const Caller& caller) {                              \
                            return api_->Undelete(K, *request, caller, response);  \
                          }, response);                                            \
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

grpc::Status RegistryApiService::ListAuditEvents(grpc::ServerContext* context,
                                                 const v1::ListAuditEventsRequest* request,
                                                 v1::ListAuditEventsResponse* response) {
  return AuthorizedCall(access_, context, MISSIONS_API_METHOD("ListAuditEvents"), *request,
                        [&](const Caller&) { return api_->ListAuditEvents(*request, response); },
                        response);
}

grpc::Status RegistryApiService::WatchChanges(grpc::ServerContext* context,
                                              const v1::WatchChangesRequest* request,
                                              grpc::ServerWriter<v1::ChangeEvent>* writer) {
  return AuthorizedCall(
      access_, context, MISSIONS_API_METHOD("WatchChanges"), *request,
      [&](const Caller& caller) -> absl::Status {
        if (ending_streams_.load()) {
          return absl::UnavailableError("the registry server is shutting down");
        }
        // Each open stream holds a server thread: cap them.
        absl::StatusOr<StreamLimiter::Lease> lease =
            watch_streams_.Acquire(caller.principal, "WatchChanges streams");
        if (!lease.ok()) return lease.status();
        const absl::Time requested =
            context->deadline() == std::chrono::system_clock::time_point::max()
                ? absl::InfiniteFuture()
                : absl::FromChrono(context->deadline());
        const absl::Time cap = watch_limits_.max_duration > absl::ZeroDuration()
                                   ? absl::Now() + watch_limits_.max_duration
                                   : absl::InfiniteFuture();
        int64_t last_event_id = request->after_event_id();
        absl::Status status = api_->WatchChanges(
            *request,
            [&](const v1::ChangeEvent& event) {
              if (!writer->Write(event)) return false;
              last_event_id = event.event().id();
              return true;
            },
            [&] { return context->IsCancelled() || ending_streams_.load(); },
            std::min(requested, cap));
        if (status.ok() && ending_streams_.load() && !context->IsCancelled()) {
          return absl::UnavailableError(absl::StrCat(
              "the registry server is shutting down; reconnect with after_event_id=",
              last_event_id, " (and no after_revision) to continue where it stopped"));
        }
        if (status.ok() && cap < requested && absl::Now() >= cap && !context->IsCancelled()) {
          // The server's limit, not the client's deadline, ended the stream.
          return absl::ResourceExhaustedError(absl::StrCat(
              "WatchChanges streams last at most ",
              absl::FormatDuration(watch_limits_.max_duration),
              " on this server; reconnect with after_event_id=", last_event_id,
              " (and no after_revision) to continue where it stopped"));
        }
        return status;
      });
}

grpc::Status RegistryApiService::BatchWrite(grpc::ServerContext* context,
                                            const v1::BatchWriteRequest* request,
                                            v1::BatchWriteResponse* response) {
  return AuthorizedCall(
      access_, context, MISSIONS_API_METHOD("BatchWrite"), *request,
      [&](const Caller& caller) { return api_->BatchWrite(*request, caller, response); },
      response);
}

#undef MISSIONS_API_METHOD

}  // namespace missions::registry
