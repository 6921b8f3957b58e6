// calibrate_gemm.cc — fitting the GEMM lines of a machine model to measured
// GEMM times (see calibrate.h, FitGemms).
//
// A GEMM costs max(launch + compute, stream launch + memory). The two lines
// are identified where each alone sets the time: GEMMs of at most 8 tokens
// (≤ 8 flop per weight byte, a few % of any GPU's ridge) stream their
// weights, so their times give the memory line directly (relative least
// squares, slope and intercept); every GEMM then gives the tile, η_gemm and
// the compute launch. Fitting all three efficiencies at once instead lets the
// memory line absorb what the max() misses near the ridge, and it then
// under-states pure streaming (on Vidur's H100 GEMMs of ≤ 8 tokens, a joint
// fit is 14 % slow in median; the memory line fitted on them, 4 %).
#include <algorithm>
#include <cmath>
#include <vector>

#include "absl/strings/str_cat.h"
#include "analytic/least_squares.h"
#include "topology/calibrate.h"

namespace mlsysim {
namespace {

// Tile shapes cuBLAS/CUTLASS kernels use for large GEMMs; the fit keeps the
// one that explains the samples best.
constexpr int kTiles[][2] = {{64, 64}, {64, 128}, {128, 64}, {128, 128}, {128, 256}, {256, 128}};
// GEMMs of at most this many tokens (rows) stream their weights.
constexpr double kStreamingTokens = 8;
// Rounds of (memory line, compute line, streaming set) before the set settles.
constexpr int kMaxRounds = 8;

double GemmLogError(const KernelModel& km, const CalibrationTarget& t,
                    const std::vector<CalibrationSamples::Gemm>& g, bool fp8) {
  double sum = 0;
  int n = 0;
  for (const auto& s : g) {
    if (s.fp8 != fp8) continue;
    const double peak = fp8 ? t.peak_fp8 : t.peak_16bit;
    const double r = std::log(GemmSeconds(km, peak, t.hbm, s.m, s.n, s.k, s.bytes, fp8) / s.seconds);
    sum += r * r;
    ++n;
  }
  return n ? sum / n : 0;
}

double GemmBytes(const CalibrationSamples::Gemm& s) {
  return (s.m * s.k + s.k * s.n + s.m * s.n) * s.bytes;
}

// Two stages on one tile; false when the streaming set cannot give a line.
bool FitTwoLines(const std::vector<CalibrationSamples::Gemm>& gemms, const CalibrationTarget& t,
                 KernelModel* km) {
  std::vector<const CalibrationSamples::Gemm*> use;
  for (const auto& s : gemms)
    if (!s.fp8 && s.m <= kStreamingTokens) use.push_back(&s);
  for (int round = 0; round < kMaxRounds; ++round) {
    std::vector<double> x, y;
    for (const auto* s : use) {
      x.push_back(GemmBytes(*s));
      y.push_back(s->seconds);
    }
    if (x.size() < 2 || *std::min_element(x.begin(), x.end()) ==
                            *std::max_element(x.begin(), x.end())) {
      return false;
    }
    const LineFit line = FitLineNonNegativeIntercept(x, y, /*relative=*/true);
    if (!(line.slope > 0)) return false;
    km->weight_stream_efficiency = 1 / (line.slope * t.hbm);
    km->weight_stream_launch_s = line.intercept;
    auto objective = [&](const std::vector<double>& p) {
      if (p[0] <= 0 || p[0] > 1.5 || p[1] < 0) return 1e300;
      KernelModel k = *km;
      k.gemm_efficiency = p[0];
      k.gemm_launch_s = p[1] * 1e-6;
      return GemmLogError(k, t, gemms, false);
    };
    const std::vector<double> p = NelderMead(objective, {0.7, 3.0}, 0.2, 4000);
    km->gemm_efficiency = p[0];
    km->gemm_launch_s = p[1] * 1e-6;
    std::vector<const CalibrationSamples::Gemm*> next;
    for (const auto& s : gemms)
      if (!s.fp8 && s.m <= kStreamingTokens &&
          GemmIsMemoryBound(*km, t.peak_16bit, t.hbm, s.m, s.n, s.k, s.bytes, false)) {
        next.push_back(&s);
      }
    if (next == use || next.size() < 2) break;
    use = std::move(next);
  }
  return true;
}

// η_gemm, η_stream and one launch for both lines (no streaming GEMMs).
void FitJointly(const std::vector<CalibrationSamples::Gemm>& gemms, const CalibrationTarget& t,
                KernelModel* km) {
  auto objective = [&](const std::vector<double>& x) {
    if (x[0] <= 0 || x[0] > 1.5 || x[1] <= 0 || x[1] > 1.5 || x[2] < 0) return 1e300;
    KernelModel k = *km;
    k.gemm_efficiency = x[0];
    k.weight_stream_efficiency = x[1];
    k.gemm_launch_s = x[2] * 1e-6;
    return GemmLogError(k, t, gemms, false);
  };
  const std::vector<double> x = NelderMead(objective, {0.7, 0.8, 3.0}, 0.2, 6000);
  km->gemm_efficiency = x[0];
  km->weight_stream_efficiency = x[1];
  km->gemm_launch_s = x[2] * 1e-6;
  km->weight_stream_launch_s = -1;
}

}  // namespace

absl::Status FitGemms(const std::vector<CalibrationSamples::Gemm>& gemms,
                      const CalibrationTarget& target, KernelModel* km) {
  int g16 = 0, g8 = 0;
  for (const auto& s : gemms) (s.fp8 ? g8 : g16)++;
  if (g16 > 0) {
    double best = INFINITY;
    KernelModel best_km = *km;
    for (const auto& tile : kTiles) {
      KernelModel trial = *km;
      trial.tile_m = tile[0];
      trial.tile_n = tile[1];
      if (!FitTwoLines(gemms, target, &trial)) FitJointly(gemms, target, &trial);
      const double v = GemmLogError(trial, target, gemms, false);
      if (v < best) {
        best = v;
        best_km = trial;
      }
    }
    *km = best_km;
  }
  if (g8 > 0) {
    auto objective = [&](const std::vector<double>& x) {
      if (x[0] <= 0 || x[0] > 1.5) return 1e300;
      KernelModel k = *km;
      k.fp8_gemm_efficiency = x[0];
      return GemmLogError(k, target, gemms, true);
    };
    km->fp8_gemm_efficiency = NelderMead(objective, {0.6}, 0.2, 2000)[0];
  }
  return absl::OkStatus();
}

}  // namespace mlsysim
