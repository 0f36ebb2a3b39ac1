// An HTTP endpoint (cpp-httplib) serving a MetricsRegistry on /metrics and
// "ok" on /healthz.
#ifndef PROTO_COMMON_OBSERVABILITY_METRICS_SERVER_H_
#define PROTO_COMMON_OBSERVABILITY_METRICS_SERVER_H_

#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "proto/common/observability/metrics.h"

namespace httplib { class Server; }

namespace missions::observability {

class MetricsServer {
 public:
  // Listens on `address` ("host:port"; port 0 picks a free port) and serves
  // `registry` (not owned; must outlive the server) from a thread of its own.
  static absl::StatusOr<std::unique_ptr<MetricsServer>> Start(
      const std::string& address, const MetricsRegistry* registry);
  ~MetricsServer();
  int port() const { return port_; }
  // Stops listening and joins the thread. Idempotent.
  void Stop();

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> http_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace missions::observability

#endif  // PROTO_COMMON_OBSERVABILITY_METRICS_SERVER_H_
