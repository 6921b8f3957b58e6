// calibrate_fit.cc — fitting a MachineProfile to samples, and turning one into
// a KernelModel (see calibrate.h).
#include <algorithm>
#include <cmath>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/least_squares.h"
#include "topology/calibrate.h"

namespace mlsysim {
namespace {

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

FitError ErrorsOf(const std::string& op, const std::vector<double>& rel) {
  FitError e;
  e.op = op;
  e.samples = static_cast<int>(rel.size());
  std::vector<double> a;
  for (double r : rel) a.push_back(std::fabs(r));
  e.median_abs_error = Median(a);
  e.max_abs_error = a.empty() ? 0 : *std::max_element(a.begin(), a.end());
  return e;
}

// NCCL's small-message protocols (LL, LL128): below some message size NCCL's
// tuner runs another protocol, with its own latency and bandwidth, and the
// time jumps where it switches (Vidur's 4-GPU A100 rows: 20 µs up to 100 KB,
// 60 µs from 108 KB). Up to two more lines, each fitted (relative least
// squares) to the sizes up to a, then a to b, the bandwidth line `top` above
// b; a and b (and how many lines) minimise the absolute log error summed over
// the samples (robust: small all-reduces are noisy, some sizes bimodal). A
// line spans at least four sampled sizes and has no more bandwidth than `top`
// (NCCL's LL and LL128 trade bandwidth for latency; min_slope = top's slope). A line must cut that error by
// more than 1 %. size: message bytes; x: bus bytes, 2(n−1)/n · size; y: s.
// NCCL's LL and LL128 protocols serve messages up to a few MiB; above, the
// Simple protocol's bandwidth line is fitted on every larger sample (a switch
// found higher would fit the bandwidth line to a narrow band of sizes and
// extrapolate it badly).
constexpr double kMaxSmallMessageBytes = 4 << 20;

struct ProtocolLine {
  LineFit line;
  double max_bytes;
};
std::vector<ProtocolLine> SmallMessageLines(const std::vector<double>& size,
                                            const std::vector<double>& x,
                                            const std::vector<double>& y, const LineFit& top,
                                            double min_slope) {
  // Candidate switch sizes: the sampled sizes up to 4 MiB, thinned to at
  // least 2^(1/4) apart (Vidur samples every 64 KiB; O(candidates²)
  // partitions are tried); the largest size stands for "no switch".
  std::vector<double> sorted = size, sizes;
  std::sort(sorted.begin(), sorted.end());
  for (double v : sorted)
    if (v <= kMaxSmallMessageBytes && (sizes.empty() || v >= sizes.back() * std::pow(2.0, 0.25)))
      sizes.push_back(v);
  if (!sorted.empty() && sorted.back() > kMaxSmallMessageBytes) sizes.push_back(sorted.back());
  auto error = [&](const std::vector<ProtocolLine>& lines) {
    double sum = 0;
    for (size_t i = 0; i < x.size(); ++i) {
      LineFit l = top;
      for (auto it = lines.rbegin(); it != lines.rend(); ++it)
        if (size[i] <= it->max_bytes) l = it->line;
      const double t = l.intercept + l.slope * x[i];
      sum += std::fabs(std::log(t / y[i]));
    }
    return sum;
  };
  // The line through the samples of lo < size <= hi.
  auto fit = [&](double lo, double hi, ProtocolLine* out) {
    std::vector<double> sx, sy;
    for (size_t i = 0; i < x.size(); ++i)
      if (size[i] > lo && size[i] <= hi) {
        sx.push_back(x[i]);
        sy.push_back(y[i]);
      }
    std::vector<double> distinct = sx;
    std::sort(distinct.begin(), distinct.end());
    if (std::unique(distinct.begin(), distinct.end()) - distinct.begin() < 4) return false;
    // The free line, and the latency-bound one (the bandwidth line's slope,
    // its best intercept): whichever fits the range better (relative), as
    // long as the free one has no more bandwidth than the bandwidth line.
    const LineFit free = FitLineNonNegativeIntercept(sx, sy, /*relative=*/true);
    double num = 0, den = 0;
    for (size_t i = 0; i < sx.size(); ++i) {
      num += (sy[i] - min_slope * sx[i]) / (sy[i] * sy[i]);
      den += 1 / (sy[i] * sy[i]);
    }
    const LineFit flat = {std::max(0.0, num / den), min_slope};
    auto misfit = [&](const LineFit& l) {
      double e = 0;
      for (size_t i = 0; i < sx.size(); ++i)
        e += std::pow((l.intercept + l.slope * sx[i]) / sy[i] - 1, 2);
      return e;
    };
    out->max_bytes = hi;
    out->line = free.slope >= min_slope && misfit(free) < misfit(flat) ? free : flat;
    return true;
  };
  std::vector<ProtocolLine> best;
  double best_error = error(best);
  const double none = best_error;
  for (size_t b = 1; b + 1 < sizes.size(); ++b) {
    ProtocolLine first, second;
    if (fit(-1, sizes[b], &first) && error({first}) < best_error) {
      best = {first};
      best_error = error(best);
    }
    for (size_t a = 1; a < b; ++a) {
      if (!fit(-1, sizes[a], &first) || !fit(sizes[a], sizes[b], &second)) continue;
      const double e = error({first, second});
      if (e < best_error) {
        best = {first, second};
        best_error = e;
      }
    }
  }
  return best_error < 0.99 * none ? best : std::vector<ProtocolLine>{};
}

// The size band of a message, by factors of 8 from 1 B: "512–4096 B",
// "2–16 MiB"; beyond 1 TiB one band.
std::string SizeBand(double bytes) {
  if (!(bytes < 1099511627776.0)) return ">= 1 TiB";
  const int band = std::max(0, static_cast<int>(std::floor(std::log2(std::max(bytes, 1.0)) / 3)));
  const int lo = 3 * band;  // 2^lo … 2^(lo+3) bytes, lo <= 39
  const char* unit = lo >= 30 ? "GiB" : lo >= 20 ? "MiB" : lo >= 10 ? "KiB" : "B";
  const int shift = lo >= 30 ? 30 : lo >= 20 ? 20 : lo >= 10 ? 10 : 0;
  return absl::StrCat(int64_t{1} << (lo - shift), "–", int64_t{8} << (lo - shift), " ", unit);
}

}  // namespace

absl::StatusOr<Calibration> Calibrate(const CalibrationSamples& samples,
                                      const CalibrationTarget& target) {
  if (samples.gemms.empty() && samples.streams.empty() && samples.all_reduces.empty()) {
    return absl::InvalidArgumentError("calibrate: the profiles hold no samples");
  }
  if (!(target.peak_16bit > 0) || !(target.hbm > 0) || target.sms < 1) {
    return absl::InvalidArgumentError(
        "calibrate: the accelerator needs a 16-bit peak, a memory bandwidth and --sms");
  }
  Calibration out;
  registry::MachineProfile& p = out.profile;
  p.set_accelerator(target.accelerator);
  p.set_sms(target.sms);
  KernelModel km;
  km.sms = target.sms;
  int g16 = 0, g8 = 0;
  for (const auto& s : samples.gemms) (s.fp8 ? g8 : g16)++;
  if (g8 > 0 && !(target.peak_fp8 > 0)) {
    return absl::InvalidArgumentError("calibrate: FP8 GEMM samples but the accelerator has no "
                                      "fp8 peak in the registry");
  }
  if (g16 + g8 > 0) {
    if (absl::Status st = FitGemms(samples.gemms, target, &km); !st.ok()) return st;
  }
  // Streaming kinds: launch + bytes / (HBM · η).
  for (int kind = 0; kind < kStreamKinds; ++kind) {
    std::vector<double> x, y;
    for (const auto& s : samples.streams)
      if (static_cast<int>(s.kind) == kind) {
        x.push_back(s.bytes);
        y.push_back(s.seconds);
      }
    if (x.size() < 2) continue;
    const LineFit fit = FitLineNonNegativeIntercept(x, y, /*relative=*/true);
    if (!(fit.slope > 0)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "calibrate: the ", StreamKindName(static_cast<StreamKind>(kind)),
          " samples do not grow with bytes (no bandwidth to fit)"));
    }
    km.stream[kind] = {1 / (fit.slope * target.hbm), fit.intercept};
    auto* st = p.add_streaming();
    st->set_kind(StreamKindName(static_cast<StreamKind>(kind)));
    st->set_hbm_efficiency(km.stream[kind].hbm_efficiency);
    st->set_launch_us(fit.intercept * 1e6);
  }
  // All-reduce inside a node, per group size.
  std::map<int, std::pair<std::vector<double>, std::vector<double>>> groups;
  std::map<int, std::vector<double>> sizes;
  for (const auto& s : samples.all_reduces) {
    if (s.nvls) continue;
    const double n = s.gpus;
    groups[s.gpus].first.push_back(2 * (n - 1) / n * s.bytes);
    groups[s.gpus].second.push_back(s.seconds);
    sizes[s.gpus].push_back(s.bytes);
  }
  if (!groups.empty() && !(target.nvlink_per_direction > 0)) {
    return absl::InvalidArgumentError(
        "calibrate: all-reduce samples need the node's NVLink bandwidth (--node NODE)");
  }
  for (const auto& [gpus, xy] : groups) {
    if (xy.first.size() < 2) continue;
    // Absolute residual: the bandwidth regime (MB messages, what TP and DP
    // send) decides the fit, not the protocol switches of small messages.
    LineFit fit = FitLineNonNegativeIntercept(xy.first, xy.second, /*relative=*/false);
    if (!(fit.slope > 0)) {
      return absl::InvalidArgumentError(
          absl::StrCat("calibrate: the ", gpus, "-GPU all-reduce samples do not grow with size"));
    }
    // The small-message protocols, then the bandwidth line again on the sizes
    // above them, until the switch sizes settle (at most three rounds).
    std::vector<ProtocolLine> lines;
    for (int round = 0; round < 3; ++round) {
      const std::vector<ProtocolLine> next =
          SmallMessageLines(sizes[gpus], xy.first, xy.second, fit, fit.slope);
      const bool settled = next.size() == lines.size() &&
                           (next.empty() || next.back().max_bytes == lines.back().max_bytes);
      lines = next;
      if (settled || lines.empty()) break;
      std::vector<double> bx, by;
      for (size_t i = 0; i < xy.first.size(); ++i)
        if (sizes[gpus][i] > lines.back().max_bytes) {
          bx.push_back(xy.first[i]);
          by.push_back(xy.second[i]);
        }
      const LineFit above = bx.size() >= 2 ? FitLineNonNegativeIntercept(bx, by, false) : fit;
      if (!(above.slope > 0)) break;
      fit = above;
    }
    km.nvlink_all_reduce.push_back(
        {gpus, 1 / (fit.slope * target.nvlink_per_direction), fit.intercept});
    auto* a = p.add_nvlink_all_reduce();
    a->set_gpus(gpus);
    a->set_bus_efficiency(km.nvlink_all_reduce.back().bus_efficiency);
    a->set_latency_us(fit.intercept * 1e6);
    for (const ProtocolLine& pl : lines) {
      const double efficiency = 1 / (pl.line.slope * target.nvlink_per_direction);
      km.nvlink_all_reduce.back().small_messages.push_back(
          {efficiency, pl.line.intercept, pl.max_bytes});
      auto* l = a->add_small_messages();
      l->set_bus_efficiency(efficiency);
      l->set_latency_us(pl.line.intercept * 1e6);
      l->set_max_bytes(pl.max_bytes);
    }
  }
  // NVLink SHARP: time = the ring's latency + (n+1)/n·S / (η·B), one
  // unknown u = 1/(η·B), least squares on the relative error (closed form).
  int nvls = 0;
  double num = 0, den = 0;
  for (const auto& s : samples.all_reduces) {
    if (!s.nvls) continue;
    const KernelModel::AllReducePoint* ring = NvlinkAllReducePoint(km, s.gpus);
    const double latency = ring != nullptr ? ring->latency_s : 0;
    const double x = NvlsBytesPerGpu(s.gpus, s.bytes) / s.seconds;
    num += x * (1 - latency / s.seconds);
    den += x * x;
    ++nvls;
  }
  if (nvls > 0) {
    if (!(target.nvlink_per_direction > 0)) {
      return absl::InvalidArgumentError(
          "calibrate: all-reduce samples need the node's NVLink bandwidth (--node NODE)");
    }
    if (!(num > 0)) {
      return absl::InvalidArgumentError(
          "calibrate: the NVLS samples are not longer than the ring's latency (no bandwidth to "
          "fit)");
    }
    km.nvls_efficiency = den / (num * target.nvlink_per_direction);  // u = num / den
    p.set_nvls_efficiency(km.nvls_efficiency);
    p.set_nvls_samples(nvls);
  }
  if (g16 > 0) {
    p.set_tile_m(km.tile_m);
    p.set_tile_n(km.tile_n);
    p.set_gemm_efficiency(km.gemm_efficiency);
    p.set_weight_stream_efficiency(km.weight_stream_efficiency);
    p.set_gemm_launch_us(km.gemm_launch_s * 1e6);
    if (km.weight_stream_launch_s >= 0) p.set_weight_stream_launch_us(km.weight_stream_launch_s * 1e6);
  }
  if (g8 > 0) p.set_fp8_gemm_efficiency(km.fp8_gemm_efficiency);
  if (target.attention_efficiency > 0) {
    km.attention_efficiency = target.attention_efficiency;
    p.set_attention_efficiency(target.attention_efficiency);
    p.set_attention_source(target.attention_source);
  }
  // Fit errors, per operator / kind / all-reduce size decade.
  std::map<std::string, std::vector<double>> rel;
  std::vector<double> all_gemm;
  for (const auto& s : samples.gemms) {
    const double peak = s.fp8 ? target.peak_fp8 : target.peak_16bit;
    const double r =
        GemmSeconds(km, peak, target.hbm, s.m, s.n, s.k, s.bytes, s.fp8) / s.seconds - 1;
    rel[absl::StrCat("gemm ", s.op, s.fp8 ? " fp8" : "")].push_back(r);
    all_gemm.push_back(std::fabs(r));
  }
  for (const auto& s : samples.streams) {
    rel[absl::StrCat(StreamKindName(s.kind), " ", s.op)].push_back(
        StreamSeconds(km, s.kind, target.hbm, s.bytes) / s.seconds - 1);
  }
  for (const auto& s : samples.all_reduces) {
    const double predicted =
        s.nvls ? NvlsAllReduceSeconds(km, target.nvlink_per_direction, s.gpus, s.bytes)
               : NvlinkAllReduceSeconds(km, target.nvlink_per_direction, s.gpus, s.bytes);
    rel[absl::StrFormat("all_reduce%s %d GPUs %s", s.nvls ? "_nvls" : "", s.gpus,
                        SizeBand(s.bytes))]
        .push_back(predicted / s.seconds - 1);
  }
  for (const auto& [op, r] : rel) out.errors.push_back(ErrorsOf(op, r));
  p.set_gemm_samples(g16 + g8);
  p.set_gemm_fit_median_error(Median(all_gemm));
  // The files by name (without their row counts), then the sample totals.
  std::string source = "fitted by mlsysim calibrate to ";
  for (size_t i = 0; i < samples.files.size(); ++i) {
    const std::string& f = samples.files[i];
    absl::StrAppend(&source, i > 0 ? ", " : "", f.substr(0, f.find(" (")));
  }
  absl::StrAppend(&source, " (", g16 + g8, " GEMM, ", samples.streams.size(), " streaming, ",
                  samples.all_reduces.size(), " all-reduce samples)");
  p.set_source(source);
  // A fit the registry would refuse (an efficiency above 1.5 of the
  // datasheet figure) is refused here, before anything is written.
  if (absl::Status st = CheckMachineProfile(p); !st.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "calibrate: the fit is not physical: ", st.message(),
        "; the samples run faster than the accelerator and --node allow (check time_us is in "
        "microseconds, bytes in bytes, and the node)"));
  }
  return out;
}

KernelModel KernelModelOf(const registry::MachineProfile& p, const KernelModel& base) {
  KernelModel km = base;
  km.accelerator = p.accelerator();
  if (!p.source().empty()) {
    km.source = base.source.empty() ? p.source() : absl::StrCat(p.source(), "; over ", base.source);
  }
  if (p.sms() > 0) km.sms = p.sms();
  if (p.tile_m() > 0) km.tile_m = p.tile_m();
  if (p.tile_n() > 0) km.tile_n = p.tile_n();
  if (p.gemm_efficiency() > 0) {
    km.gemm_efficiency = p.gemm_efficiency();
    km.gemm_launch_s = p.gemm_launch_us() * 1e-6;
    km.weight_stream_launch_s =
        p.has_weight_stream_launch_us() ? p.weight_stream_launch_us() * 1e-6 : -1;
  }
  if (p.fp8_gemm_efficiency() > 0) km.fp8_gemm_efficiency = p.fp8_gemm_efficiency();
  if (p.weight_stream_efficiency() > 0) km.weight_stream_efficiency = p.weight_stream_efficiency();
  for (const auto& s : p.streaming()) {
    for (int kind = 0; kind < kStreamKinds; ++kind)
      if (s.kind() == StreamKindName(static_cast<StreamKind>(kind)))
        km.stream[kind] = {s.hbm_efficiency(), s.launch_us() * 1e-6};
  }
  if (p.attention_efficiency() > 0) km.attention_efficiency = p.attention_efficiency();
  if (p.nvlink_all_reduce_size() > 0) {
    km.nvlink_all_reduce.clear();
    for (const auto& a : p.nvlink_all_reduce()) {
      km.nvlink_all_reduce.push_back({a.gpus(), a.bus_efficiency(), a.latency_us() * 1e-6});
      for (const auto& l : a.small_messages())
        km.nvlink_all_reduce.back().small_messages.push_back(
            {l.bus_efficiency(), l.latency_us() * 1e-6, l.max_bytes()});
      auto& lines = km.nvlink_all_reduce.back().small_messages;
      std::sort(lines.begin(), lines.end(),
                [](const auto& x, const auto& y) { return x.max_bytes < y.max_bytes; });
    }
    std::sort(km.nvlink_all_reduce.begin(), km.nvlink_all_reduce.end(),
              [](const auto& a, const auto& b) { return a.gpus < b.gpus; });
  }
  if (p.nvls_efficiency() > 0) km.nvls_efficiency = p.nvls_efficiency();
  return km;
}

absl::Status RequireGemmFields(const registry::MachineProfile& p) {
  for (const auto& [field, set] : {std::pair<const char*, bool>{"sms", p.sms() > 0},
                                   {"gemm_efficiency", p.gemm_efficiency() > 0},
                                   {"weight_stream_efficiency", p.weight_stream_efficiency() > 0}}) {
    if (!set) {
      return absl::InvalidArgumentError(absl::StrCat(
          "machine '", p.accelerator(), "': ", field,
          " is required (no machine model of this accelerator to complete; fit GEMM samples "
          "with mlsysim calibrate)"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckMachineProfile(const registry::MachineProfile& p) {
  auto bad = [&](const std::string& field, const std::string& accepted) {
    return absl::InvalidArgumentError(absl::StrCat("machine '", p.accelerator(), "': ", field,
                                                   " out of range (accepted: ", accepted, ")"));
  };
  auto efficiency = [](double v) { return v >= 0 && v <= 1.5; };
  auto launch = [](double us) { return us >= 0 && us < 1e6; };
  if (p.accelerator().empty()) return absl::InvalidArgumentError("machine: accelerator is empty");
  if (p.sms() < 0 || p.sms() > 65536) return bad("sms", "1…65,536");
  if (p.tile_m() < 0 || p.tile_m() > 65536 || p.tile_n() < 0 || p.tile_n() > 65536)
    return bad("tile_m/tile_n", "1…65,536");
  if (!efficiency(p.gemm_efficiency())) return bad("gemm_efficiency", "(0, 1.5]");
  if (!efficiency(p.fp8_gemm_efficiency())) return bad("fp8_gemm_efficiency", "(0, 1.5]");
  if (!efficiency(p.weight_stream_efficiency())) return bad("weight_stream_efficiency", "(0, 1.5]");
  if (!efficiency(p.attention_efficiency())) return bad("attention_efficiency", "(0, 1.5]");
  if (!efficiency(p.nvls_efficiency())) return bad("nvls_efficiency", "(0, 1.5]");
  if (!launch(p.gemm_launch_us())) return bad("gemm_launch_us", "0…1e6");
  if (p.has_weight_stream_launch_us() && !launch(p.weight_stream_launch_us()))
    return bad("weight_stream_launch_us", "0…1e6");
  for (const auto& s : p.streaming()) {
    bool known = false;
    for (int kind = 0; kind < kStreamKinds; ++kind)
      known |= s.kind() == StreamKindName(static_cast<StreamKind>(kind));
    if (!known) return bad("streaming.kind '" + s.kind() + "'", "norm, activation, elementwise, rope");
    if (!(s.hbm_efficiency() > 0) || !efficiency(s.hbm_efficiency()))
      return bad("streaming.hbm_efficiency", "(0, 1.5]");
    if (!launch(s.launch_us())) return bad("streaming.launch_us", "0…1e6");
  }
  for (const auto& a : p.nvlink_all_reduce()) {
    if (a.gpus() < 2 || a.gpus() > 65536) return bad("nvlink_all_reduce.gpus", "2…65,536");
    if (!(a.bus_efficiency() > 0) || !efficiency(a.bus_efficiency()))
      return bad("nvlink_all_reduce.bus_efficiency", "(0, 1.5]");
    if (!launch(a.latency_us())) return bad("nvlink_all_reduce.latency_us", "0…1e6");
    for (const auto& l : a.small_messages()) {
      if (!(l.bus_efficiency() > 0) || !efficiency(l.bus_efficiency()))
        return bad("nvlink_all_reduce.small_messages.bus_efficiency", "(0, 1.5]");
      if (!launch(l.latency_us()))
        return bad("nvlink_all_reduce.small_messages.latency_us", "0…1e6");
      if (!(l.max_bytes() > 0 && l.max_bytes() <= 1e15))
        return bad("nvlink_all_reduce.small_messages.max_bytes", "(0, 1e15]");
    }
  }
  return absl::OkStatus();
}

}  // namespace mlsysim
