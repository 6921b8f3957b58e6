// calibrate.h — fitting a machine model (registry MachineProfile, used by
// analytic/kernel_model.h) to measured kernel and collective times.
//
// Inputs, told apart by their header:
//  * Vidur's operator profile (`mlp.csv`: `num_tokens`,
//    `num_tensor_parallel_workers`, the model's shape columns and
//    `time_stats.<op>.median` in ms): the four GEMMs (attn_pre_proj,
//    attn_post_proj, mlp_up_proj, mlp_down_proj) with their M×N×K, and the
//    streaming kernels (input/post-attention layernorm: norm, mlp_act:
//    activation, add: elementwise, attn_rope: rope) with the bytes they move,
//    all fp16;
//  * Vidur's NCCL profile (`all_reduce.csv`: `size` bytes, `num_workers`,
//    `devices_per_node`, `time_stats.all_reduce.median` ms), rows inside one
//    node (num_workers = devices_per_node);
//  * the plain layout, columns in any order: `op,time_us` and per op
//    `m,n,k,precision` (gemm; precision fp16 | bf16 | fp8), `bytes` (norm,
//    activation, elementwise, rope), `gpus,bytes` (all_reduce: NCCL's ring;
//    all_reduce_nvls: NVLink SHARP).
// The fit: GEMMs — the memory line (η_stream and its launch) by relative
// least squares on the GEMMs of at most 8 tokens that the model's memory line
// sets (arithmetic intensity ≤ 8 flop/B: pure weight streaming), then per
// candidate tile η_gemm and the compute line's launch by Nelder–Mead on the
// mean squared log error of every GEMM, repeated until the streaming set
// settles; without such GEMMs, η_gemm, η_stream and one launch jointly; FP8's
// η alone with the rest held; each streaming kind — launch +
// bytes / (HBM · η) by least squares on the relative error; all-reduce per
// group size — latency + bus bytes / (η_bus · per-direction NVLink) by least
// squares on the time (the bandwidth regime decides); NVLS — the ring's
// latency + (n+1)/n · bytes / (η_nvls · per-direction NVLink), η_nvls by
// least squares on the relative error.
// Usage: CalibrationSamples s; ReadProfileFile("mlp.csv", &s);
//        auto fit = Calibrate(s, target);  // fit->profile, fit->errors
#ifndef MLSYSIM_TOPOLOGY_CALIBRATE_H_
#define MLSYSIM_TOPOLOGY_CALIBRATE_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "analytic/kernel_model.h"
#include "proto/registry.pb.h"

namespace mlsysim {

struct CalibrationSamples {
  struct Gemm {
    std::string op;
    double m, n, k, bytes;
    bool fp8;
    double seconds;
  };
  struct Stream {
    std::string op;
    StreamKind kind;
    double bytes, seconds;
  };
  struct AllReduce {
    int gpus;
    double bytes, seconds;
    bool nvls = false;  // NVLink SHARP (NCCL_ALGO=NVLS), else NCCL's ring
  };
  std::vector<Gemm> gemms;
  std::vector<Stream> streams;
  std::vector<AllReduce> all_reduces;
  std::vector<std::string> files;  // what was read, with its row counts
};

// Appends the file's samples; InvalidArgument naming the file (and line)
// on an unknown layout, a missing column or a value that is not a positive
// finite number.
absl::Status ReadProfileFile(const std::string& path, CalibrationSamples* samples);
// The same for text already read (`origin` names it in messages).
absl::Status ParseProfileText(const std::string& text, const std::string& origin,
                              CalibrationSamples* samples);

struct CalibrationTarget {
  std::string accelerator;  // registry key
  double peak_16bit = 0;    // flop/s
  double peak_fp8 = 0;      // flop/s (0: no FP8 samples expected)
  double hbm = 0;           // B/s
  double nvlink_per_direction = 0;  // B/s; needed for all-reduce samples
  int sms = 0;
  double attention_efficiency = 0;  // not in the profiles: given, with its source
  std::string attention_source;
};

struct FitError {
  std::string op;  // an operator, a streaming kind or "all_reduce <n> GPUs <size>"
  int samples = 0;
  double median_abs_error = 0, max_abs_error = 0;  // relative to the measured time
};

struct Calibration {
  registry::MachineProfile profile;
  std::vector<FitError> errors;
};

absl::StatusOr<Calibration> Calibrate(const CalibrationSamples& samples,
                                      const CalibrationTarget& target);

// The GEMM part of Calibrate (calibrate_gemm.cc): sets km's tile,
// gemm_efficiency, gemm_launch_s, weight_stream_efficiency and
// weight_stream_launch_s from the 16-bit samples, fp8_gemm_efficiency from the
// FP8 ones (the rest held).
absl::Status FitGemms(const std::vector<CalibrationSamples::Gemm>& gemms,
                      const CalibrationTarget& target, KernelModel* km);

// The kernel model of a profile (efficiencies as written, µs to seconds),
// completing `base`: what the profile sets replaces base's value (a
// streaming kind, the all-reduce table as a whole), the rest stays. A user's
// profile of only NCCL times thus refines the built-in machine. Without a
// base (KernelModel{}), the GEMM fields must be set (RequireGemmFields).
KernelModel KernelModelOf(const registry::MachineProfile& profile,
                          const KernelModel& base = KernelModel());
// InvalidArgument naming the field when a profile that has no machine model
// to complete leaves sms, gemm_efficiency or weight_stream_efficiency unset.
absl::Status RequireGemmFields(const registry::MachineProfile& profile);

// A profile's values in their ranges (efficiencies in (0, 1.5], launches and
// latencies >= 0 and < 1 s, SMs and tiles 1…65,536, group sizes >= 2);
// InvalidArgument naming the field otherwise.
absl::Status CheckMachineProfile(const registry::MachineProfile& profile);

}  // namespace mlsysim

#endif  // MLSYSIM_TOPOLOGY_CALIBRATE_H_
