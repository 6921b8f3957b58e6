// serving_parts.h — the pieces of a serving result (serving_runner.cc):
// statistics over replications, per-tenant figures, the closed forms of the
// same deployment, the stability check and the output files.
// Usage: ServingStatistics(runs, config, tenants, &result);
#ifndef MLSYSIM_SIM_SCENARIO_SERVING_PARTS_H_
#define MLSYSIM_SIM_SCENARIO_SERVING_PARTS_H_

#include <vector>

#include "absl/status/status.h"
#include "analytic/specs.h"
#include "proto/result.pb.h"
#include "proto/scenario.pb.h"
#include "sim/scenario/run_context.h"
#include "sim/serving/serving_sim.h"

namespace mlsysim {

// Warns (stderr and result) when the offered load exceeds capacity.
void ExtractServingStability(const RunContext& rc, const ServingRunResult& run, double qps,
                             result::Result* out);
// Latency percentiles, throughput, KV use, energy: mean ± ci95 over replications.
void ServingStatistics(const std::vector<ServingRunResult>& runs, const ServingConfig& c,
                       size_t tenants, result::Result* out);
void TenantStatistics(const std::vector<ServingRunResult>& runs, int tenant, result::Section* out);
// mlsysim's ServingModel, TailLatencyModel and ContinuousBatchingModel beside
// the simulated figures (mean input/output lengths, arrival rate λ), and the
// queueing-aware TTFT estimate (ttft_estimate.h) where arrivals are Poisson
// and prefill and decode share replicas.
void ServingClosedForms(const ServingConfig& c, double mean_in, double mean_out, double lambda,
                        bool poisson_arrivals, const GridSpec& grid, result::Result* out);
// Plot data (proto/result.proto Series): latency CDFs, and replication 0's
// queue, batch, KV use and throughput over time (serving_plot.cc).
void AddServingPlotData(const std::vector<ServingRunResult>& runs, const ServingConfig& c,
                        result::Result* out);
// Writes outputs.trace_json / requests_csv / iterations_csv from replication 0.
absl::Status WriteServingOutputs(const RunContext& rc, const scenario::Outputs& outputs,
                                 const ServingRunResult& run, const ServingConfig& c,
                                 int64_t max_events, result::Result* out);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_SERVING_PARTS_H_
