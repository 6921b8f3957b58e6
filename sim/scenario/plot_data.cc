// plot_data.cc — plot data for results (see plot_data.h).
#include "sim/scenario/plot_data.h"

#include <algorithm>
#include <cmath>

#include "sim/core/statistics.h"

namespace mlsysim {

void AddSampleCdf(result::Result* r, const std::string& name, const std::string& unit,
                  std::vector<double> samples, const std::string& group, const std::string& note) {
  AddQuantileCdf(r, name, unit, QuantileGrid(samples), group, note);
}

void AddQuantileCdf(result::Result* r, const std::string& name, const std::string& unit,
                    const std::vector<double>& quantiles, const std::string& group,
                    const std::string& note) {
  if (quantiles.empty()) return;
  result::Series* s =
      AddCurve(r, name, "cdf", "simulated", unit, "1", quantiles, CdfGridProbabilities());
  s->set_group(group);
  s->set_note(note);
}

result::Series* AddCurve(result::Result* r, const std::string& name, const std::string& kind,
                         const std::string& source, const std::string& x_unit,
                         const std::string& y_unit, const std::vector<double>& x,
                         const std::vector<double>& y) {
  result::Series* s = r->add_series();
  s->set_name(name);
  s->set_kind(kind);
  s->set_source(source);
  s->set_x_unit(x_unit);
  s->set_y_unit(y_unit);
  const size_t n = std::min(x.size(), y.size());
  for (size_t i = 0; i < n; ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;  // JSON has no NaN
    s->add_x(x[i]);
    s->add_y(y[i]);
  }
  return s;
}

result::Series* AddFunctionCurve(result::Result* r, const std::string& name,
                                 const std::string& kind, const std::string& source,
                                 const std::string& x_unit, const std::string& y_unit, double lo,
                                 double hi, int points, bool log,
                                 const std::function<double(double)>& f) {
  std::vector<double> x, y;
  const bool use_log = log && lo > 0 && hi > lo;
  for (int i = 0; i < points; ++i) {
    const double u = points > 1 ? static_cast<double>(i) / (points - 1) : 0.0;
    const double v = use_log ? lo * std::pow(hi / lo, u) : lo + (hi - lo) * u;
    x.push_back(v);
    y.push_back(f(v));
  }
  return AddCurve(r, name, kind, source, x_unit, y_unit, x, y);
}

void AddSpan(result::Result* r, const std::string& lane, const std::string& kind, double start_s,
             double end_s, double value) {
  result::Span* s = r->add_spans();
  s->set_lane(lane);
  s->set_kind(kind);
  s->set_start_s(start_s);
  s->set_end_s(end_s);
  if (value != 0 && std::isfinite(value)) s->set_value(value);
}

TimeBins::TimeBins(double horizon_s, int bins)
    : horizon_s_(horizon_s > 0 ? horizon_s : 1.0),
      width_s_(horizon_s_ / std::max(1, bins)),
      sum_(static_cast<size_t>(std::max(1, bins)), 0.0) {}

void TimeBins::Add(double start_s, double end_s, double weight) {
  start_s = std::max(0.0, start_s);
  end_s = std::min(horizon_s_, end_s);
  if (!(end_s > start_s)) return;
  const auto last = static_cast<int64_t>(sum_.size()) - 1;
  int64_t b = std::min(last, static_cast<int64_t>(start_s / width_s_));
  for (; b <= last; ++b) {
    const double lo = std::max(start_s, b * width_s_), hi = std::min(end_s, (b + 1) * width_s_);
    if (hi <= lo) break;
    sum_[static_cast<size_t>(b)] += weight * (hi - lo);
  }
}

void TimeBins::AddAt(double t_s, double weight) {
  if (!(t_s >= 0) || t_s > horizon_s_) return;
  const auto b =
      std::min(static_cast<int64_t>(sum_.size()) - 1, static_cast<int64_t>(t_s / width_s_));
  sum_[static_cast<size_t>(b)] += weight;
}

std::vector<double> TimeBins::Centres() const {
  std::vector<double> c;
  for (size_t b = 0; b < sum_.size(); ++b) c.push_back((b + 0.5) * width_s_);
  return c;
}

std::vector<double> TimeBins::PerSecond(double divisor) const {
  std::vector<double> v;
  for (double s : sum_) v.push_back(s / (width_s_ * divisor));
  return v;
}

}  // namespace mlsysim
