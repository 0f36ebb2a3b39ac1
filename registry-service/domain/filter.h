// The `filter` of List methods (AIP-160) over any protobuf message.
//
// A filter is parsed once against the message type of the listed resource
// (registry.v1.Mission, registry.v1.NationalMandateDecision, ...) and then
// matched against messages of that type through protobuf reflection, so one
// implementation serves every resource type. Domain predicates that fields
// cannot express (`active_in(2020)`, `in_region("regions/africa")`) are
// functions the caller registers in a FunctionTable.
//
// Grammar
// =======
// EBNF; literals in double quotes; whitespace (space, tab, CR, LF) may
// appear between any two tokens and is required only where two words would
// otherwise run together.
//
//   filter      = [ expression ] ;
//   expression  = sequence { "AND" sequence } ;
//   sequence    = factor { factor } ;             (* juxtaposition: AND *)
//   factor      = term { "OR" term } ;
//   term        = { "NOT" | "-" } simple ;
//   simple      = restriction | call | "(" expression ")" ;
//   restriction = field comparator value ;
//   comparator  = "=" | "!=" | "<" | "<=" | ">" | ">=" | ":" ;
//   field       = name { "." segment } ;
//   segment     = name | key ;                    (* key: after a map field *)
//   key         = string | keychar { keychar } ;
//   call        = function "(" [ argument { "," argument } ] ")" ;
//   function    = name { "." name } ;             (* no space before "(" *)
//   value       = string | word ;
//   argument    = string | word ;
//   name        = letter { letter | digit } ;     (* letter includes "_" *)
//   keychar     = letter | digit | "-" ;
//   word        = wordchar { wordchar } ;
//   wordchar    = letter | digit | "." | "+" | "-" | "*" ;
//   string      = '"' { any character but '"' and '\' | escape } '"' ;
//   escape      = '\"' | '\\' | '\*' ;
//
// `AND`, `OR` and `NOT` are keywords only in upper case and only as whole
// words; they cannot be used as field names. Precedence, tightest first:
// NOT and "-", then OR, then juxtaposition and AND (which mean the same), so
// `a AND b OR c` is `a AND (b OR c)`, `a OR b c` is `(a OR b) AND c` and
// `NOT a OR b` is `(NOT a) OR b`. A term must be a comparison, a function
// call or a parenthesised expression: bare values (free-text search) are
// not supported, and neither are function results on the left of a
// comparator. An empty (or all-whitespace) filter matches every message.
//
// Fields
// ------
// A field is a path of proto field names (not JSON names) from the listed
// message: `short_name`, `valid_until.kind`, `cap.military`. After a map
// field the next segment is a key: `display_name.nl`; a key with other
// characters than letters, digits, "_" and "-" is written as a string:
// `display_name."en GB"`. Integer and bool map keys are written as such.
//
// Values
// ------
// A value is read according to the type of the field it is compared with:
//   string, bytes  a string, or a word taken literally (`countries:ML`).
//                  Words cannot hold "/", ":" or spaces: write
//                  `region = "regions/africa"`.
//   integers       a word that is a decimal integer in the field's range;
//                  `-5` is negative.
//   float, double  a decimal number: `3`, `-2.5`, `1e3` (not `nan` or
//                  `inf`); a float field compares with the number rounded
//                  to float.
//   bool           `true` or `false`.
//   enum           a value name as a word, in full (`LEAD_ORGANIZATION_EU`)
//                  or without the prefix that the enum's type name gives
//                  (`EU` for LeadOrganization, `UNSPECIFIED` for
//                  EndDate.Kind's KIND_UNSPECIFIED; `DATE` is already
//                  short). Numbers are not accepted.
//   date           (google.type.Date) `2021-06-14`, `2021-06` or `2021`
//                  (four-digit year, existing day), as a word or a string.
//   timestamp      (google.protobuf.Timestamp) an RFC 3339 string:
//                  "2021-06-14T09:30:00Z", "2021-06-14T11:30:00.5+02:00".
// A string for a non-string field (`report_order = "5"`), an unknown enum
// value or a malformed date is an error.
//
// Comparators
// -----------
//   = != < <= > >=  compare the field's value with the value: numbers
//                  numerically, strings byte-wise, dates by day, timestamps
//                  by instant. `<`, `<=`, `>`, `>=` are not allowed on bool,
//                  enum and message fields (other than dates and
//                  timestamps). `a != v` means exactly `NOT a = v`.
//   :              "has". On a repeated field: some element equals the
//                  value (`countries:"ML"`). On a map field: the map has the
//                  key (`display_name:en`). On any other field: equality.
//                  A path through a repeated message field matches if some
//                  element matches (`legal_basis.kind:EU_COUNCIL_DECISION`).
//   :*             "is set": a repeated or map field is non-empty; a message
//                  field, a date, a proto3 `optional` field or a oneof member
//                  is set (a date also non-empty); any other field has a
//                  non-default value (non-empty string, non-zero number,
//                  true, an enum value other than 0). Through a map key
//                  (`display_name.en:*`): the entry exists and its value is
//                  set by these rules. `x:*` is the only use of a bare `*`
//                  value.
// Repeated fields, and paths through them, allow only ":"; map fields
// themselves only ":" (compare their entries through a key); message fields
// only ":*" (compare their fields through a path).
//
// Wildcards: in a comparison of a string field with "=", "!=" or ":", a
// trailing `*` in the value matches any ending (`short_name = "EU*"` matches
// "EULEX" and "EU"). A `*` anywhere else is an ordinary character, and so is
// a trailing `\*` in a string.
//
// Missing values: an unset date or timestamp, an empty or invalid date, an
// unset proto3 `optional` field and a missing map entry have no value; every
// comparison with them is false (so `a != v` is true), and so is every
// comparison with a NaN field value. Other unset fields have their default
// value, as in proto3: `report_order = 0`, and so do the fields of an unset
// message: `cap.pool = ""` matches a decision without a cap.
//
// Partial dates (year only, or year and month) compare by their first day,
// on both sides: a start date of "2021" equals `2021-01-01` and is less than
// `2021-06`; `start_date >= 2021` includes every date in 2021.
//
// Functions
// ---------
// `name(arg, ...)` calls a predicate from the FunctionTable with literal
// arguments. Each argument is read as the kind the function declares for it
// (FilterValue::Kind): kString a string or word; kInteger a decimal integer;
// kNumber a decimal number; kBool `true` or `false`; kDate a date as above
// (the FilterValue keeps partial dates partial); kTimestamp an RFC 3339
// string. Unknown functions, functions registered for another message type,
// a wrong number of arguments and arguments of the wrong kind are rejected
// when parsing.
//
// Limits
// ------
// At most 2000 characters (Unicode code points; and at most 8000 bytes),
// parentheses nested at most 32 deep (NOT and "-" do not count), at most
// 200 terms (comparisons and function calls). Parsing takes time
// proportional to the length of the filter; matching, to the number of terms
// times the number of elements their paths go through.
//
// Errors
// ------
// Parse returns InvalidArgument for every syntax error, unknown field, enum
// value or function, value of the wrong type, operator the field does not
// allow, wrong number or kind of arguments and exceeded limit. The message
// starts with "filter: ", names the 1-based character position of the
// offending token and says what is wrong, e.g.
//   filter: unknown field 'regoin' at position 1; fields of
//   registry.v1.Mission: name, short_name, ...
//
// Thread-safety: a parsed Filter is immutable; Matches may be called from
// many threads at once (if the registered predicates allow it). Copies share
// the parsed tree.
#ifndef REGISTRY_SERVICE_DOMAIN_FILTER_H_
#define REGISTRY_SERVICE_DOMAIN_FILTER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/type/date.pb.h"

namespace missions::registry {

// Limits of a filter (see "Limits" above).
inline constexpr int kMaxFilterLength = 2000;
inline constexpr int kMaxFilterDepth = 32;
inline constexpr int kMaxFilterTerms = 200;

// A literal argument of a filter function, read as the kind the function
// declares for it.
class FilterValue {
 public:
  enum class Kind {
    kString,     // string_value()
    kInteger,    // integer_value() (and number_value())
    kNumber,     // number_value()
    kBool,       // bool_value()
    kDate,       // date_value(): full or partial, as written
    kTimestamp,  // timestamp_value()
  };

  static FilterValue String(std::string value);
  static FilterValue Integer(int64_t value);
  static FilterValue Number(double value);
  static FilterValue Bool(bool value);
  static FilterValue Date(google::type::Date value);
  static FilterValue Timestamp(absl::Time value);

  Kind kind() const { return kind_; }

  // Each accessor returns the value of its kind, or the type's default
  // ("", 0, false, an empty date, the Unix epoch) for another kind.
  const std::string& string_value() const;
  int64_t integer_value() const;
  // The number of a kNumber or kInteger value.
  double number_value() const;
  bool bool_value() const;
  const google::type::Date& date_value() const;
  absl::Time timestamp_value() const;

  // The value as it would be written in a filter: "text", 42, 2.5, true,
  // 2021-06, "2021-06-14T09:30:00+00:00".
  std::string DebugString() const;

  bool operator==(const FilterValue&) const;

 private:
  FilterValue(Kind kind, std::variant<std::string, int64_t, double, bool,
                                      google::type::Date, absl::Time>
                             value)
      : kind_(kind), value_(std::move(value)) {}

  Kind kind_;
  std::variant<std::string, int64_t, double, bool, google::type::Date,
               absl::Time>
      value_;
};

// A predicate over the listed message with the call's arguments, already
// checked against the declared kinds. Returns whether the message matches,
// or an error that Filter::Matches passes on.
using FilterPredicate =
    std::function<absl::StatusOr<bool>(const google::protobuf::Message& message,
                                       absl::Span<const FilterValue> args)>;

// A function that filters may call: its parameter kinds (the arity is their
// number), the message type it applies to (null: any) and its predicate.
struct FilterFunction {
  std::vector<FilterValue::Kind> parameters;
  const google::protobuf::Descriptor* message_type = nullptr;
  FilterPredicate predicate;
};

// The functions a filter may call, by name. Names are `name { "." name }`
// as in the grammar; other names can never be called.
class FunctionTable {
 public:
  // Registers `name`, replacing any function of that name. Returns *this,
  // so that registrations can be chained.
  FunctionTable& Add(std::string name,
                     std::vector<FilterValue::Kind> parameters,
                     FilterPredicate predicate);

  // Registers `name` for filters over the generated message type T only:
  // `predicate` is called as predicate(const T&, absl::Span<const
  // FilterValue>) and returns absl::StatusOr<bool>. Filter::Parse rejects
  // calls of the function in filters over other types; Matches fails with
  // Internal if the message is not a T (a dynamic message of T's type).
  //   functions.Add<registry::v1::Mission>(
  //       "in_region", {FilterValue::Kind::kString},
  //       [](const registry::v1::Mission& mission,
  //          absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
  //         return mission.region() == args[0].string_value();
  //       });
  template <typename T, typename Predicate>
  FunctionTable& Add(std::string name,
                     std::vector<FilterValue::Kind> parameters,
                     Predicate predicate) {
    auto function = std::make_shared<FilterFunction>();
    function->parameters = std::move(parameters);
    function->message_type = T::descriptor();
    function->predicate =
        [predicate = std::move(predicate)](
            const google::protobuf::Message& message,
            absl::Span<const FilterValue> args) -> absl::StatusOr<bool> {
      const T* typed = google::protobuf::DynamicCastToGenerated<T>(&message);
      if (typed == nullptr) {
        return absl::InternalError(
            absl::StrCat("expects a ", T::descriptor()->full_name(), ", got a ",
                         message.GetDescriptor()->full_name()));
      }
      return predicate(*typed, args);
    };
    functions_[std::move(name)] = std::move(function);
    return *this;
  }

  // Returns the function called `name`, or null.
  std::shared_ptr<const FilterFunction> Find(absl::string_view name) const;

  // The registered names, sorted.
  std::vector<std::string> Names() const;

 private:
  std::map<std::string, std::shared_ptr<const FilterFunction>, std::less<>>
      functions_;
};

namespace internal {
struct FilterNode;
}  // namespace internal

// A parsed filter. The default value is the empty filter, which matches
// every message of any type.
class Filter {
 public:
  Filter() = default;

  // Parses `text` (see the grammar above) for messages of `type`, calling
  // functions from `functions` (copied into the filter; the table need not
  // outlive it). Returns InvalidArgument, with the position and cause, for
  // any invalid filter, and for a null `type`.
  static absl::StatusOr<Filter> Parse(
      absl::string_view text, const google::protobuf::Descriptor* type,
      const FunctionTable& functions = FunctionTable());

  // Returns whether `message` matches. AND and OR evaluate left to right
  // and stop as soon as the result is known, so a function is only called
  // when its result matters. Returns InvalidArgument if `message` is not of
  // the parsed type, and the error of a function that fails.
  absl::StatusOr<bool> Matches(const google::protobuf::Message& message) const;

  // True for the empty filter.
  bool empty() const { return root_ == nullptr; }

  // A canonical, fully parenthesised form of the filter, for logs and
  // tests: `(a = 1 AND (b:"x" OR NOT c < 2.5))`. It parses to the same
  // filter, unless it exceeds the length or nesting limit (it can be longer
  // and nest deeper than the original). "" for the empty filter.
  std::string DebugString() const;

 private:
  std::shared_ptr<const internal::FilterNode> root_;
  const google::protobuf::Descriptor* type_ = nullptr;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_FILTER_H_
