// fleet.cc — fleet-level walls (see fleet.h).
#include "analytic/fleet.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "analytic/formulas.h"

namespace mlsysim {
namespace {

double FabricLatency(const FabricSpec& f) {
  return f.latency_s > 0 ? f.latency_s : kLatencyInfinibandS;
}
double FabricBandwidth(const FabricSpec& f) {
  return f.bandwidth.si / (f.oversubscription > 0 ? f.oversubscription : 1.0);
}

}  // namespace

absl::StatusOr<DistributedResult> SolveDistributed(const ModelSpec& m, const FleetSpec& fleet,
                                                   const DistributedOptions& o) {
  const struct {
    const char* name;
    int value;
  } positive[] = {{"tp_size", o.tp_size},
                  {"pp_size", o.pp_size},
                  {"ep_size", o.ep_size},
                  {"batch_size", o.batch_size},
                  {"gradient_accumulation_steps", o.gradient_accumulation_steps},
                  {"v_stages", o.v_stages},
                  {"microbatch_count", o.microbatch_count},
                  {"seq_len", o.seq_len}};
  for (const auto& p : positive) {
    if (p.value < 1)
      return absl::InvalidArgumentError(absl::StrCat(p.name, " must be >= 1; got ", p.value));
  }
  if (!(o.efficiency >= 1e-9 && o.efficiency <= 1.0))
    return absl::InvalidArgumentError(
        absl::StrCat("efficiency must lie in [1e-9, 1]; got ", o.efficiency));
  if (!(o.overlap_efficiency >= 0 && o.overlap_efficiency <= 1.0))
    return absl::InvalidArgumentError(
        absl::StrCat("overlap_efficiency must lie in [0, 1]; got ", o.overlap_efficiency));

  const int apn = fleet.node.accelerators_per_node;
  const int n = fleet.TotalAccelerators();
  const int dp = n / (o.tp_size * o.pp_size * o.ep_size);
  if (dp < 1) {
    return absl::FailedPreconditionError(absl::StrCat(
        "Infeasible 4D Parallelism: tp_size*pp_size*ep_size = ", o.tp_size * o.pp_size * o.ep_size,
        " exceeds the fleet's ", n, " accelerators"));
  }
  const int local_batch = std::max(1, o.batch_size / dp);
  EngineOptions eo;
  eo.batch_size = local_batch;
  eo.precision = o.precision;
  eo.efficiency = o.efficiency;
  eo.is_training = true;
  eo.seq_len = o.seq_len;
  eo.zero_stage = o.zero_stage;
  eo.dp_size = dp;
  eo.is_lora = o.is_lora;
  eo.activation_recomputation = o.activation_recomputation;
  absl::StatusOr<EngineResult> node = SolveEngine(m, fleet.node.accelerator, eo);
  if (!node.ok()) return node.status();

  const double bpp = BytesPerParam(o.precision);
  const double intra_bw = fleet.node.intra_node_bw.si;
  const double inter_bw = FabricBandwidth(fleet.fabric);
  const double inter_lat = FabricLatency(fleet.fabric);

  double grad = m.SizeBytes(bpp) / o.tp_size;
  if (o.is_lora) grad *= 0.01;
  double t_dp = 0.0;
  if (dp > 1 && apn > 1 && dp > apn) {
    t_dp = HierarchicalAllReduceTime(grad, dp / apn, apn, intra_bw, inter_bw, kLatencyNvlinkS,
                                     inter_lat);
  } else if (dp > 1) {
    t_dp = RingAllReduceTime(grad, dp, intra_bw, kLatencyNvlinkS);
  }
  const double h = m.hidden_dim > 0 ? m.hidden_dim : 4096.0;
  const int layers = m.layers > 0 ? m.layers : 1;
  double t_tp = 0.0;
  if (o.tp_size > 1) {
    const double msg = static_cast<double>(local_batch) * o.seq_len * h * bpp * 2.0;
    const bool intra = o.tp_size <= apn;
    t_tp = RingAllReduceTime(msg, o.tp_size, intra ? intra_bw : inter_bw,
                             intra ? kLatencyNvlinkS : inter_lat) *
           layers;
  }
  double t_ep = 0.0;
  if (o.ep_size > 1) {
    t_ep = AllToAllTime(static_cast<double>(local_batch) * o.seq_len * h * bpp, o.ep_size, inter_bw,
                        inter_lat);
  }
  const double node_s = node->latency_ms / 1000.0;
  DistributedResult r;
  r.bubble_fraction = PipelineBubble(o.pp_size, o.microbatch_count, o.v_stages);
  r.pipeline_bubble_latency_s = o.pp_size > 1 ? node_s * r.bubble_fraction : 0.0;
  t_dp *= o.congestion_factor;
  t_tp *= o.congestion_factor;
  t_ep *= o.congestion_factor;
  if (o.gradient_accumulation_steps > 1) t_dp /= o.gradient_accumulation_steps;
  double step = node_s + (o.overlap_comm ? t_dp * (1.0 - o.overlap_efficiency) : t_dp) + t_tp +
                t_ep + r.pipeline_bubble_latency_s;
  if (o.straggler_factor > 1.0) step *= o.straggler_factor;
  r.node_profile = *node;
  r.dp_communication_latency_s = t_dp;
  r.tp_communication_latency_s = t_tp;
  r.ep_communication_latency_s = t_ep;
  r.communication_latency_s = t_dp + t_tp + t_ep;
  r.step_latency_total_s = step;
  r.scaling_efficiency = node_s / step;
  r.effective_throughput = n * (local_batch / node_s) * r.scaling_efficiency;
  r.dp = dp;
  r.tp = o.tp_size;
  r.pp = o.pp_size;
  r.ep = o.ep_size;
  return r;
}

absl::StatusOr<EngineResult> SolveNetworkRoofline(const ModelSpec& m, const FleetSpec& fleet,
                                                  const std::string& precision, double eta) {
  if (m.parameters <= 0) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model: NetworkRooflineModel needs a parameter count; '", m.key, "' has none"));
  }
  if (!(eta >= 1e-9 && eta <= 1.0))
    return absl::InvalidArgumentError(absl::StrCat("efficiency must lie in [1e-9, 1]; got ", eta));
  const double bpp = BytesPerParam(precision);
  const double n = fleet.TotalAccelerators();
  const double peak = fleet.node.accelerator.PeakFor(precision).si;
  const double bw = FabricBandwidth(fleet.fabric);
  const double ops = 6.0 * m.parameters;
  const double sync = 2.0 * m.parameters * bpp;
  const double t_c = ops / (peak * n * eta);
  const double t_n = sync / bw;
  EngineResult r;
  const double latency = std::max(t_c, t_n);
  r.latency_ms = latency * 1000.0;
  r.latency_compute_ms = t_c * 1000.0;
  r.latency_memory_ms = t_n * 1000.0;
  r.latency_overhead_ms = 0.0;
  r.throughput = 1.0 / latency;
  r.bottleneck = t_n > t_c ? "Network" : "Compute";
  r.arithmetic_intensity = 3.0 / bpp;
  r.energy_j = 0.0;
  r.memory_footprint = sync;
  r.peak_flops_actual = peak * n * eta;
  r.peak_bw_actual = bw;
  r.mfu = std::min(ops / latency / (peak * n), 1.0);
  r.hfu = std::min(kHfuMfuRatio * r.mfu, 1.0);
  r.feasible = true;
  return r;
}

double NodeMtbfHours(const NodeSpec& node) {
  return 1.0 / (node.accelerators_per_node / 50000.0 + node.nics_per_node / 150000.0 +
                node.psus_per_node / 100000.0);
}

absl::StatusOr<ReliabilityResult> SolveReliability(const FleetSpec& fleet, double job_hours,
                                                   double ckpt_s, double recovery_s) {
  if (job_hours < 0 || ckpt_s < 0 || recovery_s < 0) {
    return absl::InvalidArgumentError(
        "job_duration_hours, checkpoint_time_s and avg_recovery_time_s must be >= 0");
  }
  ReliabilityResult r;
  const double mtbf_h = NodeMtbfHours(fleet.node) / fleet.count;
  r.fleet_mtbf_s = mtbf_h * 3600.0;
  r.expected_failures = job_hours / mtbf_h;
  r.failure_probability = 1.0 - std::exp(-(job_hours * 3600.0) / r.fleet_mtbf_s);
  r.optimal_checkpoint_interval_s = std::sqrt(2.0 * ckpt_s * r.fleet_mtbf_s);
  const double tau = r.optimal_checkpoint_interval_s;
  r.goodput_ratio =
      tau == 0.0 ? 0.0 : std::max(0.0, 1.0 - ckpt_s / tau - recovery_s / r.fleet_mtbf_s);
  return r;
}

absl::StatusOr<OrchestrationResult> SolveOrchestration(double lambda, double duration) {
  if (lambda < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("arrival_rate_jobs_per_day must be >= 0; got ", lambda));
  }
  if (duration <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("avg_job_duration_days must be > 0; got ", duration));
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  OrchestrationResult r;
  const double mu = 1.0 / duration;
  const double rho = lambda / mu;
  r.cluster_utilization = rho;
  r.is_stable = rho < 1.0;
  r.avg_wait_time_days = r.is_stable ? rho / (2.0 * mu * (1.0 - rho)) : kInf;
  r.avg_queue_length = r.is_stable ? rho * rho / (2.0 * (1.0 - rho)) : kInf;
  return r;
}

absl::StatusOr<TopologyResult> SolveTopology(const FabricSpec& fabric, const std::string& topo,
                                             int num_nodes) {
  if (num_nodes < 1) {
    return absl::InvalidArgumentError(absl::StrCat("num_nodes must be >= 1; got ", num_nodes));
  }
  const double n = num_nodes;
  double beta = 1.0, hops = 4.0;
  if (topo == "fat_tree") {
    beta = 1.0;
    hops = 4.0;
  } else if (topo == "dragonfly") {
    beta = 0.85;
    hops = 3.0;
  } else if (topo == "ring") {
    beta = 2.0 / std::max(n, 1.0);
    hops = n / 4.0;
  } else if (topo == "torus_3d") {
    beta = 2.0 * std::pow(n, -1.0 / 3.0);
    hops = 0.75 * std::pow(n, 1.0 / 3.0);
  }
  const double over = fabric.oversubscription > 0 ? fabric.oversubscription : 1.0;
  TopologyResult r;
  r.effective_bw = fabric.bandwidth.si * beta / over;
  r.bisection_bw = fabric.bandwidth.si * beta * n / 2.0 / over;
  r.bisection_bw_fraction = beta;
  r.hops_avg = hops;
  r.topology = topo;
  r.num_nodes = num_nodes;
  return r;
}

absl::StatusOr<ParallelismResult> OptimizeParallelism(const ModelSpec& m, const FleetSpec& fleet,
                                                      const ParallelismSearch& s) {
  const int n = fleet.TotalAccelerators();
  const int max_tp = s.max_tp > 0 ? s.max_tp : fleet.node.accelerators_per_node;
  const int max_pp = s.max_pp > 0 ? s.max_pp : n;
  const double capacity = fleet.node.accelerator.capacity;
  ParallelismResult r;
  std::vector<ParallelismCandidate> all;
  for (int i = 0; i <= 9; ++i) {
    const int tp = 1 << i;
    if (tp > max_tp) break;
    for (int j = 0; j <= 9; ++j) {
      const int pp = 1 << j;
      if (pp > max_pp) break;
      if (tp * pp > n || n % (tp * pp) != 0) continue;
      const double per_gpu = m.SizeBytes(2.0) / tp / pp;
      if (2.0 * per_gpu > 0.9 * capacity) continue;
      DistributedOptions o;
      o.batch_size = s.batch_size;
      o.precision = s.precision;
      o.efficiency = s.efficiency;
      o.tp_size = tp;
      o.pp_size = pp;
      o.overlap_comm = s.overlap_comm;
      absl::StatusOr<DistributedResult> d = SolveDistributed(m, fleet, o);
      if (!d.ok()) return d.status();
      all.push_back({tp, pp, n / (tp * pp), d->scaling_efficiency * s.efficiency,
                     d->step_latency_total_s, d->effective_throughput});
    }
  }
  if (all.empty()) {
    return absl::FailedPreconditionError(
        "no (tp, pp) configuration fits the model in accelerator memory");
  }
  r.total_searched = static_cast<int>(all.size());
  r.best = all[0];
  for (const ParallelismCandidate& c : all)
    if (c.mfu > r.best.mfu) r.best = c;
  std::stable_sort(all.begin(), all.end(),
                   [](const auto& a, const auto& b) { return a.mfu > b.mfu; });
  all.resize(std::min<size_t>(all.size(), 5));
  r.top_candidates = std::move(all);
  return r;
}

}  // namespace mlsysim
