#include "tests/unit/report_json_schema.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace missions::testing {
namespace {

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::StatusOr<JsonValue> Document() {
    JsonValue value;
    SkipSpace();
    if (!Value(value, 0)) return Error();
    SkipSpace();
    if (pos_ != text_.size()) {
      error_ = "content after the document";
      return Error();
    }
    return value;
  }

 private:
  static constexpr int kMaxDepth = 200;

  absl::Status Error() const {
    return absl::InvalidArgumentError(
        absl::StrCat("JSON at byte ", pos_, ": ", error_));
  }

  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool Literal(absl::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      return Fail(absl::StrCat("expected ", word));
    }
    pos_ += word.size();
    return true;
  }

  bool Value(JsonValue& value, int depth) {
    if (depth > kMaxDepth) return Fail("nested too deeply");
    if (pos_ >= text_.size()) return Fail("unexpected end");
    switch (text_[pos_]) {
      case 'n':
        value.type = JsonValue::Type::kNull;
        return Literal("null");
      case 't':
        value.type = JsonValue::Type::kBool;
        value.boolean = true;
        return Literal("true");
      case 'f':
        value.type = JsonValue::Type::kBool;
        return Literal("false");
      case '"':
        value.type = JsonValue::Type::kString;
        return String(value.string);
      case '[':
        return Array(value, depth);
      case '{':
        return Object(value, depth);
      default:
        return Number(value);
    }
  }

  bool Array(JsonValue& value, int depth) {
    value.type = JsonValue::Type::kArray;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return true;
    }
    while (true) {
      SkipSpace();
      JsonValue element;
      if (!Value(element, depth + 1)) return false;
      value.array.push_back(std::move(element));
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("unterminated array");
      if (text_[pos_] == ']') {
        ++pos_;
        return true;
      }
      if (text_[pos_] != ',') return Fail("expected ',' or ']'");
      ++pos_;
    }
  }

  bool Object(JsonValue& value, int depth) {
    value.type = JsonValue::Type::kObject;
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return true;
    }
    std::set<std::string> keys;
    while (true) {
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Fail("expected a key");
      }
      std::string key;
      if (!String(key)) return false;
      if (!keys.insert(key).second) {
        return Fail(absl::StrCat("duplicate key \"", key, "\""));
      }
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') {
        return Fail("expected ':'");
      }
      ++pos_;
      SkipSpace();
      JsonValue member;
      if (!Value(member, depth + 1)) return false;
      value.object.emplace_back(std::move(key), std::move(member));
      SkipSpace();
      if (pos_ >= text_.size()) return Fail("unterminated object");
      if (text_[pos_] == '}') {
        ++pos_;
        return true;
      }
      if (text_[pos_] != ',') return Fail("expected ',' or '}'");
      ++pos_;
    }
  }

  static void AppendUtf8(uint32_t code, std::string& out) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  bool Hex4(uint32_t& code) {
    if (pos_ + 4 > text_.size()) return Fail("short \\u escape");
    code = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_++];
      code <<= 4;
      if (c >= '0' && c <= '9') {
        code |= static_cast<uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        code |= static_cast<uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        code |= static_cast<uint32_t>(c - 'A' + 10);
      } else {
        return Fail("bad \\u escape");
      }
    }
    return true;
  }

  bool String(std::string& out) {
    ++pos_;  // The opening quote.
    while (true) {
      if (pos_ >= text_.size()) return Fail("unterminated string");
      const char c = text_[pos_++];
      if (c == '"') return true;
      if (static_cast<unsigned char>(c) < 0x20) {
        return Fail("unescaped control character in a string");
      }
      if (c != '\\') {
        out.push_back(c);
        continue;
      }
      if (pos_ >= text_.size()) return Fail("unterminated escape");
      const char escape = text_[pos_++];
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out.push_back(escape);
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'n':
          out.push_back('\n');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'u': {
          uint32_t code = 0;
          if (!Hex4(code)) return false;
          if (code >= 0xDC00 && code <= 0xDFFF) return Fail("lone surrogate");
          if (code >= 0xD800 && code <= 0xDBFF) {
            uint32_t low = 0;
            if (text_.substr(pos_, 2) != "\\u") return Fail("lone surrogate");
            pos_ += 2;
            if (!Hex4(low)) return false;
            if (low < 0xDC00 || low > 0xDFFF) return Fail("lone surrogate");
            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(code, out);
          break;
        }
        default:
          return Fail("unknown escape");
      }
    }
  }

  bool Number(JsonValue& value) {
    const size_t start = pos_;
    bool integer = true;
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    const auto digits = [this] {
      const size_t from = pos_;
      while (pos_ < text_.size() &&
             absl::ascii_isdigit(static_cast<unsigned char>(text_[pos_]))) {
        ++pos_;
      }
      return pos_ - from;
    };
    const size_t int_start = pos_;
    const size_t int_digits = digits();
    if (int_digits == 0) return Fail("expected a value");
    if (int_digits > 1 && text_[int_start] == '0') return Fail("leading zero");
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integer = false;
      ++pos_;
      if (digits() == 0) return Fail("expected digits after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integer = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) {
        ++pos_;
      }
      if (digits() == 0) return Fail("expected exponent digits");
    }
    value.type = JsonValue::Type::kNumber;
    value.integer = integer;
    value.number = std::strtod(std::string(text_.substr(start, pos_ - start)).c_str(),
                               nullptr);
    return true;
  }

  absl::string_view text_;
  size_t pos_ = 0;
  std::string error_;
};

absl::string_view TypeName(const JsonValue& value) {
  switch (value.type) {
    case JsonValue::Type::kNull:
      return "null";
    case JsonValue::Type::kBool:
      return "boolean";
    case JsonValue::Type::kNumber:
      return value.integer ? "integer" : "number";
    case JsonValue::Type::kString:
      return "string";
    case JsonValue::Type::kArray:
      return "array";
    case JsonValue::Type::kObject:
      return "object";
  }
  return "null";
}

bool HasType(const JsonValue& value, absl::string_view type) {
  if (type == "number") return value.type == JsonValue::Type::kNumber;
  return TypeName(value) == type;
}

bool Equal(const JsonValue& a, const JsonValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case JsonValue::Type::kNull:
      return true;
    case JsonValue::Type::kBool:
      return a.boolean == b.boolean;
    case JsonValue::Type::kNumber:
      return a.number == b.number;
    case JsonValue::Type::kString:
      return a.string == b.string;
    case JsonValue::Type::kArray:
      if (a.array.size() != b.array.size()) return false;
      for (size_t i = 0; i < a.array.size(); ++i) {
        if (!Equal(a.array[i], b.array[i])) return false;
      }
      return true;
    case JsonValue::Type::kObject:
      if (a.object.size() != b.object.size()) return false;
      for (const auto& [key, member] : a.object) {
        const JsonValue* other = b.Find(key);
        if (other == nullptr || !Equal(member, *other)) return false;
      }
      return true;
  }
  return false;
}

// Characters of a UTF-8 string (continuation bytes not counted).
size_t Utf8Length(absl::string_view text) {
  size_t length = 0;
  for (const char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++length;
  }
  return length;
}

// JSON pointer escaping of one reference token.
std::string PointerToken(absl::string_view token) {
  std::string out;
  for (const char c : token) {
    if (c == '~') {
      out.append("~0");
    } else if (c == '/') {
      out.append("~1");
    } else {
      out.push_back(c);
    }
  }
  return out;
}

class Validator {
 public:
  explicit Validator(const JsonValue& root) : root_(root) {}

  std::vector<std::string> Take() { return std::move(errors_); }

  void Validate(const JsonValue& schema, const JsonValue& value,
                const std::string& path) {
    static const std::set<std::string> kKnown = {
        "$schema", "$id",      "$defs",     "title",     "description",
        "type",    "properties", "required", "additionalProperties",
        "items",   "enum",     "const",     "minimum",   "maximum",
        "minLength", "maxLength", "anyOf",  "$ref"};
    if (schema.type == JsonValue::Type::kBool) {
      if (!schema.boolean) Error(path, "no value is allowed here");
      return;
    }
    if (schema.type != JsonValue::Type::kObject) {
      Error(path, "the schema is not an object");
      return;
    }
    for (const auto& [keyword, argument] : schema.object) {
      if (!kKnown.count(keyword)) {
        Error(path, absl::StrCat("unsupported schema keyword ", keyword));
      }
    }
    if (const JsonValue* ref = schema.Find("$ref")) Ref(*ref, value, path);
    if (const JsonValue* type = schema.Find("type")) Type(*type, value, path);
    if (const JsonValue* values = schema.Find("enum")) {
      bool found = false;
      for (const JsonValue& allowed : values->array) {
        found = found || Equal(allowed, value);
      }
      if (!found) Error(path, "not one of the enumerated values");
    }
    if (const JsonValue* constant = schema.Find("const");
        constant != nullptr && !Equal(*constant, value)) {
      Error(path, "not the constant value");
    }
    if (value.type == JsonValue::Type::kNumber) {
      if (const JsonValue* minimum = schema.Find("minimum");
          minimum != nullptr && value.number < minimum->number) {
        Error(path, absl::StrCat("below the minimum ", minimum->number));
      }
      if (const JsonValue* maximum = schema.Find("maximum");
          maximum != nullptr && value.number > maximum->number) {
        Error(path, absl::StrCat("above the maximum ", maximum->number));
      }
    }
    if (value.type == JsonValue::Type::kString) {
      const size_t length = Utf8Length(value.string);
      if (const JsonValue* min = schema.Find("minLength");
          min != nullptr && length < min->number) {
        Error(path, "shorter than minLength");
      }
      if (const JsonValue* max = schema.Find("maxLength");
          max != nullptr && length > max->number) {
        Error(path, "longer than maxLength");
      }
    }
    if (value.type == JsonValue::Type::kObject) Object(schema, value, path);
    if (value.type == JsonValue::Type::kArray) {
      if (const JsonValue* items = schema.Find("items")) {
        for (size_t i = 0; i < value.array.size(); ++i) {
          Validate(*items, value.array[i], absl::StrCat(path, "/", i));
        }
      }
    }
    if (const JsonValue* any_of = schema.Find("anyOf")) {
      bool matched = false;
      for (const JsonValue& option : any_of->array) {
        Validator trial(root_);
        trial.Validate(option, value, path);
        if (trial.errors_.empty()) {
          matched = true;
          break;
        }
      }
      if (!matched) Error(path, "matches none of anyOf");
    }
  }

 private:
  void Error(const std::string& path, absl::string_view reason) {
    errors_.push_back(absl::StrCat(path.empty() ? "/" : path, ": ", reason));
  }

  void Ref(const JsonValue& ref, const JsonValue& value,
           const std::string& path) {
    constexpr absl::string_view kPrefix = "#/$defs/";
    if (ref.type != JsonValue::Type::kString ||
        !absl::StartsWith(ref.string, kPrefix)) {
      Error(path, "unsupported $ref");
      return;
    }
    const JsonValue* defs = root_.Find("$defs");
    const JsonValue* target =
        defs == nullptr ? nullptr : defs->Find(ref.string.substr(kPrefix.size()));
    if (target == nullptr) {
      Error(path, absl::StrCat("unresolved $ref ", ref.string));
      return;
    }
    Validate(*target, value, path);
  }

  void Type(const JsonValue& type, const JsonValue& value,
            const std::string& path) {
    std::vector<std::string> allowed;
    if (type.type == JsonValue::Type::kString) {
      allowed.push_back(type.string);
    } else {
      for (const JsonValue& name : type.array) allowed.push_back(name.string);
    }
    for (const std::string& name : allowed) {
      if (HasType(value, name)) return;
    }
    Error(path, absl::StrCat("is ", TypeName(value), ", expected ",
                             absl::StrJoin(allowed, " or ")));
  }

  void Object(const JsonValue& schema, const JsonValue& value,
              const std::string& path) {
    const JsonValue* properties = schema.Find("properties");
    if (const JsonValue* required = schema.Find("required")) {
      for (const JsonValue& key : required->array) {
        if (value.Find(key.string) == nullptr) {
          Error(path, absl::StrCat("missing required key ", key.string));
        }
      }
    }
    const JsonValue* additional = schema.Find("additionalProperties");
    for (const auto& [key, member] : value.object) {
      const std::string member_path =
          absl::StrCat(path, "/", PointerToken(key));
      const JsonValue* property =
          properties == nullptr ? nullptr : properties->Find(key);
      if (property != nullptr) {
        Validate(*property, member, member_path);
      } else if (additional != nullptr) {
        Validate(*additional, member, member_path);
      }
    }
  }

  const JsonValue& root_;
  std::vector<std::string> errors_;
};

}  // namespace

const JsonValue* JsonValue::Find(absl::string_view key) const {
  for (const auto& [name, value] : object) {
    if (name == key) return &value;
  }
  return nullptr;
}

absl::StatusOr<JsonValue> ParseJson(absl::string_view text) {
  return Parser(text).Document();
}

std::vector<std::string> ValidateAgainstSchema(const JsonValue& schema,
                                               const JsonValue& instance) {
  Validator validator(schema);
  validator.Validate(schema, instance, "");
  return validator.Take();
}

}  // namespace missions::testing
