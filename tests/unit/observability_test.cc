// proto/common/observability: the Prometheus text format, W3C traceparent,
// JSON escaping, and the gRPC interceptor on an in-process echo server.
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "bench/echo.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "proto/common/observability/grpc_observability.h"
#include "proto/common/observability/json_log.h"
#include "proto/common/observability/metrics.h"
#include "proto/common/observability/metrics_server.h"
#include "proto/common/observability/trace_context.h"
#include "tests/unit/report_json_schema.h"

namespace missions::observability {
namespace {

TEST(Metrics, CounterAndGaugeWithEscapedLabels) {
  MetricsRegistry registry;
  registry.Counter("requests_total", "Requests.\nSecond line \\ here", {"path"})
      ->WithLabels({"a\"b\\c\nd"})
      ->Increment(2);
  registry.Gauge("temperature", "Temp.")->WithLabels({})->Set(-1.5);
  std::string text = registry.Render();
  EXPECT_NE(text.find("# HELP requests_total Requests.\\nSecond line \\\\ here\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("requests_total{path=\"a\\\"b\\\\c\\nd\"} 2\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("# TYPE temperature gauge\ntemperature -1.5\n"), std::string::npos)
      << text;
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  auto* h = registry.Histogram("latency_seconds", "Latency.", {"m"}, {0.1, 1})
                ->HistogramWithLabels({"x"});
  h->Observe(0.05);
  h->Observe(0.1);  // le is inclusive
  h->Observe(0.5);
  h->Observe(7);
  std::string text = registry.Render();
  EXPECT_NE(text.find("# TYPE latency_seconds histogram\n"
                      "latency_seconds_bucket{m=\"x\",le=\"0.1\"} 2\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("latency_seconds_bucket{m=\"x\",le=\"1\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{m=\"x\",le=\"+Inf\"} 4\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_sum{m=\"x\"} 7.65\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("latency_seconds_count{m=\"x\"} 4\n"), std::string::npos);
}

TEST(Metrics, BuildInfoAndSameSeriesPointer) {
  MetricsRegistry registry;
  SetBuildInfo(registry, "1.2.3", "abc");
  EXPECT_NE(registry.Render().find("build_info{version=\"1.2.3\",revision=\"abc\"} 1\n"),
            std::string::npos);
  auto* f = registry.Counter("c_total", "C.", {"l"});
  EXPECT_EQ(f->WithLabels({"v"}), f->WithLabels({"v"}));
  EXPECT_EQ(f, registry.Counter("c_total", "C.", {"l"}));
}

TEST(Metrics, ConcurrentIncrements) {
  MetricsRegistry registry;
  auto* f = registry.Counter("n_total", "N.", {"t"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([f] {
      for (int i = 0; i < 10000; ++i) f->WithLabels({"x"})->Increment();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(f->WithLabels({"x"})->value(), 80000);
}

TEST(TraceContext, ParsesValid) {
  auto tc = ParseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(tc.has_value());
  EXPECT_EQ(tc->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(tc->span_id, "00f067aa0ba902b7");
  EXPECT_EQ(tc->flags, 1);
  EXPECT_EQ(tc->ToTraceparent(), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  // A future version may append fields.
  EXPECT_TRUE(ParseTraceparent(
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra").has_value());
}

TEST(TraceContext, RefusesInvalid) {
  for (const char* bad : {
           "",
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  // uppercase
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // v00 too long
           "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",  // misplaced dash
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
           "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
       }) {
    EXPECT_FALSE(ParseTraceparent(bad).has_value()) << bad;
  }
}

TEST(TraceContext, Generates) {
  TraceContext tc = NewTraceContext();
  EXPECT_TRUE(ParseTraceparent(tc.ToTraceparent()).has_value());
  EXPECT_NE(NewTraceId(), NewTraceId());
  grpc::ClientContext ctx;
  std::string sent = AddTraceparent(&ctx, tc.trace_id);
  auto parsed = ParseTraceparent(sent);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, tc.trace_id);
  EXPECT_NE(parsed->span_id, tc.span_id);
  grpc::ClientContext ctx2;
  EXPECT_TRUE(ParseTraceparent(AddTraceparent(&ctx2, "not-a-trace")).has_value());
}

TEST(Json, Escaping) {
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString(std::string("\n\t\r\b\f\x01\x1f\x7f", 8)),
            "\"\\n\\t\\r\\b\\f\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(JsonString(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  EXPECT_EQ(JsonString("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  // Invalid UTF-8: lone continuation, truncated, overlong, surrogate.
  EXPECT_EQ(JsonString("\x80"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("a\xC3"), "\"a\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  // Whatever the input, the output parses as JSON.
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  auto parsed = missions::testing::ParseJson(JsonString(all));
  EXPECT_TRUE(parsed.ok()) << parsed.status();
}

TEST(Json, TimeAndLevels) {
  EXPECT_EQ(Rfc3339Millis(absl::FromUnixMillis(1764707400123)), "2025-12-02T20:30:00.123Z");
  EXPECT_EQ(ParseLogLevel("debug"), LogLevel::kDebug);
  EXPECT_EQ(ParseLogLevel("INFO"), LogLevel::kInfo);
  EXPECT_EQ(ParseLogLevel("warning"), LogLevel::kWarning);
  EXPECT_EQ(ParseLogLevel("error"), LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("verbose").has_value());
  std::vector<std::string> lines;
  Logger logger("svc", LogLevel::kWarning, [&](const std::string& l) { lines.push_back(l); });
  logger.Log(LogLevel::kInfo, "dropped");
  logger.Log(LogLevel::kError, "kept", {{"k", "v"}});
  ASSERT_EQ(lines.size(), 1u);
  auto json = missions::testing::ParseJson(lines[0]);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->Find("level")->string, "error");
  EXPECT_EQ(json->Find("k")->string, "v");
}

class AnnotatingEcho final : public bench::Echo::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* context, const bench::EchoRequest* request,
                    bench::EchoResponse* response) override {
    AnnotateCall(context, "principal", "user:alice");
    AnnotateCall(context, "revision", "42");
    seen_trace_id = TraceContextOf(*context).trace_id;
    response->set_payload(request->payload());
    if (request->payload() == "fail") return grpc::Status(grpc::StatusCode::NOT_FOUND, "no");
    return grpc::Status::OK;
  }
  std::string seen_trace_id;
};

struct InProcess {
  InProcess() {
    ServerObservabilityOptions options;
    options.service = "echo-server";
    options.registry = &registry;
    options.sink = [this](const std::string& line) {
      absl::MutexLock lock(&mu);
      lines.push_back(line);
    };
    obs = std::make_unique<ServerObservability>(options);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> f;
    f.push_back(obs->NewInterceptorFactory());
    builder.experimental().SetInterceptorCreators(std::move(f));
    server = builder.BuildAndStart();
    stub = bench::Echo::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials()));
  }
  ~InProcess() { server->Shutdown(); }
  std::vector<std::string> Lines() {
    absl::MutexLock lock(&mu);
    return lines;
  }

  MetricsRegistry registry;
  absl::Mutex mu;
  std::vector<std::string> lines;
  std::unique_ptr<ServerObservability> obs;
  AnnotatingEcho service;
  std::unique_ptr<grpc::Server> server;
  std::unique_ptr<bench::Echo::Stub> stub;
};

TEST(Interceptor, MetricsAndOneLogLinePerCall) {
  InProcess p;
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  const std::string secret = "Bearer s3cr3t-token-value";
  {
    grpc::ClientContext ctx;
    AddTraceparent(&ctx, trace_id);
    ctx.AddMetadata("authorization", secret);
    ctx.AddMetadata("x-request-id", "req-1");
    bench::EchoRequest req;
    req.set_payload("body-secret");
    bench::EchoResponse resp;
    ASSERT_TRUE(p.stub->Echo(&ctx, req, &resp).ok());
  }
  EXPECT_EQ(p.service.seen_trace_id, trace_id);
  {
    grpc::ClientContext ctx;
    bench::EchoRequest req;
    req.set_payload("fail");
    bench::EchoResponse resp;
    EXPECT_EQ(p.stub->Echo(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  // The status is sent after the log line is written, but give the server
  // thread a bounded moment in case of reordering.
  for (int i = 0; i < 100 && p.Lines().size() < 2; ++i) absl::SleepFor(absl::Milliseconds(10));
  std::string text = p.registry.Render();
  EXPECT_NE(text.find("grpc_server_started_total{grpc_service=\"bench.Echo\","
                      "grpc_method=\"Echo\",grpc_type=\"unary\"} 2\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("grpc_server_handled_total{grpc_service=\"bench.Echo\","
                      "grpc_method=\"Echo\",grpc_type=\"unary\",grpc_code=\"OK\"} 1\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("grpc_server_handled_total{grpc_service=\"bench.Echo\","
                      "grpc_method=\"Echo\",grpc_type=\"unary\",grpc_code=\"NotFound\"} 1\n"),
            std::string::npos) << text;
  EXPECT_NE(text.find("grpc_server_handling_seconds_count{grpc_service=\"bench.Echo\","
                      "grpc_method=\"Echo\",grpc_type=\"unary\"} 2\n"),
            std::string::npos) << text;

  std::vector<std::string> lines = p.Lines();
  ASSERT_EQ(lines.size(), 2u);
  for (const auto& line : lines) {
    EXPECT_FALSE(absl::StrContains(line, "s3cr3t")) << line;
    EXPECT_FALSE(absl::StrContains(line, "body-secret")) << line;
    EXPECT_FALSE(absl::StrContains(line, "\n")) << line;
  }
  auto json = missions::testing::ParseJson(lines[0]);
  ASSERT_TRUE(json.ok()) << json.status() << lines[0];
  auto str = [&](const char* key) {
    const auto* v = json->Find(key);
    return v == nullptr ? std::string("<missing>") : v->string;
  };
  EXPECT_EQ(str("level"), "info");
  EXPECT_EQ(str("service"), "echo-server");
  EXPECT_EQ(str("rpc"), "/bench.Echo/Echo");
  EXPECT_EQ(str("code"), "OK");
  EXPECT_EQ(str("trace_id"), trace_id);
  EXPECT_EQ(str("principal"), "user:alice");
  EXPECT_EQ(str("revision"), "42");
  EXPECT_EQ(str("request_id"), "req-1");
  EXPECT_TRUE(absl::StartsWith(str("peer"), "ipv4:127.0.0.1:")) << str("peer");
  ASSERT_NE(json->Find("latency_ms"), nullptr);
  EXPECT_EQ(json->Find("latency_ms")->type, missions::testing::JsonValue::Type::kNumber);
  EXPECT_EQ(str("time").size(), 24u);
  EXPECT_TRUE(absl::EndsWith(str("time"), "Z"));

  // The second call had no traceparent: a new trace id, valid.
  auto second = missions::testing::ParseJson(lines[1]);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->Find("code")->string, "NOT_FOUND");
  std::string new_trace = second->Find("trace_id")->string;
  EXPECT_EQ(new_trace.size(), 32u);
  EXPECT_NE(new_trace, trace_id);
}

TEST(MetricsServer, ServesMetricsOnAFreePort) {
  MetricsRegistry registry;
  registry.Counter("x_total", "X.")->WithLabels({})->Increment();
  auto server = MetricsServer::Start("127.0.0.1:0", &registry);
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_GT((*server)->port(), 0);
  // Taken port: refused.
  auto again = MetricsServer::Start("127.0.0.1:" + std::to_string((*server)->port()), &registry);
  EXPECT_FALSE(again.ok());
  EXPECT_FALSE(MetricsServer::Start("no-port", &registry).ok());
  (*server)->Stop();
  (*server)->Stop();
}

}  // namespace
}  // namespace missions::observability
