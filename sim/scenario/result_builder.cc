// result_builder.cc — see result_builder.h.
#include "sim/scenario/result_builder.h"

namespace mlsysim {

result::Result NewResult(const std::string& form, const std::string& name) {
  result::Result r;
  r.set_form(form);
  r.set_name(name);
  return r;
}

double RelativeGapOf(double simulated, double analytic) {
  if (analytic == 0) return simulated == 0 ? 0.0 : 1.0;
  return (simulated - analytic) / analytic;
}

void SetAnalytic(result::Metric* m, double analytic, const std::string& source,
                 const std::string& note) {
  m->set_analytic_source(source);
  if (!note.empty()) m->set_note(note);
  if (!std::isfinite(analytic)) {
    const std::string what =
        std::isnan(analytic) ? "undefined" : "unbounded (the closed form has no steady state)";
    m->set_note(m->note().empty() ? what : m->note() + "; " + what);
    return;
  }
  m->set_analytic(analytic);
  if (m->has_simulated()) m->set_relative_gap(RelativeGapOf(m->simulated(), analytic));
}

void SetEcho(result::Result* r, scenario::Scenario echo) {
  r->set_seed(echo.seed());
  r->set_replications(echo.replications());
  *r->mutable_scenario() = std::move(echo);
}

result::Section* AddSection(result::Result* r, const std::string& name, const std::string& title) {
  result::Section* s = r->add_sections();
  s->set_name(name);
  s->set_title(title);
  return s;
}

const result::Metric* FindMetric(const result::Result& r, const std::string& name) {
  for (const auto& m : r.metrics()) {
    if (m.name() == name) return &m;
  }
  for (const auto& s : r.sections()) {
    for (const auto& m : s.metrics()) {
      if (m.name() == name) return &m;
    }
  }
  return nullptr;
}

const result::Fact* FindFact(const result::Result& r, const std::string& name) {
  for (const auto& f : r.facts()) {
    if (f.name() == name) return &f;
  }
  for (const auto& s : r.sections()) {
    for (const auto& f : s.facts()) {
      if (f.name() == name) return &f;
    }
  }
  return nullptr;
}

}  // namespace mlsysim
