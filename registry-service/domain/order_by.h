// The `order_by` of List methods (AIP-132) over any protobuf message.
//
// Grammar
// =======
//   order_by  = [ key { "," key } ] ;
//   key       = field [ "asc" | "desc" ] ;
//   field     = name { "." name } ;
//   name      = letter { letter | digit } ;   (* letter includes "_" *)
// Whitespace (space, tab, CR, LF) may surround every token and must
// separate a field from "asc"/"desc", which are lower case. Keys apply in
// order: the second breaks ties of the first, and so on. "asc" (ascending)
// is the default. A field may appear only once. At most 2000 characters.
//
// Fields are proto field names, joined by "." through singular message
// fields: `short_name`, `valid_until.kind`, `cap.military`. The field
// ordered by must be a number, bool (false first), enum (by number), string
// or bytes (byte-wise), google.type.Date (by first day: "2021" sorts with
// 2021-01-01) or google.protobuf.Timestamp; repeated fields, maps and other
// messages are rejected, as are paths through them.
//
// A field without a value (an unset date or timestamp, an empty or invalid
// date, an unset proto3 `optional` field) sorts before every value in
// ascending order and after every value in descending order. NaN sorts
// after every other number.
//
// Errors: Parse returns InvalidArgument naming the 1-based character
// position and the cause, e.g.
//   order_by: cannot order by repeated field 'aliases' at position 1
//
// Thread-safety: a parsed OrderBy is immutable; Less may be called from many
// threads at once.
#ifndef REGISTRY_SERVICE_DOMAIN_ORDER_BY_H_
#define REGISTRY_SERVICE_DOMAIN_ORDER_BY_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"

namespace missions::registry {

// The longest order_by accepted, in characters.
inline constexpr int kMaxOrderByLength = 2000;

// One key of an ordering.
struct OrderByKey {
  // The dotted field path, e.g. "valid_until.date".
  std::string field_path;
  bool descending = false;

  bool operator==(const OrderByKey&) const = default;
};

// A parsed ordering. The default value is the empty ordering: no message is
// less than another.
class OrderBy {
 public:
  OrderBy() = default;

  // Parses `text` (see the grammar above) for messages of `type`. Returns
  // InvalidArgument, with the position and cause, for a syntax error, an
  // unknown field, a field that cannot be ordered by, a repeated key, a text
  // that is too long and a null `type`.
  static absl::StatusOr<OrderBy> Parse(
      absl::string_view text, const google::protobuf::Descriptor* type);

  // Returns true if `a` sorts before `b`: a strict weak ordering, false for
  // ties (callers append the resource name as the final tie-breaker).
  // Returns false if either message is not of the parsed type.
  bool Less(const google::protobuf::Message& a,
            const google::protobuf::Message& b) const;

  // The keys in order; empty for the empty ordering.
  const std::vector<OrderByKey>& keys() const { return keys_; }

  bool empty() const { return keys_.empty(); }

  // The canonical text: "report_order, short_name desc".
  std::string DebugString() const;

 private:
  struct Key {
    std::vector<const google::protobuf::FieldDescriptor*> path;
    bool descending = false;
  };

  const google::protobuf::Descriptor* type_ = nullptr;
  std::vector<Key> paths_;
  std::vector<OrderByKey> keys_;
};

}  // namespace missions::registry

#endif  // REGISTRY_SERVICE_DOMAIN_ORDER_BY_H_
