// A message type with every kind of field, for the filter and order_by
// tests: `filtertest.Sample`, built at run time (a DynamicMessage type) so
// that the tests need no extra .proto file. Its text form:
//
//   message Sample {
//     enum Color { COLOR_UNSPECIFIED = 0; COLOR_RED = 1; COLOR_DARK_BLUE = 2; }
//     message Inner { string label = 1; int32 size = 2; repeated string tags =
//     3; } double d = 1;             float f = 2;            int64 i64 = 3;
//     uint32 u32 = 4;           uint64 u64 = 5;         sint32 s32 = 6;
//     bool flag = 7;            bytes data = 8;         Color color = 9;
//     google.protobuf.Timestamp created = 10;
//     google.type.Date day = 11;
//     Inner inner = 12;         repeated Inner inners = 13;
//     repeated int32 numbers = 14;   repeated Color colors = 15;
//     map<int32, string> by_id = 16; map<string, Inner> inner_by_key = 17;
//     repeated google.protobuf.Timestamp times = 18;
//     repeated google.type.Date holidays = 19;
//     optional int32 maybe = 20;
//     oneof choice { string choice_text = 21; int32 choice_number = 22; }
//     map<bool, string> by_flag = 23; map<uint64, int32> by_u64 = 24;
//     string text = 25;
//   }
#ifndef TESTS_UNIT_FILTER_TEST_MESSAGES_H_
#define TESTS_UNIT_FILTER_TEST_MESSAGES_H_

#include <memory>
#include <string>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/descriptor.pb.h"
#include "google/protobuf/dynamic_message.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/type/date.pb.h"
#include "gtest/gtest.h"

namespace missions::registry::testing {

inline constexpr char kSampleFile[] = R"pb(
  name: "filter_test/sample.proto"
  package: "filtertest"
  syntax: "proto3"
  dependency: "google/protobuf/timestamp.proto"
  dependency: "google/type/date.proto"
  message_type {
    name: "Sample"
    field { name: "d" number: 1 label: LABEL_OPTIONAL type: TYPE_DOUBLE }
    field { name: "f" number: 2 label: LABEL_OPTIONAL type: TYPE_FLOAT }
    field { name: "i64" number: 3 label: LABEL_OPTIONAL type: TYPE_INT64 }
    field { name: "u32" number: 4 label: LABEL_OPTIONAL type: TYPE_UINT32 }
    field { name: "u64" number: 5 label: LABEL_OPTIONAL type: TYPE_UINT64 }
    field { name: "s32" number: 6 label: LABEL_OPTIONAL type: TYPE_SINT32 }
    field { name: "flag" number: 7 label: LABEL_OPTIONAL type: TYPE_BOOL }
    field { name: "data" number: 8 label: LABEL_OPTIONAL type: TYPE_BYTES }
    field {
      name: "color"
      number: 9
      label: LABEL_OPTIONAL
      type: TYPE_ENUM
      type_name: ".filtertest.Sample.Color"
    }
    field {
      name: "created"
      number: 10
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
    }
    field {
      name: "day"
      number: 11
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".google.type.Date"
    }
    field {
      name: "inner"
      number: 12
      label: LABEL_OPTIONAL
      type: TYPE_MESSAGE
      type_name: ".filtertest.Sample.Inner"
    }
    field {
      name: "inners"
      number: 13
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".filtertest.Sample.Inner"
    }
    field { name: "numbers" number: 14 label: LABEL_REPEATED type: TYPE_INT32 }
    field {
      name: "colors"
      number: 15
      label: LABEL_REPEATED
      type: TYPE_ENUM
      type_name: ".filtertest.Sample.Color"
    }
    field {
      name: "by_id"
      number: 16
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".filtertest.Sample.ByIdEntry"
    }
    field {
      name: "inner_by_key"
      number: 17
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".filtertest.Sample.InnerByKeyEntry"
    }
    field {
      name: "times"
      number: 18
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".google.protobuf.Timestamp"
    }
    field {
      name: "holidays"
      number: 19
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".google.type.Date"
    }
    field {
      name: "maybe"
      number: 20
      label: LABEL_OPTIONAL
      type: TYPE_INT32
      oneof_index: 1
      proto3_optional: true
    }
    field {
      name: "choice_text"
      number: 21
      label: LABEL_OPTIONAL
      type: TYPE_STRING
      oneof_index: 0
    }
    field {
      name: "choice_number"
      number: 22
      label: LABEL_OPTIONAL
      type: TYPE_INT32
      oneof_index: 0
    }
    field {
      name: "by_flag"
      number: 23
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".filtertest.Sample.ByFlagEntry"
    }
    field {
      name: "by_u64"
      number: 24
      label: LABEL_REPEATED
      type: TYPE_MESSAGE
      type_name: ".filtertest.Sample.ByU64Entry"
    }
    field { name: "text" number: 25 label: LABEL_OPTIONAL type: TYPE_STRING }
    nested_type {
      name: "Inner"
      field { name: "label" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
      field { name: "size" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
      field { name: "tags" number: 3 label: LABEL_REPEATED type: TYPE_STRING }
    }
    nested_type {
      name: "ByIdEntry"
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_INT32 }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
      options { map_entry: true }
    }
    nested_type {
      name: "InnerByKeyEntry"
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_STRING }
      field {
        name: "value"
        number: 2
        label: LABEL_OPTIONAL
        type: TYPE_MESSAGE
        type_name: ".filtertest.Sample.Inner"
      }
      options { map_entry: true }
    }
    nested_type {
      name: "ByFlagEntry"
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_BOOL }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_STRING }
      options { map_entry: true }
    }
    nested_type {
      name: "ByU64Entry"
      field { name: "key" number: 1 label: LABEL_OPTIONAL type: TYPE_UINT64 }
      field { name: "value" number: 2 label: LABEL_OPTIONAL type: TYPE_INT32 }
      options { map_entry: true }
    }
    enum_type {
      name: "Color"
      value { name: "COLOR_UNSPECIFIED" number: 0 }
      value { name: "COLOR_RED" number: 1 }
      value { name: "COLOR_DARK_BLUE" number: 2 }
    }
    oneof_decl { name: "choice" }
    oneof_decl { name: "_maybe" }
  }
)pb";

// Owns the pool and factory of filtertest.Sample.
class SampleType {
 public:
  // The process-wide instance.
  static const SampleType& Get() {
    static const SampleType* const kInstance = new SampleType();
    return *kInstance;
  }

  const google::protobuf::Descriptor* descriptor() const { return descriptor_; }

  // A new Sample parsed from text format; fails the test on a parse error.
  std::unique_ptr<google::protobuf::Message> New(
      const std::string& text) const {
    std::unique_ptr<google::protobuf::Message> message(
        factory_->GetPrototype(descriptor_)->New());
    EXPECT_TRUE(
        google::protobuf::TextFormat::ParseFromString(text, message.get()))
        << text;
    return message;
  }

 private:
  SampleType() {
    for (const google::protobuf::FileDescriptor* file :
         {google::protobuf::Timestamp::descriptor()->file(),
          google::type::Date::descriptor()->file()}) {
      google::protobuf::FileDescriptorProto proto;
      file->CopyTo(&proto);
      pool_.BuildFile(proto);
    }
    google::protobuf::FileDescriptorProto sample;
    google::protobuf::TextFormat::ParseFromString(kSampleFile, &sample);
    const google::protobuf::FileDescriptor* file = pool_.BuildFile(sample);
    descriptor_ =
        file == nullptr ? nullptr : file->FindMessageTypeByName("Sample");
    factory_ =
        std::make_unique<google::protobuf::DynamicMessageFactory>(&pool_);
  }

  google::protobuf::DescriptorPool pool_;
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory_;
  const google::protobuf::Descriptor* descriptor_ = nullptr;
};

}  // namespace missions::registry::testing

#endif  // TESTS_UNIT_FILTER_TEST_MESSAGES_H_
