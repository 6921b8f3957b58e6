// sweep_runner.cc — see sweep_runner.h.
#include "sim/scenario/sweep_runner.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "sim/scenario/runners.h"

namespace mlsysim {
namespace {

void Flatten(const result::Result& r, const std::string& prefix,
             std::vector<std::pair<std::string, double>>* out) {
  auto metric = [&](const result::Metric& m) {
    if (m.has_simulated()) {
      out->push_back({prefix + m.name(), m.simulated()});
      // Beside a simulated figure: its 95 % half-width and its closed form.
      if (m.has_ci95()) out->push_back({prefix + m.name() + ".ci95", m.ci95()});
      if (m.has_analytic()) out->push_back({prefix + m.name() + ".closed_form", m.analytic()});
    } else if (m.has_analytic()) {
      out->push_back({prefix + m.name(), m.analytic()});
    }
  };
  auto fact = [&](const result::Fact& f) {
    if (f.value_case() == result::Fact::kNumber) out->push_back({prefix + f.name(), f.number()});
  };
  for (const auto& m : r.metrics()) metric(m);
  for (const auto& f : r.facts()) fact(f);
  for (const auto& s : r.sections()) {
    for (const auto& m : s.metrics()) metric(m);
    for (const auto& f : s.facts()) fact(f);
  }
  for (const auto& p : r.parts()) Flatten(p, prefix + p.form() + ".", out);
}

}  // namespace

double RowValue(const SweepRow& row, const std::string& name) {
  for (const sweep::NamedValue& m : row.metrics()) {
    if (m.name() == name) return m.value();
  }
  return std::numeric_limits<double>::quiet_NaN();
}

void FlattenResult(const result::Result& r, SweepRow* row) {
  std::vector<std::pair<std::string, double>> out;
  Flatten(r, "", &out);
  for (auto& [name, value] : out) {
    sweep::NamedValue* m = row->add_metrics();
    m->set_name(std::move(name));
    m->set_value(value);
  }
}

void JudgeRow(const sweep::Sweep& s, SweepRow* row) {
  row->set_feasible(row->status() == "ok");
  for (const auto& c : s.constraints()) {
    if (!row->feasible()) return;
    const double v = RowValue(*row, c.metric());
    const std::string& op = c.op();
    const bool holds = op == "<="   ? v <= c.value()
                       : op == "<"  ? v < c.value()
                       : op == ">=" ? v >= c.value()
                       : op == ">"  ? v > c.value()
                       : op == "==" ? v == c.value()
                                    : false;
    row->set_feasible(holds);  // NaN (a missing metric) fails every constraint
  }
}

double ObjectiveValue(const sweep::Objective& o, const SweepRow& row) {
  double v = RowValue(row, o.metric());
  if (!o.per().empty()) v /= RowValue(row, o.per());
  return v;
}

double ObjectiveCi(const sweep::Objective& o, const SweepRow& row) {
  double ci = RowValue(row, o.metric() + ".ci95");
  if (!std::isfinite(ci)) return 0;
  if (!o.per().empty()) ci /= std::fabs(RowValue(row, o.per()));
  return std::isfinite(ci) ? ci : 0;
}

std::string UnitOfMetricName(const std::string& name) {
  const struct {
    const char* suffix;
    const char* unit;
  } kSuffixes[] = {{"_s", "s"},     {"_usd", "USD"}, {"_j", "J"}, {"_kwh", "kWh"},
                   {"_bytes", "B"}, {"_h", "h"},     {"_g", "g"}, {"_kg", "kg"}};
  for (const auto& k : kSuffixes) {
    const std::string suffix = k.suffix;
    if (name.size() > suffix.size() &&
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
      return k.unit;
  }
  return "";
}

SweepRow RunSweepPoint(const sweep::Sweep& s, const SweepPoint& point, int64_t index,
                       const std::string& dir, const RunContext& rc) {
  SweepRow row;
  row.set_index(index);
  row.mutable_point()->Assign(point.begin(), point.end());
  auto scenario = PointScenario(s, point, index);
  absl::StatusOr<result::Result> r = scenario.ok()
                                         ? RunScenario(*scenario, dir, rc)
                                         : absl::StatusOr<result::Result>(scenario.status());
  if (!r.ok()) {
    row.set_status(absl::IsFailedPrecondition(r.status()) ? "infeasible" : "error");
    row.set_error(std::string(r.status().message()));
    return row;
  }
  row.set_status("ok");
  FlattenResult(*r, &row);
  JudgeRow(s, &row);
  return row;
}

void RunSweepPoints(const std::vector<int64_t>& todo, int jobs,
                    const std::function<SweepRow(int64_t)>& run_point,
                    const std::function<void(SweepRow)>& on_done, const std::atomic<bool>* stop) {
  std::atomic<size_t> next{0};
  std::mutex done_mu;
  auto worker = [&] {
    while (stop == nullptr || !stop->load()) {
      const size_t k = next.fetch_add(1);
      if (k >= todo.size()) return;
      SweepRow row = run_point(todo[k]);
      std::lock_guard<std::mutex> lock(done_mu);
      on_done(std::move(row));
    }
  };
  std::vector<std::thread> threads;
  for (int j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
}

SweepSummary Summarize(const sweep::Sweep& s, const std::vector<SweepRow>& rows) {
  SweepSummary sum;
  std::vector<const SweepRow*> feasible;
  for (const SweepRow& r : rows) {
    if (r.status() == "ok") ++sum.ok;
    if (r.status() == "infeasible") ++sum.infeasible;
    if (r.status() == "error") ++sum.errors;
    if (r.feasible()) {
      ++sum.feasible;
      feasible.push_back(&r);
    }
  }
  if (s.objectives_size() == 0) return sum;
  // Minimization vectors (maximized objectives negated); NaN rows are skipped.
  std::vector<std::vector<double>> v;
  std::vector<const SweepRow*> cand;
  for (const SweepRow* r : feasible) {
    std::vector<double> x;
    bool ok = true;
    for (const auto& o : s.objectives()) {
      const double y = ObjectiveValue(o, *r);
      if (!std::isfinite(y)) ok = false;
      x.push_back(o.maximize() ? -y : y);
    }
    if (ok) {
      v.push_back(std::move(x));
      cand.push_back(r);
    }
  }
  size_t best_pos = cand.size();
  for (size_t i = 0; i < cand.size(); ++i) {
    bool dominated = false;
    for (size_t j = 0; j < cand.size() && !dominated; ++j) {
      if (i == j) continue;
      bool no_worse = true, better = false;
      for (size_t k = 0; k < v[i].size(); ++k) {
        no_worse = no_worse && v[j][k] <= v[i][k];
        better = better || v[j][k] < v[i][k];
      }
      dominated = no_worse && better;
    }
    if (!dominated) sum.pareto.push_back(cand[i]->index());
    // Best: the first objective, ties broken by the next ones, then the lower index.
    if (best_pos == cand.size() || v[i] < v[best_pos] ||
        (v[i] == v[best_pos] && cand[i]->index() < cand[best_pos]->index())) {
      best_pos = i;
    }
  }
  if (best_pos < cand.size()) {
    sum.best = cand[best_pos]->index();
    const sweep::Objective& first = s.objectives(0);
    const double best_v = ObjectiveValue(first, *cand[best_pos]);
    const double best_ci = ObjectiveCi(first, *cand[best_pos]);
    for (size_t i = 0; i < cand.size(); ++i) {
      if (i == best_pos) continue;
      const double v = ObjectiveValue(first, *cand[i]);
      const double ci = ObjectiveCi(first, *cand[i]);
      if (v == best_v) {
        sum.tied.push_back(cand[i]->index());
      } else if (std::fabs(v - best_v) <= ci + best_ci) {
        sum.tied.push_back(cand[i]->index());
        sum.tied_by_noise = true;
      }
    }
    std::sort(sum.tied.begin(), sum.tied.end());
  }
  std::sort(sum.pareto.begin(), sum.pareto.end());
  return sum;
}

}  // namespace mlsysim
