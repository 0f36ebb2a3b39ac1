// ToGrpcStatus keeps what it sends under gRPC's default 8 KiB metadata
// limit whatever the status holds: long echoed names, hundreds of
// violations, bytes that are not UTF-8. Checked on the converted status and
// through a real in-process server with a default client.
#include "proto/common/errors.h"

#include <chrono>
#include <cstddef>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "bench/echo.grpc.pb.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"

namespace missions {
namespace {

// gRPC's default limit on the metadata a client accepts
// (GRPC_ARG_MAX_METADATA_SIZE).
constexpr size_t kDefaultMetadataLimit = 8 * 1024;

// Bytes of `message` as grpc-message carries it (percent-encoded: '%' and
// bytes outside printable ASCII take 3).
size_t PercentEncodedSize(absl::string_view message) {
  size_t size = 0;
  for (char c : message) {
    const auto b = static_cast<unsigned char>(c);
    size += b >= 0x20 && b <= 0x7E && b != '%' ? 1 : 3;
  }
  return size;
}

// The size of the trailers of `status` as the client's HPACK parser counts
// them against the limit: name, value as sent (grpc-message percent-encoded,
// -bin headers in base64) and 32 bytes per entry (RFC 7541, 4.1).
size_t TrailerBytes(const grpc::Status& status) {
  constexpr size_t kEntryOverhead = 32;
  size_t size = std::string("grpc-status").size() +
                absl::StrCat(static_cast<int>(status.error_code())).size() +
                kEntryOverhead;
  if (!status.error_message().empty()) {
    size += std::string("grpc-message").size() +
            PercentEncodedSize(status.error_message()) + kEntryOverhead;
  }
  if (!status.error_details().empty()) {
    size += std::string("grpc-status-details-bin").size() +
            (status.error_details().size() + 2) / 3 * 4 + kEntryOverhead;
  }
  return size;
}

bool IsValidUtf8(absl::string_view text) { return ToValidUtf8(text) == text; }

std::string LongName(size_t length) {
  std::string name = "missions/";
  while (name.size() < length) name.push_back(static_cast<char>('a' + (name.size() - 9) % 26));
  return name;
}

// `count` violations, each echoing a `name_length`-character name.
std::vector<FieldViolation> Violations(size_t count, size_t name_length) {
  std::vector<FieldViolation> violations;
  for (size_t i = 0; i < count; ++i) {
    violations.push_back({absl::StrCat("names[", i, "]"),
                          absl::StrCat("'", LongName(name_length),
                                       "' is not a mission name: missions/{mission}")});
  }
  return violations;
}

// What ToGrpcStatus sent before it had bounds: the whole message and every
// violation as they are. The "before" of the measurements below.
grpc::Status UnboundedGrpcStatus(const absl::Status& status) {
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));
  google::rpc::BadRequest bad_request;
  for (const FieldViolation& v : FieldViolationsOf(status)) {
    auto* fv = bad_request.add_field_violations();
    fv->set_field(v.field);
    fv->set_description(v.description);
  }
  details.add_details()->PackFrom(bad_request);
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()), details.SerializeAsString());
}

google::rpc::ErrorInfo ErrorInfoOf(const grpc::Status& status) {
  google::rpc::Status details;
  EXPECT_TRUE(details.ParseFromString(status.error_details()));
  google::rpc::ErrorInfo info;
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&info)) return info;
  }
  ADD_FAILURE() << "no ErrorInfo";
  return info;
}

// Checks the bounds every converted status keeps.
void ExpectBounded(const grpc::Status& sent) {
  EXPECT_LT(TrailerBytes(sent), kDefaultMetadataLimit);
  EXPECT_LE(PercentEncodedSize(sent.error_message()), kMaxWireMessageBytes);
  EXPECT_LE(sent.error_details().size(), kMaxWireDetailsBytes);
  EXPECT_TRUE(IsValidUtf8(sent.error_message()));
  for (const FieldViolation& v : FieldViolationsOf(FromGrpcStatus(sent))) {
    EXPECT_LE(v.field.size(), kMaxWireFieldBytes);
    EXPECT_LE(v.description.size(), kMaxWireDescriptionBytes);
    EXPECT_TRUE(IsValidUtf8(v.field)) << v.field;
    EXPECT_TRUE(IsValidUtf8(v.description)) << v.description;
  }
}

TEST(ToValidUtf8Test, KeepsValidText) {
  for (const std::string text :
       {"", "UNMISS", "Libi\xC3\xAB", "\xE2\x82\xAC 15", "\xF0\x9F\x87\xB3\xF0\x9F\x87\xB1",
        "\xEF\xBF\xBD"}) {
    EXPECT_EQ(ToValidUtf8(text), text);
  }
}

TEST(ToValidUtf8Test, ReplacesEachIllFormedSequenceWithOneReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(ToValidUtf8("a\xFF" "b"), "a" + r + "b");
  EXPECT_EQ(ToValidUtf8("Libi\xEB"), "Libi" + r);  // Latin-1, not UTF-8
  EXPECT_EQ(ToValidUtf8("\xE2\x82" "A"), r + "A");  // cut-off sequence
  EXPECT_EQ(ToValidUtf8("\xE2\x82"), r);            // cut off at the end
  EXPECT_EQ(ToValidUtf8("\xC0\xAF"), r + r);        // overlong '/'
  EXPECT_EQ(ToValidUtf8("\xED\xA0\x80"), r + r + r);  // surrogate U+D800
  EXPECT_EQ(ToValidUtf8("\xF4\x90\x80\x80"), r + r + r + r);  // above U+10FFFF
  EXPECT_EQ(ToValidUtf8("\x80\x80"), r + r);        // stray continuation bytes
  EXPECT_EQ(ToValidUtf8(std::string("a\0b", 3)), std::string("a\0b", 3));
}

TEST(TruncateUtf8Test, KeepsShortTextAndCutsLongTextWithAnEllipsis) {
  EXPECT_EQ(TruncateUtf8("UNMISS", 6), "UNMISS");
  EXPECT_EQ(TruncateUtf8("UNMISS", 5), "UN\xE2\x80\xA6");
  EXPECT_EQ(TruncateUtf8("\xC3\xAB\xC3\xAB\xC3\xAB\xC3\xAB", 6), "\xC3\xAB\xE2\x80\xA6");
  EXPECT_EQ(TruncateUtf8("UNMISS", 2), "");
}

TEST(TruncateUtf8Test, NeverCutsInsideACharacter) {
  const std::string text = "a\xC3\xAB\xE2\x82\xAC\xF0\x9F\x87\xB3z\xC3\xAB\xE2\x82\xAC";
  for (size_t max = 0; max <= text.size() + 1; ++max) {
    const std::string cut = TruncateUtf8(text, max);
    EXPECT_LE(cut.size(), max);
    EXPECT_TRUE(IsValidUtf8(cut)) << max;
    if (max >= text.size()) {
      EXPECT_EQ(cut, text);
    }
  }
}

TEST(ToGrpcStatusTest, ShortStatusIsSentAsItIs) {
  const absl::Status status = InvalidArgumentWithViolations(
      "invalid mission", {{"mission.short_name", "is required"}});
  const grpc::Status sent = ToGrpcStatus(status);
  EXPECT_EQ(sent.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(sent.error_message(), status.message());
  EXPECT_EQ(FieldViolationsOf(FromGrpcStatus(sent)), FieldViolationsOf(status));
  const google::rpc::ErrorInfo info = ErrorInfoOf(sent);
  EXPECT_EQ(info.reason(), "INVALID_FIELDS");
  EXPECT_EQ(info.metadata().at("violations"), "1");
  EXPECT_EQ(info.metadata().at("first_field"), "mission.short_name");
  EXPECT_FALSE(info.metadata().contains("omitted_violations"));
}

TEST(ToGrpcStatusTest, LongNameInAViolationFits) {
  const absl::Status status =
      InvalidArgumentWithViolations("invalid request", Violations(1, 3000));
  const grpc::Status before = UnboundedGrpcStatus(status);
  const grpc::Status sent = ToGrpcStatus(status);
  std::cout << "3,000-character name: trailers " << TrailerBytes(before)
            << " bytes before, " << TrailerBytes(sent) << " bytes now\n";
  EXPECT_GT(TrailerBytes(before), kDefaultMetadataLimit);
  ExpectBounded(sent);
  const std::vector<FieldViolation> received = FieldViolationsOf(FromGrpcStatus(sent));
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0].field, "names[0]");
  EXPECT_TRUE(absl::StartsWith(received[0].description, "'missions/abc"));
  EXPECT_TRUE(absl::EndsWith(received[0].description, "\xE2\x80\xA6"));
  EXPECT_TRUE(absl::EndsWith(sent.error_message(), "\xE2\x80\xA6"));
  EXPECT_TRUE(absl::StartsWith(sent.error_message(), "invalid request: names[0]: '"));
}

TEST(ToGrpcStatusTest, TwentyFiveViolationsSendTwentyAndCountTheRest) {
  std::vector<FieldViolation> violations;
  for (int i = 0; i < 25; ++i) {
    violations.push_back({absl::StrCat("dataset.missions[", i, "].short_name"),
                          "is required"});
  }
  const absl::Status status = InvalidArgumentWithViolations("invalid dataset", violations);
  const grpc::Status sent = ToGrpcStatus(status);
  std::cout << "25 short violations: trailers " << TrailerBytes(UnboundedGrpcStatus(status))
            << " bytes before, " << TrailerBytes(sent) << " bytes now\n";
  ExpectBounded(sent);
  const std::vector<FieldViolation> received = FieldViolationsOf(FromGrpcStatus(sent));
  ASSERT_EQ(received.size(), kMaxWireViolations + 1);
  for (size_t i = 0; i < kMaxWireViolations; ++i) EXPECT_EQ(received[i], violations[i]);
  EXPECT_EQ(received.back(), (FieldViolation{"", "and 5 more violations"}));
  const google::rpc::ErrorInfo info = ErrorInfoOf(sent);
  EXPECT_EQ(info.metadata().at("violations"), "25");
  EXPECT_EQ(info.metadata().at("omitted_violations"), "5");
}

TEST(ToGrpcStatusTest, TwentyFiveLongViolationsFit) {
  const absl::Status status =
      InvalidArgumentWithViolations("invalid request", Violations(25, 3000));
  const grpc::Status before = UnboundedGrpcStatus(status);
  const grpc::Status sent = ToGrpcStatus(status);
  std::cout << "25 violations with 3,000-character names: trailers "
            << TrailerBytes(before) << " bytes before, " << TrailerBytes(sent)
            << " bytes now (message " << PercentEncodedSize(sent.error_message())
            << ", details " << sent.error_details().size() << " bytes, "
            << FieldViolationsOf(FromGrpcStatus(sent)).size() - 1
            << " violations kept)\n";
  ExpectBounded(sent);
  const std::vector<FieldViolation> received = FieldViolationsOf(FromGrpcStatus(sent));
  ASSERT_GE(received.size(), 2u);
  const size_t kept = received.size() - 1;
  for (size_t i = 0; i < kept; ++i) {
    EXPECT_EQ(received[i].field, absl::StrCat("names[", i, "]"));
    EXPECT_EQ(received[i].description,
              TruncateUtf8(FieldViolationsOf(status)[i].description,
                           kMaxWireDescriptionBytes));
  }
  EXPECT_EQ(received.back(),
            (FieldViolation{"", absl::StrCat("and ", 25 - kept, " more violations")}));
  EXPECT_EQ(ErrorInfoOf(sent).metadata().at("omitted_violations"),
            absl::StrCat(25 - kept));
}

TEST(ToGrpcStatusTest, FiveHundredViolationsFit) {
  const absl::Status status =
      InvalidArgumentWithViolations("invalid request", Violations(500, 3000));
  const grpc::Status before = UnboundedGrpcStatus(status);
  const grpc::Status sent = ToGrpcStatus(status);
  std::cout << "500 violations with 3,000-character names: trailers "
            << TrailerBytes(before) << " bytes before, " << TrailerBytes(sent)
            << " bytes now\n";
  ExpectBounded(sent);
  const std::vector<FieldViolation> received = FieldViolationsOf(FromGrpcStatus(sent));
  ASSERT_GE(received.size(), 2u);
  EXPECT_EQ(received.front().field, "names[0]");
  EXPECT_EQ(received.back().description,
            absl::StrCat("and ", 500 - (received.size() - 1), " more violations"));
  EXPECT_EQ(ErrorInfoOf(sent).metadata().at("violations"), "500");
}

TEST(ToGrpcStatusTest, LongFieldPathsAreCut) {
  const absl::Status status = InvalidArgumentWithViolations(
      "invalid request", {{LongName(3000), "is unknown"}});
  const grpc::Status sent = ToGrpcStatus(status);
  ExpectBounded(sent);
  const std::vector<FieldViolation> received = FieldViolationsOf(FromGrpcStatus(sent));
  ASSERT_EQ(received.size(), 1u);
  EXPECT_TRUE(absl::EndsWith(received[0].field, "\xE2\x80\xA6"));
  EXPECT_EQ(ErrorInfoOf(sent).metadata().at("first_field"), received[0].field);
}

TEST(ToGrpcStatusTest, NonAsciiTextIsCutToTheWireBudget) {
  // 'ë' is 2 bytes and 6 on the wire (%C3%AB); a cut never splits it.
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "\xC3\xAB";
  const absl::Status status =
      InvalidArgumentWithViolations(text, {{"mission.title", text}});
  const grpc::Status sent = ToGrpcStatus(status);
  ExpectBounded(sent);
  EXPECT_GT(PercentEncodedSize(sent.error_message()), kMaxWireMessageBytes - 9);
}

TEST(ToGrpcStatusTest, InvalidUtf8IsReplaced) {
  const absl::Status status = InvalidArgumentWithViolations(
      "invalid name 'Libi\xEB'", {{"mission.title\xFF", "'Libi\xEB' has a stray byte"}});
  const grpc::Status sent = ToGrpcStatus(status);
  ExpectBounded(sent);
  EXPECT_EQ(sent.error_message(),
            "invalid name 'Libi\xEF\xBF\xBD': mission.title\xEF\xBF\xBD: 'Libi\xEF\xBF\xBD' "
            "has a stray byte");
  const std::vector<FieldViolation> received = FieldViolationsOf(FromGrpcStatus(sent));
  ASSERT_EQ(received.size(), 1u);
  EXPECT_EQ(received[0], (FieldViolation{"mission.title\xEF\xBF\xBD",
                                         "'Libi\xEF\xBF\xBD' has a stray byte"}));
}

TEST(InvalidArgumentWithViolationsTest, KeepsViolationsThatAreNotUtf8) {
  // The BadRequest payload is a proto3 message, which does not parse with
  // invalid UTF-8 in a string: the violations would be lost.
  const absl::Status status =
      InvalidArgumentWithViolations("invalid", {{"names[0]", "'Libi\xEB' is unknown"}});
  EXPECT_EQ(FieldViolationsOf(status),
            (std::vector<FieldViolation>{{"names[0]", "'Libi\xEF\xBF\xBD' is unknown"}}));
}

TEST(ToGrpcStatusTest, StatusWithoutViolationsHasItsMessageBounded) {
  const absl::Status status =
      absl::NotFoundError(absl::StrCat(LongName(5000), " \xFF not found"));
  const grpc::Status sent = ToGrpcStatus(status);
  EXPECT_EQ(sent.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(sent.error_details().empty());
  EXPECT_LE(sent.error_message().size(), kMaxWireMessageBytes);
  EXPECT_TRUE(absl::EndsWith(sent.error_message(), "\xE2\x80\xA6"));
  EXPECT_TRUE(IsValidUtf8(sent.error_message()));
}

TEST(ToGrpcStatusTest, RetryDelayTravels) {
  const absl::Status status = WithRetryDelay(
      absl::ResourceExhaustedError("rate limit exceeded"), absl::Milliseconds(1500));
  EXPECT_EQ(RetryDelayOf(status), absl::Milliseconds(1500));
  const grpc::Status sent = ToGrpcStatus(status);
  EXPECT_EQ(sent.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  const absl::Status received = FromGrpcStatus(sent);
  EXPECT_EQ(RetryDelayOf(received), absl::Milliseconds(1500));
  EXPECT_TRUE(FieldViolationsOf(received).empty());
  EXPECT_EQ(RetryDelayOf(absl::ResourceExhaustedError("x")), std::nullopt);
}

// Answers every call with a fixed status.
class FailingEcho final : public bench::Echo::Service {
 public:
  explicit FailingEcho(grpc::Status status) : status_(std::move(status)) {}
  grpc::Status Echo(grpc::ServerContext*, const bench::EchoRequest*,
                    bench::EchoResponse*) override {
    return status_;
  }

 private:
  const grpc::Status status_;
};

// Calls an in-process server on 127.0.0.1 whose handler returns `status`,
// from a client with default channel arguments.
grpc::Status CallReturning(const grpc::Status& status) {
  FailingEcho service(status);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    return grpc::Status(grpc::StatusCode::INTERNAL, "server did not start");
  }
  auto stub = bench::Echo::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  bench::EchoRequest request;
  bench::EchoResponse response;
  grpc::Status received = stub->Echo(&context, request, &response);
  server->Shutdown();
  return received;
}

TEST(ToGrpcStatusEndToEndTest, FiveHundredLongViolationsReachADefaultClient) {
  const absl::Status status =
      InvalidArgumentWithViolations("invalid request", Violations(500, 3000));
  const grpc::Status received = CallReturning(ToGrpcStatus(status));
  ASSERT_EQ(received.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << received.error_message();
  const absl::Status recovered = FromGrpcStatus(received, "Echo");
  EXPECT_TRUE(absl::StartsWith(recovered.message(), "Echo: invalid request: names[0]: '"));
  const std::vector<FieldViolation> violations = FieldViolationsOf(recovered);
  ASSERT_GE(violations.size(), 2u);
  EXPECT_EQ(violations.front().field, "names[0]");
  EXPECT_TRUE(absl::StartsWith(violations.front().description, "'missions/abc"));
  EXPECT_EQ(violations.back().description,
            absl::StrCat("and ", 500 - (violations.size() - 1), " more violations"));
}

TEST(ToGrpcStatusEndToEndTest, LongNameReachesADefaultClient) {
  const absl::Status status =
      InvalidArgumentWithViolations("invalid request", Violations(1, 3000));
  const grpc::Status received = CallReturning(ToGrpcStatus(status));
  ASSERT_EQ(received.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
      << received.error_message();
  const std::vector<FieldViolation> violations = FieldViolationsOf(FromGrpcStatus(received));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].field, "names[0]");
}

// The failure the bounds prevent: the same status sent whole.
TEST(ToGrpcStatusEndToEndTest, UnboundedDetailsWouldExceedTheClientsLimit) {
  for (size_t count : {1, 500}) {
    const absl::Status status =
        InvalidArgumentWithViolations("invalid request", Violations(count, 3000));
    const grpc::Status received = CallReturning(UnboundedGrpcStatus(status));
    EXPECT_EQ(received.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED)
        << count << ": " << received.error_message();
  }
}

}  // namespace
}  // namespace missions
