// quick_form.h — the `simulate` quick forms (training, serving, queue, jobs,
// collective, chakra) as data: each form's usage text, the options it reads,
// and how they fill a Scenario. The CLI parses a form's arguments here and
// prints; Python's keyword arguments (the flags without "--", '_' for '-')
// fill the same Scenario through the same code, without a command line.
// Usage:
//   const QuickForm* form = FindQuickForm("serving");
//   absl::StatusOr<QuickFormCall> call = ParseQuickForm(*form, {"--model", "Llama3_8B", ...});
//   absl::StatusOr<scenario::Scenario> s = QuickFormFromKeywords(*form, {{"model", "Llama3_8B"}});
#ifndef MLSYSIM_SIM_FORMS_QUICK_FORM_H_
#define MLSYSIM_SIM_FORMS_QUICK_FORM_H_

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "proto/result.pb.h"
#include "proto/scenario.pb.h"
#include "sim/forms/flag_table.h"
#include "sim/forms/options.h"
#include "sim/scenario/run_context.h"

namespace mlsysim {

struct QuickForm {
  std::string name;                 // "training"
  std::string help;                 // the usage text (--help)
  std::vector<OptionSpec> options;  // the form's own (not --help, --dump-scenario, --full)
  bool dump_full = true;            // --dump-scenario --full writes the defaults out
  // Fills a scenario from the options: "" or the error (bad input), naming
  // the field and the flag.
  std::string (*build)(const ParsedOptions& o, scenario::Scenario* s) = nullptr;
  // Runs the form's scenario (the scenario layer's runner for its workload).
  absl::StatusOr<result::Result> (*run)(const scenario::Scenario& s,
                                        const RunContext& rc) = nullptr;
  FieldFlags flags;  // field path -> flag, for messages about the run
};

// A form read from a flag table: `usage` followed by the table's flag list,
// the rows' options, and the rows' field -> flag names.
QuickForm TableForm(std::string name, const char* usage, absl::Span<const FlagRow> rows,
                    std::string (*build)(const ParsedOptions&, scenario::Scenario*),
                    absl::StatusOr<result::Result> (*run)(const scenario::Scenario&,
                                                          const RunContext&));

// The forms, in `simulate --help`'s order; null for an unknown name.
const std::vector<std::string>& QuickFormNames();
const QuickForm* FindQuickForm(std::string_view name);

struct QuickFormCall {
  scenario::Scenario scenario;
  bool help = false;  // --help (nothing else was read)
  bool dump = false;  // --dump-scenario
  bool full = false;  // --full
};

// A form's command-line arguments (after `simulate FORM`); InvalidArgument
// (bad input) naming the flag.
absl::StatusOr<QuickFormCall> ParseQuickForm(const QuickForm& form, const CommandArgs& args);

// Python's keyword arguments: (name, value) with name the flag without "--"
// and '_' for '-'; a presence flag takes no value (nullopt), a repeated flag
// repeats its name. Errors speak of keywords: "simulate.serving(): unknown
// keyword 'qsp' (did you mean 'qps'?); accepted: ...".
absl::StatusOr<scenario::Scenario> QuickFormFromKeywords(
    const QuickForm& form,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& keywords);

// The forms (one file each).
const QuickForm& TrainingForm();
const QuickForm& ServingForm();
const QuickForm& QueueForm();
const QuickForm& JobsForm();
const QuickForm& CollectiveForm();
const QuickForm& ChakraForm();

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_FORMS_QUICK_FORM_H_
