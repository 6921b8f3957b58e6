// eval_command.cc — `mlsysim eval` and `mlsysim serve`: mlsysim's
// three-level SystemEvaluation (feasibility, performance, macro) and the
// serving summary (`optimize` is in optimize_command.cc).
#include <cmath>
#include <cstdlib>
#include <ostream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "analytic/solvers/records.h"
#include "analytic/solvers/system_evaluation.h"
#include "cli/commands.h"
#include "cli/plan.h"
#include "traces/json_writer.h"

namespace mlsysim {
namespace {

bool IsYaml(const std::string& s) {
  return absl::EndsWith(s, ".yaml") || absl::EndsWith(s, ".yml");
}

int PrintEvaluation(const CommandContext& ctx, const SystemEvaluation& e, const Plan* plan) {
  // Constraint assertions (plans only).
  std::vector<Record> violations;
  if (plan != nullptr) {
    for (const PlanAssertion& a : plan->assertions) {
      const size_t dot = a.metric.find('.');
      const std::string level = a.metric.substr(0, dot), key = a.metric.substr(dot + 1);
      const EvaluationLevel& l = level == "feasibility"   ? e.feasibility
                                 : level == "performance" ? e.performance
                                                          : e.macro;
      const double v = l.metrics.GetNum(key);
      std::string why;
      if (std::isnan(v)) {
        why = absl::StrCat("metric '", a.metric, "' is not produced by this evaluation");
      } else if (a.max.has_value() && v > *a.max) {
        why = absl::StrFormat("%s = %.6g exceeds max %.6g", a.metric, v, *a.max);
      } else if (a.min.has_value() && v < *a.min) {
        why = absl::StrFormat("%s = %.6g is below min %.6g", a.metric, v, *a.min);
      }
      if (!why.empty()) {
        Record r;
        r.Str("metric", a.metric).Str("message", why);
        if (!std::isnan(v)) r.Num("value", v);
        violations.push_back(std::move(r));
      }
    }
  }
  const int code = !violations.empty()              ? kExitSlaFailed
                   : e.feasibility.status == "FAIL" ? kExitInfeasible
                                                    : kExitOk;
  if (ctx.format == OutputFormat::kJson) {
    if (!violations.empty()) {
      Record front;
      front.Str("status", "sla_failed").List("violations", std::move(violations));
      *ctx.out << EvaluationJson(e, &front) << "\n";
    } else {
      *ctx.out << EvaluationJson(e) << "\n";
    }
    return code;
  }
  *ctx.out << EvaluationText(e);
  if (!violations.empty()) {
    *ctx.out << "\nSLA FAILED\n";
    // The JSON object is what scripts read; print it on stdout as mlsysim does.
    Record front;
    front.Str("status", "sla_failed").List("violations", std::move(violations));
    *ctx.out << EvaluationJson(e, &front) << "\n";
  }
  return code;
}

constexpr const char kEvalHelp[] =
    "usage: mlsysim [-o json] eval MODEL HARDWARE [-b N] [-p PREC] [-e EFF] [-s SEQ]\n"
    "       mlsysim [-o json] eval PLAN.yaml\n"
    "  Feasibility, performance and macro (cost, carbon) levels of one system.\n"
    "  Exit 2 when the model does not fit; 3 when a plan's constraint fails.\n"
    "  --report FILE.html also writes an HTML report (roofline; a plan by wall).\n";

}  // namespace

int RunEval(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::string err = ParseOptions(args,
                                 {{"--batch-size", "-b", true},
                                  {"--precision", "-p", true},
                                  {"--efficiency", "-e", true},
                                  {"--seq-len", "-s", true},
                                  {"--help", "-h", false}},
                                 "eval", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << kEvalHelp;
    return kExitOk;
  }
  EvalInputs in;
  Plan plan;
  bool from_plan = false;
  if (o.positional.size() == 1 && IsYaml(o.positional[0])) {
    auto p = LoadPlan(o.positional[0]);
    if (!p.ok())
      return ReportError(ctx, kExitBadInput, "Bad plan", std::string(p.status().message()));
    plan = *p;
    from_plan = true;
    in.batch_size = plan.batch_size;
    in.seq_len = plan.seq_len;
    in.precision = plan.precision;
    in.efficiency = plan.efficiency;
    o.positional = {plan.model, plan.hardware};
  } else if (o.positional.size() != 2) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       "eval needs MODEL HARDWARE or a PLAN.yaml (see `mlsysim eval --help`)");
  }
  auto model = ctx.registry->FindModel(o.positional[0]);
  if (!model.ok())
    return ReportError(ctx, kExitBadInput, "Unknown model", std::string(model.status().message()));
  auto hw = ctx.registry->FindAccelerator(o.positional[1]);
  if (!hw.ok())
    return ReportError(ctx, kExitBadInput, "Unknown hardware", std::string(hw.status().message()));
  in.model = *model;
  in.hw = *hw;
  if (o.Has("--batch-size")) {
    auto b = ParseInt("--batch-size", o.Get("--batch-size", ""));
    if (!b.ok())
      return ReportError(ctx, kExitBadInput, "Bad input", std::string(b.status().message()));
    in.batch_size = *b;
  }
  if (o.Has("--seq-len")) {
    auto s = ParseInt("--seq-len", o.Get("--seq-len", ""));
    if (!s.ok())
      return ReportError(ctx, kExitBadInput, "Bad input", std::string(s.status().message()));
    in.seq_len = *s;
  }
  if (o.Has("--efficiency")) {
    auto e = ParseNumber("--efficiency", o.Get("--efficiency", ""));
    if (!e.ok())
      return ReportError(ctx, kExitBadInput, "Bad input", std::string(e.status().message()));
    in.efficiency = *e;
  }
  in.precision = o.Get("--precision", in.precision);
  if (!IsKnownPrecision(in.precision)) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("--precision: unknown precision '", in.precision,
                                    "'; accepted: ", kKnownPrecisions));
  }
  if (in.batch_size < 1) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("--batch-size must be >= 1; got ", in.batch_size));
  }
  if (!(in.efficiency >= 1e-9 && in.efficiency <= 1)) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("--efficiency must lie in [1e-9, 1]; got ", in.efficiency));
  }
  if (ctx.format == OutputFormat::kText && in.efficiency > 0.60) {
    *ctx.err << "warning: efficiency " << in.efficiency
             << " is above 0.60, optimistic for most workloads\n";
  }
  in.scenario =
      from_plan && !plan.name.empty() ? plan.name : absl::StrCat(in.model.key, " on ", in.hw.key);
  if (from_plan && plan.nodes > 1) {
    if (plan.nodes < 8) {
      return ReportError(
          ctx, kExitBadInput, "Bad input",
          "hardware.nodes: a fleet needs at least 8 accelerators (nodes // 8 servers)");
    }
    in.fleet = PlanFleet(plan, in.hw);
    in.fleet_nodes = plan.nodes;
    if (plan.has_ops) in.duration_days = plan.duration_days;
  }
  absl::StatusOr<SystemEvaluation> e = EvaluateSystem(*ctx.registry, in);
  if (!e.ok()) {
    return ReportError(ctx, kExitBadInput,
                       absl::IsNotFound(e.status()) ? "Bad registry" : "Bad input",
                       std::string(e.status().message()));
  }
  return PrintEvaluation(ctx, *e, from_plan ? &plan : nullptr);
}

int RunServe(const CommandContext& ctx, const CommandArgs& args) {
  ParsedOptions o;
  std::string err = ParseOptions(args,
                                 {{"--seq-len", "-s", true},
                                  {"--batch-size", "-b", true},
                                  {"--precision", "-p", true},
                                  {"--efficiency", "-e", true},
                                  {"--help", "-h", false}},
                                 "serve", &o);
  if (!err.empty()) return ReportError(ctx, kExitBadInput, "Bad input", err);
  if (o.Has("--help")) {
    *ctx.out << "usage: mlsysim [-o json] serve MODEL HARDWARE [-s SEQ] [-b N] [-p PREC] [-e EFF]\n"
                "  LLM serving: time to first token, inter-token latency, KV cache.\n"
                "  --report FILE.html also writes an HTML report (memory per accelerator).\n";
    return kExitOk;
  }
  if (o.positional.size() != 2) {
    return ReportError(ctx, kExitBadInput, "Bad input", "serve needs MODEL HARDWARE");
  }
  auto model = ctx.registry->FindModel(o.positional[0]);
  if (!model.ok())
    return ReportError(ctx, kExitBadInput, "Unknown model", std::string(model.status().message()));
  auto hw = ctx.registry->FindAccelerator(o.positional[1]);
  if (!hw.ok())
    return ReportError(ctx, kExitBadInput, "Unknown hardware", std::string(hw.status().message()));
  ServingOptions so;
  auto seq = ParseInt("--seq-len", o.Get("--seq-len", "2048"));
  auto b = ParseInt("--batch-size", o.Get("--batch-size", "1"));
  auto eta = ParseNumber("--efficiency", o.Get("--efficiency", "0.5"));
  for (const absl::Status& s : {seq.status(), b.status(), eta.status()})
    if (!s.ok()) return ReportError(ctx, kExitBadInput, "Bad input", std::string(s.message()));
  so.seq_len = *seq;
  so.batch_size = *b;
  so.efficiency = *eta;
  so.precision = o.Get("--precision", "fp16");
  if (!IsKnownPrecision(so.precision)) {
    return ReportError(ctx, kExitBadInput, "Bad input",
                       absl::StrCat("--precision: unknown precision '", so.precision,
                                    "'; accepted: ", kKnownPrecisions));
  }
  auto r = SolveServing(*model, *hw, so);
  if (!r.ok())
    return ReportError(ctx, kExitBadInput, "Bad input", std::string(r.status().message()));
  const double tokens_per_s = std::round(so.batch_size / (r->itl_ms / 1000.0) * 10.0) / 10.0;
  const double util = std::round(r->memory_utilization * 1000.0) / 1000.0;
  if (ctx.format == OutputFormat::kJson) {
    Record out;
    out.Str("model", model->key)
        .Str("hardware", hw->key)
        .Int("seq_len", so.seq_len)
        .Int("batch_size", so.batch_size)
        .Str("precision", so.precision)
        .Num("efficiency", so.efficiency)
        .Bool("feasible", r->feasible)
        .Num("ttft_ms", r->ttft_ms)
        .Num("itl_ms", r->itl_ms)
        .Num("tokens_per_sec", tokens_per_s)
        .Num("kv_cache_gb", r->kv_cache_size / 1e9)
        .Num("memory_utilization", util);
    *ctx.out << out.ToJson() << "\n";
  } else {
    *ctx.out << absl::StrFormat(
        "mlsysim serve: %s on %s (seq %d, batch %d, %s, efficiency %.2f)\n"
        "  feasible            %s\n"
        "  TTFT                %.3f ms\n"
        "  ITL                 %.3f ms\n"
        "  tokens/s            %.1f\n"
        "  KV cache            %.3f GB\n"
        "  weights             %.3f GB\n"
        "  memory utilization  %.1f %%\n",
        model->key, hw->key, so.seq_len, so.batch_size, so.precision, so.efficiency,
        r->feasible ? "yes" : "NO", r->ttft_ms, r->itl_ms, tokens_per_s, r->kv_cache_size / 1e9,
        r->model_weights_size / 1e9, r->memory_utilization * 100.0);
  }
  return r->feasible ? kExitOk : kExitInfeasible;
}

}  // namespace mlsysim
