#include "proto/common/observability/trace_context.h"

#include <random>
#include <utility>

#include "absl/strings/str_format.h"
#include "grpcpp/client_context.h"

namespace missions::observability {

namespace {
bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}
bool AllZero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }

std::string RandomHex(size_t digits) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  do {
    out.clear();
    while (out.size() < digits) {
      uint64_t r = rng();
      for (int i = 0; i < 16 && out.size() < digits; ++i, r >>= 4) out += kHex[r & 15];
    }
  } while (AllZero(out));
  return out;
}
}  // namespace

std::string TraceContext::ToTraceparent() const {
  return absl::StrFormat("00-%s-%s-%02x", trace_id, span_id, flags);
}

std::optional<TraceContext> ParseTraceparent(std::string_view v) {
  if (v.size() < 55) return std::nullopt;
  std::string_view version = v.substr(0, 2);
  if (!IsLowerHex(version) || version == "ff") return std::nullopt;
  if (version == "00" && v.size() != 55) return std::nullopt;
  if (v.size() > 55 && v[55] != '-') return std::nullopt;
  if (v[2] != '-' || v[35] != '-' || v[52] != '-') return std::nullopt;
  std::string_view trace_id = v.substr(3, 32), span_id = v.substr(36, 16),
                   flags = v.substr(53, 2);
  if (!IsLowerHex(trace_id) || !IsLowerHex(span_id) || !IsLowerHex(flags)) {
    return std::nullopt;
  }
  if (AllZero(trace_id) || AllZero(span_id)) return std::nullopt;
  TraceContext tc;
  tc.trace_id = std::string(trace_id);
  tc.span_id = std::string(span_id);
  tc.flags = static_cast<uint8_t>(std::stoi(std::string(flags), nullptr, 16));
  return tc;
}

std::string NewTraceId() { return RandomHex(32); }
std::string NewSpanId() { return RandomHex(16); }

TraceContext NewTraceContext() { return TraceContext{NewTraceId(), NewSpanId(), 1}; }

std::string AddTraceparent(grpc::ClientContext* context, const std::string& trace_id) {
  TraceContext tc{trace_id, NewSpanId(), 1};
  if (trace_id.size() != 32 || !IsLowerHex(trace_id) || AllZero(trace_id)) {
    tc.trace_id = NewTraceId();
  }
  std::string value = tc.ToTraceparent();
  context->AddMetadata("traceparent", value);
  return value;
}

namespace {
thread_local const TraceContext* current_trace = nullptr;
}  // namespace

ScopedTraceContext::ScopedTraceContext(TraceContext trace)
    : trace_(std::move(trace)), previous_(current_trace) {
  current_trace = &trace_;
}

ScopedTraceContext::~ScopedTraceContext() { current_trace = previous_; }

std::string CurrentTraceId() { return current_trace ? current_trace->trace_id : ""; }

}  // namespace missions::observability
