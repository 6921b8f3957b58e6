// result_builder.h — filling the one result contract (proto/result.proto):
// metrics from single values or from independent replications (mean and a
// Student-t 95 % half-width, absent for one replication), the closed form
// beside a figure with its relative gap, facts and breakdown sections.
// Non-finite values are never written: an unbounded closed form (an unstable
// queue) becomes a note, so no report shows `nan` or a filler zero CI.
// Usage: result::Result r = NewResult("queue", "M/M/2");
//        auto* m = AddReplicated(&r, "wait_mean", "s", per_rep);
//        SetAnalytic(m, 1.2857, "M/M/c");
#ifndef MLSYSIM_SIM_SCENARIO_RESULT_BUILDER_H_
#define MLSYSIM_SIM_SCENARIO_RESULT_BUILDER_H_

#include <cmath>
#include <string>
#include <vector>

#include "proto/result.pb.h"
#include "sim/core/statistics.h"

namespace mlsysim {

result::Result NewResult(const std::string& form, const std::string& name);

// The closed form beside `m` (and the gap, when `m` has a simulated value).
// A non-finite `analytic` is recorded as a note ("unbounded: ...").
void SetAnalytic(result::Metric* m, double analytic, const std::string& source,
                 const std::string& note = "");

// (simulated − analytic) / analytic; 0 when both are 0.
double RelativeGapOf(double simulated, double analytic);

// `Owner` is result::Result or result::Section (both hold metrics and facts).
template <class Owner>
result::Metric* AddMetric(Owner* o, const std::string& name, const std::string& unit,
                          double simulated) {
  result::Metric* m = o->add_metrics();
  m->set_name(name);
  m->set_unit(unit);
  if (std::isfinite(simulated)) m->set_simulated(simulated);
  return m;
}

// The mean over replications, with the 95 % half-width when there are two or more.
template <class Owner>
result::Metric* AddReplicated(Owner* o, const std::string& name, const std::string& unit,
                              const std::vector<double>& per_replication) {
  const auto [mean, half] = MeanCi95(per_replication);
  result::Metric* m = AddMetric(o, name, unit, mean);
  if (per_replication.size() >= 2 && std::isfinite(half)) m->set_ci95(half);
  return m;
}

// One row of a form's metric table: a figure read from each replication's
// run, its unit, and (optionally) how it is summed up — the replication
// mean ± 95 % CI via AddReplicatedTable.
template <class Run>
struct ReplicatedMetric {
  const char* name;
  const char* unit;
  double Run::*field;
};

// Every row of `table` as a replicated metric over `runs`, in table order;
// returns the metrics by row.
template <class Owner, class Run, size_t N>
std::vector<result::Metric*> AddReplicatedTable(Owner* o, const ReplicatedMetric<Run> (&table)[N],
                                                const std::vector<Run>& runs) {
  std::vector<result::Metric*> out;
  for (const ReplicatedMetric<Run>& row : table) {
    std::vector<double> x;
    x.reserve(runs.size());
    for (const Run& r : runs) x.push_back(r.*(row.field));
    out.push_back(AddReplicated(o, row.name, row.unit, x));
  }
  return out;
}

// A closed form with no simulated counterpart (e.g. Young's interval).
template <class Owner>
result::Metric* AddClosedForm(Owner* o, const std::string& name, const std::string& unit,
                              double analytic, const std::string& source) {
  result::Metric* m = o->add_metrics();
  m->set_name(name);
  m->set_unit(unit);
  SetAnalytic(m, analytic, source);
  return m;
}

template <class Owner>
void AddFact(Owner* o, const std::string& name, const std::string& text) {
  result::Fact* f = o->add_facts();
  f->set_name(name);
  f->set_text(text);
}
template <class Owner>
void AddFact(Owner* o, const std::string& name, double number, const std::string& unit = "") {
  result::Fact* f = o->add_facts();
  f->set_name(name);
  if (std::isfinite(number))
    f->set_number(number);
  else
    f->set_text(std::isnan(number) ? "undefined" : (number > 0 ? "unbounded" : "-unbounded"));
  f->set_unit(unit);
}
template <class Owner>
void AddFlag(Owner* o, const std::string& name, bool flag) {
  result::Fact* f = o->add_facts();
  f->set_name(name);
  f->set_flag(flag);
}

// The scenario as run, with the seed and replications actually used.
void SetEcho(result::Result* r, scenario::Scenario echo);

result::Section* AddSection(result::Result* r, const std::string& name, const std::string& title);

// Lookups (nullptr when absent): top-level metrics first, then sections.
const result::Metric* FindMetric(const result::Result& r, const std::string& name);
const result::Fact* FindFact(const result::Result& r, const std::string& name);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_RESULT_BUILDER_H_
