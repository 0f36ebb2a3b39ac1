// A client of the standard gRPC health service (grpc.health.v1.Health/
// Check) over any channel, without generated code: report-server follows
// the registry's health with it.
#ifndef PROTO_COMMON_HEALTH_CHECK_H_
#define PROTO_COMMON_HEALTH_CHECK_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/impl/codegen/channel_interface.h"

namespace missions {

// grpc.health.v1.HealthCheckResponse.ServingStatus.
enum class ServingStatus { kUnknown = 0, kServing = 1, kNotServing = 2, kServiceUnknown = 3 };

// Asks `channel` for the status of `service` ("" for the whole server),
// waiting at most `timeout`. Returns the call's error (e.g. UNAVAILABLE
// while the server cannot be reached) or the status it answered.
absl::StatusOr<ServingStatus> CheckHealth(const std::shared_ptr<grpc::ChannelInterface>& channel,
                                          const std::string& service,
                                          absl::Duration timeout);

}  // namespace missions

#endif  // PROTO_COMMON_HEALTH_CHECK_H_
