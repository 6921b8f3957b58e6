// step_classes.cc — the step's ring steps and pipeline sends as flow-class
// templates (see step_classes.h).
#include "sim/training/step_classes.h"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sim/network/class_transfer.h"
#include "sim/network/double_tree.h"

namespace mlsysim {

std::unique_ptr<StepClasses> BuildStepClasses(const TrainingStepConfig& c, int dp,
                                              const ClusterGraph& graph, StepUnits units,
                                              std::string* why) {
  if (const char* off = WhyNoFlowAggregation(c); off != nullptr) {
    *why = off;
    return nullptr;
  }
  auto out = std::make_unique<StepClasses>(graph.LinkCapacities());
  const int p = c.pp, tp = c.tp;
  const bool full = !c.representative_replica;
  if (!full) units = StepUnits{};  // replica detail: one replica and ring already
  out->units = units;
  out->pp = p;
  out->tp = tp;
  out->replicas = units.replicas ? dp : 1;
  out->rings = units.rings ? tp : 1;
  const ClusterShape& shape = graph.shape();
  auto rank = [&](int r, int s, int t) { return (s * dp + r) * tp + t; };
  std::vector<int> path;
  // latency_scale: a double tree's flows wait out the pipeline's fill.
  auto add = [&](int tmpl, int src, int dst, int unit, double latency_scale = 1) {
    graph.RouteInto(src, dst, 0, path);
    out->classes.AddMember(
        tmpl, path,
        latency_scale * (graph.SameNode(src, dst) ? shape.nvlink_latency : shape.nic_latency),
        unit);
  };
  // Pipeline sends: forward from virtual stage j to j + 1, backward to j - 1.
  std::set<std::pair<int, int>> pairs;
  const int vstages = p * c.virtual_stages;
  for (int j = 0; j < vstages; ++j) {
    if (j + 1 < vstages) pairs.insert({j % p, (j + 1) % p});
    if (j > 0) pairs.insert({j % p, (j - 1) % p});
  }
  out->send.assign(static_cast<size_t>(out->replicas) * p * p, -1);
  const int covered = full ? dp : 1;  // replicas whose sends the templates carry
  for (int unit = 0; unit < out->replicas; ++unit) {
    for (const auto& [from, to] : pairs) {
      const int tmpl = out->classes.AddTemplate();
      out->send[(static_cast<size_t>(unit) * p + from) * p + to] = tmpl;
      for (int r = 0; r < covered; ++r) {
        if (units.replicas && r != unit) continue;
        for (int t = 0; t < tp; ++t) add(tmpl, rank(r, from, t), rank(r, to, t), r);
      }
    }
  }
  if (dp > 1) {
    // Per stage, one step of its gradient rings (each rank to the next), or
    // every edge of its double trees both ways (double_tree.h).
    const int ring_ranks = full ? tp : 1;  // TP ranks whose all-reduces the templates carry
    const std::vector<NcclAllReduceChoice> algorithms = GradientAlgorithms(c);
    const std::vector<TreeEdge> edges = DoubleBinaryTreeEdges(dp);
    const double fill = 2.0 * DoubleBinaryTreeDepth(dp);
    for (int s = 0; s < p; ++s) {
      const bool tree = algorithms[s].algorithm == CollectiveAlgorithm::kDoubleTree;
      for (int unit = 0; unit < out->rings; ++unit) {
        const int tmpl = out->classes.AddTemplate();
        out->ring.push_back(tmpl);
        for (int t = 0; t < ring_ranks; ++t) {
          if (units.rings && t != unit) continue;
          if (!tree) {
            for (int r = 0; r < dp; ++r) add(tmpl, rank(r, s, t), rank((r + 1) % dp, s, t), t);
            continue;
          }
          for (const TreeEdge& e : edges) {
            add(tmpl, rank(e.child, s, t), rank(e.parent, s, t), t, fill);
            add(tmpl, rank(e.parent, s, t), rank(e.child, s, t), t, fill);
          }
        }
      }
    }
  }
  if (absl::Status st = out->classes.Refine(); !st.ok()) {
    *why = absl::StrCat("off: ", st.message());
    return nullptr;
  }
  const size_t members = out->classes.members(), classes = out->TotalClasses();

  for (int t = 0; t < out->classes.num_templates(); ++t) {
    if (out->classes.template_classes(t).size() >= ClassTransfers::kMaxClassesPerTemplate) {
      *why = absl::StrCat("off: a template has ", out->classes.template_classes(t).size(),
                          " flow classes, more than a transfer's tag can name");
      return nullptr;
    }
  }
  if (classes * 2 > members) {
    *why = absl::StrCat("off: ", classes, " flow classes for ", members,
                        " flows (too little symmetry to gain)");
    return nullptr;
  }
  const char* what = units.replicas && units.rings ? "every replica and all-reduce"
                     : units.replicas               ? "every replica, one all-reduce per stage"
                     : units.rings ? "one replica, every all-reduce" : "one replica and all-reduce per stage";
  *why = absl::StrCat(classes, " flow classes for ", members, " flows (", what, "; ",
                      out->classes.refinement_rounds(), " refinement rounds)");
  return out;
}

StepUnits StepClasses::UnitsThatDiffer() const {
  StepUnits differ;
  for (int tmpl : send) {
    if (tmpl >= 0 && classes.unit_profiles(tmpl).size() > 1) differ.replicas = true;
  }
  for (int tmpl : ring) {
    if (classes.unit_profiles(tmpl).size() > 1) differ.rings = true;
  }
  differ.replicas = differ.replicas && !units.replicas;
  differ.rings = differ.rings && !units.rings;
  return differ;
}

}  // namespace mlsysim
