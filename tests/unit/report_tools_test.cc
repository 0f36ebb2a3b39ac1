// reportctl's library: retries with exponential backoff under an overall
// deadline (on a fake clock), atomic files, and the generate, check and
// reconcile commands against a mocked report service: files written
// atomically with the server's stable names, retried on UNAVAILABLE, and
// the exit statuses 0, 1 and 3.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "grpcpp/test/mock_stream.h"
#include "gtest/gtest.h"
#include "report-service/tools/atomic_file.h"
#include "report-service/tools/report_client.h"
#include "report-service/tools/reportctl_commands.h"
#include "report-service/tools/retry.h"
#include "report/v1/report_service_mock.grpc.pb.h"

namespace missions::report {
namespace {

namespace rv1 = ::report::v1;
using ::testing::_;
using ::testing::DoAll;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Invoke;
using ::testing::Return;
using ::testing::SetArgPointee;

// A clock that only moves when slept on.
class FakeClock final : public Clock {
 public:
  absl::Time Now() override { return now_; }
  void SleepFor(absl::Duration duration) override {
    sleeps_.push_back(duration);
    now_ += duration;
  }
  void Advance(absl::Duration duration) { now_ += duration; }
  const std::vector<absl::Duration>& sleeps() const { return sleeps_; }

 private:
  absl::Time now_ = absl::FromUnixSeconds(1621409400);
  std::vector<absl::Duration> sleeps_;
};

std::string TempDir() {
  char pattern[] = "/tmp/report_tools_test.XXXXXX";
  const char* dir = mkdtemp(pattern);
  EXPECT_NE(dir, nullptr);
  return dir == nullptr ? "/tmp" : dir;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::string> FilesIn(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// ------------------------------------------------------------------ retry

TEST(RetryWithBackoffTest, RetriesUnavailableWithGrowingWaits) {
  FakeClock clock;
  std::vector<absl::Status> results = {absl::UnavailableError("down"),
                                       absl::DeadlineExceededError("slow"),
                                       absl::OkStatus()};
  size_t calls = 0;
  const absl::Status status = RetryWithBackoff(
      [&](absl::Time) { return results[calls++]; }, RetryPolicy{},
      clock.Now() + absl::Minutes(1), clock);
  EXPECT_TRUE(status.ok());
  EXPECT_EQ(calls, 3u);
  EXPECT_THAT(clock.sleeps(),
              ElementsAre(absl::Milliseconds(250), absl::Milliseconds(500)));
}

TEST(RetryWithBackoffTest, GivesUpBeforeTheDeadlineWithTheLastError) {
  FakeClock clock;
  RetryPolicy policy;
  policy.max_backoff = absl::Seconds(1);
  int calls = 0;
  std::vector<absl::Duration> logged;
  const absl::Status status = RetryWithBackoff(
      [&](absl::Time) {
        ++calls;
        return absl::UnavailableError("down");
      },
      policy, clock.Now() + absl::Seconds(3), clock,
      [&](const absl::Status&, absl::Duration wait) { logged.push_back(wait); });
  EXPECT_TRUE(absl::IsUnavailable(status));
  // Waits 0.25 + 0.5 + 1 + 1 = 2.75 s; another second would pass 3 s.
  EXPECT_THAT(clock.sleeps(),
              ElementsAre(absl::Milliseconds(250), absl::Milliseconds(500),
                          absl::Seconds(1), absl::Seconds(1)));
  EXPECT_EQ(logged, clock.sleeps());
  EXPECT_EQ(calls, 5);
}

TEST(RetryWithBackoffTest, OtherErrorsAreNotRetried) {
  FakeClock clock;
  int calls = 0;
  const absl::Status status = RetryWithBackoff(
      [&](absl::Time) {
        ++calls;
        return absl::NotFoundError("no such year");
      },
      RetryPolicy{}, clock.Now() + absl::Minutes(1), clock);
  EXPECT_TRUE(absl::IsNotFound(status));
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(RetryWithBackoffTest, AttemptDeadlineIsCutToTheOverallDeadline) {
  FakeClock clock;
  RetryPolicy policy;
  policy.attempt_timeout = absl::Seconds(60);
  const absl::Time deadline = clock.Now() + absl::Seconds(10);
  absl::Time seen;
  EXPECT_TRUE(RetryWithBackoff(
                  [&](absl::Time attempt_deadline) {
                    seen = attempt_deadline;
                    return absl::OkStatus();
                  },
                  policy, deadline, clock)
                  .ok());
  EXPECT_EQ(seen, deadline);
  clock.Advance(absl::Seconds(11));
  EXPECT_TRUE(absl::IsDeadlineExceeded(RetryWithBackoff(
      [](absl::Time) { return absl::OkStatus(); }, policy, deadline, clock)));
}

// ------------------------------------------------------------ atomic file

TEST(AtomicFileWriterTest, CommitRenamesAbandonLeavesNothing) {
  const std::string dir = TempDir();
  const std::string path = dir + "/report.pdf";
  {
    absl::StatusOr<std::unique_ptr<AtomicFileWriter>> writer =
        AtomicFileWriter::Open(path);
    ASSERT_TRUE(writer.ok()) << writer.status();
    ASSERT_TRUE((*writer)->Append("half").ok());
    EXPECT_THAT(FilesIn(dir), ElementsAre(HasSubstr("report.pdf.tmp.")));
  }
  EXPECT_TRUE(FilesIn(dir).empty());
  absl::StatusOr<std::unique_ptr<AtomicFileWriter>> writer =
      AtomicFileWriter::Open(path);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("one ").ok());
  ASSERT_TRUE((*writer)->Append("two").ok());
  ASSERT_TRUE((*writer)->Commit().ok());
  EXPECT_EQ(ReadFile(path), "one two");
  EXPECT_THAT(FilesIn(dir), ElementsAre("report.pdf"));
  struct stat info;
  ASSERT_EQ(stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0644u);
  EXPECT_TRUE(absl::IsNotFound(
      WriteFileAtomically(dir + "/missing/report.pdf", "x")));
  std::filesystem::remove_all(dir);
}

// --------------------------------------------------------------- commands

// A reader that yields `messages`, then finishes with `status`.
grpc::testing::MockClientReader<rv1::StreamReportResponse>* Reader(
    std::vector<rv1::StreamReportResponse> messages, grpc::Status status) {
  auto* reader = new grpc::testing::MockClientReader<rv1::StreamReportResponse>();
  auto remaining =
      std::make_shared<std::vector<rv1::StreamReportResponse>>(std::move(messages));
  EXPECT_CALL(*reader, Read(_))
      .WillRepeatedly(Invoke([remaining](rv1::StreamReportResponse* message) {
        if (remaining->empty()) return false;
        *message = remaining->front();
        remaining->erase(remaining->begin());
        return true;
      }));
  EXPECT_CALL(*reader, Finish()).WillOnce(Return(status));
  return reader;
}

// The stream of one document in chunks of two bytes, built from registry
// revision `revision`.
std::vector<rv1::StreamReportResponse> Document(const std::string& file_name,
                                                const std::string& content,
                                                int error_findings,
                                                int64_t revision = 12) {
  std::vector<rv1::StreamReportResponse> messages;
  for (size_t at = 0; at == 0 || at < content.size(); at += 2) {
    rv1::StreamReportResponse message;
    if (at == 0) {
      rv1::ReportDocumentInfo* info = message.mutable_info();
      info->set_file_name(file_name);
      info->set_media_type("text/plain");
      info->set_registry_revision(revision);
      info->set_error_findings(error_findings);
      info->set_size_bytes(static_cast<int64_t>(content.size()));
    }
    message.set_chunk(content.substr(at, 2));
    messages.push_back(std::move(message));
  }
  return messages;
}

class CommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir();
    stub_ = std::make_shared<rv1::MockReportServiceStub>();
    client_ = std::make_unique<ReportClient>(stub_);
    out_ = std::tmpfile();
    err_ = std::tmpfile();
    context_.client = client_.get();
    context_.clock = &clock_;
    context_.deadline = absl::Seconds(30);
    context_.out = out_;
    context_.err = err_;
  }

  void TearDown() override {
    std::fclose(out_);
    std::fclose(err_);
    std::filesystem::remove_all(dir_);
  }

  static std::string Text(FILE* file) {
    std::fflush(file);
    std::rewind(file);
    std::string text;
    char buffer[4096];
    size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
      text.append(buffer, n);
    }
    return text;
  }

  GenerateOptions Options(std::vector<rv1::ReportFormat> formats,
                          std::vector<std::string> languages) {
    GenerateOptions options;
    options.year = 2020;
    options.formats = std::move(formats);
    options.languages = std::move(languages);
    options.output = dir_;
    options.output_is_directory = true;
    return options;
  }

  std::string dir_;
  FakeClock clock_;
  std::shared_ptr<rv1::MockReportServiceStub> stub_;
  std::unique_ptr<ReportClient> client_;
  FILE* out_ = nullptr;
  FILE* err_ = nullptr;
  CommandContext context_;
};

TEST_F(CommandsTest, GenerateWritesEveryDocumentAndRetriesUnavailable) {
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillOnce(Return(Reader({}, grpc::Status(grpc::StatusCode::UNAVAILABLE,
                                               "connection refused"))))
      .WillOnce(Return(Reader(Document("vkm-2020-nl.pdf", "%PDF-1.5 ...", 0),
                              grpc::Status::OK)))
      .WillOnce(Return(Reader(Document("vkm-2020-en.pdf", "%PDF en", 0),
                              grpc::Status::OK)));
  EXPECT_EQ(RunGenerate(Options({rv1::REPORT_FORMAT_PDF}, {"nl", "en"}),
                        context_),
            kExitOk);
  EXPECT_THAT(FilesIn(dir_), ElementsAre("vkm-2020-en.pdf", "vkm-2020-nl.pdf"));
  EXPECT_EQ(ReadFile(dir_ + "/vkm-2020-nl.pdf"), "%PDF-1.5 ...");
  EXPECT_THAT(clock_.sleeps(), ElementsAre(absl::Milliseconds(250)));
  EXPECT_THAT(Text(err_), HasSubstr("UNAVAILABLE (connection refused); "
                                    "retrying in 250ms"));
}

TEST_F(CommandsTest, GenerateRequestCarriesTheOptions) {
  rv1::GenerateReportRequest seen;
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillOnce(DoAll(Invoke([&](grpc::ClientContext*,
                                 const rv1::GenerateReportRequest& request) {
                        seen = request;
                      }),
                      Return(Reader(Document("vkm-2020-en.json", "{}", 0),
                                    grpc::Status::OK))));
  GenerateOptions options = Options({rv1::REPORT_FORMAT_JSON}, {"en"});
  options.output = dir_ + "/report.json";
  options.output_is_directory = false;
  options.generation_time = absl::FromUnixSeconds(1621409400);
  options.omit_checks = true;
  options.expiring_horizon_days = 90;
  options.as_of.time = absl::FromUnixSeconds(1621000000);
  EXPECT_EQ(RunGenerate(options, context_), kExitOk);
  EXPECT_EQ(ReadFile(dir_ + "/report.json"), "{}");
  EXPECT_EQ(seen.year(), 2020);
  EXPECT_EQ(seen.format(), rv1::REPORT_FORMAT_JSON);
  EXPECT_EQ(seen.language(), "en");
  EXPECT_EQ(seen.generation_time().seconds(), 1621409400);
  EXPECT_TRUE(seen.omit_checks());
  EXPECT_EQ(seen.expiring_mandates_horizon_days(), 90);
  EXPECT_EQ(seen.as_of_time().seconds(), 1621000000);
}

TEST_F(CommandsTest, GenerateAsksEveryLaterDocumentAsOfTheFirstOnesRevision) {
  std::vector<rv1::GenerateReportRequest> seen;
  const auto record = [&](grpc::ClientContext*, const rv1::GenerateReportRequest& request) {
    seen.push_back(request);
  };
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillOnce(DoAll(Invoke(record), Return(Reader(Document("vkm-2020-nl.md", "# nl", 0),
                                                    grpc::Status::OK))))
      .WillOnce(DoAll(Invoke(record), Return(Reader(Document("vkm-2020-nl.json", "{}", 0),
                                                    grpc::Status::OK))))
      .WillOnce(DoAll(Invoke(record), Return(Reader(Document("vkm-2020-en.md", "# en", 0),
                                                    grpc::Status::OK))))
      .WillOnce(DoAll(Invoke(record), Return(Reader(Document("vkm-2020-en.json", "{}", 0),
                                                    grpc::Status::OK))));
  GenerateOptions options =
      Options({rv1::REPORT_FORMAT_MARKDOWN, rv1::REPORT_FORMAT_JSON}, {"nl", "en"});
  options.as_of.time = absl::FromUnixSeconds(1621000000);
  EXPECT_EQ(RunGenerate(options, context_), kExitOk);
  ASSERT_EQ(seen.size(), 4u);
  // The first as asked; the rest as of the revision it was built from.
  EXPECT_EQ(seen[0].as_of_time().seconds(), 1621000000);
  for (size_t i = 1; i < seen.size(); ++i) {
    EXPECT_EQ(seen[i].as_of_revision(), 12) << i;
  }
  EXPECT_THAT(FilesIn(dir_), ElementsAre("vkm-2020-en.json", "vkm-2020-en.md",
                                         "vkm-2020-nl.json", "vkm-2020-nl.md"));
}

TEST_F(CommandsTest, GenerateRefusesADocumentOfAnotherRevision) {
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillOnce(Return(Reader(Document("vkm-2020-nl.md", "# nl", 0, 12), grpc::Status::OK)))
      .WillOnce(Return(Reader(Document("vkm-2020-en.md", "# en", 0, 13), grpc::Status::OK)));
  EXPECT_EQ(RunGenerate(Options({rv1::REPORT_FORMAT_MARKDOWN}, {"nl", "en"}), context_),
            kExitFailure);
  EXPECT_THAT(FilesIn(dir_), ElementsAre("vkm-2020-nl.md"));
  EXPECT_THAT(Text(err_), HasSubstr("from registry revision 13, not from revision 12"));
}

TEST_F(CommandsTest, GenerateExitsThreeWhenTheChecksFoundAnError) {
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillOnce(Return(Reader(Document("vkm-2020-nl.md", "# VKM", 2),
                              grpc::Status::OK)));
  EXPECT_EQ(RunGenerate(Options({rv1::REPORT_FORMAT_MARKDOWN}, {"nl"}),
                        context_),
            kExitFindings);
  EXPECT_THAT(FilesIn(dir_), ElementsAre("vkm-2020-nl.md"));
  EXPECT_THAT(Text(err_), HasSubstr("found 2 error(s)"));
}

TEST_F(CommandsTest, GenerateFailsWithoutAHalfWrittenFile) {
  // The stream breaks off after the first chunk: nothing is left behind.
  std::vector<rv1::StreamReportResponse> partial =
      Document("vkm-2020-nl.html", "<html></html>", 0);
  partial.resize(1);
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillOnce(Return(Reader(partial, grpc::Status(grpc::StatusCode::INTERNAL,
                                                    "broken"))));
  EXPECT_EQ(RunGenerate(Options({rv1::REPORT_FORMAT_HTML}, {"nl"}), context_),
            kExitFailure);
  EXPECT_TRUE(FilesIn(dir_).empty());
  EXPECT_THAT(Text(err_), HasSubstr("cannot generate html nl (INTERNAL)"));
}

TEST_F(CommandsTest, GenerateGivesUpAtTheDeadline) {
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillRepeatedly(Invoke([](grpc::ClientContext*,
                                const rv1::GenerateReportRequest&) {
        return Reader({}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down"));
      }));
  context_.deadline = absl::Seconds(5);
  EXPECT_EQ(RunGenerate(Options({rv1::REPORT_FORMAT_JSON}, {"nl"}), context_),
            kExitFailure);
  absl::Duration slept;
  for (absl::Duration sleep : clock_.sleeps()) slept += sleep;
  EXPECT_LT(slept, absl::Seconds(5));
  EXPECT_THAT(Text(err_), HasSubstr("gave up at the --deadline"));
}

TEST_F(CommandsTest, GenerateRefusesAFileNameWithADirectory) {
  EXPECT_CALL(*stub_, StreamReportRaw(_, _))
      .WillOnce(Return(Reader(Document("../evil.md", "x", 0),
                              grpc::Status::OK)));
  EXPECT_EQ(RunGenerate(Options({rv1::REPORT_FORMAT_MARKDOWN}, {"nl"}),
                        context_),
            kExitFailure);
  EXPECT_TRUE(FilesIn(dir_).empty());
}

TEST_F(CommandsTest, CheckPrintsFindingsAndExitsThreeOnErrors) {
  rv1::CheckReportResponse response;
  response.set_registry_revision(12);
  response.set_error_count(1);
  rv1::Finding* finding = response.add_findings();
  finding->set_severity(rv1::SEVERITY_ERROR);
  finding->set_check("deployed-without-mandate");
  finding->add_records("missions/x");
  finding->set_message("In 2020 waren er 3 personen ingezet bij X.");
  EXPECT_CALL(*stub_, CheckReport(_, _, _))
      .WillOnce(Return(grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")))
      .WillOnce(DoAll(SetArgPointee<2>(response), Return(grpc::Status::OK)));
  EXPECT_EQ(RunCheck(2020, "nl", {}, context_), kExitFindings);
  const std::string out = Text(out_);
  EXPECT_THAT(out, HasSubstr("Checks of 2020 at registry revision 12: 1 "
                             "error(s)"));
  EXPECT_THAT(out, HasSubstr("ERROR deployed-without-mandate\n  In 2020 waren"));
  EXPECT_THAT(out, HasSubstr("records: missions/x"));
}

TEST_F(CommandsTest, CheckWithoutErrorsExitsZero) {
  rv1::CheckReportResponse response;
  response.set_info_count(1);
  response.add_findings()->set_severity(rv1::SEVERITY_INFO);
  EXPECT_CALL(*stub_, CheckReport(_, _, _))
      .WillOnce(DoAll(SetArgPointee<2>(response), Return(grpc::Status::OK)));
  EXPECT_EQ(RunCheck(2020, "en", {}, context_), kExitOk);
}

TEST_F(CommandsTest, ReconcileSendsTheFileAndPrintsEveryDifference) {
  const std::string path = dir_ + "/published.csv";
  ASSERT_TRUE(WriteFileAtomically(path, "region,mission\r\n").ok());
  rv1::ReconcileAnnexResponse response;
  response.set_annex(2);
  response.set_rows_compared(22);
  rv1::CellDifference* difference = response.add_differences();
  difference->set_row("Totaal");
  difference->set_column("mandate_military");
  difference->set_published("1093");
  difference->set_registry("1063");
  difference->set_reason("1063 + 15 + 15 = 1093");
  rv1::ReconcileAnnexRequest seen;
  EXPECT_CALL(*stub_, ReconcileAnnex(_, _, _))
      .WillOnce(DoAll(Invoke([&](grpc::ClientContext*,
                                 const rv1::ReconcileAnnexRequest& request,
                                 rv1::ReconcileAnnexResponse*) {
                        seen = request;
                      }),
                      SetArgPointee<2>(response), Return(grpc::Status::OK)));
  EXPECT_EQ(RunReconcile(2020, "nl", ReadPoint{7, std::nullopt}, path, context_), kExitFindings);
  EXPECT_EQ(seen.published_csv(), "region,mission\r\n");
  EXPECT_EQ(seen.as_of_revision(), 7);
  const std::string out = Text(out_);
  EXPECT_THAT(out, HasSubstr("annex 2 of 2020 at registry revision 0: 22 "
                             "row(s), 1 cell(s) differ"));
  EXPECT_THAT(out, HasSubstr("Totaal, mandate_military: published \"1093\", "
                             "registry \"1063\"\n  1063 + 15 + 15 = 1093"));
  EXPECT_EQ(RunReconcile(2020, "nl", {}, dir_ + "/missing.csv", context_),
            kExitFailure);
}

// ------------------------------------------------------------------ flags

TEST(ParseFlagsTest, FormatsLanguagesAndGenerationTime) {
  EXPECT_EQ(ParseFormats("all")->size(), 6u);
  EXPECT_THAT(*ParseFormats("pdf, html,pdf"),
              ElementsAre(rv1::REPORT_FORMAT_PDF, rv1::REPORT_FORMAT_HTML));
  EXPECT_TRUE(absl::IsInvalidArgument(ParseFormats("docx").status()));
  EXPECT_THAT(*ParseLanguages("all"), ElementsAre("nl", "en"));
  EXPECT_FALSE(ParseLanguages("fr").ok());
  const absl::Time now = absl::FromUnixSeconds(1621409400) + absl::Milliseconds(700);
  EXPECT_FALSE(ParseGenerationTime("", now)->has_value());
  EXPECT_EQ(**ParseGenerationTime("now", now), absl::FromUnixSeconds(1621409400));
  EXPECT_EQ(**ParseGenerationTime("2021-05-19T07:30:00Z", now),
            absl::FromUnixSeconds(1621409400));
  EXPECT_FALSE(ParseGenerationTime("19 mei", now).ok());
  EXPECT_EQ(ParseAsOf("")->revision, 0);
  EXPECT_FALSE(ParseAsOf("")->time.has_value());
  EXPECT_EQ(ParseAsOf("12")->revision, 12);
  EXPECT_EQ(*ParseAsOf("2021-05-19T07:30:00Z")->time,
            absl::FromUnixSeconds(1621409400));
  EXPECT_FALSE(ParseAsOf("0").ok());
  EXPECT_FALSE(ParseAsOf("gisteren").ok());
}

}  // namespace
}  // namespace missions::report
