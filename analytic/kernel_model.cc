// kernel_model.cc — kernel times on a calibrated machine (see kernel_model.h).
#include "analytic/kernel_model.h"

#include <algorithm>
#include <cmath>

namespace mlsysim {

const char* StreamKindName(StreamKind kind) {
  switch (kind) {
    case StreamKind::kNorm: return "norm";
    case StreamKind::kActivation: return "activation";
    case StreamKind::kElementwise: return "elementwise";
    case StreamKind::kRope: return "rope";
  }
  return "?";
}

namespace {
double StreamLaunch(const KernelModel& km) {
  return km.weight_stream_launch_s >= 0 ? km.weight_stream_launch_s : km.gemm_launch_s;
}
}  // namespace

double WaveEfficiency(const KernelModel& km, double m, double n) {
  if (m <= 0 || n <= 0) return 1;
  const double tiles = std::ceil(m / km.tile_m) * std::ceil(n / km.tile_n);
  const double waves = std::ceil(tiles / km.sms);
  return m * n / (waves * km.sms * km.tile_m * km.tile_n);
}

namespace {
// A GEMM's two lines: launch + compute, stream launch + memory.
struct GemmLines {
  double compute, memory;
};
GemmLines LinesOf(const KernelModel& km, double peak, double hbm, double m, double n, double k,
                  double bytes, bool fp8) {
  const double eta =
      fp8 && km.fp8_gemm_efficiency > 0 ? km.fp8_gemm_efficiency : km.gemm_efficiency;
  return {km.gemm_launch_s + 2 * m * n * k / (peak * eta * WaveEfficiency(km, m, n)),
          StreamLaunch(km) + (m * k + k * n + m * n) * bytes / (hbm * km.weight_stream_efficiency)};
}
}  // namespace

double GemmSeconds(const KernelModel& km, double peak, double hbm, double m, double n, double k,
                   double bytes, bool fp8) {
  if (m <= 0 || n <= 0 || k <= 0) return 0;
  const GemmLines l = LinesOf(km, peak, hbm, m, n, k, bytes, fp8);
  return std::max(l.compute, l.memory);
}

bool GemmIsMemoryBound(const KernelModel& km, double peak, double hbm, double m, double n,
                       double k, double bytes, bool fp8) {
  const GemmLines l = LinesOf(km, peak, hbm, m, n, k, bytes, fp8);
  return l.memory >= l.compute;
}

double StreamSeconds(const KernelModel& km, StreamKind kind, double hbm, double bytes) {
  if (bytes <= 0) return 0;
  const KernelModel::Stream& s = km.stream[static_cast<int>(kind)];
  return s.launch_s + bytes / (hbm * s.hbm_efficiency);
}

double AttentionSeconds(const KernelModel& km, double peak, double hbm, double flops,
                        double bytes) {
  if (flops <= 0 && bytes <= 0) return 0;
  return std::max(km.gemm_launch_s + flops / (peak * km.attention_efficiency),
                  StreamLaunch(km) + bytes / (hbm * km.weight_stream_efficiency));
}

const KernelModel::AllReducePoint* NvlinkAllReducePoint(const KernelModel& km, int gpus) {
  if (km.nvlink_all_reduce.empty()) return nullptr;
  const KernelModel::AllReducePoint* point = &km.nvlink_all_reduce.front();
  for (const KernelModel::AllReducePoint& p : km.nvlink_all_reduce)
    if (p.gpus <= gpus) point = &p;
  return point;
}

double NvlinkAllReduceSeconds(const KernelModel& km, double per_direction_bw, int gpus,
                              double bytes) {
  if (gpus <= 1 || bytes <= 0) return 0;
  const KernelModel::AllReducePoint* point = NvlinkAllReducePoint(km, gpus);
  const double efficiency = point != nullptr ? point->bus_efficiency : 1;
  const double latency = point != nullptr ? point->latency_s : 0;
  const double n = gpus, bus_bytes = 2 * (n - 1) / n * bytes;
  if (point != nullptr) {
    for (const KernelModel::AllReducePoint::Line& line : point->small_messages)
      if (bytes <= line.max_bytes)
        return line.latency_s + bus_bytes / (line.bus_efficiency * per_direction_bw);
  }
  return latency + bus_bytes / (efficiency * per_direction_bw);
}

double NvlsAllReduceSeconds(const KernelModel& km, double per_direction_bw, int gpus,
                            double bytes) {
  if (gpus <= 1 || bytes <= 0 || !(km.nvls_efficiency > 0)) return 0;
  const KernelModel::AllReducePoint* point = NvlinkAllReducePoint(km, gpus);
  const double latency = point != nullptr ? point->latency_s : 0;
  return latency + NvlsBytesPerGpu(gpus, bytes) / (km.nvls_efficiency * per_direction_bw);
}

}  // namespace mlsysim
