// golden_test.cc — parity with mlsysim v0.1.1: every case of
// tests/data/mlsysim_v011_cases.jsonl (produced by mlsysim itself) through the
// same dispatcher `mlsysim solve` uses. Numbers within 1e-9 relative (1e-12
// absolute where the expected value is 0), strings and booleans exactly,
// null as absent or null, "inf" as +infinity.
#include <cmath>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "analytic/solvers/solve_dispatch.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace mlsysim {
namespace {

using nlohmann::json;

struct GoldenCase {
  std::string id;
  json request;
  json expect;
};

std::vector<GoldenCase> LoadCases() {
  std::vector<GoldenCase> cases;
  std::ifstream in(std::string(MLSYSIM_TEST_DATA_DIR) + "/mlsysim_v011_cases.jsonl");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    json d = json::parse(line);
    cases.push_back({d["id"].get<std::string>(), d["request"], d["expect"]});
  }
  return cases;
}

// Compares one expected value with the produced one; returns "" when equal.
std::string Compare(const json& expected, const json* got) {
  json want = expected;
  if (want.is_object() && want.contains("value")) want = want["value"];
  if (want.is_null()) return (got == nullptr || got->is_null()) ? "" : "expected null";
  if (got == nullptr) return "missing";
  if (want.is_string() && want.get<std::string>() == "inf") {
    return (got->is_string() && got->get<std::string>() == "inf") ? "" : "expected inf";
  }
  if (want.is_boolean() || want.is_string()) return *got == want ? "" : "differs";
  if (want.is_object()) {
    if (!got->is_object()) return "expected an object";
    for (auto it = want.begin(); it != want.end(); ++it) {
      const json* sub = got->contains(it.key()) ? &(*got)[it.key()] : nullptr;
      std::string why = Compare(it.value(), sub);
      if (!why.empty()) return it.key() + ": " + why;
    }
    return "";
  }
  if (!got->is_number()) return "expected a number";
  const double w = want.get<double>(), g = got->get<double>();
  if (w == 0.0) return std::abs(g) <= 1e-12 ? "" : "expected 0";
  return std::abs(g - w) <= 1e-9 * std::abs(w) ? "" : "relative error above 1e-9";
}

TEST(GoldenTest, AllMlsysimV011CasesMatch) {
  const std::vector<GoldenCase> cases = LoadCases();
  ASSERT_EQ(cases.size(), 289u);
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok()) << reg.status();
  int checked_fields = 0;
  for (const GoldenCase& c : cases) {
    SolveOutcome out = SolveRequest(**reg, c.request);
    ASSERT_TRUE(out.ok) << c.id << ": " << out.error_field << ": " << out.error_message;
    const json got = json::parse(out.result.ToJson());
    for (auto it = c.expect.begin(); it != c.expect.end(); ++it) {
      const json* field = got.contains(it.key()) ? &got[it.key()] : nullptr;
      const std::string why = Compare(it.value(), field);
      EXPECT_EQ(why, "") << c.id << " field " << it.key() << ": expected " << it.value().dump()
                         << ", got " << (field ? field->dump() : "nothing");
      ++checked_fields;
    }
  }
  EXPECT_GT(checked_fields, 2000);
}

// Every quantity mlsysim v0.1.1 returns carries its unit in the golden file
// (its own pint output); the solver's record declares the same unit for that
// field (a "_days" field whose value is infinite carries "s" there: the
// field's name wins, contract §11), and nothing else is declared a quantity.
TEST(GoldenTest, EveryQuantityCarriesMlsysimsUnit) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok()) << reg.status();
  int checked = 0;
  for (const GoldenCase& c : LoadCases()) {
    SolveOutcome out = SolveRequest(**reg, c.request);
    ASSERT_TRUE(out.ok) << c.id;
    std::map<std::string, std::string> declared;
    for (const auto& [field, unit] : out.result.Units()) declared[field] = unit;
    for (auto it = c.expect.begin(); it != c.expect.end(); ++it) {
      if (it.value().is_number()) {  // a plain number in mlsysim: no unit here either
        EXPECT_EQ(declared[it.key()], "") << c.id << " field " << it.key();
        continue;
      }
      if (!it.value().is_object() || !it.value().contains("unit")) continue;
      std::string unit = it.value()["unit"].get<std::string>();
      if (it.key().size() > 5 && it.key().substr(it.key().size() - 5) == "_days") unit = "day";
      EXPECT_EQ(declared[it.key()], unit) << c.id << " field " << it.key();
      ++checked;
    }
  }
  EXPECT_GT(checked, 1500);
}

TEST(GoldenTest, ExpectMemberIsIgnoredAndIdsEcho) {
  auto reg = Registry::Builtin();
  ASSERT_TRUE(reg.ok());
  json req = {{"solver", "calc_ring_allreduce_time"},
              {"args",
               {{"message_bytes", "1 GB"},
                {"n_gpus", 8},
                {"bandwidth_bytes_s", "50 GB/s"},
                {"latency_s", "500 ns"}}}};
  SolveOutcome out = SolveRequest(**reg, req);
  ASSERT_TRUE(out.ok);
  EXPECT_NEAR(out.result.GetNum("time"), 0.035007, 1e-12);
}

}  // namespace
}  // namespace mlsysim
