// The JSON renderer against its documented schema
// (report-service/docs/report.schema.json), and the small JSON reader and
// schema validator the tests use (report_json_schema.h).
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "report-service/report/render_json.h"
#include "report-service/report/report_assembly.h"
#include "tests/unit/report_json_schema.h"

#ifndef MISSIONS_SOURCE_DIR
#error "MISSIONS_SOURCE_DIR must name the repository root"
#endif

namespace missions::report {
namespace {

using ::missions::testing::JsonValue;
using ::missions::testing::ParseJson;
using ::missions::testing::ValidateAgainstSchema;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string ReadSourceFile(const std::string& relative) {
  std::ifstream in(absl::StrCat(MISSIONS_SOURCE_DIR, "/", relative),
                   std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

JsonValue Schema() {
  absl::StatusOr<JsonValue> schema =
      ParseJson(ReadSourceFile("report-service/docs/report.schema.json"));
  EXPECT_TRUE(schema.ok()) << schema.status();
  return schema.ok() ? *std::move(schema) : JsonValue{};
}

ReportModel SmallReport(Language language, const ReportOptions& options) {
  ::registry::v1::Dataset dataset;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(
      ReadSourceFile("tests/golden/small_dataset.textproto"), &dataset));
  absl::StatusOr<ReportModel> model =
      AssembleReport(dataset, 2020, language, options);
  EXPECT_TRUE(model.ok()) << model.status();
  return model.ok() ? *std::move(model) : ReportModel{};
}

std::vector<std::string> Violations(const std::string& json) {
  absl::StatusOr<JsonValue> document = ParseJson(json);
  if (!document.ok()) return {std::string(document.status().message())};
  return ValidateAgainstSchema(Schema(), *document);
}

// ------------------------------------------------------------ the reader

TEST(ParseJsonTest, ReadsEveryKindOfValue) {
  absl::StatusOr<JsonValue> value = ParseJson(
      R"( {"a": [1, -2.5e1, true, false, null], "b": "x\"\\\/\n\u00e9\ud83d\ude00"} )");
  ASSERT_TRUE(value.ok()) << value.status();
  const JsonValue* a = value->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 5u);
  EXPECT_TRUE(a->array[0].integer);
  EXPECT_EQ(a->array[1].number, -25);
  EXPECT_FALSE(a->array[1].integer);
  EXPECT_TRUE(a->array[2].boolean);
  EXPECT_EQ(a->array[4].type, JsonValue::Type::kNull);
  EXPECT_EQ(value->Find("b")->string, "x\"\\/\n\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(ParseJsonTest, RejectsWhatRfc8259Forbids) {
  for (const char* bad :
       {"", "{", "[1,]", "{\"a\":1,}", "{\"a\":1,\"a\":2}", "01", "1.", "-",
        "\"tab\there\"", "\"\\ud800\"", "{a:1}", "[1] 2", "'x'", "nul",
        "\"\\x\""}) {
    EXPECT_FALSE(ParseJson(bad).ok()) << bad;
  }
}

// ------------------------------------------------------------- validator

TEST(SchemaValidatorTest, ChecksTheSupportedKeywords) {
  absl::StatusOr<JsonValue> schema = ParseJson(R"({
    "type": "object", "additionalProperties": false, "required": ["n", "s"],
    "properties": {
      "n": {"type": ["integer", "null"], "minimum": 0, "maximum": 9},
      "s": {"type": "string", "minLength": 2, "maxLength": 3},
      "e": {"enum": ["a", "b"]},
      "l": {"type": "array", "items": {"$ref": "#/$defs/C"}},
      "o": {"anyOf": [{"type": "null"}, {"const": 1}]}
    },
    "$defs": {"C": {"const": "c"}}
  })");
  ASSERT_TRUE(schema.ok()) << schema.status();
  const auto check = [&](const char* json) {
    absl::StatusOr<JsonValue> value = ParseJson(json);
    EXPECT_TRUE(value.ok()) << json;
    return ValidateAgainstSchema(*schema, *value);
  };
  EXPECT_THAT(check(R"({"n": null, "s": "éé", "e": "a", "l": ["c"], "o": 1})"),
              IsEmpty());
  EXPECT_THAT(check(R"({"n": 10, "s": "x"})"),
              ElementsAre("/n: above the maximum 9", "/s: shorter than minLength"));
  EXPECT_THAT(check(R"({"n": 1.5, "s": "abcd", "x": 1})"),
              ElementsAre("/n: is number, expected integer or null",
                          "/s: longer than maxLength",
                          "/x: no value is allowed here"));
  EXPECT_THAT(check(R"({"s": "ab", "e": "c", "l": ["d"], "o": 2})"),
              ElementsAre("/: missing required key n",
                          "/e: not one of the enumerated values",
                          "/l/0: not the constant value",
                          "/o: matches none of anyOf"));
  absl::StatusOr<JsonValue> unsupported = ParseJson(R"({"pattern": "x"})");
  EXPECT_THAT(ValidateAgainstSchema(*unsupported, JsonValue{}),
              ElementsAre("/: unsupported schema keyword pattern"));
}

// ---------------------------------------------------- the report's JSON

TEST(RenderJsonTest, SmallReportValidatesInBothLanguages) {
  for (Language language : {Language::kDutch, Language::kEnglish}) {
    EXPECT_THAT(Violations(RenderJson(SmallReport(language, {}))), IsEmpty());
  }
}

TEST(RenderJsonTest, ValidatesWithProvenanceAndWithoutChecks) {
  ReportOptions options;
  options.registry_revision = 42;
  options.generation_time = absl::FromUnixSeconds(1621409400);
  options.include_checks = false;
  options.expiring_horizon_days = 0;
  const std::string json = RenderJson(SmallReport(Language::kDutch, options));
  EXPECT_THAT(Violations(json), IsEmpty());
  absl::StatusOr<JsonValue> document = ParseJson(json);
  ASSERT_TRUE(document.ok());
  const JsonValue* provenance = document->Find("provenance");
  EXPECT_EQ(provenance->Find("registry_revision")->number, 42);
  EXPECT_EQ(provenance->Find("generated_at")->string, "2021-05-19T07:30:00Z");
  EXPECT_THAT(provenance->Find("statement")->string,
              HasSubstr("revisie 42 van het missieregister op 19 mei 2021 om "
                        "07:30 UTC"));
  EXPECT_EQ(document->Find("checks")->type, JsonValue::Type::kNull);
}

TEST(RenderJsonTest, SchemaRejectsAChangedDocument) {
  std::string json = RenderJson(SmallReport(Language::kDutch, {}));
  const std::string key = "\"mandate_persons\": ";
  const size_t at = json.find(key);
  ASSERT_NE(at, std::string::npos);
  json.insert(at + key.size(), "-");
  EXPECT_THAT(Violations(json),
              ElementsAre(HasSubstr("/annex2/totals/mandate_persons: below the "
                                    "minimum 0")));
}

TEST(RenderJsonTest, TotalsAndCountsAsNumbersOrNull) {
  absl::StatusOr<JsonValue> document =
      ParseJson(RenderJson(SmallReport(Language::kDutch, {})));
  ASSERT_TRUE(document.ok());
  const JsonValue* annex2 = document->Find("annex2");
  const JsonValue& eulex = annex2->Find("rows")->array[1];
  EXPECT_EQ(eulex.Find("short_name")->string, "EULEX");
  EXPECT_EQ(eulex.Find("mandate_military")->type, JsonValue::Type::kNull);
  EXPECT_EQ(eulex.Find("mandate_combined")->number, 15);
  EXPECT_EQ(annex2->Find("totals")->Find("mandate_combined")->number, 30);
}

TEST(JsonStringTest, EscapesQuotesBackslashesAndControls) {
  EXPECT_EQ(JsonString("a\"b\\c\n\x01\xC3\xA9"), "\"a\\\"b\\\\c\\n\\u0001\xC3\xA9\"");
}

}  // namespace
}  // namespace missions::report
