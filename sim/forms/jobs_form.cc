// jobs_form.cc — the `simulate jobs` quick form: one flag table
// (flag_table.h) fills a Scenario (job_queue {}, and cluster {} with
// --placement), which sim/scenario/jobs_runner.cc runs.
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

// The quick form's flags (flag_table.h). --duration and --restart-penalty
// (hours, written as "X hour") and --job-gpus (a list) are handled below.
constexpr FlagRow kJobsRows[] = {
    {"--gpus", "job_queue.gpus", FlagRow::kInt, 1, 10000000, "", "GPUs of the cluster"},
    {"--arrival-rate", "job_queue.arrival_rate_per_day", FlagRow::kNumber, 0, -1, "",
     "jobs per day"},
    {"--duration", "", FlagRow::kPositive, 0, -1, "",
     "mean job length, hours [job_queue.duration]"},
    {"--duration-dist", "job_queue.duration_distribution", FlagRow::kString, 0, -1, "",
     "exp (default) | det | gamma"},
    {"--cv", "job_queue.duration_cv", FlagRow::kPositive, 0, -1, "", "gamma durations' CV"},
    {"--job-gpus", "", FlagRow::kString, 0, -1, "",
     "GPU counts jobs ask for, e.g. 8,64,256 [job_queue.job_gpus]"},
    {"--policy", "job_queue.policy", FlagRow::kString, 0, -1, "", "fifo | backfill | priority"},
    {"--high-priority-share", "job_queue.high_priority_share", FlagRow::kNumber, 0, 1, "",
     "share of high-priority jobs (priority policy)"},
    {"--restart-penalty", "", FlagRow::kNumber, 0, -1, "",
     "work a preempted job loses, hours [job_queue.restart_penalty]"},
    {"--jobs", "job_queue.jobs", FlagRow::kInt, 10, 10000000, "", "jobs per run (20000)"},
    {"--seed", "seed", FlagRow::kInt, 0, 2000000000, "", "random seed (1)"},
    {"--replications", "replications", FlagRow::kInt, 1, 10000, "", "independent runs"},
    {"--job-trace", "job_queue.job_trace", FlagRow::kString, 0, -1, "", "a recorded trace (CSV)"},
    {"--placement", "job_queue.placement", FlagRow::kString, 0, -1, "",
     "contiguous | first-fit | topology-aware: the jobs share the fabric"},
    {"--contention", "job_queue.contention", FlagRow::kString, 0, -1, "",
     "on | off (with --placement)"},
    {"--job-model", "job_queue.job_training.model", FlagRow::kString, 0, -1, "",
     "each job's model (with --placement)"},
    {"--job-tp", "job_queue.job_training.tp", FlagRow::kInt, 1, 1024, "",
     "each job's tensor parallel size (with --placement)"},
    {"--job-batch", "job_queue.job_training.global_batch_size", FlagRow::kInt, 1, 1 << 20, "",
     "sequences per replica (with --placement)"},
    {"--nodes", "cluster.nodes", FlagRow::kInt, 1, 1 << 21, "", "nodes (with --placement)"},
    {"--node", "cluster.node", FlagRow::kString, 0, -1, "", "registry node type (DGX_H100)"},
    {"--fabric", "cluster.fabric", FlagRow::kString, 0, -1, "", "registry fabric"},
    {"--topology", "cluster.topology", FlagRow::kString, 0, -1, "", "fabric shape (fat_tree_2)"},
    {"--oversubscription", "cluster.oversubscription", FlagRow::kNumber, 1, -1, "", "fabric ratio"},
    {"--routing", "cluster.routing", FlagRow::kString, 0, -1, "", "dmodk | ecmp | spray"},
};

const FieldFlags kJobsFlags = [] {
  FieldFlags f = FieldFlagsOf(kJobsRows);
  f.push_back({"job_queue.duration", "--duration"});
  f.push_back({"job_queue.restart_penalty", "--restart-penalty"});
  f.push_back({"job_queue.job_gpus", "--job-gpus"});
  return f;
}();

// --placement: a trace on a cluster whose fabric the jobs share.
std::string CheckSharedClusterFlags(const ParsedOptions& o) {
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
  if (o.Has("--restart-penalty")) return "--restart-penalty: no preemption with --placement";
  return "";
}

// A stream of jobs (or a trace) queueing for --gpus: the shared cluster's
// flags have no place there.
std::string CheckQueueFlags(const ParsedOptions& o) {
  const bool replay = o.Has("--job-trace");
  for (const char* required : {"--gpus", "--arrival-rate", "--duration"}) {
    if (replay && std::string(required) != "--gpus") continue;
    if (!o.Has(required)) return absl::StrCat(required, " is required");
  }
  for (const char* shared :
       {"--contention", "--job-model", "--job-tp", "--job-batch", "--nodes", "--node", "--fabric",
        "--topology", "--oversubscription", "--routing"}) {
    if (o.Has(shared)) {
      return absl::StrCat(shared,
                          ": only with --placement (jobs sharing a cluster's fabric); a queue "
                          "for --gpus has no fabric");
    }
  }
  if (o.Get("--job-trace", "x").empty()) return "--job-trace: a file name is required";
  return "";
}

std::string BuildJobs(const ParsedOptions& o, scenario::Scenario* s) {
  const bool shared = o.Has("--placement");
  std::string e = shared ? CheckSharedClusterFlags(o) : CheckQueueFlags(o);
  if (e.empty()) e = ApplyFlagTable(o, kJobsRows, s);
  double hours = 0, penalty = -1;
  if (e.empty()) e = GetNumber(o, "--duration", &hours);
  if (e.empty()) e = GetNumber(o, "--restart-penalty", &penalty);
  if (!e.empty()) return e;
  if (!shared && !o.Has("--job-trace") && !(hours > 0)) return "--duration must be > 0 (hours)";
  auto* q = s->mutable_job_queue();
  if (o.Has("--duration")) q->set_duration(absl::StrCat(ExactNumber(hours), " hour"));
  if (o.Has("--restart-penalty")) {
    q->set_restart_penalty(absl::StrCat(ExactNumber(penalty), " hour"));
  }
  if (o.Has("--job-gpus")) {
    const long long gpus = q->gpus();
    for (absl::string_view part : absl::StrSplit(o.Get("--job-gpus", ""), ',')) {
      int g;
      if (!absl::SimpleAtoi(part, &g) || g < 1 || g > gpus) {
        return absl::StrCat("--job-gpus: '", part, "' must be an integer in [1, ", gpus, "]");
      }
      q->add_job_gpus(g);
    }
  }
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunJobs(s, rc);
}

}  // namespace

const QuickForm& JobsForm() {
  static const QuickForm kForm = [] {
    QuickForm f = TableForm("jobs", kHelp, kJobsRows, BuildJobs, Run);
    f.flags = kJobsFlags;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
