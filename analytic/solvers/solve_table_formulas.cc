// solve_table_formulas.cc — `solve` entries for the calc_* formulas: each decodes its
// arguments (solve_args.h), calls the analytic layer and returns mlsysim's fields.
#include <cmath>
#include <functional>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "analytic/analysis.h"
#include "analytic/fleet.h"
#include "analytic/formulas.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "analytic/serving.h"
#include "analytic/solvers/records.h"
#include "analytic/solvers/solve_args.h"
#include "analytic/units.h"

namespace mlsysim {
namespace solve {
namespace {}  // namespace

void AddFormulaSolvers(SolverTable* table) {
  table->insert({
      {"calc_ring_allreduce_time",
       {{"message_bytes", "n_gpus", "bandwidth_bytes_s", "latency_s"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int n = a.Int32("n_gpus", 1);
          const double bw = a.Qty("bandwidth_bytes_s", dims::kByteRate, 0, true);
          const double lat = Time1(a, "latency_s", kLatencyNvlinkS);
          if (a.ok() && !(bw > 0)) a.Fail("bandwidth_bytes_s", "must be > 0");
          if (a.ok() && n < 1) a.Fail("n_gpus", "must be >= 1");
          return a.ok() ? FormulaTime(RingAllReduceTime(m, n, bw, lat)) : Record();
        }}},
      {"calc_tree_allreduce_time",
       {{"message_bytes", "n_gpus", "bandwidth_bytes_s", "latency_s"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int n = a.Int32("n_gpus", 1);
          const double bw = a.Qty("bandwidth_bytes_s", dims::kByteRate, 0, true);
          const double lat = Time1(a, "latency_s", kLatencyNvlinkS);
          if (a.ok() && !(bw > 0)) a.Fail("bandwidth_bytes_s", "must be > 0");
          if (a.ok() && n < 1) a.Fail("n_gpus", "must be >= 1");
          return a.ok() ? FormulaTime(TreeAllReduceTime(m, n, bw, lat)) : Record();
        }}},
      {"calc_all_to_all_time",
       {{"message_bytes", "n_gpus", "bandwidth_bytes_s", "latency_s"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int n = a.Int32("n_gpus", 1);
          const double bw = a.Qty("bandwidth_bytes_s", dims::kByteRate, 0, true);
          const double lat = Time1(a, "latency_s", kLatencyInfinibandS);
          if (a.ok() && !(bw > 0)) a.Fail("bandwidth_bytes_s", "must be > 0");
          if (a.ok() && n < 1) a.Fail("n_gpus", "must be >= 1 (0 is rejected)");
          return a.ok() ? FormulaTime(AllToAllTime(m, n, bw, lat)) : Record();
        }}},
      {"calc_hierarchical_allreduce_time",
       {{"message_bytes", "n_nodes", "gpus_per_node", "intra_node_bw", "inter_node_bw",
         "intra_node_lat", "inter_node_lat"},
        [](Args& a) {
          const double m = a.Qty("message_bytes", dims::kBytes, 0, true);
          const int nodes = a.Int32("n_nodes", 1);
          const int g = a.Int32("gpus_per_node", 1);
          const double intra = a.Qty("intra_node_bw", dims::kByteRate, 0, true);
          const double inter = a.Qty("inter_node_bw", dims::kByteRate, 0, true);
          const double il = Time1(a, "intra_node_lat", kLatencyNvlinkS);
          const double xl = Time1(a, "inter_node_lat", kLatencyInfinibandS);
          if (a.ok() && (nodes < 1 || g < 1))
            a.Fail("n_nodes", "n_nodes and gpus_per_node must be >= 1");
          if (a.ok() && !(intra > 0 && inter > 0))
            a.Fail("intra_node_bw", "bandwidths must be > 0");
          return a.ok() ? FormulaTime(HierarchicalAllReduceTime(m, nodes, g, intra, inter, il, xl))
                        : Record();
        }}},
      {"calc_pipeline_bubble",
       {{"n_stages", "n_microbatches", "v_stages"},
        [](Args& a) {
          a.Require("n_stages");
          a.Require("n_microbatches");
          const int p = a.Int32("n_stages", 1), m = a.Int32("n_microbatches", 1);
          const int v = a.Int32("v_stages", 1);
          if (a.ok() && (p < 1 || m < 1 || v < 1))
            a.Fail("n_stages", "n_stages, n_microbatches and v_stages must be >= 1");
          Record out;
          if (a.ok()) out.Num("bubble_fraction", PipelineBubble(p, m, v));
          return out;
        }}},
      {"calc_transformer_training_flops",
       {{"n_params", "n_tokens"},
        [](Args& a) {
          a.Require("n_params");
          a.Require("n_tokens");
          const double p = a.Num("n_params", 0), d = a.Num("n_tokens", 0);
          Record out;
          if (a.ok()) out.Num("flops", TrainingFlops(p, d), "flop");
          return out;
        }}},
      {"calc_young_interval",
       {{"checkpoint_time", "mtbf"},
        [](Args& a) {
          const double d = a.Qty("checkpoint_time", dims::kTime, 0, true);
          const double m = a.Qty("mtbf", dims::kTime, 0, true);
          Record out;
          if (a.ok()) out.Num("interval", YoungInterval(d, m), "s");
          return out;
        }}},
      {"calc_amdahls_speedup",
       {{"p", "s"},
        [](Args& a) {
          a.Require("p");
          a.Require("s");
          const double p = a.Num("p", 0), s = a.Num("s", 1);
          Record out;
          if (a.ok()) out.Num("speedup", AmdahlSpeedup(p, s));
          return out;
        }}},
#include "analytic/solvers/solve_formula_table.inc"
  });
}

}  // namespace solve
}  // namespace mlsysim
