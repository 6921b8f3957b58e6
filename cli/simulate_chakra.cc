// simulate_chakra.cc — `mlsysim simulate chakra`: an ASTRA-sim workload
// (Chakra traces + network YAML + system JSON) on our engine, in ASTRA-sim's
// timing (astra-aware / astra-unaware) or on our flow-level network, with the
// ring α-β closed form beside it. Also the `chakra {}` scenario workload.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/simulate_common.h"
#include "sim/chakra_runner.h"
#include "traces/astra_platform.h"
#include "traces/chakra_trace.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o json] simulate chakra --workload DIR/PREFIX --network NETWORK.yml\n"
    "         --system SYSTEM.json [--backend astra-aware|astra-unaware|flow]\n"
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
                 const std::string& system, const std::string& backend_name) {
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

  double alpha_beta_ns = 0;
  std::vector<Record> colls;
  for (const ChakraCollectiveRecord& k : r->collectives) {
    alpha_beta_ns += k.alpha_beta_ns;
    Record rec;
    rec.Str("comm_type", CommName(k.op)).Int("comm_size", k.comm_size)
        .Num("start_ns", k.start_ns).Num("end_ns", k.end_ns)
        .Num("alpha_beta_ns", k.alpha_beta_ns)
        .Num("relative_gap", RelativeGap(k.end_ns - k.start_ns, k.alpha_beta_ns));
    colls.push_back(std::move(rec));
  }
  std::vector<Record> per_rank;
  for (size_t i = 0; i < r->rank_finish_ns.size(); ++i) {
    Record rec;
    rec.Int("rank", static_cast<long long>(i)).Num("finish_ns", r->rank_finish_ns[i]);
    per_rank.push_back(std::move(rec));
  }
  std::string dims;
  for (const AstraDimension& d : net->dims) {
    absl::StrAppend(&dims, dims.empty() ? "" : " x ", AstraTopologyName(d.topology), " ", d.npus,
                    " @ ", d.bandwidth_gb_s, " GB/s, ", d.latency_ns, " ns");
  }
  const double finish_s = r->finish_ns * 1e-9;
  Record analytic;
  analytic.Num("simulated", finish_s).Num("analytic", alpha_beta_ns * 1e-9)
      .Str("source", "sum of the collectives' ring alpha-beta (dimension 0, unchunked, idle; "
                     "compute excluded)")
      .Num("relative_gap", RelativeGap(finish_s, alpha_beta_ns * 1e-9));
  Record out;
  out.Str("workload", workload).Str("backend", ChakraBackendName(*backend)).Str("network", dims)
      .Int("ranks", static_cast<long long>(ranks->size()))
      .Int("splits", sys->splits).Int("active_chunks", sys->active_chunks)
      .Num("endpoint_delay", sys->endpoint_delay).Num("local_mem_bw", sys->local_mem_bw)
      .Int("finish_cycles", static_cast<long long>(std::llround(std::ceil(r->finish_ns - 1e-6))))
      .Num("simulated_time_s", finish_s)
      .Obj("analytic", std::move(analytic))
      .List("collectives", std::move(colls))
      .List("rank_finish", std::move(per_rank))
      .Int("nodes", r->nodes).Int("flows", static_cast<long long>(r->flows))
      .Int("events", static_cast<long long>(r->events))
      .Str("fingerprint", absl::StrFormat("%016x", r->fingerprint));
  return PrintResult(ctx, "simulate chakra", out);
}

int RunSimulateChakra(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::string err = ParseOptions(args,
                                 {{"--workload", "", true},
                                  {"--network", "", true},
                                  {"--system", "", true},
                                  {"--backend", "", true},
                                  {"--help", "-h", false}},
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
  return RunChakraJob(ctx, o.Get("--workload", ""), o.Get("--network", ""), o.Get("--system", ""),
                      o.Get("--backend", "astra-aware"));
}

}  // namespace mlsysim
