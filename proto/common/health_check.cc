#include "proto/common/health_check.h"

#include <vector>

#include "absl/synchronization/notification.h"
#include "grpcpp/client_context.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/support/byte_buffer.h"
#include "proto/common/errors.h"

namespace missions {
namespace {

// HealthCheckRequest{service = 1}: a length-delimited field.
std::string EncodeRequest(const std::string& service) {
  std::string out;
  if (service.empty()) return out;
  out.push_back(0x0a);
  size_t n = service.size();
  while (n >= 0x80) {
    out.push_back(static_cast<char>((n & 0x7f) | 0x80));
    n >>= 7;
  }
  out.push_back(static_cast<char>(n));
  out += service;
  return out;
}

// HealthCheckResponse{status = 1 (enum)}; other fields are skipped only
// as far as needed: the message has no other field today.
ServingStatus DecodeResponse(const std::string& bytes) {
  size_t i = 0;
  while (i < bytes.size()) {
    const unsigned char key = static_cast<unsigned char>(bytes[i++]);
    if (key != 0x08) break;  // not field 1 as a varint
    uint64_t value = 0;
    int shift = 0;
    while (i < bytes.size() && shift < 64) {
      const unsigned char b = static_cast<unsigned char>(bytes[i++]);
      value |= static_cast<uint64_t>(b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) == 0) break;
    }
    if (value <= 3) return static_cast<ServingStatus>(value);
    return ServingStatus::kUnknown;
  }
  return ServingStatus::kUnknown;
}

}  // namespace

absl::StatusOr<ServingStatus> CheckHealth(const std::shared_ptr<grpc::ChannelInterface>& channel,
                                          const std::string& service,
                                          absl::Duration timeout) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  const std::string request_bytes = EncodeRequest(service);
  grpc::Slice slice(request_bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer response;
  grpc::Status status;
  absl::Notification done;
  stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                 &response, [&](grpc::Status s) {
                   status = std::move(s);
                   done.Notify();
                 });
  done.WaitForNotification();
  if (!status.ok()) return FromGrpcStatus(status, "health check");
  std::vector<grpc::Slice> slices;
  std::string bytes;
  if (response.Dump(&slices).ok()) {
    for (const grpc::Slice& s : slices) {
      bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
    }
  }
  return DecodeResponse(bytes);
}

}  // namespace missions
