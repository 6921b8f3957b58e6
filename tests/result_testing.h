// result_testing.h — reading a `simulate -o json` result in tests: parses it
// into the Result message with unknown fields rejected (the contract), and
// looks figures up by name.
// Usage: ParsedResult r(run.out); EXPECT_NEAR(r.Sim("ettr"), 0.99, 0.01);
#ifndef MLSYSIM_TESTS_RESULT_TESTING_H_
#define MLSYSIM_TESTS_RESULT_TESTING_H_

#include <cmath>
#include <limits>
#include <string>

#include "gtest/gtest.h"
#include "sim/scenario/result_builder.h"
#include "traces/result_report.h"

namespace mlsysim {

struct ParsedResult {
  explicit ParsedResult(const std::string& json) {
    const absl::Status st = ParseResultJson(json, &r);
    ok = st.ok();
    EXPECT_TRUE(ok) << st.message() << "\n" << json.substr(0, 400);
  }
  bool Has(const std::string& metric) const { return FindMetric(r, metric) != nullptr; }
  double Sim(const std::string& metric) const {
    const result::Metric* m = FindMetric(r, metric);
    EXPECT_TRUE(m && m->has_simulated()) << metric;
    return m && m->has_simulated() ? m->simulated() : std::numeric_limits<double>::quiet_NaN();
  }
  double Ana(const std::string& metric) const {
    const result::Metric* m = FindMetric(r, metric);
    EXPECT_TRUE(m && m->has_analytic()) << metric;
    return m && m->has_analytic() ? m->analytic() : std::numeric_limits<double>::quiet_NaN();
  }
  double Gap(const std::string& metric) const {
    const result::Metric* m = FindMetric(r, metric);
    EXPECT_TRUE(m && m->has_relative_gap()) << metric;
    return m && m->has_relative_gap() ? m->relative_gap()
                                      : std::numeric_limits<double>::quiet_NaN();
  }
  double Num(const std::string& fact) const {
    const result::Fact* f = FindFact(r, fact);
    EXPECT_TRUE(f && f->value_case() == result::Fact::kNumber) << fact;
    return f && f->value_case() == result::Fact::kNumber ? f->number()
                                                         : std::numeric_limits<double>::quiet_NaN();
  }
  std::string Text(const std::string& fact) const {
    const result::Fact* f = FindFact(r, fact);
    EXPECT_TRUE(f != nullptr) << fact;
    return f ? f->text() : "";
  }
  const result::Section* Section(const std::string& name) const {
    for (const auto& s : r.sections())
      if (s.name() == name) return &s;
    return nullptr;
  }
  result::Result r;
  bool ok = false;
};

}  // namespace mlsysim

#endif  // MLSYSIM_TESTS_RESULT_TESTING_H_
