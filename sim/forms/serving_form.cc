// serving_form.cc — the `simulate serving` quick form: its flags only fill a
// Scenario (serving {}, cluster {}, outputs {}); RunServing takes it from
// there, exactly as it takes a scenario file.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate serving --model M --hardware H [--tp T] "
    "--replicas R\n"
    "         --qps Q --requests N [--arrival poisson|gamma|onoff|diurnal] [--cv V]\n"
    "         [--input-tokens DIST] [--output-tokens DIST]   (fixed:N, uniform:A:B, "
    "lognormal:MU:SIGMA)\n"
    "         [--request-trace FILE.csv [--trace-time-scale X]] [--max-batch B] "
    "[--max-batched-tokens N]\n"
    "         [--max-num-seqs B (= --max-batch)] [--gpu-memory-utilization 0.9]\n"
    "         [--router rr|lor|jsq-kv] [--chunked-prefill TOKENS] [--precision P] [--efficiency "
    "E]\n"
    "         [--attention causal|square] [--hardware-model calibrated|roofline]\n"
    "         [--slo-ttft DURATION] [--slo-itl DURATION] [--region GRID] [--seed N] "
    "[--replications R]\n"
    "         [--tenant NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT_DIST[/OUTPUT_DIST]]] ...]\n"
    "         [--prefill-replicas P [--kv-bandwidth 50GB/s] [--kv-latency 5us]]\n"
    "         [--preemption recompute|swap|never]\n"
    "         [--trace FILE.json] [--requests-csv FILE] [--iterations-csv FILE] "
    "[--trace-max-events N]\n"
    "         [--dump-scenario [--full]]\n"
    "  --request-trace replays an Azure-layout CSV (timestamp,input_tokens,output_tokens) as the "
    "arrivals.\n"
    "  With --tenant (repeatable) each tenant has its own Poisson stream; higher\n"
    "  priority is admitted first, MAX_RUNNING caps its running requests per replica.\n"
    "  Outputs: --trace (Perfetto: per-replica iterations, KV use, queue and batch counters),\n"
    "  --requests-csv (one row per request), --iterations-csv (one row per batch iteration);\n"
    "  each file written is announced on stderr and listed in the result.\n"
    "  --dump-scenario prints the equivalent scenario (textproto) instead of running it; with\n"
    "  --full, every default the run applies written out (token lengths, batch limits, router, "
    "...).\n";

const FieldFlags kServingFlags = {{"serving.model", "--model"},
                                  {"serving.hardware", "--hardware"},
                                  {"serving.tp", "--tp"},
                                  {"serving.replicas", "--replicas"},
                                  {"serving.qps", "--qps"},
                                  {"serving.requests", "--requests"},
                                  {"serving.arrival_cv", "--cv"},
                                  {"serving.arrival", "--arrival"},
                                  {"serving.input_tokens", "--input-tokens"},
                                  {"serving.output_tokens", "--output-tokens"},
                                  {"serving.trace_file", "--request-trace"},
                                  {"serving.trace_time_scale", "--trace-time-scale"},
                                  {"serving.max_batched_tokens", "--max-batched-tokens"},
                                  {"serving.max_batch", "--max-batch"},
                                  {"serving.gpu_memory_utilization", "--gpu-memory-utilization"},
                                  {"serving.router", "--router"},
                                  {"serving.chunked_prefill_tokens", "--chunked-prefill"},
                                  {"serving.precision", "--precision"},
                                  {"serving.efficiency", "--efficiency"},
                                  {"serving.slo_ttft", "--slo-ttft"},
                                  {"serving.slo_itl", "--slo-itl"},
                                  {"cluster.region", "--region"},
                                  {"cluster.hardware_model", "--hardware-model"},
                                  {"serving.tenants", "--tenant"},
                                  {"serving.prefill_replicas", "--prefill-replicas"},
                                  {"serving.kv_bandwidth", "--kv-bandwidth"},
                                  {"serving.kv_latency", "--kv-latency"},
                                  {"serving.preemption", "--preemption"},
                                  {"serving.attention", "--attention"},
                                  {"outputs.trace_json", "--trace"},
                                  {"outputs.requests_csv", "--requests-csv"},
                                  {"outputs.iterations_csv", "--iterations-csv"},
                                  {"outputs.trace_max_events", "--trace-max-events"},
                                  {"replications", "--replications"},
                                  {"seed", "--seed"}};

std::string BuildServing(const ParsedOptions& o, scenario::Scenario* s) {
  for (const char* required : {"--model", "--hardware", "--replicas"}) {
    if (!o.Has(required)) return absl::StrCat(required, " is required");
  }
  const bool from_trace = o.Has("--request-trace");
  const bool tenants = o.Has("--tenant");
  if (!from_trace && ((!o.Has("--qps") && !tenants) || !o.Has("--requests"))) {
    return "--qps and --requests are required (or --request-trace FILE, or --tenant ... with "
           "--requests)";
  }
  auto* w = s->mutable_serving();
  int tp = 0, replicas = 0, max_batch = 0, max_tokens = 0, chunk = 0, seed = 0, reps = 0,
      prefill = 0;
  long long requests = 0, max_events = 0;
  double qps = 0, cv = 0, efficiency = 0, time_scale = 0;
  std::string e = GetInt(o, "--tp", 1, 1024, &tp);
  if (e.empty()) e = GetInt(o, "--replicas", 1, 1 << 20, &replicas);
  if (e.empty()) e = GetInt64(o, "--requests", 1, 20000000, &requests);
  if (e.empty()) e = GetInt(o, "--max-batch", 1, 1 << 20, &max_batch);
  // vLLM's name for the same limit.
  if (e.empty() && o.Has("--max-num-seqs")) {
    if (o.Has("--max-batch")) {
      e = "serving.max_batch: give --max-batch or --max-num-seqs (the same limit), not both";
    } else {
      e = GetInt(o, "--max-num-seqs", 1, 1 << 20, &max_batch);
    }
  }
  double memory_utilization = 0;
  if (e.empty()) e = GetNumber(o, "--gpu-memory-utilization", &memory_utilization);
  if (e.empty() && o.Has("--gpu-memory-utilization") &&
      !(memory_utilization > 0 && memory_utilization <= 1)) {
    e = "serving.gpu_memory_utilization (--gpu-memory-utilization): must lie in (0, 1]";
  }
  if (e.empty()) e = GetInt(o, "--max-batched-tokens", 1, 1 << 26, &max_tokens);
  if (e.empty()) e = GetInt(o, "--chunked-prefill", 0, 1 << 26, &chunk);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 10000, &reps);
  if (e.empty()) e = GetInt(o, "--prefill-replicas", 0, 1 << 20, &prefill);
  if (e.empty()) e = GetInt64(o, "--trace-max-events", 2, 100000000, &max_events);
  if (e.empty()) e = GetNumber(o, "--qps", &qps);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--efficiency", &efficiency);
  if (e.empty()) e = GetNumber(o, "--trace-time-scale", &time_scale);
  if (e.empty() && o.Has("--qps") && !(qps > 0)) e = "serving.qps (--qps): must be > 0";
  if (e.empty() && o.Has("--efficiency") && !(efficiency > 0))
    e = "serving.efficiency (--efficiency): must lie in (0, 1]";
  if (e.empty() && o.Has("--cv") && !(cv > 0)) e = "serving.arrival_cv (--cv): must be > 0";
  if (e.empty() && o.Has("--trace-time-scale") && !(time_scale > 0)) {
    e = "serving.trace_time_scale (--trace-time-scale): must be > 0";
  }
  if (!e.empty()) return e;
  w->set_model(o.Get("--model", ""));
  w->set_hardware(o.Get("--hardware", ""));
  w->set_tp(tp);
  w->set_replicas(replicas);
  w->set_requests(requests);
  w->set_max_batch(max_batch);
  w->set_max_batched_tokens(max_tokens);
  w->set_chunked_prefill_tokens(chunk);
  w->set_prefill_replicas(prefill);
  w->set_qps(qps);
  w->set_arrival_cv(cv);
  w->set_efficiency(efficiency);
  w->set_gpu_memory_utilization(memory_utilization);
  w->set_trace_time_scale(time_scale);
  w->set_precision(o.Get("--precision", ""));
  w->set_arrival(o.Get("--arrival", ""));
  w->set_trace_file(o.Get("--request-trace", ""));
  w->set_input_tokens(o.Get("--input-tokens", ""));
  w->set_output_tokens(o.Get("--output-tokens", ""));
  w->set_router(o.Get("--router", ""));
  w->set_slo_ttft(o.Get("--slo-ttft", ""));
  w->set_slo_itl(o.Get("--slo-itl", ""));
  w->set_kv_bandwidth(o.Get("--kv-bandwidth", ""));
  w->set_kv_latency(o.Get("--kv-latency", ""));
  w->set_preemption(o.Get("--preemption", ""));
  w->set_attention(o.Get("--attention", ""));
  s->mutable_cluster()->set_region(o.Get("--region", ""));
  s->mutable_cluster()->set_hardware_model(o.Get("--hardware-model", ""));
  if (!s->cluster().ByteSizeLong()) s->clear_cluster();
  // Tenants: NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT[/OUTPUT]]].
  for (const std::string& spec : o.GetAll("--tenant")) {
    std::vector<std::string> f = absl::StrSplit(spec, '/');
    auto fail = [&](const std::string& why) {
      return absl::StrCat("serving.tenants (--tenant) '", spec, "': ", why,
                          "; expected NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT[/OUTPUT]]]");
    };
    double tq = 0;
    int prio = 0, limit = 0;
    if (f.size() < 3 || f.size() > 6) return fail("wrong number of fields");
    if (!absl::SimpleAtod(f[1], &tq) || !(tq > 0)) return fail("QPS must be a number > 0");
    if (!absl::SimpleAtoi(f[2], &prio)) return fail("PRIORITY must be an integer");
    if (f.size() > 3 && (!absl::SimpleAtoi(f[3], &limit) || limit < 0))
      return fail("MAX_RUNNING must be >= 0");
    auto* t = w->add_tenants();
    t->set_name(f[0]);
    t->set_qps(tq);
    t->set_priority(prio);
    t->set_max_running(limit);
    if (f.size() > 4) t->set_input_tokens(f[4]);
    if (f.size() > 5) t->set_output_tokens(f[5]);
  }
  auto* out = s->mutable_outputs();
  out->set_trace_json(o.Get("--trace", ""));
  out->set_requests_csv(o.Get("--requests-csv", ""));
  out->set_iterations_csv(o.Get("--iterations-csv", ""));
  out->set_trace_max_events(max_events);
  if (!s->outputs().ByteSizeLong()) s->clear_outputs();
  s->set_seed(static_cast<uint64_t>(seed));
  s->set_replications(static_cast<uint32_t>(reps));
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunServing(s, "", rc);
}

}  // namespace

const QuickForm& ServingForm() {
  static const QuickForm kForm = [] {
    QuickForm f;
    f.name = "serving";
    f.help = kHelp;
    for (const char* n : {"--model",
                          "--hardware",
                          "--tp",
                          "--replicas",
                          "--qps",
                          "--requests",
                          "--arrival",
                          "--cv",
                          "--input-tokens",
                          "--output-tokens",
                          "--request-trace",
                          "--trace-time-scale",
                          "--max-batch",
                          "--max-num-seqs",
                          "--gpu-memory-utilization",
                          "--max-batched-tokens",
                          "--router",
                          "--chunked-prefill",
                          "--precision",
                          "--efficiency",
                          "--slo-ttft",
                          "--slo-itl",
                          "--region",
                          "--seed",
                          "--replications",
                          "--requests-csv",
                          "--iterations-csv",
                          "--trace",
                          "--trace-max-events",
                          "--tenant",
                          "--prefill-replicas",
                          "--kv-bandwidth",
                          "--kv-latency",
                          "--preemption",
                          "--attention",
                          "--hardware-model"})
      f.options.push_back({n, "", true});
    f.build = BuildServing;
    f.run = Run;
    f.flags = kServingFlags;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
