// simulate_chakra.cc — `mlsysim simulate chakra`: an ASTRA-sim workload
// (Chakra traces + network YAML + system JSON) on our engine, in ASTRA-sim's
// timing (astra-aware / astra-unaware) or on our flow-level network, with the
// ring α-β closed form beside it. Also the `chakra {}` scenario workload.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/simulate_common.h"
#include "sim/network/chakra_runner.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "traces/astra_platform.h"
#include "traces/chakra_trace.h"
#include "traces/json_writer.h"

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

}  // namespace

int RunSimulateChakra(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::string err = ParseOptions(args,
                                 {{"--workload", "", true},
                                  {"--network", "", true},
                                  {"--system", "", true},
                                  {"--backend", "", true},
                                  {"--help", "-h", false},
                                  {"--dump-scenario", "", false}},
                                 "simulate chakra", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  if (!o.positional.empty()) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("unexpected argument '", o.positional[0], "'"));
  }
  for (const char* required : {"--workload", "--network", "--system"}) {
    if (!o.Has(required)) {
      return ReportError(ctx, kExitBadInput, "Bad input", absl::StrCat(required, " is required"));
    }
  }
  scenario::Scenario echo;
  auto* w = echo.mutable_chakra();
  w->set_workload(o.Get("--workload", ""));
  w->set_network(o.Get("--network", ""));
  w->set_system(o.Get("--system", ""));
  w->set_backend(o.Get("--backend", ""));
  if (o.Has("--dump-scenario")) return DumpScenario(ctx, echo);
  return PrintRun(ctx, RunChakra(echo, "", RunContextOf(ctx)));
}

}  // namespace mlsysim
