// quick_form.cc — parsing a quick form's arguments or keywords (see quick_form.h).
#include "sim/forms/quick_form.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "topology/registry.h"

namespace mlsysim {
namespace {

std::string KeywordOf(const std::string& flag) {
  return absl::StrReplaceAll(flag.substr(flag.find_first_not_of('-')), {{"-", "_"}});
}

}  // namespace

QuickForm TableForm(std::string name, const char* usage, absl::Span<const FlagRow> rows,
                    std::string (*build)(const ParsedOptions&, scenario::Scenario*),
                    absl::StatusOr<result::Result> (*run)(const scenario::Scenario&,
                                                          const RunContext&)) {
  QuickForm f;
  f.name = std::move(name);
  f.help = std::string(usage) + FlagTableHelp(rows);
  f.options = FlagTableOptions(rows);
  f.build = build;
  f.run = run;
  f.flags = FieldFlagsOf(rows);
  return f;
}

const std::vector<std::string>& QuickFormNames() {
  static const std::vector<std::string> kNames = {"training", "serving",    "queue",
                                                  "jobs",     "collective", "chakra"};
  return kNames;
}

const QuickForm* FindQuickForm(std::string_view name) {
  if (name == "training") return &TrainingForm();
  if (name == "serving") return &ServingForm();
  if (name == "queue") return &QueueForm();
  if (name == "jobs") return &JobsForm();
  if (name == "collective") return &CollectiveForm();
  if (name == "chakra") return &ChakraForm();
  return nullptr;
}

absl::StatusOr<QuickFormCall> ParseQuickForm(const QuickForm& form, const CommandArgs& args) {
  std::vector<OptionSpec> specs = form.options;
  specs.push_back({"--help", "-h", false});
  specs.push_back({"--dump-scenario", "", false});
  if (form.dump_full) specs.push_back({"--full", "", false});
  ParsedOptions o;
  if (std::string e = ParseOptions(args, specs, "simulate " + form.name, &o); !e.empty()) {
    return absl::InvalidArgumentError(e);
  }
  QuickFormCall call;
  if (o.Has("--help")) {
    call.help = true;
    return call;
  }
  if (std::string e = form.build(o, &call.scenario); !e.empty()) {
    return absl::InvalidArgumentError(e);
  }
  call.dump = o.Has("--dump-scenario");
  call.full = o.Has("--full");
  if (call.full && !call.dump) {
    return absl::InvalidArgumentError("--full goes with --dump-scenario");
  }
  return call;
}

absl::StatusOr<scenario::Scenario> QuickFormFromKeywords(
    const QuickForm& form,
    const std::vector<std::pair<std::string, std::optional<std::string>>>& keywords) {
  const std::string caller = absl::StrCat("simulate.", form.name, "()");
  std::vector<std::string> accepted;
  for (const OptionSpec& spec : form.options) accepted.push_back(KeywordOf(spec.long_name));
  ParsedOptions o;
  for (const auto& [name, value] : keywords) {
    auto it = std::find(accepted.begin(), accepted.end(), name);
    if (it == accepted.end()) {
      const std::string guess = DidYouMean(name, accepted);
      return absl::InvalidArgumentError(
          absl::StrCat(caller, ": unknown keyword '", name, "'",
                       guess.empty() ? "" : absl::StrCat(" (did you mean '", guess, "'?)"),
                       "; accepted: ", absl::StrJoin(accepted, ", ")));
    }
    const OptionSpec& spec = form.options[it - accepted.begin()];
    if (spec.takes_value && !value.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat(caller, ": ", name, " needs a value"));
    }
    if (!spec.takes_value && value.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat(caller, ": ", name, " takes True or False, not a value"));
    }
    o.values.emplace_back(spec.long_name, value.value_or(""));
  }
  scenario::Scenario s;
  if (std::string e = form.build(o, &s); !e.empty()) return absl::InvalidArgumentError(e);
  return s;
}

}  // namespace mlsysim
