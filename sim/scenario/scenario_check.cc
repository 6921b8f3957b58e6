// scenario_check.cc — see scenario_check.h.
#include <cmath>
#include <initializer_list>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"
#include "sim/scenario/resolve.h"
#include "sim/scenario/scenario_check.h"
#include "topology/registry.h"

namespace mlsysim {

// A number as text without losing digits (absl::StrCat keeps six
// significant digits for doubles: a seed of 12345678 became 12345700).
std::string ExactNumber(double v) {
  if (std::floor(v) == v && std::abs(v) < 9007199254740992.0) return absl::StrFormat("%.0f", v);
  return absl::StrFormat("%.17g", v);
}

std::string ParseScenarioQuantity(const std::string& text, const char* field, const Dimension& dim,
                                  bool positive, double* out) {
  if (text.empty()) return "";
  auto q = ParseQuantityAs(text, dim, field);
  if (!q.ok()) return std::string(q.status().message());
  if (!std::isfinite(q->si)) {
    return absl::StrCat(field, ": '", text, "' is not a finite quantity after unit conversion");
  }
  if (positive ? !(q->si > 0) : q->si < 0)
    return absl::StrCat(field, positive ? ": must be > 0" : ": must be >= 0");
  *out = q->si;
  return "";
}

namespace {

// Keeps the first syntax error with its line and column.
class FirstSyntaxError : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (first.empty()) first = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
  }
  std::string first;
};

}  // namespace

// Domains of the scenario's numeric fields, checked before anything runs; a
// message names the field path and what is accepted (0 means "default"
// wherever the schema says so).
int FirstInvalidUtf8Line(const std::string& text);

// Every string field of `m` (escapes decoded) is UTF-8; "" or "PATH: ...".
std::string CheckUtf8Strings(const google::protobuf::Message& m, const std::string& prefix) {
  using google::protobuf::FieldDescriptor;
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string path = prefix.empty() ? f->name() : absl::StrCat(prefix, ".", f->name());
    const int n = f->is_repeated() ? r->FieldSize(m, f) : (r->HasField(m, f) ? 1 : 0);
    for (int k = 0; k < n; ++k) {
      if (f->type() == FieldDescriptor::TYPE_STRING) {
        const std::string v = f->is_repeated() ? r->GetRepeatedString(m, f, k) : r->GetString(m, f);
        if (FirstInvalidUtf8Line(v) > 0) {
          return absl::StrCat(path, ": invalid UTF-8 (after escapes such as \\xff are decoded)");
        }
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        const auto& sub = f->is_repeated() ? r->GetRepeatedMessage(m, f, k) : r->GetMessage(m, f);
        if (std::string e = CheckUtf8Strings(sub, path); !e.empty()) return e;
      }
    }
  }
  return "";
}

// Fields that would silently override each other: a registry cluster fixes
// its nodes, node type and fabric; a request trace fixes the arrivals.
std::string CheckExclusions(const scenario::Scenario& s) {
  const auto& c = s.cluster();
  if (!c.registry_name().empty()) {
    const std::pair<const char*, bool> set[] = {{"cluster.nodes", c.nodes() != 0},
                                                {"cluster.node", !c.node().empty()},
                                                {"cluster.fabric", !c.fabric().empty()}};
    for (const auto& [field, given] : set) {
      if (given) {
        return absl::StrCat(field, ": cluster.registry_name '", c.registry_name(),
                            "' fixes the nodes, node type and fabric; give one or the other");
      }
    }
  }
  if (s.has_serving() && !s.serving().trace_file().empty()) {
    const auto& w = s.serving();
    const std::pair<const char*, bool> set[] = {{"serving.qps", w.qps() != 0},
                                                {"serving.arrival", !w.arrival().empty()},
                                                {"serving.tenants", w.tenants_size() > 0}};
    for (const auto& [field, given] : set) {
      if (given) {
        return absl::StrCat(field, ": serving.trace_file '", w.trace_file(),
                            "' sets the arrivals and lengths; give one or the other");
      }
    }
  }
  return "";
}

namespace {

struct FieldRange {
  const char* field;
  double value, lo, hi;
};

// The domains proto/scenario.proto states for the training and serving workloads.
void AddModelWorkloadRanges(const scenario::Scenario& s, std::vector<FieldRange>* out) {
  using Range = FieldRange;
  std::vector<Range>& r = *out;
  if (s.has_training()) {
    const auto& t = s.training();
    for (const Range& x : std::initializer_list<Range>{
             {"training.global_batch_size", static_cast<double>(t.global_batch_size()), 0, 1 << 30},
             {"training.seq_len", static_cast<double>(t.seq_len()), 0, 1 << 24},
             {"training.efficiency", t.efficiency(), 0, 1},
             {"training.tp", static_cast<double>(t.tp()), 0, 1024},
             {"training.pp", static_cast<double>(t.pp()), 0, 1024},
             {"training.ep", static_cast<double>(t.ep()), 0, 1 << 20},
             {"training.microbatches", static_cast<double>(t.microbatches()), 0, 1 << 20},
             {"training.virtual_stages", static_cast<double>(t.virtual_stages()), 0, 1024},
             {"training.straggler_cv", t.straggler_cv(), 0, 10}})
      r.push_back(x);
  }
  if (s.has_serving()) {
    const auto& w = s.serving();
    for (const Range& x : std::initializer_list<Range>{
             {"serving.tp", static_cast<double>(w.tp()), 0, 1024},
             {"serving.replicas", static_cast<double>(w.replicas()), 0, 1 << 20},
             {"serving.efficiency", w.efficiency(), 0, 1},
             {"serving.gpu_memory_utilization", w.gpu_memory_utilization(), 0, 1},
             {"serving.qps", w.qps(), 0, 1e9},
             {"serving.arrival_cv", w.arrival_cv(), 0, 1000},
             {"serving.max_batch", static_cast<double>(w.max_batch()), 0, 1 << 20},
             {"serving.max_batched_tokens", static_cast<double>(w.max_batched_tokens()), 0,
              1 << 26},
             {"serving.chunked_prefill_tokens", static_cast<double>(w.chunked_prefill_tokens()), 0,
              1 << 26},
             {"serving.requests", static_cast<double>(w.requests()), 0, 2e7},
             {"serving.prefill_replicas", static_cast<double>(w.prefill_replicas()), 0, 1 << 20}})
      r.push_back(x);
  }
}

// The same for the queue, collective and job-queue workloads.
void AddQueueWorkloadRanges(const scenario::Scenario& s, std::vector<FieldRange>* out) {
  using Range = FieldRange;
  std::vector<Range>& r = *out;
  if (s.has_queue()) {
    const auto& q = s.queue();
    for (const Range& x : std::initializer_list<Range>{
             {"queue.servers", static_cast<double>(q.servers()), 0, 1000000},
             {"queue.arrival_rate", q.arrival_rate(), 0, 1e12},
             {"queue.service_time", q.service_time(), 0, 1e12},
             {"queue.service_cv", q.service_cv(), 0, 1000},
             {"queue.requests", static_cast<double>(q.requests()), 0, 2e9},
             {"queue.arrival_cv", q.arrival_cv(), 0, 1000},
             {"queue.warmup_fraction", q.warmup_fraction(), 0, 0.9}})
      r.push_back(x);
  }
  if (s.has_collective()) {
    r.push_back({"collective.ranks", static_cast<double>(s.collective().ranks()), 0, 1 << 20});
    r.push_back(
        {"collective.gpus_per_node", static_cast<double>(s.collective().gpus_per_node()), 0, 1024});
  }
  if (s.has_job_queue()) {
    const auto& j = s.job_queue();
    r.push_back({"job_queue.arrival_rate_per_day", j.arrival_rate_per_day(), 0, 1e9});
    r.push_back({"job_queue.jobs", static_cast<double>(j.jobs()), 0, 1e7});
    r.push_back({"job_queue.duration_cv", j.duration_cv(), 0, 1000});
    r.push_back({"job_queue.gpus", static_cast<double>(j.gpus()), 0, kMaxAccelerators});
    r.push_back({"job_queue.high_priority_share", j.high_priority_share(), 0, 0.999999});
    r.push_back({"job_queue.autoscale_target", j.autoscale_target(), 0, 1});
    for (int g : j.job_gpus())
      r.push_back({"job_queue.job_gpus", static_cast<double>(g), 1, kMaxAccelerators});
  }
}

}  // namespace

std::string CheckScenarioRanges(const scenario::Scenario& s) {
  std::vector<FieldRange> r = {
      {"replications", static_cast<double>(s.replications()), 0, 100000},
      {"cluster.nodes", static_cast<double>(s.cluster().nodes()), 0, kMaxClusterNodes},
      {"cluster.spare_nodes", static_cast<double>(s.cluster().spare_nodes()), 0, kMaxClusterNodes},
      {"cluster.oversubscription", s.cluster().oversubscription(), 0, 1024},
      {"failures.weibull_shape", s.failures().weibull_shape(), 0, 100},
  };
  if (const std::string e = CheckPrecision(s.training().precision(), "training.precision");
      !e.empty())
    return e;
  if (const std::string e = CheckPrecision(s.serving().precision(), "serving.precision");
      !e.empty())
    return e;
  if (const std::string e = CheckHardwareModel(s.cluster().hardware_model()); !e.empty()) return e;
  if (const std::string e = CheckExclusions(s); !e.empty()) return e;
  if (const std::string e = CheckUtf8Strings(s, ""); !e.empty()) return e;
  if (s.cluster().oversubscription() != 0 && s.cluster().oversubscription() < 1) {
    return "cluster.oversubscription: must be >= 1 (or 0 for the fabric's)";
  }
  AddModelWorkloadRanges(s, &r);
  AddQueueWorkloadRanges(s, &r);
  for (const FieldRange& x : r) {
    if (!(x.value >= x.lo && x.value <= x.hi)) {
      return absl::StrCat(x.field, ": must lie in [", x.lo, ", ", ExactNumber(x.hi), "]",
                          x.lo == 0 ? " (0: default)" : "", "; got ", ExactNumber(x.value));
    }
  }
  return "";
}

// The text must be UTF-8 (string fields are); returns the 1-based line of
// the first invalid byte, or 0.
int FirstInvalidUtf8Line(const std::string& text) {
  int line = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    int extra = c < 0x80           ? 0
                : (c >> 5) == 0x6  ? 1
                : (c >> 4) == 0xe  ? 2
                : (c >> 3) == 0x1e ? 3
                                   : -1;
    if (extra < 0 || i + extra >= text.size() + (extra == 0 ? 1 : 0)) return line;
    for (int k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(text[i + k]) >> 6) != 0x2) return line;
    if (c == '\n') ++line;
    i += 1 + extra;
  }
  return 0;
}

absl::Status ParseScenarioText(const std::string& text, const std::string& path,
                               scenario::Scenario* s) {
  google::protobuf::TextFormat::Parser parser;
  FirstSyntaxError errors;
  parser.RecordErrorsTo(&errors);
  if (const int bad_line = FirstInvalidUtf8Line(text); bad_line > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ":", bad_line, ": invalid UTF-8 (scenario files are UTF-8 text)"));
  }
  if (!parser.ParseFromString(text, s))
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", errors.first));
  if (const std::string e = CheckScenarioRanges(*s); !e.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", e));
  }
  return absl::OkStatus();
}

}  // namespace mlsysim
