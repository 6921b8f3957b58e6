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

std::string BuildChakra(const ParsedOptions& o, scenario::Scenario* s) {
  if (!o.positional.empty()) {
    return absl::StrCat("unexpected argument '", o.positional[0], "'");
  }
  for (const char* required : {"--workload", "--network", "--system"}) {
    if (!o.Has(required)) {
      return absl::StrCat(required, " is required");
    }
  }
  auto* w = s->mutable_chakra();
  w->set_workload(o.Get("--workload", ""));
  w->set_network(o.Get("--network", ""));
  w->set_system(o.Get("--system", ""));
  w->set_backend(o.Get("--backend", ""));
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunChakra(s, "", rc);
}

}  // namespace

const QuickForm& ChakraForm() {
  static const QuickForm kForm = [] {
    QuickForm f;
    f.name = "chakra";
    f.help = kHelp;
    f.options = {{"--workload", "", true},
                 {"--network", "", true},
                 {"--system", "", true},
                 {"--backend", "", true}};
    f.dump_full = false;
    f.build = BuildChakra;
    f.run = Run;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
