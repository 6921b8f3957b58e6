// options.h — reading a command's options: `--name value`, `--name=value`,
// `-x value` and presence flags, unknown names refused with the accepted list
// and a guess; typed reads whose errors name the option; and the map from
// scenario field paths to the flags that fill them, for messages about flag
// input. Shared by the quick forms (quick_form.h) and the CLI's commands.
// Usage:
//   ParsedOptions o;
//   std::string e = ParseOptions(args, {{"--tp", "", true}}, "simulate training", &o);
//   int tp = 1; if (e.empty()) e = GetInt(o, "--tp", 1, 1024, &tp);
#ifndef MLSYSIM_SIM_FORMS_OPTIONS_H_
#define MLSYSIM_SIM_FORMS_OPTIONS_H_

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "analytic/units.h"

namespace mlsysim {

using CommandArgs = std::vector<std::string>;

struct OptionSpec {
  std::string long_name;   // "--batch-size"
  std::string short_name;  // "-b" or ""
  bool takes_value;
};

struct ParsedOptions {
  std::vector<std::string> positional;
  std::vector<std::pair<std::string, std::string>> values;  // long name -> value
  bool Has(const std::string& name) const;
  std::string Get(const std::string& name, const std::string& def) const;  // the last wins
  std::vector<std::string> GetAll(const std::string& name) const;          // repeated options
};

// Returns an error message (empty on success).
std::string ParseOptions(const CommandArgs& args, const std::vector<OptionSpec>& specs,
                         const std::string& command, ParsedOptions* parsed);

// A positional or option value as a finite number / an integer within ±2e9;
// errors name `field` and quote the text.
absl::StatusOr<double> ParseNumber(const std::string& field, const std::string& text);
absl::StatusOr<int> ParseInt(const std::string& field, const std::string& text);

// Each returns "" on success (or when the option is absent, leaving *out as is).
std::string GetInt(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                   int* out);
std::string GetInt64(const ParsedOptions& o, const std::string& name, long long lo, long long hi,
                     long long* out);
std::string GetNumber(const ParsedOptions& o, const std::string& name, double* out);
std::string GetQuantity(const ParsedOptions& o, const std::string& name, const Dimension& dim,
                        double* out);

// Scenario field path -> the flag that fills it, for messages about flag input.
using FieldFlags = std::vector<std::pair<std::string, std::string>>;
// Adds " (--flag)" after each field path `msg` names.
std::string NameFlags(const std::string& msg, const FieldFlags& flags);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_FORMS_OPTIONS_H_
