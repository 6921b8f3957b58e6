// formulas.cc — closed forms (see formulas.h).
#include "analytic/formulas.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace mlsysim {

double RingAllReduceTime(double m, int n, double bw, double lat) {
  if (n <= 1) return 0.0;
  return 2.0 * (n - 1) / n * m / bw + 2.0 * (n - 1) * lat;
}

double TreeAllReduceTime(double m, int n, double bw, double lat) {
  if (n <= 1) return 0.0;
  const double depth = std::ceil(std::log2(static_cast<double>(std::max(n, 2))));
  return 2.0 * depth * (m / bw + lat);
}

double AllToAllTime(double m, int n, double bw, double lat) {
  if (n <= 1) return 0.0;
  return static_cast<double>(n - 1) / n * m / bw + (n - 1) * lat;
}

double HierarchicalAllReduceTime(double m, int n_nodes, int gpus_per_node, double intra_bw,
                                 double inter_bw, double intra_lat, double inter_lat) {
  const double t_intra = RingAllReduceTime(m, gpus_per_node, intra_bw, intra_lat);
  const double t_inter = RingAllReduceTime(m / gpus_per_node, n_nodes, inter_bw, inter_lat);
  return t_intra + t_inter + t_intra;
}

double PipelineBubble(int p, int m, int v) {
  return static_cast<double>(p - 1) / (static_cast<double>(v) * m + p - 1);
}

double KvCacheBytes(int layers, int kv_heads, int head_dim, int seq_len, int batch, double bytes) {
  return 2.0 * layers * kv_heads * head_dim * static_cast<double>(seq_len) * batch * bytes;
}

PagedKv PagedKvCacheBytes(int layers, int kv_heads, int head_dim, int seq_len, int batch,
                          double bytes, int page) {
  const long long padded = (static_cast<long long>(seq_len) + page - 1) / page * page;
  return {KvCacheBytes(layers, kv_heads, head_dim, static_cast<int>(padded), batch, bytes),
          static_cast<double>(padded - seq_len) / static_cast<double>(padded)};
}

double CheckpointSizeBytes(double params) { return params * 14.0; }

double YoungInterval(double delta, double mtbf) { return std::sqrt(2.0 * delta * mtbf); }

double DalyInterval(double delta, double mtbf) {
  if (delta >= 2.0 * mtbf) return mtbf;
  const double x = delta / (2.0 * mtbf);
  return std::sqrt(2.0 * delta * mtbf) * (1.0 + std::sqrt(x) / 3.0 + x / 9.0) - delta;
}

double ExponentialCheckpointEttr(double tau, double delta, double restart, double mtbf) {
  if (!(tau > 0)) return 0.0;
  if (!std::isfinite(mtbf)) return tau / (tau + delta);
  return tau / (mtbf * std::exp(restart / mtbf) * std::expm1((tau + delta) / mtbf));
}

double ClusterMtbf(double component_mtbf, int n, double correlation) {
  return component_mtbf / n * correlation;
}

double FailureProbability(double t, double mtbf) { return 1.0 - std::exp(-t / mtbf); }

double StackedAvailability(double a, int k) { return 1.0 - std::pow(1.0 - a, k); }

double AmdahlSpeedup(double p, double s) { return 1.0 / ((1.0 - p) + p / s); }

double TrainingFlops(double params, double tokens) { return 6.0 * params * tokens; }

double NetworkRoundTrip(double km) { return 2.0 * km / 200000.0; }

double ActivationMemoryBytes(int layers, int seq_len, int batch, int hidden, const char* strategy,
                             double precision_bytes) {
  double c = 34.0;
  if (std::strcmp(strategy, "selective") == 0) c = 10.0;
  if (std::strcmp(strategy, "full") == 0) c = 2.0;
  return static_cast<double>(layers) * c * seq_len * batch * hidden * precision_bytes;
}

double DistributedTrainingTime(double ops, int n, double peak, double eta) {
  return ops / (n * peak * eta);
}

double ErlangC(int c, double a) {
  // Log-space sum, stable for large c.
  const double rho = a / c;
  if (rho >= 1.0) return 1.0;
  const double last = c * std::log(a) - std::lgamma(c + 1.0) - std::log(1.0 - rho);
  double m = last;
  for (int i = 0; i < c; ++i) m = std::max(m, i * std::log(a) - std::lgamma(i + 1.0));
  double sum = 0.0;
  for (int i = 0; i < c; ++i) sum += std::exp(i * std::log(a) - std::lgamma(i + 1.0) - m);
  const double e_last = std::exp(last - m);
  return e_last / (sum + e_last);
}

MmcWait QueueLatencyMmc(double lambda, double mu, int c) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (mu <= 0.0 || lambda >= c * mu) return {1.0, kInf, kInf, 1.0, false};
  const double rho = lambda / (c * mu);
  const double a = c * rho;
  double pw;
  if (a <= 0.0) {
    pw = rho;
  } else {
    pw = ErlangC(c, a);
    if (std::isnan(pw) || std::isinf(pw)) pw = rho;
  }
  pw = std::clamp(pw, 0.0, 1.0);
  const double rate = c * mu * (1.0 - rho);
  const double w50 = pw < 0.5 ? 0.0 : std::log(pw / 0.5) / rate;
  const double w99 = pw < 0.01 ? 0.0 : std::log(pw / 0.01) / rate;
  return {rho, w50, w99, pw, true};
}

}  // namespace mlsysim
