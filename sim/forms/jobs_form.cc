// jobs_form.cc — the `simulate jobs` quick form: its flags fill a Scenario
// (job_queue {}, and cluster {} with --placement), which
// sim/scenario/jobs_runner.cc runs.
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"
#include "sim/scenario/scenario_check.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate jobs --gpus N --arrival-rate JOBS_PER_DAY "
    "--duration HOURS\n"
    "         [--duration-dist exp|det|gamma] [--cv V] [--job-gpus 8,64,256] [--policy "
    "fifo|backfill|priority]\n"
    "         [--high-priority-share X] [--restart-penalty HOURS] [--jobs N] [--seed N] "
    "[--replications R]\n"
    "         [--dump-scenario [--full]]\n"
    "       mlsysim simulate jobs --gpus N --job-trace FILE.csv [--policy fifo|backfill|priority]\n"
    "         [--restart-penalty HOURS]\n"
    "  --job-trace replays a recorded trace: a CSV whose header names submit_time_s, gpus,\n"
    "  duration_s (job_id, user, priority, status optional; docs/JOB_TRACES.md converts the\n"
    "  Philly, Helios and Alibaba PAI traces). Times are reported in hours (metrics named _h).\n"
    "       mlsysim simulate jobs --job-trace FILE.csv --placement "
    "contiguous|first-fit|topology-aware\n"
    "         --nodes N [--node DGX_H100] [--fabric InfiniBand_NDR] [--topology fat_tree_2]\n"
    "         [--oversubscription X] [--routing dmodk|ecmp|spray] [--contention on|off]\n"
    "         [--job-model Llama3_8B] [--job-tp N] [--job-batch SEQUENCES_PER_REPLICA]\n"
    "         [--policy fifo|backfill]\n"
    "  --placement shares the cluster's fabric: each multi-node job's training step is simulated\n"
    "  on the nodes it was given, with the jobs whose links it may share, re-timed as they start\n"
    "  and stop; beside it, the GPU-count scheduler on the same trace.\n";

const FieldFlags kJobsFlags = {{"job_queue.gpus", "--gpus"},
                               {"job_queue.arrival_rate_per_day", "--arrival-rate"},
                               {"job_queue.duration_distribution", "--duration-dist"},
                               {"job_queue.duration_cv", "--cv"},
                               {"job_queue.duration", "--duration"},
                               {"job_queue.job_gpus", "--job-gpus"},
                               {"job_queue.policy", "--policy"},
                               {"job_queue.high_priority_share", "--high-priority-share"},
                               {"job_queue.restart_penalty", "--restart-penalty"},
                               {"job_queue.jobs", "--jobs"},
                               {"job_queue.job_trace", "--job-trace"},
                               {"job_queue.placement", "--placement"},
                               {"job_queue.contention", "--contention"},
                               {"job_queue.job_training.model", "--job-model"},
                               {"job_queue.job_training.tp", "--job-tp"},
                               {"job_queue.job_training.global_batch_size", "--job-batch"},
                               {"cluster.nodes", "--nodes"},
                               {"cluster.node", "--node"},
                               {"cluster.fabric", "--fabric"},
                               {"cluster.topology", "--topology"},
                               {"cluster.oversubscription", "--oversubscription"},
                               {"cluster.routing", "--routing"},
                               {"replications", "--replications"},
                               {"seed", "--seed"}};

// `--placement`: a trace on a cluster whose fabric the jobs share.
std::string BuildSharedCluster(const ParsedOptions& o, scenario::Scenario* s) {
  for (const char* required : {"--job-trace", "--nodes"}) {
    if (!o.Has(required)) return absl::StrCat(required, " is required with --placement");
  }
  for (const char* stream : {"--gpus", "--arrival-rate", "--duration", "--duration-dist", "--cv",
                             "--job-gpus", "--high-priority-share", "--jobs", "--replications"}) {
    if (o.Has(stream)) {
      return absl::StrCat(stream,
                          ": not with --placement (the trace gives the jobs; the cluster, "
                          "--nodes of --node, gives the GPUs)");
    }
  }
  int nodes = 0, tp = 0, batch = 0;
  double oversubscription = 0;
  std::string e = GetInt(o, "--nodes", 1, 1 << 21, &nodes);
  if (e.empty()) e = GetInt(o, "--job-tp", 1, 1024, &tp);
  if (e.empty()) e = GetInt(o, "--job-batch", 1, 1 << 20, &batch);
  if (e.empty()) e = GetNumber(o, "--oversubscription", &oversubscription);
  if (e.empty() && o.Has("--oversubscription") && !(oversubscription >= 1))
    e = "--oversubscription must be >= 1";
  if (!e.empty()) return e;
  auto* c = s->mutable_cluster();
  c->set_nodes(nodes);
  c->set_node(o.Get("--node", ""));
  c->set_fabric(o.Get("--fabric", ""));
  c->set_topology(o.Get("--topology", ""));
  c->set_oversubscription(oversubscription);
  c->set_routing(o.Get("--routing", ""));
  auto* q = s->mutable_job_queue();
  q->set_job_trace(o.Get("--job-trace", ""));
  q->set_placement(o.Get("--placement", ""));
  q->set_contention(o.Get("--contention", ""));
  q->set_policy(o.Get("--policy", ""));
  auto* w = q->mutable_job_training();
  w->set_model(o.Get("--job-model", ""));
  w->set_tp(tp);
  w->set_global_batch_size(batch);
  if (o.Has("--restart-penalty")) return "--restart-penalty: no preemption with --placement";
  return "";
}

std::string BuildJobs(const ParsedOptions& o, scenario::Scenario* s) {
  const bool replay = o.Has("--job-trace"), shared = o.Has("--placement");
  if (shared) return BuildSharedCluster(o, s);
  for (const char* required : {"--gpus", "--arrival-rate", "--duration"}) {
    if (replay && std::string(required) != "--gpus") continue;
    if (!o.Has(required)) return absl::StrCat(required, " is required");
  }
  int gpus = 0, jobs = 0, seed = 0, reps = 0;
  double per_day = 0, hours = 0, cv = 0, high = 0, penalty = -1;
  std::string e = GetInt(o, "--gpus", 1, 10000000, &gpus);
  if (e.empty()) e = GetInt(o, "--jobs", 10, 10000000, &jobs);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 10000, &reps);
  if (e.empty()) e = GetNumber(o, "--arrival-rate", &per_day);
  if (e.empty()) e = GetNumber(o, "--duration", &hours);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--high-priority-share", &high);
  if (e.empty()) e = GetNumber(o, "--restart-penalty", &penalty);
  if (e.empty() && o.Has("--restart-penalty") && penalty < 0) e = "--restart-penalty must be >= 0";
  if (e.empty() && o.Has("--cv") && !(cv > 0)) e = "--cv must be > 0";
  if (e.empty() && !replay && !(hours > 0)) e = "--duration must be > 0 (hours)";
  if (e.empty() && o.Get("--job-trace", "x").empty()) e = "--job-trace: a file name is required";
  if (!e.empty()) return e;
  auto* q = s->mutable_job_queue();
  q->set_gpus(gpus);
  q->set_arrival_rate_per_day(per_day);
  if (o.Has("--duration")) q->set_duration(absl::StrCat(ExactNumber(hours), " hour"));
  q->set_job_trace(o.Get("--job-trace", ""));
  q->set_duration_distribution(o.Get("--duration-dist", ""));
  q->set_duration_cv(cv);
  q->set_policy(o.Get("--policy", ""));
  q->set_high_priority_share(high);
  if (penalty >= 0) q->set_restart_penalty(absl::StrCat(ExactNumber(penalty), " hour"));
  q->set_jobs(jobs);
  if (o.Has("--job-gpus")) {
    for (absl::string_view part : absl::StrSplit(o.Get("--job-gpus", ""), ',')) {
      int g;
      if (!absl::SimpleAtoi(part, &g) || g < 1 || g > gpus) {
        return absl::StrCat("--job-gpus: '", part, "' must be an integer in [1, ", gpus, "]");
      }
      q->add_job_gpus(g);
    }
  }
  s->set_seed(static_cast<uint64_t>(seed));
  s->set_replications(static_cast<uint32_t>(reps));
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunJobs(s, rc);
}

}  // namespace

const QuickForm& JobsForm() {
  static const QuickForm kForm = [] {
    QuickForm f;
    f.name = "jobs";
    f.help = kHelp;
    for (const char* n : {"--gpus",
                          "--arrival-rate",
                          "--duration",
                          "--duration-dist",
                          "--cv",
                          "--job-gpus",
                          "--policy",
                          "--high-priority-share",
                          "--restart-penalty",
                          "--jobs",
                          "--seed",
                          "--replications",
                          "--job-trace",
                          "--placement",
                          "--contention",
                          "--job-model",
                          "--job-tp",
                          "--job-batch",
                          "--nodes",
                          "--node",
                          "--fabric",
                          "--topology",
                          "--oversubscription",
                          "--routing"})
      f.options.push_back({n, "", true});
    f.build = BuildJobs;
    f.run = Run;
    f.flags = kJobsFlags;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
