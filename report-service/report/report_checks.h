// The report's cross-checks: what the published 2020 report got wrong and
// what editors get wrong, found in the registry's records of a year and in
// the report model assembled from them. Pure functions, no I/O.
//
// Each check has a stable identifier (Finding::check):
//
// | check                      | severity | finds                                  |
// | -------------------------- | -------- | -------------------------------------- |
// | totals                     | error    | an annex-2 total that is not the sum of |
// |                            |          | its rows, a headline that is not annex |
// |                            |          | 2's; info: the recomputed totals       |
// | caps-counted-once          | error    | a combined cap also in the military or |
// |                            |          | civilian column, a pooled cap on more  |
// |                            |          | than one row; info: the combined and   |
// |                            |          | pooled caps, each counted once         |
// | legal-basis-missing        | error    | an annex-1 mission without a legal     |
// |                            | warning  | basis in force during the year (a      |
// |                            |          | warning when one was decided after it) |
// | international-mandate-lapsed | warning | the international mandate ended during |
// |                            |          | the year, no later decision, mission   |
// |                            |          | went on                                |
// | legal-basis-not-latest     | warning  | a narrative of the year cites a UN     |
// |                            | info     | resolution newer than any recorded for |
// |                            |          | the mission (annex 1 then cites an old |
// |                            |          | one); info: annex 1 cites a basis      |
// |                            |          | decided after the year                 |
// | national-mandate-missing   | warning  | an annex-2 mission without a national  |
// |                            |          | mandate in force during the year       |
// | deployed-without-mandate   | error    | personnel deployed in the year, no     |
// |                            |          | national mandate ever                  |
// | mandate-ended-before-year  | error    | personnel deployed in the year, the    |
// |                            |          | national mandate ended before it       |
// | national-mandate-lapsed    | warning  | the national mandate ended during the  |
// |                            |          | year, personnel deployed, mission went |
// |                            |          | on                                     |
// | cap-missing                | warning  | a national mandate in force that states|
// |                            |          | no cap and no capacity                 |
// | narrative-missing          | warning  | a mission section without any text for |
// |                            | info     | the year; info: texts only in another  |
// |                            |          | language                               |
// | name-collision             | error    | a short name or alias of one mission   |
// |                            |          | spelled like another mission's         |
// | name-variant-in-text       | warning  | a report-level text or the mission's   |
// |                            |          | own narrative of the year spells its   |
// |                            |          | name differently from its short name   |
// | name-variants              | info     | the recorded spelling variants of a    |
// |                            |          | mission's name                         |
// | exception                  | info     | a stated exception: a separately       |
// |                            |          | reported mission's legal basis, a      |
// |                            |          | headquarters posting without mandate   |
//
// Names are compared in a normal form: letters and digits only, ASCII
// letters in upper case ("EUNAVFOR MED" and "EUNAVFORMED", "EMASoH" and
// "EMASOH" are the same name).
#ifndef REPORT_SERVICE_REPORT_REPORT_CHECKS_H_
#define REPORT_SERVICE_REPORT_REPORT_CHECKS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "registry/v1/registry_service.pb.h"
#include "report-service/report/report_model.h"

namespace missions::report {

// Runs every check on `data` (the records `model` was assembled from) and
// `model`; returns the findings in `model.language`: errors first, then
// warnings, then information, each group in the order the checks run and,
// within a check, in report order.
std::vector<Finding> CheckReport(const ::registry::v1::Dataset& data,
                                 const ReportModel& model);

// The normal form of a name used to compare spellings: its ASCII letters
// (upper case) and digits, and every non-ASCII byte; all else is dropped.
std::string NormalizedName(absl::string_view name);

// The numbers of UN Security Council resolutions that `text` cites: a
// number of 3 or 4 digits among the three words after "resolutie",
// "resolution", "resoluties", "resolutions", "VNVR", "UNSC" or "UNSCR"
// (letter case ignored; "VNVR-resolutie 2531", "resolution 2531 (2020)").
// In the order found, without repeats.
std::vector<int> CitedResolutions(absl::string_view text);

}  // namespace missions::report

#endif  // REPORT_SERVICE_REPORT_REPORT_CHECKS_H_
