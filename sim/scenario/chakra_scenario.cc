// chakra_scenario.cc — `chakra {}` scenarios: ASTRA-sim's inputs (Chakra
// execution traces, network YAML, system JSON) run by sim/chakra_runner with
// the chosen backend, beside the collectives' ring α-β.
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/network/chakra_runner.h"
#include "sim/scenario/result_builder.h"
#include "sim/scenario/runners.h"
#include "traces/astra_platform.h"
#include "traces/chakra_trace.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

const char* CommName(int op) {
  switch (op) {
    case 0: return "all_reduce";
    case 2: return "all_gather";
    case 6: return "all_to_all";
    case 7:
    case 8: return "reduce_scatter";
    case 9: return "barrier";
  }
  return "other";
}

}  // namespace

absl::StatusOr<result::Result> RunChakra(const scenario::Scenario& s, const std::string& dir,
                                         const RunContext& rc) {
  (void)rc;
  auto bad = [](const absl::Status& st) { return st; };
  const auto& w = s.chakra();
  for (const auto& [field, value] :
       {std::pair<const char*, const std::string*>{"chakra.workload", &w.workload()},
        {"chakra.network", &w.network()},
        {"chakra.system", &w.system()}}) {
    if (value->empty()) return absl::InvalidArgumentError(absl::StrCat(field, " is required"));
  }
  auto rel = [&](const std::string& p) { return p.empty() || p[0] == '/' ? p : dir + p; };
  const std::string workload = rel(w.workload()), network = rel(w.network()),
                    system = rel(w.system());
  const std::string backend_name = w.backend().empty() ? "astra-aware" : w.backend();
  const scenario::Scenario& echo = s;
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
  bool any_direct = false;
  for (const ChakraCollectiveRecord& k : r->collectives) any_direct |= k.direct;
  colls.set_title(
      any_direct
          ? "collectives: simulated duration against the alpha-beta of each one's implementation "
            "(ring or direct; dimension 0, unchunked, idle)"
          : "collectives: simulated duration against ring alpha-beta (dimension 0, unchunked, "
            "idle)");
  int index = 0;
  for (const ChakraCollectiveRecord& k : r->collectives) {
    alpha_beta_ns += k.alpha_beta_ns;
    result::Metric* m = AddMetric(&colls, absl::StrCat("collective_", index++, "_", CommName(k.op)),
                                  "s", (k.end_ns - k.start_ns) * 1e-9);
    SetAnalytic(m, k.alpha_beta_ns * 1e-9, k.direct ? "direct alpha-beta" : "ring alpha-beta");
    m->set_note(absl::StrFormat("%d B, starts at %.0f ns", k.comm_size, k.start_ns));
  }
  const double finish_s = r->finish_ns * 1e-9;
  SetAnalytic(AddMetric(&out, "simulated_time_s", "s", finish_s), alpha_beta_ns * 1e-9,
              any_direct ? "sum of the collectives' alpha-beta (ring or direct; dimension 0, "
                           "unchunked, idle; compute excluded)"
                         : "sum of the collectives' ring alpha-beta (dimension 0, unchunked, idle; "
                           "compute excluded)");
  *out.add_sections() = std::move(colls);
  result::Section* ranks_sec = AddSection(&out, "rank_finish", "when each rank finishes");
  for (size_t i = 0; i < r->rank_finish_ns.size(); ++i) {
    AddMetric(ranks_sec, absl::StrCat("rank_", i, "_finish_s"), "s", r->rank_finish_ns[i] * 1e-9);
  }
  out.set_events(r->events);
  out.set_fingerprint(absl::StrFormat("%016x", r->fingerprint));
  SetEcho(&out, echo);
  return out;
}

}  // namespace mlsysim
