// training_job.cc — a training scenario's TrainingJob (see training_job.h).
#include "sim/scenario/training_job.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "analytic/units.h"
#include "sim/scenario/scenario_check.h"

namespace mlsysim {
namespace {

std::string Seconds(const std::string& text, const char* field, double* out) {
  return ParseScenarioQuantity(text, field, dims::kTime, /*positive=*/false, out);
}

}  // namespace

std::string TrainingJobFromScenario(const scenario::Scenario& s, const std::string& path, TrainingJob* out) {
  if (const std::string e = CheckScenarioRanges(s); !e.empty()) return e;
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
    return "training.schedule: accepted 1f1b, interleaved";
  }
  j.batch_size = t.global_batch_size();
  if (t.seq_len() > 0) j.seq_len = t.seq_len();
  if (!t.precision().empty()) j.precision = t.precision();
  if (t.efficiency() > 0) j.efficiency = t.efficiency();
  j.overlap = t.overlap_gradients();
  j.straggler_cv = t.straggler_cv();
  if (!t.activation_recompute().empty()) j.activation_recompute = t.activation_recompute();
  if (!t.detail().empty()) j.detail = t.detail();
  if (!t.bucket_size().empty()) {
    auto q = ParseQuantityAs(t.bucket_size(), dims::kBytes, "training.bucket_size");
    if (!q.ok()) return std::string(q.status().message());
    j.bucket_bytes = q->si;
  }
  double run_s = 0;
  if (auto e = Seconds(t.duration(), "training.duration", &run_s); !e.empty()) return e;
  j.days = run_s / 86400.0;
  if (!s.failures().preset().empty()) j.failures = s.failures().preset();
  j.fresh_fleet = s.failures().fresh_fleet();
  if (s.failures().distribution() == "weibull") {
    j.weibull_shape = s.failures().weibull_shape() > 0 ? s.failures().weibull_shape() : 0.7;
  } else if (!s.failures().distribution().empty() && s.failures().distribution() != "exponential") {
    return "failures.distribution: accepted: exponential, weibull";
  }
  if (auto e = Seconds(s.failures().detection_time(), "failures.detection_time", &j.detection_s); !e.empty()) return e;
  if (auto e = Seconds(s.failures().restart_time(), "failures.restart_time", &j.restart_s); !e.empty()) return e;
  if (auto e = Seconds(s.failures().reschedule_time(), "failures.reschedule_time", &j.reschedule_s); !e.empty()) {
    return e;
  }
  j.checkpoint_interval = s.checkpoint().interval();
  if (!s.checkpoint().storage().empty()) j.checkpoint_storage = s.checkpoint().storage();
  if (!s.checkpoint().storage_bandwidth().empty()) {
    auto q = ParseQuantityAs(s.checkpoint().storage_bandwidth(), dims::kByteRate, "checkpoint.storage_bandwidth");
    if (!q.ok()) return std::string(q.status().message());
    j.storage_bandwidth = q->si;
  }
  j.async_checkpoint = s.checkpoint().asynchronous();
  j.seed = s.seed() > 0 ? s.seed() : 1;
  j.replications = s.replications() > 0 ? static_cast<int>(s.replications()) : 1;
  j.trace_file = s.outputs().trace_json();
  j.events_csv = s.outputs().events_csv();
  j.export_chakra = s.outputs().chakra_dir();
  if (s.outputs().trace_max_events() > 0) j.trace_max_events = s.outputs().trace_max_events();
  *out = std::move(j);
  return "";
}

}  // namespace mlsysim
