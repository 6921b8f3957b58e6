// serving_plot.cc — the plot data of a serving result (see serving_parts.h):
// latency CDFs (all replications pooled; per tenant where there are tenants)
// and replication 0's queue, batch, KV-cache and throughput over time.
#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sim/scenario/plot_data.h"
#include "sim/scenario/serving_parts.h"

namespace mlsysim {
namespace {

constexpr int kTimeBins = 200;

std::string TenantName(const ServingConfig& c, int t) {
  return t >= 0 && static_cast<size_t>(t) < c.tenants.size() ? c.tenants[t].name : "";
}

}  // namespace

namespace {

// TTFT and E2E CDFs per tenant (all replications pooled), then the
// inter-token gaps over all tokens (each quantile averaged over the
// replications; the gap histogram's 1 % bins).
void AddLatencyCdfs(const std::vector<ServingRunResult>& runs, const ServingConfig& c,
                    result::Result* out) {
  const std::string pooled =
      absl::StrCat("finished requests of ", runs.size(), " replication(s), pooled");
  const size_t groups = std::max<size_t>(1, c.tenants.size());
  for (size_t g = 0; g < groups; ++g) {
    std::vector<double> ttft, e2e;
    for (const ServingRunResult& r : runs) {
      for (size_t i = 0; i < r.ttft_s.size(); ++i) {
        if (c.tenants.size() > 1 && (i >= r.tenant.size() || r.tenant[i] != static_cast<int>(g)))
          continue;
        ttft.push_back(r.ttft_s[i]);
        if (i < r.e2e_s.size()) e2e.push_back(r.e2e_s[i]);
      }
    }
    const std::string group = c.tenants.size() > 1 ? TenantName(c, static_cast<int>(g)) : "";
    AddSampleCdf(out, "ttft_s", "s", std::move(ttft), group, pooled);
    AddSampleCdf(out, "e2e_s", "s", std::move(e2e), group, pooled);
  }
  if (runs[0].itl_cdf.empty()) return;
  std::vector<double> itl(runs[0].itl_cdf.size(), 0.0);
  for (const ServingRunResult& r : runs) {
    for (size_t i = 0; i < itl.size() && i < r.itl_cdf.size(); ++i)
      itl[i] += r.itl_cdf[i] / runs.size();
  }
  AddQuantileCdf(out, "itl_s", "s", itl, "",
                 absl::StrCat("every inter-token gap; each quantile averaged over ", runs.size(),
                              " replication(s); 1 % histogram bins"));
}

// Time per output token of each request of replication 0 (its mean
// inter-token gap), per tenant; returns the last finish (the time axis).
double AddTpotCdfs(const ServingRunResult& run, const ServingConfig& c, result::Result* out) {
  const size_t groups = std::max<size_t>(1, c.tenants.size());
  std::vector<std::vector<double>> tpot(groups);
  double horizon = 0;
  for (const RequestRecord& q : run.records) {
    horizon = std::max(horizon, q.finish_s);
    if (q.output_tokens < 2) continue;
    const size_t g =
        c.tenants.size() > 1
            ? static_cast<size_t>(std::clamp(q.tenant, 0, static_cast<int>(groups) - 1))
            : 0;
    tpot[g].push_back((q.finish_s - q.first_token_s) / (q.output_tokens - 1));
  }
  for (size_t g = 0; g < groups; ++g) {
    AddSampleCdf(out, "tpot_s", "s", std::move(tpot[g]),
                 c.tenants.size() > 1 ? TenantName(c, static_cast<int>(g)) : "",
                 "each request's mean inter-token gap, replication 0");
  }
  return horizon;
}

// Waiting requests (all, and per tenant) and finished requests per second.
void AddRequestSeries(const ServingRunResult& run, const ServingConfig& c, double horizon,
                      result::Result* out) {
  const size_t groups = std::max<size_t>(1, c.tenants.size());
  TimeBins waiting(horizon, kTimeBins), finished(horizon, kTimeBins);
  for (const RequestRecord& q : run.records) {
    waiting.Add(q.arrival_s, q.start_s, 1);
    finished.AddAt(q.finish_s, 1);
  }
  const std::vector<double> t = waiting.Centres();
  const std::string rep0 = "replication 0, time-averaged over 200 bins";
  AddCurve(out, "queue_length", "time", "simulated", "s", "requests", t, waiting.PerSecond())
      ->set_note(
          absl::StrCat("requests arrived and not yet admitted to a batch (all replicas); ", rep0));
  if (c.tenants.size() > 1) {  // the same, per tenant
    std::vector<TimeBins> per(groups, TimeBins(horizon, kTimeBins));
    for (const RequestRecord& q : run.records) {
      per[static_cast<size_t>(std::clamp(q.tenant, 0, static_cast<int>(groups) - 1))].Add(
          q.arrival_s, q.start_s, 1);
    }
    for (size_t g = 0; g < groups; ++g) {
      result::Series* s = AddCurve(out, "queue_length", "time", "simulated", "s", "requests", t,
                                   per[g].PerSecond());
      s->set_group(TenantName(c, static_cast<int>(g)));
      s->set_note(absl::StrCat("waiting requests of tenant ", TenantName(c, static_cast<int>(g)),
                               "; ", rep0));
    }
  }
  AddCurve(out, "requests_finished_per_s", "time", "simulated", "s", "1/s", t, finished.PerSecond())
      ->set_note(absl::StrCat("finished requests per second; ", rep0));
}

// Decode batch per replica, KV use and output tokens per second, from the
// iteration spans of replication 0.
void AddIterationSeries(const ServingRunResult& run, const ServingConfig& c, double horizon,
                        result::Result* out) {
  TimeBins batch(horizon, kTimeBins), kv(horizon, kTimeBins), tokens(horizon, kTimeBins);
  for (const IterationSpan& s : run.spans) {
    batch.Add(s.start_s, s.end_s, s.decode_tokens);
    kv.Add(s.start_s, s.end_s, s.kv_utilization);
    tokens.AddAt(s.end_s, s.decode_tokens);
  }
  const int decode_replicas = std::max(1, c.replicas - c.prefill_replicas);
  const std::vector<double> t = batch.Centres();
  const std::string rep0 = "replication 0, time-averaged over 200 bins";
  const bool capped = run.iterations > static_cast<int64_t>(run.spans.size());
  const std::string spans_note = capped ? absl::StrCat(rep0, "; the first ", run.spans.size(),
                                                       " of ", run.iterations, " iterations")
                                        : rep0;
  AddCurve(out, "batch_size", "time", "simulated", "s", "sequences", t,
           batch.PerSecond(decode_replicas))
      ->set_note(absl::StrCat("decoding sequences per replica; ", spans_note));
  AddCurve(out, "kv_utilization", "time", "simulated", "s", "1", t, kv.PerSecond(c.replicas))
      ->set_note(absl::StrCat("share of each replica's KV blocks in use, mean over replicas; ",
                              spans_note));
  AddCurve(out, "output_tokens_per_s", "time", "simulated", "s", "tokens/s", t, tokens.PerSecond())
      ->set_note(absl::StrCat("decode tokens produced per second (all replicas); ", spans_note));
}

}  // namespace

void AddServingPlotData(const std::vector<ServingRunResult>& runs, const ServingConfig& c,
                        result::Result* out) {
  if (runs.empty()) return;
  AddLatencyCdfs(runs, c, out);
  const ServingRunResult& run = runs[0];
  if (run.records.empty()) return;
  const double horizon = AddTpotCdfs(run, c, out);
  AddRequestSeries(run, c, horizon, out);
  if (run.spans.empty()) return;
  AddIterationSeries(run, c, horizon, out);
}

}  // namespace mlsysim
