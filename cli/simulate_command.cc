// simulate_command.cc — `mlsysim simulate`: routing to the quick forms
// (collective, training) and scenario files (protobuf text format).
#include <cmath>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/units.h"
#include "cli/simulate_common.h"
#include "cli/simulate_training.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "proto/scenario.pb.h"
#include "topology/registry.h"
#include "traces/json_writer.h"

namespace mlsysim {

extern const char kDefaultScenarioText[];

namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o json] simulate SCENARIO.textproto\n"
    "       mlsysim [-o json] simulate default           (the embedded default scenario)\n"
    "       mlsysim [-o json] simulate collective ...   (see simulate collective --help)\n"
    "       mlsysim [-o json] simulate chakra ...       (ASTRA-sim workloads; simulate chakra --help)\n"
    "       mlsysim [-o json] simulate training --model M (--cluster C | --nodes N [--node DGX_H100]\n"
    "         [--fabric InfiniBand_NDR]) --tp T --pp P [--microbatches K] --batch-size B\n"
    "         [--seq-len S] [--precision P] [--efficiency E] [--topology fat_tree_2]\n"
    "         [--oversubscription X] [--routing dmodk|ecmp|spray] [--no-overlap] [--bucket SIZE] [--straggler-cv V]\n"
    "         [--days D] [--failures none|registry|llama3] [--weibull-shape K [--fresh-fleet]]\n"
    "         [--checkpoint-interval young|daly|none|DURATION] [--checkpoint-storage node_nvme|shared]\n"
    "         [--storage-bandwidth BW] [--async-checkpoint] [--restart-time DURATION]\n"
    "         [--detection-time DURATION] [--reschedule-time DURATION] [--spare-nodes N]\n"
    "         [--region GRID] [--seed N] [--replications R] [--trace FILE.json] [--events-csv FILE.csv]\n"
    "         [--recompute none|selective|full] [--detail full|replica|auto] [--virtual-stages V] [--ep E]\n"
    "       mlsysim [-o json] simulate queue ...      (see simulate queue --help)\n"
    "       mlsysim [-o json] simulate serving ...    (see simulate serving --help)\n"
    "       mlsysim [-o json] simulate jobs ...       (see simulate jobs --help)\n";

std::string Seconds(const std::string& text, const char* field, double* out) {
  if (text.empty()) return "";
  auto q = ParseQuantityAs(text, dims::kTime, field);
  if (!q.ok()) return std::string(q.status().message());
  if (q->si < 0) return absl::StrCat(field, " must be >= 0");
  *out = q->si;
  return "";
}

int RunSimulateTraining(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::vector<OptionSpec> specs;
  for (const char* name :
       {"--model", "--cluster", "--nodes", "--node", "--fabric", "--topology", "--oversubscription",
        "--routing", "--tp", "--pp", "--microbatches", "--batch-size", "--seq-len", "--precision", "--efficiency",
        "--bucket", "--straggler-cv", "--days", "--failures", "--weibull-shape",
        "--checkpoint-interval", "--checkpoint-storage", "--storage-bandwidth", "--restart-time",
        "--detection-time", "--reschedule-time", "--spare-nodes", "--region", "--seed",
        "--replications", "--trace", "--events-csv", "--export-chakra", "--recompute", "--detail",
        "--virtual-stages", "--ep"}) {
    specs.push_back({name, "", true});
  }
  for (const char* flag : {"--no-overlap", "--async-checkpoint", "--fresh-fleet", "--help"}) specs.push_back({flag, "", false});
  std::string err = ParseOptions(args, specs, "simulate training", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << kHelp;
    return kExitOk;
  }
  TrainingJob j;
  j.model = o.Get("--model", "");
  j.cluster = o.Get("--cluster", "");
  j.node = o.Get("--node", j.node);
  j.fabric = o.Get("--fabric", j.fabric);
  j.topology = o.Get("--topology", j.topology);
  j.routing = o.Get("--routing", "");
  j.precision = o.Get("--precision", j.precision);
  j.failures = o.Get("--failures", j.failures);
  j.checkpoint_interval = o.Get("--checkpoint-interval", "");
  j.checkpoint_storage = o.Get("--checkpoint-storage", j.checkpoint_storage);
  j.region = o.Get("--region", "");
  j.trace_file = o.Get("--trace", "");
  j.events_csv = o.Get("--events-csv", "");
  j.export_chakra = o.Get("--export-chakra", "");
  j.activation_recompute = o.Get("--recompute", j.activation_recompute);
  j.detail = o.Get("--detail", j.detail);
  j.overlap = !o.Has("--no-overlap");
  j.async_checkpoint = o.Has("--async-checkpoint");
  j.fresh_fleet = o.Has("--fresh-fleet");
  int seed = 1;
  std::string e;
  if (e.empty()) e = GetInt(o, "--nodes", 1, 1000000, &j.nodes);
  if (e.empty()) e = GetInt(o, "--tp", 1, 1024, &j.tp);
  if (e.empty()) e = GetInt(o, "--pp", 1, 1024, &j.pp);
  if (e.empty()) e = GetInt(o, "--microbatches", 1, 1000000, &j.microbatches);
  if (e.empty()) e = GetInt(o, "--virtual-stages", 1, 1024, &j.virtual_stages);
  if (e.empty()) e = GetInt(o, "--ep", 1, 1 << 20, &j.ep);
  if (e.empty()) e = GetInt(o, "--batch-size", 1, 1 << 30, &j.batch_size);
  if (e.empty()) e = GetInt(o, "--seq-len", 1, 1 << 24, &j.seq_len);
  if (e.empty()) e = GetInt(o, "--spare-nodes", 0, 1000000, &j.spare_nodes);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 100000, &j.replications);
  if (e.empty()) e = GetNumber(o, "--oversubscription", &j.oversubscription);
  if (e.empty()) e = GetNumber(o, "--efficiency", &j.efficiency);
  if (e.empty()) e = GetNumber(o, "--straggler-cv", &j.straggler_cv);
  if (e.empty()) e = GetNumber(o, "--days", &j.days);
  if (e.empty()) e = GetNumber(o, "--weibull-shape", &j.weibull_shape);
  if (e.empty()) e = GetQuantity(o, "--bucket", dims::kBytes, &j.bucket_bytes);
  if (e.empty()) e = GetQuantity(o, "--storage-bandwidth", dims::kByteRate, &j.storage_bandwidth);
  if (e.empty()) e = Seconds(o.Get("--restart-time", ""), "--restart-time", &j.restart_s);
  if (e.empty()) e = Seconds(o.Get("--detection-time", ""), "--detection-time", &j.detection_s);
  if (e.empty()) e = Seconds(o.Get("--reschedule-time", ""), "--reschedule-time", &j.reschedule_s);
  if (!e.empty()) return ReportError(ctx, kExitBadInput, "Bad input", e);
  j.seed = static_cast<uint64_t>(seed);
  j.name = absl::StrCat(j.model, " tp", j.tp, " pp", j.pp);
  return RunTrainingJob(ctx, j);
}

// Serving and queue scenarios become the quick forms' arguments, so that both
// paths share one parser and one set of checks.
int RunServingScenario(const CommandContext& ctx, const std::string& path,
                       const scenario::Scenario& s) {
  const auto& w = s.serving();
  CommandArgs a = {"--model", w.model(), "--hardware", w.hardware(),
                   "--replicas", absl::StrCat(std::max(1, w.replicas()))};
  auto add = [&](const char* flag, const std::string& v) {
    if (!v.empty()) {
      a.push_back(flag);
      a.push_back(v);
    }
  };
  auto add_num = [&](const char* flag, double v) {
    if (v != 0) add(flag, ExactNumber(v));
  };
  add_num("--tp", w.tp());
  add("--precision", w.precision());
  add_num("--efficiency", w.efficiency());
  add_num("--qps", w.qps());
  add("--arrival", w.arrival() == "trace" ? "" : w.arrival());
  add_num("--cv", w.arrival_cv());
  if (!w.trace_file().empty()) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    add("--trace", w.trace_file()[0] == '/' ? w.trace_file() : dir + w.trace_file());
  }
  add("--input-tokens", w.input_tokens());
  add("--output-tokens", w.output_tokens());
  add_num("--max-batch", w.max_batch());
  add_num("--max-batched-tokens", w.max_batched_tokens());
  add_num("--chunked-prefill", w.chunked_prefill_tokens());
  add("--attention", w.attention());
  add("--router", w.router());
  add_num("--requests", static_cast<double>(w.requests()));
  add_num("--prefill-replicas", w.prefill_replicas());
  add("--kv-bandwidth", w.kv_bandwidth());
  add("--slo-ttft", w.slo_ttft());
  add("--slo-itl", w.slo_itl());
  add("--region", s.cluster().region());
  add_num("--seed", static_cast<double>(s.seed()));
  add_num("--replications", s.replications());
  add("--requests-csv", s.outputs().events_csv());
  add("--iterations-trace", s.outputs().trace_json());
  for (const auto& t : w.tenants()) {
    std::string spec = absl::StrCat(t.name(), "/", ExactNumber(t.qps()), "/", t.priority(), "/", t.max_running());
    if (!t.input_tokens().empty() || !t.output_tokens().empty()) {
      absl::StrAppend(&spec, "/", t.input_tokens().empty() ? w.input_tokens() : t.input_tokens());
      if (!t.output_tokens().empty()) absl::StrAppend(&spec, "/", t.output_tokens());
    }
    a.push_back("--tenant");
    a.push_back(spec);
  }
  if (!s.has_job_queue()) return RunSimulateServing(ctx, a);

  // Serving and the job queue share the cluster: run both, report both.
  const auto& q = s.job_queue();
  const int total = static_cast<int>(std::min<int64_t>(int64_t{s.cluster().nodes()} * 8, kMaxAccelerators));
  const int serving_gpus = std::max(1, w.replicas()) * std::max(1, w.tp());
  if (total <= serving_gpus) {
    return ReportError(ctx, kExitBadInput, "Bad scenario",
                       absl::StrCat(path, ": cluster.nodes x 8 = ", total, " GPUs leave none for the job queue after ",
                                    serving_gpus, " serving GPUs"));
  }
  double hours = 0;
  if (auto e = Seconds(q.duration(), "job_queue.duration", &hours); !e.empty()) {
    return ReportError(ctx, kExitBadInput, "Bad scenario", absl::StrCat(path, ": ", e));
  }
  CommandArgs j = {"--gpus", absl::StrCat(total - serving_gpus), "--arrival-rate",
                   ExactNumber(q.arrival_rate_per_day()), "--duration", ExactNumber(hours / 3600.0)};
  auto addj = [&](const char* flag, const std::string& v) {
    if (!v.empty()) {
      j.push_back(flag);
      j.push_back(v);
    }
  };
  addj("--duration-dist", q.duration_distribution());
  if (q.duration_cv() > 0) addj("--cv", ExactNumber(q.duration_cv()));
  std::string sizes;
  for (int g : q.job_gpus()) absl::StrAppend(&sizes, sizes.empty() ? "" : ",", g);
  addj("--job-gpus", sizes);
  addj("--policy", q.policy());
  if (q.high_priority_share() > 0) addj("--high-priority-share", ExactNumber(q.high_priority_share()));
  if (q.jobs() > 0) addj("--jobs", absl::StrCat(q.jobs()));
  if (s.seed() > 0) addj("--seed", absl::StrCat(s.seed()));
  if (s.replications() > 0) addj("--replications", absl::StrCat(s.replications()));
  CommandContext sub = ctx;
  if (ctx.format == OutputFormat::kText) {
    *ctx.out << "scenario " << s.name() << ": " << serving_gpus << " GPUs serve, "
             << total - serving_gpus << " run the job queue\n\n";
    const int code = RunSimulateServing(sub, a);
    if (code != kExitOk) return code;
    *ctx.out << "\n";
    return RunSimulateJobs(sub, j);
  }
  std::ostringstream serving_out, jobs_out;
  sub.out = &serving_out;
  int code = RunSimulateServing(sub, a);
  if (code != kExitOk) return code;
  sub.out = &jobs_out;
  code = RunSimulateJobs(sub, j);
  if (code != kExitOk) return code;
  {
    std::string sv = serving_out.str(), jb = jobs_out.str();
    while (!sv.empty() && sv.back() == '\n') sv.pop_back();
    while (!jb.empty() && jb.back() == '\n') jb.pop_back();
    *ctx.out << "{\"scenario\": ";
    std::string name;
    AppendJsonString(name, s.name());
    *ctx.out << name << ", \"serving_gpus\": " << serving_gpus << ", \"job_queue_gpus\": "
             << total - serving_gpus << ", \"serving\": " << sv << ", \"job_queue\": " << jb << "}\n";
  }
  return kExitOk;
}

int RunQueueScenario(const CommandContext& ctx, const scenario::Scenario& s) {
  const auto& q = s.queue();
  CommandArgs a = {"--servers", absl::StrCat(std::max(1, q.servers())), "--arrival-rate",
                   ExactNumber(q.arrival_rate()), "--service-time", ExactNumber(q.service_time()),
                   "--requests", absl::StrCat(q.requests())};
  if (!q.service_distribution().empty()) {
    a.push_back("--service-dist");
    a.push_back(q.service_distribution());
  }
  if (q.service_cv() > 0) {
    a.push_back("--cv");
    a.push_back(ExactNumber(q.service_cv()));
  }
  if (s.seed() > 0) {
    a.push_back("--seed");
    a.push_back(absl::StrCat(s.seed()));
  }
  if (s.replications() > 0) {
    a.push_back("--replications");
    a.push_back(absl::StrCat(s.replications()));
  }
  return RunSimulateQueue(ctx, a);
}

// `path` names the scenario in messages and anchors its relative file names.
int RunScenarioText(const CommandContext& ctx, const std::string& text, const std::string& path) {
  scenario::Scenario s;
  if (auto st = ParseScenarioText(text, path, &s); !st.ok()) {
    return ReportError(ctx, kExitBadInput, "Bad scenario", std::string(st.message()));
  }
  CommandContext local = ctx;
  if (!s.registry().empty()) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string reg_path = s.registry()[0] == '/' ? s.registry() : dir + s.registry();
    auto reg = Registry::WithFile(reg_path);
    if (!reg.ok()) return ReportError(ctx, kExitBadInput, "Bad registry", std::string(reg.status().message()));
    local.registry = *reg;
  }
  if (s.has_serving()) return RunServingScenario(local, path, s);
  if (s.has_queue()) return RunQueueScenario(local, s);
  if (s.has_chakra()) {
    const size_t slash = path.rfind('/');
    const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    auto rel = [&](const std::string& p) { return p.empty() || p[0] == '/' ? p : dir + p; };
    const auto& w = s.chakra();
    for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"chakra.workload", &w.workload()},
                                       {"chakra.network", &w.network()},
                                       {"chakra.system", &w.system()}}) {
      if (value->empty()) {
        return ReportError(ctx, kExitBadInput, "Bad scenario", absl::StrCat(path, ": ", field, " is required"));
      }
    }
    return RunChakraJob(local, rel(w.workload()), rel(w.network()), rel(w.system()),
                        w.backend().empty() ? "astra-aware" : w.backend());
  }
  if (!s.has_training()) {
    return ReportError(ctx, kExitBadInput, "Bad scenario",
                       absl::StrCat(path, ": no workload; set one of training, serving, queue"));
  }
  const auto& t = s.training();
  TrainingJob j;
  j.name = s.name().empty() ? path : s.name();
  j.model = t.model();
  j.cluster = s.cluster().registry_name();
  j.nodes = s.cluster().nodes();
  if (!s.cluster().node().empty()) j.node = s.cluster().node();
  if (!s.cluster().fabric().empty()) j.fabric = s.cluster().fabric();
  if (!s.cluster().topology().empty()) j.topology = s.cluster().topology();
  if (s.cluster().oversubscription() > 0) j.oversubscription = s.cluster().oversubscription();
  j.routing = s.cluster().routing();
  j.region = s.cluster().region();
  j.spare_nodes = s.cluster().spare_nodes();
  j.tp = std::max(1, t.tp());
  j.pp = std::max(1, t.pp());
  j.microbatches = t.microbatches();
  j.virtual_stages = std::max(1, t.virtual_stages());
  j.ep = std::max(1, t.ep());
  if (t.schedule() == "interleaved" && j.virtual_stages == 1) j.virtual_stages = 2;
  if (!t.schedule().empty() && t.schedule() != "1f1b" && t.schedule() != "interleaved") {
    return ReportError(ctx, kExitBadInput, "Bad scenario",
                       absl::StrCat(path, ": training.schedule: accepted 1f1b, interleaved"));
  }
  j.batch_size = t.global_batch_size();
  if (t.seq_len() > 0) j.seq_len = t.seq_len();
  if (!t.precision().empty()) j.precision = t.precision();
  if (t.efficiency() > 0) j.efficiency = t.efficiency();
  j.overlap = t.overlap_gradients();
  j.straggler_cv = t.straggler_cv();
  if (!t.activation_recompute().empty()) j.activation_recompute = t.activation_recompute();
  if (!t.detail().empty()) j.detail = t.detail();
  std::string e;
  if (!t.bucket_size().empty()) {
    auto q = ParseQuantityAs(t.bucket_size(), dims::kBytes, "training.bucket_size");
    if (!q.ok()) e = std::string(q.status().message());
    else j.bucket_bytes = q->si;
  }
  double run_s = 0;
  if (e.empty()) e = Seconds(t.duration(), "training.duration", &run_s);
  j.days = run_s / 86400.0;
  if (!s.failures().preset().empty()) j.failures = s.failures().preset();
  j.fresh_fleet = s.failures().fresh_fleet();
  if (s.failures().distribution() == "weibull") {
    j.weibull_shape = s.failures().weibull_shape() > 0 ? s.failures().weibull_shape() : 0.7;
  } else if (!s.failures().distribution().empty() && s.failures().distribution() != "exponential") {
    e = "failures.distribution: accepted: exponential, weibull";
  }
  if (e.empty()) e = Seconds(s.failures().detection_time(), "failures.detection_time", &j.detection_s);
  if (e.empty()) e = Seconds(s.failures().restart_time(), "failures.restart_time", &j.restart_s);
  if (e.empty()) e = Seconds(s.failures().reschedule_time(), "failures.reschedule_time", &j.reschedule_s);
  j.checkpoint_interval = s.checkpoint().interval();
  if (!s.checkpoint().storage().empty()) j.checkpoint_storage = s.checkpoint().storage();
  if (e.empty() && !s.checkpoint().storage_bandwidth().empty()) {
    auto q = ParseQuantityAs(s.checkpoint().storage_bandwidth(), dims::kByteRate,
                             "checkpoint.storage_bandwidth");
    if (!q.ok()) e = std::string(q.status().message());
    else j.storage_bandwidth = q->si;
  }
  j.async_checkpoint = s.checkpoint().asynchronous();
  j.seed = s.seed() > 0 ? s.seed() : 1;
  j.replications = s.replications() > 0 ? static_cast<int>(s.replications()) : 1;
  j.trace_file = s.outputs().trace_json();
  j.events_csv = s.outputs().events_csv();
  if (!e.empty()) return ReportError(ctx, kExitBadInput, "Bad scenario", absl::StrCat(path, ": ", e));
  return RunTrainingJob(local, j);
}

int RunScenarioFile(const CommandContext& ctx, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return ReportError(ctx, kExitBadInput, "Bad input", absl::StrCat("cannot read '", path, "'"));
  std::stringstream buf;
  buf << in.rdbuf();
  return RunScenarioText(ctx, buf.str(), path);
}

}  // namespace

int RunSimulate(const CommandContext& ctx, const CommandArgs& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    *ctx.out << kHelp;
    return args.empty() ? kExitBadInput : kExitOk;
  }
  const CommandArgs rest(args.begin() + 1, args.end());
  if (args[0] == "default") {
    // The main job: the embedded copy of scenarios/llama3_70b_research256.textproto.
    return RunScenarioText(ctx, kDefaultScenarioText, "default scenario (llama3_70b_research256)");
  }
  if (args[0] == "collective") return RunSimulateCollective(ctx, rest);
  if (args[0] == "training") return RunSimulateTraining(ctx, rest);
  if (args[0] == "queue") return RunSimulateQueue(ctx, rest);
  if (args[0] == "serving") return RunSimulateServing(ctx, rest);
  if (args[0] == "jobs") return RunSimulateJobs(ctx, rest);
  if (args[0] == "chakra") return RunSimulateChakra(ctx, rest);
  if (absl::EndsWith(args[0], ".textproto") || absl::EndsWith(args[0], ".pbtxt") ||
      absl::EndsWith(args[0], ".txtpb")) {
    if (!rest.empty()) {
      return ReportError(ctx, kExitBadInput, "Bad input",
                         absl::StrCat("unexpected argument '", rest[0], "' after the scenario file"));
    }
    return RunScenarioFile(ctx, args[0]);
  }
  return ReportError(ctx, kExitBadInput, "Bad input",
                     absl::StrCat("simulate: unknown form '", args[0],
                                  "'; accepted: collective, training, queue, serving, jobs, chakra, or a "
                                  "SCENARIO.textproto"));
}

}  // namespace mlsysim
