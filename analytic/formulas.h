// formulas.h — mlsysim's closed forms (core/formulas.py): collectives, pipeline
// bubble, KV cache, checkpoint size, MTBF, Young, M/M/c, Amdahl and friends.
// All arguments and results are SI (bytes, B/s, seconds, flop).
// Usage: double t = RingAllReduceTime(1e9, 8, 50e9, 500e-9);  // 0.035007 s
#ifndef MLSYSIM_ANALYTIC_FORMULAS_H_
#define MLSYSIM_ANALYTIC_FORMULAS_H_

namespace mlsysim {

inline constexpr double kLatencyNvlinkS = 500e-9;
inline constexpr double kLatencyInfinibandS = 5e-6;

// 2(N−1)/N · M/β + 2(N−1)·α; 0 for N = 1.
double RingAllReduceTime(double message_bytes, int n, double bandwidth, double latency);
// 2·⌈log2(max(N,2))⌉·(M/β + α); 0 for N = 1.
double TreeAllReduceTime(double message_bytes, int n, double bandwidth, double latency);
// (N−1)/N · M/β + (N−1)·α; 0 for N = 1.
double AllToAllTime(double message_bytes, int n, double bandwidth, double latency);
// mlsysim v0.1.1: 2·ring(M, G, β_intra, α_intra) + ring(M/G, nodes, β_inter, α_inter).
double HierarchicalAllReduceTime(double message_bytes, int n_nodes, int gpus_per_node,
                                 double intra_bw, double inter_bw,
                                 double intra_lat = kLatencyNvlinkS,
                                 double inter_lat = kLatencyInfinibandS);
// (P−1)/(V·M + P − 1).
double PipelineBubble(int n_stages, int n_microbatches, int v_stages = 1);
// 2·L·Hkv·d·S·B·bytes.
double KvCacheBytes(int layers, int kv_heads, int head_dim, int seq_len, int batch,
                    double bytes_per_elem);
struct PagedKv {
  double bytes;
  double fragmentation;
};
PagedKv PagedKvCacheBytes(int layers, int kv_heads, int head_dim, int seq_len, int batch,
                          double bytes_per_elem, int page_size);
// mlsysim's accelerator power model: an idle floor of 30 % of TDP plus 70 %
// scaled by utilisation (MFU or busy share), in W. The one copy of the formula
// (SustainabilityModel, Engine energy, the serving and training simulations).
inline double AcceleratorPowerW(double tdp_w, double utilization) {
  return tdp_w * (0.3 + 0.7 * utilization);
}
inline double AcceleratorIdlePowerW(double tdp_w) { return AcceleratorPowerW(tdp_w, 0.0); }
double CheckpointSizeBytes(double params);                 // 14 B/param (mixed-precision Adam)
double YoungInterval(double checkpoint_s, double mtbf_s);  // √(2δM)
double DalyInterval(double checkpoint_s, double mtbf_s);   // Daly's higher-order optimum
// The expected share of wall time spent on useful work with checkpoints every
// τ of work, each write δ (0 for asynchronous writes), restart R and exponential
// failures of mean M, which may strike during work, writes and restarts
// (Daly 2006's exact renewal-reward form): τ / (M·e^{R/M}·(e^{(τ+δ)/M} − 1)).
double ExponentialCheckpointEttr(double interval_s, double write_s, double restart_s,
                                 double mtbf_s);
double ClusterMtbf(double component_mtbf, int n_components, double correlation = 1.0);
double FailureProbability(double duration, double mtbf);  // 1 − exp(−T/MTBF)
double StackedAvailability(double a, int k);              // 1 − (1−A)^k
double AmdahlSpeedup(double parallel_fraction, double speedup);
double TrainingFlops(double params, double tokens);  // 6·P·D
double NetworkRoundTrip(double distance_km);         // 2·d / 200,000 km/s
double ActivationMemoryBytes(int layers, int seq_len, int batch, int hidden,
                             const char* strategy = "none", double precision_bytes = 1.0);
double DistributedTrainingTime(double ops, int n, double peak, double eta);

// M/M/c with arrival λ and per-server rate μ (per second), mlsysim's helper:
// utilisation, median and p99 waiting times in seconds (∞ when unstable).
struct MmcWait {
  double utilization;
  double wait_p50_s;
  double wait_p99_s;
  double prob_wait;
  bool stable;
};
MmcWait QueueLatencyMmc(double arrival_rate, double service_rate, int servers);
// The exact Erlang-C probability of waiting (for the simulator's checks).
double ErlangC(int servers, double offered_load);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_FORMULAS_H_
