// plot_data.h — the plot data a Result carries (proto/result.proto Series and
// Span) for `mlsysim report` and the Python `Result.plot`: empirical CDFs on a
// fixed probability grid, closed-form curves, time-binned series.
// Usage: AddSampleCdf(&out, "ttft_s", "s", ttfts, "", "all replications pooled");
//        AddCurve(&out, "sojourn_s", "cdf", "M/M/c exact", "s", "1", xs, ys);
#ifndef MLSYSIM_SIM_SCENARIO_PLOT_DATA_H_
#define MLSYSIM_SIM_SCENARIO_PLOT_DATA_H_

#include <functional>
#include <string>
#include <vector>

#include "proto/result.pb.h"

namespace mlsysim {

// The empirical CDF of `samples` (any order) at CdfGridProbabilities().
void AddSampleCdf(result::Result* r, const std::string& name, const std::string& unit,
                  std::vector<double> samples, const std::string& group, const std::string& note);

// A CDF given as quantiles at CdfGridProbabilities().
void AddQuantileCdf(result::Result* r, const std::string& name, const std::string& unit,
                    const std::vector<double>& quantiles, const std::string& group,
                    const std::string& note);

// y(x) drawn from given points; `kind` is "cdf", "time" or "curve".
result::Series* AddCurve(result::Result* r, const std::string& name, const std::string& kind,
                         const std::string& source, const std::string& x_unit,
                         const std::string& y_unit, const std::vector<double>& x,
                         const std::vector<double>& y);

// `points` evenly spaced x in [lo, hi] (log-spaced when `log` and lo > 0), y = f(x).
result::Series* AddFunctionCurve(result::Result* r, const std::string& name,
                                 const std::string& kind, const std::string& source,
                                 const std::string& x_unit, const std::string& y_unit, double lo,
                                 double hi, int points, bool log,
                                 const std::function<double(double)>& f);

void AddSpan(result::Result* r, const std::string& lane, const std::string& kind, double start_s,
             double end_s, double value = 0);

// Time bins: `bins` equal bins over [0, horizon_s). Add(start, end, w) spreads
// weight w·overlap over the bins [start, end) touches (a time average after
// Average()); AddAt(t, w) puts w in t's bin (a rate after Rate()).
class TimeBins {
 public:
  TimeBins(double horizon_s, int bins);
  void Add(double start_s, double end_s, double weight);
  void AddAt(double t_s, double weight);
  // Bin centres.
  std::vector<double> Centres() const;
  // Each bin's sum / (bin width · divisor).
  std::vector<double> PerSecond(double divisor = 1) const;

 private:
  double horizon_s_, width_s_;
  std::vector<double> sum_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_PLOT_DATA_H_
