// queue_form.cc — the `simulate queue` quick form: its flags fill a Scenario
// (queue {}), which sim/scenario/queue_runner.cc runs.
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

// Which flag fills which scenario field (for messages about flag input).
const FieldFlags kQueueFlags = {{"queue.servers", "--servers"},
                                {"queue.arrival_rate", "--arrival-rate"},
                                {"queue.service_time", "--service-time"},
                                {"queue.service_distribution", "--service-dist"},
                                {"queue.service_cv", "--cv"},
                                {"queue.arrival_cv", "--arrival-cv"},
                                {"queue.arrival", "--arrival"},
                                {"queue.requests", "--requests"},
                                {"queue.warmup_fraction", "--warmup"},
                                {"replications", "--replications"},
                                {"seed", "--seed"}};

std::string BuildQueue(const ParsedOptions& o, scenario::Scenario* s) {
  for (const char* required : {"--servers", "--arrival-rate", "--service-time", "--requests"}) {
    if (!o.Has(required)) return absl::StrCat(required, " is required");
  }
  auto* q = s->mutable_queue();
  int servers = 1, seed = 0, reps = 0;
  long long requests = 0;
  double lambda = 0, service = 0, cv = 0, arrival_cv = 0, warmup = 0;
  std::string e = GetInt(o, "--servers", 1, 1000000, &servers);
  if (e.empty()) e = GetInt64(o, "--requests", 100, 2000000000, &requests);
  if (e.empty()) e = GetInt(o, "--seed", 0, 2000000000, &seed);
  if (e.empty()) e = GetInt(o, "--replications", 1, 100000, &reps);
  if (e.empty()) e = GetNumber(o, "--arrival-rate", &lambda);
  if (e.empty()) e = GetNumber(o, "--service-time", &service);
  if (e.empty()) e = GetNumber(o, "--cv", &cv);
  if (e.empty()) e = GetNumber(o, "--arrival-cv", &arrival_cv);
  if (e.empty()) e = GetNumber(o, "--warmup", &warmup);
  if (!e.empty()) return e;
  if (o.Has("--cv") && !(cv > 0)) return std::string("queue.service_cv (--cv): must be > 0");
  q->set_servers(servers);
  q->set_requests(requests);
  q->set_arrival_rate(lambda);
  q->set_service_time(service);
  q->set_service_cv(cv);
  q->set_arrival_cv(arrival_cv);
  q->set_warmup_fraction(warmup);
  q->set_service_distribution(o.Get("--service-dist", ""));
  q->set_arrival(o.Get("--arrival", ""));
  s->set_seed(static_cast<uint64_t>(seed));
  s->set_replications(static_cast<uint32_t>(reps));
  return "";
}

absl::StatusOr<result::Result> Run(const scenario::Scenario& s, const RunContext& rc) {
  return RunQueue(s, rc);
}

}  // namespace

const QuickForm& QueueForm() {
  static const QuickForm kForm = [] {
    QuickForm f;
    f.name = "queue";
    f.help = kHelp;
    for (const char* n :
         {"--servers", "--arrival-rate", "--service-time", "--service-dist", "--cv", "--arrival",
          "--arrival-cv", "--requests", "--warmup", "--seed", "--replications"})
      f.options.push_back({n, "", true});
    f.dump_full = true;
    f.build = BuildQueue;
    f.run = Run;
    f.flags = kQueueFlags;
    return f;
  }();
  return kForm;
}

}  // namespace mlsysim
