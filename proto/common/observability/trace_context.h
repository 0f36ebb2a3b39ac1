// W3C trace context (https://www.w3.org/TR/trace-context/): the
// `traceparent` header "00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>".
#ifndef PROTO_COMMON_OBSERVABILITY_TRACE_CONTEXT_H_
#define PROTO_COMMON_OBSERVABILITY_TRACE_CONTEXT_H_

#include <optional>
#include <string>
#include <string_view>

namespace grpc { class ClientContext; }

namespace missions::observability {

struct TraceContext {
  std::string trace_id;   // 32 lowercase hex digits, not all zero
  std::string span_id;    // 16 lowercase hex digits, not all zero
  uint8_t flags = 0;      // bit 0: sampled

  // "00-<trace_id>-<span_id>-<flags>".
  std::string ToTraceparent() const;
};

// Parses a traceparent value. Accepts version 00 exactly (55 characters)
// and, per the spec, future versions (not ff) with a longer value whose
// first four fields parse. Uppercase hex is refused. nullopt if invalid.
std::optional<TraceContext> ParseTraceparent(std::string_view value);

// A new random trace id (32 hex) / span id (16 hex), never all zero.
std::string NewTraceId();
std::string NewSpanId();

// A new trace (new trace id, new span id, flags 01).
TraceContext NewTraceContext();

// Adds "traceparent" with `trace_id` and a new child span id to an outgoing
// call. An invalid `trace_id` starts a new trace. Returns the value sent.
std::string AddTraceparent(grpc::ClientContext* context, const std::string& trace_id);

// The trace a thread is working for, so that calls it makes to other
// services carry it on (AddTraceparent(ctx, CurrentTraceId())). A server
// handler opens a scope with the trace of its call (TraceContextOf) for
// as long as it runs; scopes nest.
class ScopedTraceContext {
 public:
  explicit ScopedTraceContext(TraceContext trace);
  ~ScopedTraceContext();
  ScopedTraceContext(const ScopedTraceContext&) = delete;
  ScopedTraceContext& operator=(const ScopedTraceContext&) = delete;

 private:
  TraceContext trace_;
  const TraceContext* previous_;
};

// The trace id of the innermost scope on this thread, or "" outside one.
std::string CurrentTraceId();

}  // namespace missions::observability

#endif  // PROTO_COMMON_OBSERVABILITY_TRACE_CONTEXT_H_
