// simulate_chakra.cc — `mlsysim simulate chakra`: an ASTRA-sim workload
// (Chakra traces + network YAML + system JSON) on our engine, in ASTRA-sim's
// timing (astra-aware / astra-unaware) or on our flow-level network, with the
// ring α-β closed form beside it. Also the `chakra {}` scenario workload.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/simulate_common.h"
#include "sim/scenario/result_builder.h"
#include "sim/chakra_runner.h"
#include "traces/astra_platform.h"
#include "traces/chakra_trace.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate chakra --workload DIR/PREFIX --network NETWORK.yml\n"
    "         --system SYSTEM.json [--backend astra-aware|astra-unaware|flow] [--dump-scenario]\n"
    "  Runs ASTRA-sim's inputs: Chakra execution traces PREFIX.<rank>.et (one per NPU), its\n"
    "  network YAML and system JSON. astra-aware / astra-unaware reproduce ASTRA-sim's\n"
    "  analytical backends (congestion-aware / -unaware) to the cycle for ring collectives on\n"
    "  one-dimensional networks; flow runs our flow-level network (contention, up to two\n"
    "  dimensions). finish_cycles is the last NPU's finish in ns (= ASTRA-sim cycles).\n";

const char* CommName(int op) {
  switch (op) {
    case 0: return "all_reduce";
    case 2: return "all_gather";
    case 6: return "all_to_all";
    case 7: case 8: return "reduce_scatter";
    case 9: return "barrier";
  }
  return "other";
}

}  // namespace

int RunChakraJob(const CommandContext& ctx, const std::string& workload, const std::string& network,
                 const std::string& system, const std::string& backend_name, const scenario::Scenario& echo) {
  auto bad = [&](const absl::Status& s) {
    const int code = absl::IsFailedPrecondition(s) ? kExitInfeasible : kExitBadInput;
    return ReportError(ctx, code, code == kExitBadInput ? "Bad input" : "Infeasible",
                       std::string(s.message()));
  };
  auto backend = ParseChakraBackend(backend_name);
  if (!backend.ok()) return bad(backend.status());
  auto net = ReadAstraNetwork(network);
  if (!net.ok()) return bad(net.status());
  auto sys = ReadAstraSystem(system);
  if (!sys.ok()) return bad(sys.status());
  auto ranks = ReadChakraWorkload(workload);
  if (!ranks.ok()) return bad(ranks.status());
  ChakraRunConfig c;
  c.network = *net;
  c.system = *sys;
  c.backend = *backend;
  auto r = RunChakraWorkload(*ranks, c);
  if (!r.ok()) return bad(r.status());

  std::string dims;
  for (const AstraDimension& d : net->dims) {
    absl::StrAppend(&dims, dims.empty() ? "" : " x ", AstraTopologyName(d.topology), " ", d.npus,
                    " @ ", d.bandwidth_gb_s, " GB/s, ", d.latency_ns, " ns");
  }
  result::Result out = NewResult("chakra", workload);
  AddFact(&out, "workload", workload);
  AddFact(&out, "backend", ChakraBackendName(*backend));
  AddFact(&out, "network", dims);
  AddFact(&out, "ranks", static_cast<double>(ranks->size()));
  AddFact(&out, "splits", sys->splits);
  AddFact(&out, "active_chunks", sys->active_chunks);
  AddFact(&out, "endpoint_delay", sys->endpoint_delay);
  AddFact(&out, "local_mem_bw", sys->local_mem_bw);
  AddFact(&out, "finish_cycles", static_cast<double>(std::llround(std::ceil(r->finish_ns - 1e-6))));
  AddFact(&out, "nodes", static_cast<double>(r->nodes));
  AddFact(&out, "flows", static_cast<double>(r->flows));
  double alpha_beta_ns = 0;
  result::Section colls;
  colls.set_name("collectives");
  colls.set_title("collectives: simulated duration against ring alpha-beta (dimension 0, unchunked, idle)");
  int index = 0;
  for (const ChakraCollectiveRecord& k : r->collectives) {
    alpha_beta_ns += k.alpha_beta_ns;
    result::Metric* m = AddMetric(&colls, absl::StrCat("collective_", index++, "_", CommName(k.op)), "s",
                                  (k.end_ns - k.start_ns) * 1e-9);
    SetAnalytic(m, k.alpha_beta_ns * 1e-9, "ring alpha-beta");
    m->set_note(absl::StrFormat("%d B, starts at %.0f ns", k.comm_size, k.start_ns));
  }
  const double finish_s = r->finish_ns * 1e-9;
  SetAnalytic(AddMetric(&out, "simulated_time_s", "s", finish_s), alpha_beta_ns * 1e-9,
              "sum of the collectives' ring alpha-beta (dimension 0, unchunked, idle; compute excluded)");
  *out.add_sections() = std::move(colls);
  result::Section* ranks_sec = AddSection(&out, "rank_finish", "when each rank finishes");
  for (size_t i = 0; i < r->rank_finish_ns.size(); ++i) {
    AddMetric(ranks_sec, absl::StrCat("rank_", i, "_finish_s"), "s", r->rank_finish_ns[i] * 1e-9);
  }
  out.set_events(r->events);
  out.set_fingerprint(absl::StrFormat("%016x", r->fingerprint));
  return PrintSimResult(ctx, echo, std::move(out));
}

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
  return RunChakraJob(ctx, o.Get("--workload", ""), o.Get("--network", ""), o.Get("--system", ""),
                      o.Get("--backend", "astra-aware"), echo);
}

}  // namespace mlsysim
