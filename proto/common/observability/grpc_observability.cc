#include "proto/common/observability/grpc_observability.h"

#include <map>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace missions::observability {

namespace {

struct CallState {
  absl::Mutex mu;
  std::vector<std::pair<std::string, std::string>> annotations ABSL_GUARDED_BY(mu);
  std::optional<TraceContext> trace ABSL_GUARDED_BY(mu);
};

// Calls in flight, keyed by their ServerContext (owned by the interceptor,
// which gRPC destroys with the ServerContext).
class CallTable {
 public:
  void Add(const grpc::ServerContextBase* ctx, std::shared_ptr<CallState> state) {
    absl::MutexLock lock(&mu_);
    calls_[ctx] = std::move(state);
  }
  void Remove(const grpc::ServerContextBase* ctx) {
    absl::MutexLock lock(&mu_);
    calls_.erase(ctx);
  }
  std::shared_ptr<CallState> Find(const grpc::ServerContextBase* ctx) {
    absl::MutexLock lock(&mu_);
    auto it = calls_.find(ctx);
    return it == calls_.end() ? nullptr : it->second;
  }

 private:
  absl::Mutex mu_;
  absl::flat_hash_map<const grpc::ServerContextBase*, std::shared_ptr<CallState>> calls_
      ABSL_GUARDED_BY(mu_);
};

CallTable& Calls() {
  static CallTable* table = new CallTable;
  return *table;
}

TraceContext TraceFromMetadata(
    const std::multimap<grpc::string_ref, grpc::string_ref>& metadata) {
  auto it = metadata.find("traceparent");
  if (it != metadata.end()) {
    if (auto parsed = ParseTraceparent(std::string_view(it->second.data(), it->second.size()))) {
      return *parsed;
    }
  }
  return NewTraceContext();
}

const char* TypeName(grpc::experimental::ServerRpcInfo::Type type) {
  using T = grpc::experimental::ServerRpcInfo::Type;
  switch (type) {
    case T::UNARY: return "unary";
    case T::CLIENT_STREAMING: return "client_stream";
    case T::SERVER_STREAMING: return "server_stream";
    case T::BIDI_STREAMING: return "bidi_stream";
  }
  return "unary";
}

class Interceptor : public grpc::experimental::Interceptor {
 public:
  Interceptor(ServerObservability* owner, grpc::experimental::ServerRpcInfo* info)
      : owner_(owner), info_(info), ctx_(info->server_context()),
        method_(info->method() ? info->method() : ""), type_(TypeName(info->type())),
        start_(absl::Now()), state_(std::make_shared<CallState>()) {
    Calls().Add(ctx_, state_);
    owner_->CallCreated();
  }
  ~Interceptor() override {
    if (!recorded_) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call ended without status"));
    }
    Calls().Remove(ctx_);
    owner_->CallDestroyed();
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    using grpc::experimental::InterceptionHookPoints;
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* md = methods->GetRecvInitialMetadata();
      {
        absl::MutexLock lock(&state_->mu);
        if (!state_->trace.has_value() && md != nullptr) state_->trace = TraceFromMetadata(*md);
        if (md != nullptr) {
          auto it = md->find("x-request-id");
          if (it != md->end()) {
            state_->annotations.emplace_back(
                "request_id", std::string(it->second.data(), it->second.size()));
          }
        }
      }
      owner_->Started(method_, type_);
      started_ = true;
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Finish(methods->GetSendStatus());
    }
    methods->Proceed();
  }

 private:
  void Finish(const grpc::Status& status) {
    if (recorded_) return;
    recorded_ = true;
    if (!started_) owner_->Started(method_, type_);
    std::string trace_id;
    std::vector<std::pair<std::string, std::string>> annotations;
    {
      absl::MutexLock lock(&state_->mu);
      if (!state_->trace.has_value()) state_->trace = NewTraceContext();
      trace_id = state_->trace->trace_id;
      annotations = state_->annotations;
    }
    owner_->Record(method_, type_, status, absl::ToDoubleSeconds(absl::Now() - start_),
                   ctx_->peer(), trace_id, annotations);
  }

  ServerObservability* owner_;
  grpc::experimental::ServerRpcInfo* info_;
  grpc::ServerContextBase* ctx_;
  std::string method_;
  const char* type_;
  absl::Time start_;
  std::shared_ptr<CallState> state_;
  bool started_ = false;
  bool recorded_ = false;
};

class Factory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit Factory(ServerObservability* owner) : owner_(owner) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new Interceptor(owner_, info);
  }

 private:
  ServerObservability* owner_;
};

}  // namespace

std::pair<std::string, std::string> SplitMethod(std::string_view full) {
  if (!full.empty() && full.front() == '/') full.remove_prefix(1);
  size_t slash = full.find('/');
  if (slash == std::string_view::npos) return {"unknown", std::string(full)};
  return {std::string(full.substr(0, slash)), std::string(full.substr(slash + 1))};
}

const char* StatusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "CANCELLED";
    case grpc::StatusCode::UNKNOWN: return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT: return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND: return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS: return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED: return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED: return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE: return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED: return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL: return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE: return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS: return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED: return "UNAUTHENTICATED";
    default: return "UNKNOWN";
  }
}

const char* PrometheusCodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK: return "OK";
    case grpc::StatusCode::CANCELLED: return "Canceled";
    case grpc::StatusCode::UNKNOWN: return "Unknown";
    case grpc::StatusCode::INVALID_ARGUMENT: return "InvalidArgument";
    case grpc::StatusCode::DEADLINE_EXCEEDED: return "DeadlineExceeded";
    case grpc::StatusCode::NOT_FOUND: return "NotFound";
    case grpc::StatusCode::ALREADY_EXISTS: return "AlreadyExists";
    case grpc::StatusCode::PERMISSION_DENIED: return "PermissionDenied";
    case grpc::StatusCode::RESOURCE_EXHAUSTED: return "ResourceExhausted";
    case grpc::StatusCode::FAILED_PRECONDITION: return "FailedPrecondition";
    case grpc::StatusCode::ABORTED: return "Aborted";
    case grpc::StatusCode::OUT_OF_RANGE: return "OutOfRange";
    case grpc::StatusCode::UNIMPLEMENTED: return "Unimplemented";
    case grpc::StatusCode::INTERNAL: return "Internal";
    case grpc::StatusCode::UNAVAILABLE: return "Unavailable";
    case grpc::StatusCode::DATA_LOSS: return "DataLoss";
    case grpc::StatusCode::UNAUTHENTICATED: return "Unauthenticated";
    default: return "Unknown";
  }
}

ServerObservability::ServerObservability(ServerObservabilityOptions options)
    : options_(std::move(options)) {
  MetricsRegistry* r = options_.registry ? options_.registry : &MetricsRegistry::Default();
  started_ = r->Counter("grpc_server_started_total",
                        "Total number of RPCs started on the server.",
                        {"grpc_service", "grpc_method", "grpc_type"});
  handled_ = r->Counter("grpc_server_handled_total",
                        "Total number of RPCs completed on the server, regardless of success or failure.",
                        {"grpc_service", "grpc_method", "grpc_type", "grpc_code"});
  handling_seconds_ = r->Histogram(
      "grpc_server_handling_seconds",
      "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server.",
      {"grpc_service", "grpc_method", "grpc_type"});
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
ServerObservability::NewInterceptorFactory() {
  return std::make_unique<Factory>(this);
}

ServerObservability::MethodCells& ServerObservability::CellsOf(std::string_view full_method,
                                                               const char* type) {
  std::pair<std::string, std::string> key(full_method, type);
  absl::MutexLock lock(&cells_mu_);
  std::unique_ptr<MethodCells>& cells = cells_[key];
  if (cells == nullptr) {
    cells = std::make_unique<MethodCells>();
    auto [service, method] = SplitMethod(full_method);
    cells->started = started_->WithLabels({service, method, type});
    cells->seconds = handling_seconds_->HistogramWithLabels({service, method, type});
  }
  return *cells;
}

void ServerObservability::Started(std::string_view full_method, const char* type) {
  CellsOf(full_method, type).started->Increment();
}

void ServerObservability::Record(
    std::string_view full_method, const char* type, const grpc::Status& status,
    double seconds, const std::string& peer, const std::string& trace_id,
    const std::vector<std::pair<std::string, std::string>>& annotations) {
  MethodCells& cells = CellsOf(full_method, type);
  const int code_index = static_cast<int>(status.error_code());
  std::atomic<Cell*>* slot =
      code_index >= 0 && code_index < static_cast<int>(cells.handled.size())
          ? &cells.handled[code_index]
          : nullptr;
  Cell* handled = slot != nullptr ? slot->load(std::memory_order_acquire) : nullptr;
  if (handled == nullptr) {
    auto [service, method] = SplitMethod(full_method);
    handled = handled_->WithLabels({service, method, type, PrometheusCodeName(status.error_code())});
    if (slot != nullptr) slot->store(handled, std::memory_order_release);
  }
  handled->Increment();
  cells.seconds->Observe(seconds);
  if (!options_.sink) return;
  grpc::StatusCode code = status.error_code();
  LogLevel level = (code == grpc::StatusCode::INTERNAL || code == grpc::StatusCode::UNKNOWN ||
                    code == grpc::StatusCode::DATA_LOSS)
                       ? LogLevel::kError
                       : LogLevel::kInfo;
  if (level < options_.level) return;
  JsonLine line;
  line.Str("time", Rfc3339Millis(absl::Now()))
      .Str("level", LogLevelName(level))
      .Str("service", options_.service)
      .Str("rpc", full_method)
      .Str("code", StatusCodeName(code))
      .Num("latency_ms", seconds * 1000.0)
      .Str("peer", peer)
      .Str("trace_id", trace_id);
  // Later annotations of the same key win; keys in first-set order.
  std::vector<std::pair<std::string, std::string>> merged;
  for (const auto& [k, v] : annotations) {
    bool found = false;
    for (auto& m : merged) {
      if (m.first == k) { m.second = v; found = true; }
    }
    if (!found) merged.emplace_back(k, v);
  }
  for (const auto& [k, v] : merged) line.Str(k, v);
  options_.sink(line.Finish());
}

void AnnotateCall(const grpc::ServerContextBase* context, std::string_view key,
                  std::string_view value) {
  auto state = Calls().Find(context);
  if (state == nullptr) return;
  absl::MutexLock lock(&state->mu);
  state->annotations.emplace_back(std::string(key), std::string(value));
}

TraceContext TraceContextOf(const grpc::ServerContextBase& context) {
  auto state = Calls().Find(&context);
  if (state == nullptr) return TraceFromMetadata(context.client_metadata());
  absl::MutexLock lock(&state->mu);
  if (!state->trace.has_value()) state->trace = TraceFromMetadata(context.client_metadata());
  return *state->trace;
}

}  // namespace missions::observability
