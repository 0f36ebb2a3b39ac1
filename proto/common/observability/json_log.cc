#include "proto/common/observability/json_log.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace missions::observability {

std::optional<LogLevel> ParseLogLevel(std::string_view text) {
  std::string t = absl::AsciiStrToLower(std::string(text));
  if (t == "debug") return LogLevel::kDebug;
  if (t == "info") return LogLevel::kInfo;
  if (t == "warning" || t == "warn") return LogLevel::kWarning;
  if (t == "error") return LogLevel::kError;
  return std::nullopt;
}

const char* LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "debug";
    case LogLevel::kInfo: return "info";
    case LogLevel::kWarning: return "warning";
    case LogLevel::kError: return "error";
  }
  return "info";
}

namespace {
// Length of the valid UTF-8 sequence at s[i], or 0.
size_t Utf8Length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) { n = 2; cp = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) { n = 3; cp = c & 0x0F; }
  else if (c >= 0xF0 && c <= 0xF4) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
      (cp >= 0xD800 && cp <= 0xDFFF)) {
    return 0;
  }
  return n;
}
}  // namespace

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  out.reserve(s.size() + 2);
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7F) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    size_t n = Utf8Length(s, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD
      ++i;
    } else {
      out.append(s.substr(i, n));
      i += n;
    }
  }
  out += "\"";
  return out;
}

std::string Rfc3339Millis(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

LogSink StderrSink() {
  return [](const std::string& line) {
    std::string with_newline = line + "\n";
    const char* p = with_newline.data();
    size_t left = with_newline.size();
    while (left > 0) {
      ssize_t n = ::write(STDERR_FILENO, p, left);
      if (n <= 0) break;
      p += n;
      left -= static_cast<size_t>(n);
    }
  };
}

JsonLine& JsonLine::Str(std::string_view key, std::string_view value) {
  absl::StrAppend(&body_, body_.size() > 1 ? "," : "", JsonString(key), ":",
                  JsonString(value));
  return *this;
}

JsonLine& JsonLine::Num(std::string_view key, double value) {
  char buf[32];
  if (!std::isfinite(value)) value = 0;
  std::snprintf(buf, sizeof buf, "%.3f", value);
  absl::StrAppend(&body_, body_.size() > 1 ? "," : "", JsonString(key), ":", buf);
  return *this;
}

Logger::Logger(std::string service, LogLevel min_level, LogSink sink)
    : service_(std::move(service)), min_level_(min_level), sink_(std::move(sink)) {}

void Logger::Log(LogLevel level, std::string_view message,
                 const std::vector<std::pair<std::string, std::string>>& fields) const {
  if (!Enabled(level) || !sink_) return;
  JsonLine line;
  line.Str("time", Rfc3339Millis(absl::Now()))
      .Str("level", LogLevelName(level))
      .Str("service", service_)
      .Str("msg", message);
  for (const auto& [k, v] : fields) line.Str(k, v);
  sink_(line.Finish());
}

}  // namespace missions::observability
