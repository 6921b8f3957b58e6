// serving_form.cc — the `simulate serving` quick form: one flag table
// (flag_table.h) fills a Scenario (serving {}, cluster {}, outputs {});
// RunServing takes it from there, exactly as it takes a scenario file.
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

// The quick form's flags: each fills one scenario field (flag_table.h);
// --tenant (repeatable, several fields) is handled below.
constexpr FlagRow kServingRows[] = {
    {"--model", "serving.model", FlagRow::kString, 0, -1, "",
     "registry model or PATH/config.json (required)"},
    {"--hardware", "serving.hardware", FlagRow::kString, 0, -1, "",
     "registry accelerator (required)"},
    {"--tp", "serving.tp", FlagRow::kInt, 1, 1024, "", "tensor parallel size (1)"},
    {"--replicas", "serving.replicas", FlagRow::kInt, 1, 1 << 20, "", "replicas (required)"},
    {"--qps", "serving.qps", FlagRow::kPositive, 0, -1, "", "mean arrival rate, requests/s"},
    {"--requests", "serving.requests", FlagRow::kInt, 1, 20000000, "", "requests to simulate"},
    {"--arrival", "serving.arrival", FlagRow::kString, 0, -1, "",
     "poisson | gamma | onoff | diurnal"},
    {"--cv", "serving.arrival_cv", FlagRow::kPositive, 0, -1, "", "gamma arrivals' CV"},
    {"--input-tokens", "serving.input_tokens", FlagRow::kString, 0, -1, "",
     "fixed:N | uniform:A:B | lognormal:MU:SIGMA | empirical:..."},
    {"--output-tokens", "serving.output_tokens", FlagRow::kString, 0, -1, "",
     "same forms as --input-tokens"},
    {"--request-trace", "serving.trace_file", FlagRow::kString, 0, -1, "",
     "Azure-layout CSV replayed as the arrivals"},
    {"--trace-time-scale", "serving.trace_time_scale", FlagRow::kPositive, 0, -1, "",
     "multiplies the trace's timestamps (1)"},
    {"--max-batch", "serving.max_batch", FlagRow::kInt, 1, 1 << 20, "",
     "sequences per iteration (256)"},
    {"--max-num-seqs", "serving.max_batch", FlagRow::kInt, 1, 1 << 20, "",
     "vLLM's name for --max-batch"},
    {"--gpu-memory-utilization", "serving.gpu_memory_utilization", FlagRow::kPositive, 0, 1, "",
     "fraction of HBM the engine may use (0.9)"},
    {"--max-batched-tokens", "serving.max_batched_tokens", FlagRow::kInt, 1, 1 << 26, "",
     "tokens per iteration (8192)"},
    {"--router", "serving.router", FlagRow::kString, 0, -1, "", "rr | lor | jsq-kv"},
    {"--chunked-prefill", "serving.chunked_prefill_tokens", FlagRow::kInt, 0, 1 << 26, "",
     "prefill chunk, tokens (0: whole prompts)"},
    {"--precision", "serving.precision", FlagRow::kString, 0, -1, "", "fp16 (default), fp8, ..."},
    {"--efficiency", "serving.efficiency", FlagRow::kPositive, 0, 1, "",
     "fraction of peak; selects the roofline machine"},
    {"--attention", "serving.attention", FlagRow::kString, 0, -1, "", "causal (default) | square"},
    {"--hardware-model", "cluster.hardware_model", FlagRow::kString, 0, -1, "",
     "calibrated (default with a profile) | roofline"},
    {"--slo-ttft", "serving.slo_ttft", FlagRow::kString, 0, -1, "", "goodput SLO, e.g. 500 ms"},
    {"--slo-itl", "serving.slo_itl", FlagRow::kString, 0, -1, "", "goodput SLO, e.g. 50 ms"},
    {"--region", "cluster.region", FlagRow::kString, 0, -1, "", "grid for energy and carbon"},
    {"--seed", "seed", FlagRow::kInt, 0, 2000000000, "", "random seed (1)"},
    {"--replications", "replications", FlagRow::kInt, 1, 10000, "", "independent runs"},
    {"--requests-csv", "outputs.requests_csv", FlagRow::kString, 0, -1, "", "one row per request"},
    {"--iterations-csv", "outputs.iterations_csv", FlagRow::kString, 0, -1, "",
     "one row per batch iteration"},
    {"--trace", "outputs.trace_json", FlagRow::kString, 0, -1, "", "Perfetto trace file"},
    {"--trace-max-events", "outputs.trace_max_events", FlagRow::kInt, 2, 100000000, "", "cap"},
    {"--tenant", "", FlagRow::kString, 0, -1, "",
     "NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT[/OUTPUT]]], repeatable [serving.tenants]"},
    {"--prefill-replicas", "serving.prefill_replicas", FlagRow::kInt, 0, 1 << 20, "",
     "disaggregated prefill replicas"},
    {"--kv-bandwidth", "serving.kv_bandwidth", FlagRow::kString, 0, -1, "",
     "KV transfer link per GPU, e.g. 50 GB/s"},
    {"--kv-latency", "serving.kv_latency", FlagRow::kString, 0, -1, "", "e.g. 5 us"},
    {"--preemption", "serving.preemption", FlagRow::kString, 0, -1, "",
     "recompute (vLLM) | swap | never (TensorRT-LLM)"},
};

const FieldFlags kServingFlags = [] {
  FieldFlags f = FieldFlagsOf(kServingRows);
  f.push_back({"serving.tenants", "--tenant"});
  return f;
}();

// --tenant NAME/QPS/PRIORITY[/MAX_RUNNING[/INPUT[/OUTPUT]]], one per flag.
std::string AddTenants(const ParsedOptions& o, scenario::ServingWorkload* w) {
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
  return "";
}

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
  if (o.Has("--max-batch") && o.Has("--max-num-seqs")) {
    return "serving.max_batch: give --max-batch or --max-num-seqs (the same limit), not both";
  }
  s->mutable_serving();
  if (std::string e = ApplyFlagTable(o, kServingRows, s); !e.empty()) return e;
  if (std::string e = AddTenants(o, s->mutable_serving()); !e.empty()) return e;
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunServing(s, "", rc);
}

}  // namespace

const QuickForm& ServingForm() {
  static const QuickForm kForm = [] {
    QuickForm f = TableForm("serving", kHelp, kServingRows, BuildServing, Run);
    f.flags = kServingFlags;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
