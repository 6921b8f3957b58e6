// fuzz_calibrate_profile.cc — a kernel profile for `mlsysim calibrate` (Vidur's
// mlp.csv / all_reduce.csv or the plain op,time_us layout), then the fit on
// what parsed (kept small: Nelder–Mead runs per input).
#include "tests/fuzz/fuzz_common.h"
#include "topology/calibrate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  mlsysim::CalibrationSamples samples;
  if (!mlsysim::ParseProfileText(mlsysim::AsString(data, size), "fuzz.csv", &samples).ok()) return 0;
  if (samples.gemms.size() + samples.streams.size() + samples.all_reduces.size() > 16) return 0;
  mlsysim::CalibrationTarget target{"H100", 989e12, 1979e12, 3.35e12, 450e9, 132, 0.6, "fuzz"};
  auto fit = mlsysim::Calibrate(samples, target);
  if (fit.ok()) (void)mlsysim::CheckMachineProfile(fit->profile);
  return 0;
}
