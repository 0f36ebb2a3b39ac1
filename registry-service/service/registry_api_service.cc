#include "registry-service/service/registry_api_service.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "grpcpp/support/slice.h"
#include "proto/common/observability/grpc_observability.h"
#include "registry-service/domain/read_output.h"
#include "proto/common/errors.h"
#include "registry-service/service/authorized_call.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;

#define MISSIONS_API_METHOD(name) "/registry.v1.RegistryApi/" name

// Parses the request bytes of a raw method into `request`.
bool ParseRequest(const grpc::ByteBuffer& bytes, google::protobuf::Message* request) {
  std::vector<grpc::Slice> slices;
  if (!bytes.Dump(&slices).ok()) return false;
  if (slices.size() == 1) {
    return request->ParseFromArray(slices[0].begin(), static_cast<int>(slices[0].size()));
  }
  std::string joined;
  for (const grpc::Slice& slice : slices) {
    joined.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return request->ParseFromString(joined);
}

// What a client gets for request bytes that are no `request`.
absl::Status UnparseableRequest(const google::protobuf::Message& request) {
  return absl::InvalidArgumentError(absl::StrCat(
      "the request is not a valid ", request.GetDescriptor()->full_name(),
      " (bytes the protobuf parser rejects: e.g. invalid UTF-8 in a string field, "
      "a truncated field or nesting too deep)"));
}

// Finishes a read: its log line, then the status and, if OK, the bytes
// `output` holds.
void FinishRead(grpc::CallbackServerContext* context, grpc::ServerUnaryReactor* reactor,
                const google::protobuf::Message& request, const absl::Status& status,
                WireOutput* output, grpc::ByteBuffer* response) {
  AnnotateRegistryCall(context, request, nullptr);
  if (status.ok() && output != nullptr) {
    if (output->revision() > 0) {
      observability::AnnotateCall(context, "revision", absl::StrCat(output->revision()));
    }
    auto* owned = new std::string(std::move(output->bytes()));
    grpc::Slice slice(
        owned->data(), owned->size(), [](void* p) { delete static_cast<std::string*>(p); },
        owned);
    *response = grpc::ByteBuffer(&slice, 1);
  }
  reactor->Finish(ToGrpcStatus(status));
}

}  // namespace

grpc::ServerUnaryReactor* RegistryApiService::ServeRead(
    grpc::CallbackServerContext* context, const char* full_method,
    const grpc::ByteBuffer* request_bytes, std::unique_ptr<google::protobuf::Message> request,
    const google::protobuf::Descriptor* response_type, grpc::ByteBuffer* response_bytes,
    ReadMethod read, ResourceKind kind) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  if (!ParseRequest(*request_bytes, request.get())) {
    reactor->Finish(ToGrpcStatus(UnparseableRequest(*request)));
    return reactor;
  }
  const absl::StatusOr<Principal> principal =
      access_->Authorize(*context, full_method, *request);
  if (!principal.ok()) {
    reactor->Finish(ToGrpcStatus(principal.status()));
    return reactor;
  }
  ReadOptions options;
  options.deadline = context->deadline() == std::chrono::system_clock::time_point::max()
                         ? absl::InfiniteFuture()
                         : absl::FromChrono(context->deadline());
  options.may_block = false;
  auto output = std::make_unique<WireOutput>(response_type);
  const absl::Status status = (api_->*read)(kind, *request, options, output.get());
  if (!IsWouldBlock(status)) {
    FinishRead(context, reactor, *request, status, output.get(), response_bytes);
    return reactor;
  }
  // The context and the response live until Finish.
  options.may_block = true;
  google::protobuf::Message* const request_ptr = request.get();
  if (blocking_reads_.Schedule([this, context, reactor, read, kind, options, response_bytes,
                                request = std::move(request),
                                output = std::move(output)]() mutable {
        const absl::Status result = (api_->*read)(kind, *request, options, output.get());
        FinishRead(context, reactor, *request, result, output.get(), response_bytes);
      })) {
    return reactor;
  }
  FinishRead(context, reactor, *request_ptr,
             absl::ResourceExhaustedError(
                 "too many reads are waiting for a min_revision or reading the past (as_of, "
                 "an old page token) on this server; retry with backoff"),
             nullptr, response_bytes);
  return reactor;
}

// Defines the seven standard methods of resource type T (plural P, kind K).
#define MISSIONS_DEFINE_STANDARD_METHODS(T, P, K)                                   \
  grpc::ServerUnaryReactor* RegistryApiService::Get##T(                            \
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,       \
      grpc::ByteBuffer* response) {                                                \
    return ServeRead(context, MISSIONS_API_METHOD("Get" #T), request,              \
                     std::make_unique<v1::Get##T##Request>(), v1::T::descriptor(), \
                     response, &ResourceApi::Get, K);                              \
  }                                                                                \
  grpc::ServerUnaryReactor* RegistryApiService::List##P(                           \
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,       \
      grpc::ByteBuffer* response) {                                                \
    return ServeRead(context, MISSIONS_API_METHOD("List" #P), request,             \
                     std::make_unique<v1::List##P##Request>(),                     \
                     v1::List##P##Response::descriptor(), response, &ResourceApi::List, K); \
  }                                                                                \
  grpc::ServerUnaryReactor* RegistryApiService::BatchGet##P(                       \
      grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,       \
      grpc::ByteBuffer* response) {                                                \
    return ServeRead(context, MISSIONS_API_METHOD("BatchGet" #P), request,         \
                     std::make_unique<v1::BatchGet##P##Request>(),                 \
                     v1::BatchGet##P##Response::descriptor(), response,            \
                     &ResourceApi::BatchGet, K);                                   \
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
