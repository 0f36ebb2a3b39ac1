#include "registry-service/storage/open_record_store.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "proto/common/status_macros.h"
#include "registry-service/storage/postgres_record_store.h"
#include "registry-service/storage/sqlite_record_store.h"

namespace missions::registry {
namespace {

constexpr absl::string_view kSqlite = "sqlite:";
constexpr absl::string_view kRedacted = "***";

// A password in a storage spec: the bytes [begin, end) of the spec, and the
// password itself (unquoted and unescaped for a key=value string, still
// percent-encoded for a URI).
struct Secret {
  size_t begin;
  size_t end;
  std::string value;
};

std::string PercentDecode(absl::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && absl::ascii_isxdigit(text[i + 1]) &&
        absl::ascii_isxdigit(text[i + 2])) {
      absl::StrAppend(&out, absl::HexStringToBytes(text.substr(i + 1, 2)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// The passwords of a URI (scheme://[user[:password]@]host.../db?params).
void UriSecrets(absl::string_view spec, size_t authority, std::vector<Secret>& out) {
  const absl::string_view rest = spec.substr(authority);
  // Userinfo: libpq ends it at the first '@' before any '/'. Passwords
  // written without percent-encoding may hold '@' (the last '@' before the
  // first '/' ends them), '/' (then the last '@' before the query ends them,
  // unless what follows the ':' is a port: "db:5432/registry?user=me@server")
  // or both.
  const size_t slash = rest.find('/');
  const size_t before_query = rest.substr(0, rest.find('?')).rfind('@');
  size_t at = rest.substr(0, slash).rfind('@');
  if (at != absl::string_view::npos) {
    if (before_query != absl::string_view::npos && before_query > at) at = before_query;
  } else if (slash != absl::string_view::npos && !absl::StartsWith(rest, "[")) {
    const size_t colon = rest.find(':');
    const bool port = colon < slash && colon + 1 < slash &&
                      std::all_of(rest.begin() + colon + 1, rest.begin() + slash,
                                  [](char c) { return absl::ascii_isdigit(c); });
    if (colon < slash && !port) {
      at = before_query != absl::string_view::npos ? before_query : rest.rfind('@');
    }
  }
  if (at != absl::string_view::npos) {
    const size_t colon = rest.substr(0, at).find(':');
    if (colon != absl::string_view::npos && colon + 1 < at) {
      out.push_back({authority + colon + 1, authority + at,
                     std::string(rest.substr(colon + 1, at - colon - 1))});
    }
  }
  // Query parameters: ?password=...&...
  const size_t query = spec.find('?', authority);
  if (query == absl::string_view::npos) return;
  size_t begin = query + 1;
  while (begin <= spec.size()) {
    size_t end = spec.find('&', begin);
    if (end == absl::string_view::npos) end = spec.size();
    const absl::string_view param = spec.substr(begin, end - begin);
    const size_t equals = param.find('=');
    if (equals != absl::string_view::npos &&
        PercentDecode(param.substr(0, equals)) == "password" && equals + 1 < param.size()) {
      out.push_back({begin + equals + 1, end, std::string(param.substr(equals + 1))});
    }
    begin = end + 1;
  }
}

// The passwords of a libpq key=value string ("host=db password='a b'").
void KeywordSecrets(absl::string_view spec, std::vector<Secret>& out) {
  size_t i = 0;
  const auto space = [&] { return i < spec.size() && absl::ascii_isspace(spec[i]); };
  while (i < spec.size()) {
    while (space()) ++i;
    const size_t key_begin = i;
    while (i < spec.size() && spec[i] != '=' && !space()) ++i;
    const absl::string_view key = spec.substr(key_begin, i - key_begin);
    while (space()) ++i;
    if (i >= spec.size() || spec[i] != '=') {
      // Not key=value: skip the word.
      while (i < spec.size() && !space()) ++i;
      continue;
    }
    ++i;
    while (space()) ++i;
    const size_t value_begin = i;
    std::string value;
    if (i < spec.size() && spec[i] == '\'') {
      for (++i; i < spec.size() && spec[i] != '\''; ++i) {
        if (spec[i] == '\\' && i + 1 < spec.size()) ++i;
        value.push_back(spec[i]);
      }
      if (i < spec.size()) ++i;  // the closing quote
    } else {
      for (; i < spec.size() && !space(); ++i) {
        if (spec[i] == '\\' && i + 1 < spec.size()) ++i;
        value.push_back(spec[i]);
      }
    }
    if (key == "password" && i > value_begin) {
      out.push_back({value_begin, i, std::move(value)});
    }
  }
}

// The passwords of `spec`, in order, not overlapping.
std::vector<Secret> SecretsOf(absl::string_view spec) {
  std::vector<Secret> secrets;
  if (absl::StartsWith(spec, kSqlite)) return secrets;
  if (const size_t scheme = spec.find("://"); scheme != absl::string_view::npos) {
    UriSecrets(spec, scheme + 3, secrets);
  } else {
    KeywordSecrets(spec, secrets);
  }
  std::sort(secrets.begin(), secrets.end(),
            [](const Secret& a, const Secret& b) { return a.begin < b.begin; });
  // A userinfo taken to the last '@' may cover a query password: merge.
  std::vector<Secret> merged;
  for (Secret& secret : secrets) {
    if (!merged.empty() && secret.begin < merged.back().end) {
      merged.back().end = std::max(merged.back().end, secret.end);
    } else {
      merged.push_back(std::move(secret));
    }
  }
  return merged;
}

}  // namespace

std::string RedactStorageSpec(absl::string_view spec) {
  std::string out;
  size_t copied = 0;
  for (const Secret& secret : SecretsOf(spec)) {
    absl::StrAppend(&out, spec.substr(copied, secret.begin - copied), kRedacted);
    copied = secret.end;
  }
  absl::StrAppend(&out, spec.substr(copied));
  return out;
}

std::string RedactStorageSecrets(absl::string_view text, absl::string_view spec) {
  const std::vector<Secret> secrets = SecretsOf(spec);
  if (secrets.empty()) return std::string(text);
  std::string out = absl::StrReplaceAll(text, {{spec, RedactStorageSpec(spec)}});
  for (const Secret& secret : secrets) {
    // Very short passwords only in context (below): replacing every "ab"
    // would garble the message.
    for (const std::string& form : {secret.value, PercentDecode(secret.value)}) {
      if (form.size() >= 4) out = absl::StrReplaceAll(out, {{form, kRedacted}});
    }
  }
  // Fragments that libpq quotes ("...") and that overlap a password where
  // they occur in `spec`, e.g. the host "ss@db" of "registry:p@ss@db".
  std::string scrubbed;
  size_t copied = 0;
  for (size_t open = out.find('"'); open != std::string::npos;) {
    const size_t close = out.find('"', open + 1);
    if (close == std::string::npos) break;
    const absl::string_view fragment(out.data() + open + 1, close - open - 1);
    bool secret_part = false;
    for (size_t at = fragment.empty() ? absl::string_view::npos : spec.find(fragment);
         at != absl::string_view::npos && !secret_part; at = spec.find(fragment, at + 1)) {
      for (const Secret& secret : secrets) {
        if (at < secret.end && secret.begin < at + fragment.size()) secret_part = true;
      }
    }
    if (secret_part) {
      absl::StrAppend(&scrubbed, absl::string_view(out).substr(copied, open + 1 - copied),
                      kRedacted);
      copied = close;
    }
    open = out.find('"', close + 1);
  }
  absl::StrAppend(&scrubbed, absl::string_view(out).substr(copied));
  return scrubbed;
}

absl::StatusOr<std::unique_ptr<RecordStore>> OpenRecordStore(
    absl::string_view spec) {
  if (absl::StartsWith(spec, kSqlite)) {
    const std::string path(spec.substr(kSqlite.size()));
    if (path.empty()) {
      return absl::InvalidArgumentError(
          "--storage=sqlite:PATH needs a file path, e.g. sqlite:var/registry.db");
    }
    ASSIGN_OR_RETURN(std::unique_ptr<SqliteRecordStore> store,
                     SqliteRecordStore::Open(path));
    return std::unique_ptr<RecordStore>(std::move(store));
  }
  if (absl::StartsWith(spec, "postgresql://") || absl::StartsWith(spec, "postgres://")) {
    absl::StatusOr<std::unique_ptr<PostgresRecordStore>> store =
        PostgresRecordStore::Open(std::string(spec));
    if (!store.ok()) {
      // pg::Connection::Open redacts libpq's messages already; this covers
      // every other error on the way.
      return absl::Status(store.status().code(),
                          RedactStorageSecrets(store.status().message(), spec));
    }
    return std::unique_ptr<RecordStore>(*std::move(store));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("unsupported --storage '", RedactStorageSpec(spec),
                   "'; supported: sqlite:PATH (an SQLite file), postgresql://... (a "
                   "libpq connection URI)"));
}

bool StorageIsShared(absl::string_view spec) {
  return absl::StartsWith(spec, "postgresql://") || absl::StartsWith(spec, "postgres://");
}

}  // namespace missions::registry
