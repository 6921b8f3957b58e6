// kernel_model.h — a measured machine model: what one kernel of a training
// step or a serving iteration costs on one accelerator.
//
// mlsysim's machine (`--hardware-model roofline`) runs every FLOP at
// peak × η and every byte at 100 % of HBM. The calibrated machine
// (`--hardware-model calibrated`, parameters fitted to measured kernels by
// `mlsysim calibrate`, registry `machine` entries) costs each kernel as
//   max(launch + compute, stream launch + memory)
//  * GEMM M×K·K×N: compute 2MNK / (peak · η_gemm · waves(M, N)), memory
//    (MK + KN + MN)·bytes / (HBM · η_stream); waves(M, N) is the tile and
//    wave quantisation of an output tiled tile_m × tile_n over the SMs; each
//    line has its own fixed cost (fitted apart: calibrate.h);
//  * streaming kernels (norms, activations, residual adds, rotary): bytes /
//    (HBM · the kind's efficiency) + the kind's launch;
//  * FlashAttention-style attention: FLOPs / (peak · η_attention), or its
//    Q/K/V/O traffic when slower (decode reads the KV cache);
//  * NCCL's ring all-reduce inside a node: latency + 2(n−1)/n · bytes /
//    (bus efficiency(n) · per-direction NVLink); NVLink SHARP (NVLS):
//    latency + (n+1)/n · bytes / (η_nvls · per-direction NVLink).
// Usage: double s = GemmSeconds(km, hw.PeakFor("bf16").si, hw.memory_bw.si,
//                               tokens, 3 * h, h, 2.0, false);
#ifndef MLSYSIM_ANALYTIC_KERNEL_MODEL_H_
#define MLSYSIM_ANALYTIC_KERNEL_MODEL_H_

#include <string>
#include <vector>

namespace mlsysim {

enum class StreamKind { kNorm = 0, kActivation = 1, kElementwise = 2, kRope = 3 };
inline constexpr int kStreamKinds = 4;
const char* StreamKindName(StreamKind kind);

struct KernelModel {
  std::string accelerator;  // registry key
  std::string source;
  int sms = 132;
  int tile_m = 128, tile_n = 128;
  double gemm_efficiency = 0.7;
  double fp8_gemm_efficiency = 0;  // 0: gemm_efficiency
  double weight_stream_efficiency = 0.8;
  double gemm_launch_s = 0;
  // The memory line's own fixed cost (a memory-bound GEMM or decode
  // attention: launch + ramp); < 0: gemm_launch_s, one launch for both lines.
  double weight_stream_launch_s = -1;
  struct Stream {
    double hbm_efficiency = 0.8;
    double launch_s = 0;
  };
  Stream stream[kStreamKinds];
  double attention_efficiency = 0.5;
  struct AllReducePoint {
    int gpus;
    double bus_efficiency, latency_s;
    // NCCL's protocols for small messages (LL, LL128: lower latency, lower
    // bandwidth), fitted where the one line above misses: a message of at
    // most max_bytes runs on the first such line (ascending max_bytes) that
    // holds it; a larger one on the line above.
    struct Line {
      double bus_efficiency, latency_s, max_bytes;
    };
    std::vector<Line> small_messages = {};
  };
  std::vector<AllReducePoint> nvlink_all_reduce;  // by gpus, ascending
  // NVLink SHARP all-reduce (NCCL's NVLS): fraction of per-direction NVLink
  // at which each GPU moves its S·(n+1)/n each way; 0 where the NVSwitch has
  // none.
  double nvls_efficiency = 0;
};

// Tile and wave quantisation: the fraction of the SMs' tile slots an
// M × N output keeps busy, M·N / (⌈tiles/sms⌉ · sms · tile_m · tile_n).
double WaveEfficiency(const KernelModel& km, double m, double n);

// One GEMM of an M×K by a K×N matrix with `bytes` per element; `peak` is the
// precision's dense peak (flop/s), `hbm` the memory bandwidth (B/s); `fp8`
// selects the FP8 efficiency.
double GemmSeconds(const KernelModel& km, double peak, double hbm, double m, double n, double k,
                   double bytes, bool fp8);

// True when the memory line (stream launch + memory) sets that GEMM's time.
bool GemmIsMemoryBound(const KernelModel& km, double peak, double hbm, double m, double n,
                       double k, double bytes, bool fp8);

// A streaming kernel moving `bytes` through HBM.
double StreamSeconds(const KernelModel& km, StreamKind kind, double hbm, double bytes);

// An attention kernel doing `flops` and moving `bytes`.
double AttentionSeconds(const KernelModel& km, double peak, double hbm, double flops,
                        double bytes);

// The measured all-reduce group that stands for `gpus` GPUs: the largest
// measured size at or below it (the smallest one when none is); nullptr when
// the model has no all-reduce measurements.
const KernelModel::AllReducePoint* NvlinkAllReducePoint(const KernelModel& km, int gpus);

// NCCL ring all-reduce of `bytes` over `gpus` GPUs of one node whose NVLink
// runs `per_direction_bw` B/s each way, at NvlinkAllReducePoint's bus
// efficiency and latency (line rate without measurements) or the
// small-message line whose size range holds `bytes`; 0 for one GPU.
double NvlinkAllReduceSeconds(const KernelModel& km, double per_direction_bw, int gpus,
                              double bytes);

// NVLink SHARP all-reduce of `bytes` over `gpus` GPUs of one NVSwitch: the
// switch sums what the GPUs send and multicasts the result, each GPU sending
// and receiving S·(n+1)/n, at nvls_efficiency of `per_direction_bw`, plus the
// ring's latency at that group size. 0 for one GPU; requires
// nvls_efficiency > 0.
double NvlsAllReduceSeconds(const KernelModel& km, double per_direction_bw, int gpus,
                            double bytes);
// Bytes each GPU sends (and receives) in an NVLS all-reduce of `bytes`.
inline double NvlsBytesPerGpu(int gpus, double bytes) {
  return gpus > 1 ? bytes * (gpus + 1.0) / gpus : 0.0;
}

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_KERNEL_MODEL_H_
