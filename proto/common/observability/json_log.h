// JSON log lines: string escaping, RFC 3339 times, log levels.
#ifndef PROTO_COMMON_OBSERVABILITY_JSON_LOG_H_
#define PROTO_COMMON_OBSERVABILITY_JSON_LOG_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/time/time.h"

namespace missions::observability {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// "debug", "info", "warning" (or "warn"), "error", case-insensitive.
std::optional<LogLevel> ParseLogLevel(std::string_view text);
const char* LogLevelName(LogLevel level);

// `s` as a JSON string literal with quotes: ", \ and control characters
// escaped, invalid UTF-8 bytes replaced by U+FFFD.
std::string JsonString(std::string_view s);

// "2026-12-02T20:30:00.123Z".
std::string Rfc3339Millis(absl::Time t);

// Where log lines go: one call per line, without the newline.
using LogSink = std::function<void(const std::string& line)>;
// Writes the line and a newline to stderr in one write.
LogSink StderrSink();

// Builds one JSON object; values are added in order.
class JsonLine {
 public:
  JsonLine& Str(std::string_view key, std::string_view value);
  JsonLine& Num(std::string_view key, double value);
  std::string Finish() const { return body_ + "}"; }

 private:
  std::string body_ = "{";
};

// A leveled JSON logger: {"time","level","service","event","msg", extra...}
// for lifecycle events.
class Logger {
 public:
  Logger(std::string service, LogLevel min_level, LogSink sink = StderrSink());
  bool Enabled(LogLevel level) const { return level >= min_level_; }
  void Log(LogLevel level, std::string_view message,
           const std::vector<std::pair<std::string, std::string>>& fields = {}) const;
  const std::string& service() const { return service_; }
  const LogSink& sink() const { return sink_; }
  LogLevel min_level() const { return min_level_; }

 private:
  std::string service_;
  LogLevel min_level_;
  LogSink sink_;
};

}  // namespace missions::observability

#endif  // PROTO_COMMON_OBSERVABILITY_JSON_LOG_H_
