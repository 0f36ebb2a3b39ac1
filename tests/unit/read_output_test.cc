// ReadOutput: the bytes WireOutput writes from records' serialized form
// parse to exactly the response MessageOutput builds (Get, and List with
// items, a page token and a revision); records without bytes at hand are
// serialized on the spot.
#include "registry-service/domain/read_output.h"

#include <string>

#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "registry/v1/registry_api.pb.h"
#include "registry/v1/resources.pb.h"

namespace missions::registry {
namespace {

namespace v1 = ::registry::v1;
using ::google::protobuf::util::MessageDifferencer;

v1::Mission NewMission(const std::string& id) {
  v1::Mission mission;
  mission.set_name("missions/" + id);
  mission.set_short_name("Mission " + id);
  (*mission.mutable_full_name())["nl"] = "Missie " + id + " in Libië";
  (*mission.mutable_location())["en"] = "Somewhere";
  mission.set_etag("r7");
  return mission;
}

TEST(ReadOutputTest, GetWritesTheRecordsBytes) {
  const v1::Mission mission = NewMission("a");
  const std::string wire = mission.SerializeAsString();
  WireOutput output(v1::Mission::descriptor());
  output.AddRecord(mission, &wire);
  output.NoteRevision(7);
  v1::Mission parsed;
  ASSERT_TRUE(parsed.ParseFromString(output.bytes()));
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, mission)) << parsed.DebugString();
  EXPECT_EQ(output.revision(), 7);
}

TEST(ReadOutputTest, ListBytesParseToTheResponseTheMessagePathBuilds) {
  v1::ListMissionsResponse built;
  MessageOutput message(&built);
  WireOutput wire(v1::ListMissionsResponse::descriptor());
  for (const char* id : {"a", "b", "c"}) {
    const v1::Mission mission = NewMission(id);
    const std::string bytes = mission.SerializeAsString();
    message.AddRecord(mission, &bytes);
    // One without bytes at hand: serialized by the output.
    wire.AddRecord(mission, std::string(id) == "b" ? nullptr : &bytes);
  }
  for (ReadOutput* output : {static_cast<ReadOutput*>(&message), static_cast<ReadOutput*>(&wire)}) {
    output->SetNextPageToken("token-123");
    output->SetRevision(42);
  }
  v1::ListMissionsResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire.bytes()));
  EXPECT_TRUE(MessageDifferencer::Equals(parsed, built))
      << parsed.DebugString() << "\nvs\n" << built.DebugString();
  EXPECT_EQ(parsed.missions_size(), 3);
  EXPECT_EQ(parsed.next_page_token(), "token-123");
  EXPECT_EQ(parsed.revision(), 42);
  EXPECT_EQ(wire.revision(), 42);
}

TEST(ReadOutputTest, EmptyPageHasOnlyItsRevision) {
  WireOutput wire(v1::BatchGetMissionsResponse::descriptor());
  wire.SetNextPageToken("");
  wire.SetRevision(3);
  v1::BatchGetMissionsResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire.bytes()));
  EXPECT_EQ(parsed.missions_size(), 0);
  EXPECT_EQ(parsed.revision(), 3);
}

}  // namespace
}  // namespace missions::registry
