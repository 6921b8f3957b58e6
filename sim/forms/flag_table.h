// flag_table.h — one declarative table per quick form (issue 19): each row
// is a flag, the scenario field it fills (a dotted path into
// proto/scenario.proto), how its text is read (string, integer in a range,
// number with a domain, presence flag), its default, and its help line. The
// table drives option parsing, the flag list in `--help`, filling the
// Scenario (by protobuf reflection, so a new field needs no setter code), and
// the " (--flag)" names in error messages. Python's keyword arguments are the
// flags without "--" (dashes as underscores), so a row is also a kwarg.
//
// Usage:
//   constexpr FlagRow kRows[] = {
//       {"--tp", "training.tp", FlagRow::kInt, 1, 1024, "1", "tensor parallel"}};
//   ParsedOptions o; ParseOptions(args, FlagTableOptions(kRows), "simulate training", &o);
//   scenario::Scenario s; std::string e = ApplyFlagTable(o, kRows, &s);
#ifndef MLSYSIM_SIM_FORMS_FLAG_TABLE_H_
#define MLSYSIM_SIM_FORMS_FLAG_TABLE_H_

#include <string>
#include <vector>

#include "absl/types/span.h"
#include "proto/scenario.pb.h"
#include "sim/forms/options.h"

namespace mlsysim {

struct FlagRow {
  enum Kind {
    kString,    // the text as is
    kInt,       // an integer in [lo, hi] (int32 or int64 field)
    kNumber,    // a finite number in [lo, hi] (hi < lo: no upper bound)
    kPositive,  // a number > lo, <= hi (hi < lo: no upper bound)
    kPresent,   // no value: the field is true when the flag is given
    kAbsent,    // no value: the field is true unless the flag is given
  };
  const char* flag;
  const char* field;  // "training.tp"; "" for flags a form handles itself
  Kind kind;
  double lo = 0, hi = -1;
  const char* fallback = "";  // value set when the flag is absent ("" = leave unset)
  const char* help = "";
};

// The options `rows` read (value-taking or presence flags), for ParseOptions.
std::vector<OptionSpec> FlagTableOptions(absl::Span<const FlagRow> rows);

// Fills `s` from the options, row by row; "" or "FIELD (FLAG): why".
std::string ApplyFlagTable(const ParsedOptions& o, absl::Span<const FlagRow> rows,
                           scenario::Scenario* s);

// field path -> flag, for NameFlags.
FieldFlags FieldFlagsOf(absl::Span<const FlagRow> rows);

// "Flags:" and one line per row: the flag, its value kind, the field and help.
std::string FlagTableHelp(absl::Span<const FlagRow> rows);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_FORMS_FLAG_TABLE_H_
