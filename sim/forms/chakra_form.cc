// chakra_form.cc — the `simulate chakra` quick form: an ASTRA-sim workload
// (Chakra traces + network YAML + system JSON) as a Scenario (chakra {}),
// run on our engine in ASTRA-sim's timing (astra-aware / astra-unaware) or on
// our flow-level network (sim/scenario/chakra_scenario.cc).
#include <string>

#include "absl/strings/str_cat.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate chakra --workload DIR/PREFIX --network "
    "NETWORK.yml\n"
    "         --system SYSTEM.json [--backend astra-aware|astra-unaware|flow] [--dump-scenario]\n"
    "  Runs ASTRA-sim's inputs: Chakra execution traces PREFIX.<rank>.et (one per NPU), its\n"
    "  network YAML and system JSON. astra-aware / astra-unaware reproduce ASTRA-sim's\n"
    "  analytical backends (congestion-aware / -unaware) to the cycle for ring collectives on\n"
    "  one-dimensional networks; flow runs our flow-level network (contention, up to two\n"
    "  dimensions). finish_cycles is the last NPU's finish in ns (= ASTRA-sim cycles).\n";

// The quick form's flags: each fills one scenario field (flag_table.h).
constexpr FlagRow kChakraRows[] = {
    {"--workload", "chakra.workload", FlagRow::kString, 0, -1, "",
     "DIR/PREFIX of the Chakra traces PREFIX.<rank>.et (required)"},
    {"--network", "chakra.network", FlagRow::kString, 0, -1, "",
     "ASTRA-sim network YAML (required)"},
    {"--system", "chakra.system", FlagRow::kString, 0, -1, "", "ASTRA-sim system JSON (required)"},
    {"--backend", "chakra.backend", FlagRow::kString, 0, -1, "",
     "astra-aware (default) | astra-unaware | flow"},
};

std::string BuildChakra(const ParsedOptions& o, scenario::Scenario* s) {
  if (!o.positional.empty()) {
    return absl::StrCat("unexpected argument '", o.positional[0], "'");
  }
  for (const char* required : {"--workload", "--network", "--system"}) {
    if (!o.Has(required)) return absl::StrCat(required, " is required");
  }
  s->mutable_chakra();
  return ApplyFlagTable(o, kChakraRows, s);
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunChakra(s, "", rc);
}

}  // namespace

const QuickForm& ChakraForm() {
  static const QuickForm kForm = [] {
    QuickForm f = TableForm("chakra", kHelp, kChakraRows, BuildChakra, Run);
    f.dump_full = false;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
