// flow_classes.h — flows that are the same up to a symmetry of the fabric,
// found from their routes, simulated as one weighted flow per class.
//
// A template is a set of flows that always start together with the same bytes
// (one ring step of every gradient ring of a stage; one pipeline send of every
// replica). Given every template a simulation will start, FlowClasses computes
// the coarsest equitable partition of the bipartite flow–link incidence by
// colour refinement (1-dimensional Weisfeiler–Leman): flows are split into
// classes and the links they cross into cells such that
//   (a) every link of a cell has the same capacity and carries the same number
//       n(C, X) of flows of each class C, and
//   (b) every flow of a class belongs to one template, has the same latency and
//       crosses the same number of links of each cell.
// Then max-min fairness over the quotient — one flow per class instance that
// loads cell X with weight n(C, X), cells with their one link's capacity — is
// the per-flow max-min allocation exactly: progressive filling raises a
// class's flows together and saturates a cell's links together, so each flow
// keeps the bottleneck its class has. Because (a) and (b) are per class, they
// hold for any subset of the templates' instances active at once.
//
// The refinement hashes signatures; the result is then verified exactly
// (Refine fails rather than trust a hash). Where the routes have no symmetry
// (ECMP collisions) the classes are single flows and the caller should
// simulate per flow instead.
//
// Usage:
//   FlowClasses fc(graph.LinkCapacities());
//   int t = fc.AddTemplate();
//   fc.AddMember(t, graph.Route(0, 8, 0), 5e-6, /*unit=*/0);  ...
//   if (fc.Refine().ok()) { FlowNetwork net(sim, fc.cell_capacity()); ... }
#ifndef MLSYSIM_SIM_NETWORK_FLOW_CLASSES_H_
#define MLSYSIM_SIM_NETWORK_FLOW_CLASSES_H_

#include <cstdint>
#include <vector>

#include "absl/status/status.h"

namespace mlsysim {

class FlowClasses {
 public:
  explicit FlowClasses(std::vector<double> link_capacity);

  int AddTemplate();
  // A flow of template `tmpl`: its directed links, latency, and the unit it
  // belongs to (the party that waits for its own flows: a ring, a replica).
  void AddMember(int tmpl, const std::vector<int>& links, double latency_s, int unit);

  // Partitions and verifies. After success the quotient below is valid.
  // Gives up (ResourceExhausted) after `max_rounds` refinement rounds (24:
  // the symmetric layouts in tests/ and bench/ settle in 4 to 15).
  absl::Status Refine();
  void set_max_rounds(int rounds) { max_rounds_ = rounds; }

  struct Class {
    std::vector<int> cells;       // cells the class's flows cross
    std::vector<double> weights;  // n(C, X): its flows on each link of that cell
    double latency_s = 0;
    int members = 0;
  };
  int num_templates() const { return static_cast<int>(template_members_.size()); }
  const std::vector<double>& cell_capacity() const { return cell_capacity_; }
  const std::vector<Class>& classes() const { return classes_; }
  // The classes of a template (indices into classes()).
  const std::vector<int>& template_classes(int tmpl) const { return template_classes_[tmpl]; }
  // The distinct sets of a template's classes that one unit has flows in
  // (indices into template_classes(tmpl)).
  const std::vector<std::vector<int>>& unit_profiles(int tmpl) const {
    return unit_profiles_[tmpl];
  }
  size_t members() const { return member_tmpl_.size(); }
  int template_members(int tmpl) const { return template_members_[tmpl]; }
  int refinement_rounds() const { return rounds_; }

 private:
  std::vector<double> capacity_;
  // Members, flat.
  std::vector<int> member_tmpl_, member_unit_;
  std::vector<double> member_latency_;
  std::vector<uint32_t> member_offset_{0};
  std::vector<int> member_links_;
  std::vector<int> template_members_;
  // Result.
  std::vector<double> cell_capacity_;
  std::vector<Class> classes_;
  std::vector<std::vector<int>> template_classes_;
  std::vector<std::vector<std::vector<int>>> unit_profiles_;
  int rounds_ = 0, max_rounds_ = 24;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_FLOW_CLASSES_H_
