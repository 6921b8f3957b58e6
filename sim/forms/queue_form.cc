// queue_form.cc — the `simulate queue` quick form: one flag table
// (flag_table.h) fills a Scenario (queue {}), which
// sim/scenario/queue_runner.cc runs.
#include "absl/strings/str_cat.h"
#include "sim/forms/quick_form.h"
#include "sim/scenario/runners.h"

namespace mlsysim {
namespace {

constexpr const char kHelp[] =
    "usage: mlsysim [-o text|json|markdown] simulate queue --servers C --arrival-rate L "
    "--service-time S\n"
    "         [--service-dist exp|det|gamma] [--cv V] [--arrival poisson|gamma|det|onoff|diurnal]\n"
    "         [--arrival-cv V] --requests N [--warmup F] [--seed N] [--replications R] "
    "[--dump-scenario [--full]]\n"
    "  Rates and times share one unit, reported as seconds (e.g. --arrival-rate 0.8 --service-time "
    "1).\n"
    "  --dump-scenario prints the equivalent scenario (textproto) instead of running it.\n";

// The quick form's flags: each fills one scenario field (flag_table.h).
constexpr FlagRow kQueueRows[] = {
    {"--servers", "queue.servers", FlagRow::kInt, 1, 1000000, "", "servers c (required)"},
    {"--arrival-rate", "queue.arrival_rate", FlagRow::kNumber, 0, -1, "",
     "arrivals per unit time (required)"},
    {"--service-time", "queue.service_time", FlagRow::kNumber, 0, -1, "",
     "mean service time, same unit (required)"},
    {"--service-dist", "queue.service_distribution", FlagRow::kString, 0, -1, "",
     "exp (default) | det | gamma"},
    {"--cv", "queue.service_cv", FlagRow::kPositive, 0, -1, "", "gamma service times' CV"},
    {"--arrival", "queue.arrival", FlagRow::kString, 0, -1, "",
     "poisson (default) | gamma | det | onoff | diurnal"},
    {"--arrival-cv", "queue.arrival_cv", FlagRow::kNumber, 0, -1, "", "gamma arrivals' CV"},
    {"--requests", "queue.requests", FlagRow::kInt, 100, 2000000000, "",
     "requests per run (required)"},
    {"--warmup", "queue.warmup_fraction", FlagRow::kNumber, 0, -1, "",
     "share discarded as warm-up (0.05)"},
    {"--seed", "seed", FlagRow::kInt, 0, 2000000000, "", "random seed (1)"},
    {"--replications", "replications", FlagRow::kInt, 1, 100000, "", "independent runs (10)"},
};

std::string BuildQueue(const ParsedOptions& o, scenario::Scenario* s) {
  for (const char* required : {"--servers", "--arrival-rate", "--service-time", "--requests"}) {
    if (!o.Has(required)) return absl::StrCat(required, " is required");
  }
  s->mutable_queue();
  return ApplyFlagTable(o, kQueueRows, s);
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunQueue(s, rc);
}

}  // namespace

const QuickForm& QueueForm() {
  static const QuickForm kForm = TableForm("queue", kHelp, kQueueRows, BuildQueue, Run);
  return kForm;
}

}  // namespace mlsysim
