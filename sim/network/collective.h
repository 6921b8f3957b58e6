// collective.h — collectives as schedules of flows on the cluster graph:
// ring / tree / hierarchical all-reduce, reduce-scatter, all-gather and
// pairwise all-to-all, plus point-to-point. Steps are synchronous: a step's
// flows start together and the next step starts when all have arrived. On an
// idle network each schedule takes exactly its α-β formula (to the clock's
// nanosecond per step); under contention the gap is the point.
//
//   ring all-reduce      2(N−1) steps of M/N to the next rank
//   ring reduce-scatter  N−1 steps of M/N;  ring all-gather: the same
//   tree all-reduce      binomial reduce then broadcast: 2⌈log2 N⌉ steps of M
//   double_tree          NCCL's pipelined double binary tree (double_tree.h):
//                        one step, every tree edge streaming M/2 up and M/2
//                        down at once, each flow delayed by 2·depth·α
//   all-to-all           N−1 pairwise-exchange steps of M/N
//   direct               every rank sends M/N to every other rank at once:
//                        one step (all-reduce: two, reduce-scatter then
//                        all-gather); on a non-blocking fabric
//                        (N−1)/N·M/β + α per step (ASTRA-sim's "direct")
//   nvls                 NVLink SHARP inside one NVSwitch: the switch sums what
//                        the GPUs send and multicasts the result; one step,
//                        each GPU streaming up and down its own NVLink port
//                        (all-reduce S(N+1)/N each way; reduce-scatter S up,
//                        S/N down; all-gather S/N up, S down), + α
//   hierarchical         reduce-scatter in each node (G−1 steps of M/G), ring
//                        all-reduce of M/G across the K nodes on every rail,
//                        all-gather in each node: ring(M,G) + ring(M/G,K)
//
// Usage:
//   Collective c(sim, net, graph, {.op = CollectiveOp::kAllReduce, .ranks = {0..7},
//                                  .message_bytes = 1e9}, &done_observer, /*tag=*/1);
//   c.Start(); sim.Run();  // done_observer.OnCollectiveComplete(1, t)
#ifndef MLSYSIM_SIM_NETWORK_COLLECTIVE_H_
#define MLSYSIM_SIM_NETWORK_COLLECTIVE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "sim/core/simulator.h"
#include "sim/network/flow_network.h"
#include "topology/cluster_graph.h"

namespace mlsysim {

enum class CollectiveOp { kAllReduce, kReduceScatter, kAllGather, kAllToAll };
enum class CollectiveAlgorithm { kRing, kTree, kHierarchical, kDirect, kDoubleTree, kNvls };

absl::Status ParseCollectiveOp(absl::string_view name, CollectiveOp* op);
absl::Status ParseCollectiveAlgorithm(absl::string_view name, CollectiveAlgorithm* algorithm);
const char* CollectiveAlgorithmName(CollectiveAlgorithm algorithm);

// NVLink SHARP: what each GPU's port carries into the switch and out of it
// for a buffer of `m` bytes over `n` ranks (all-reduce S(N+1)/N each way,
// reduce-scatter S up and S/N down, all-gather S/N up and S down).
struct NvlsPortBytes {
  double up = 0, down = 0;
};
NvlsPortBytes NvlsTraffic(CollectiveOp op, int n, double m);

struct CollectiveSpec {
  CollectiveOp op = CollectiveOp::kAllReduce;
  CollectiveAlgorithm algorithm = CollectiveAlgorithm::kRing;
  std::vector<int> ranks;    // global ranks, in ring order
  double message_bytes = 0;  // M: the buffer each rank holds
};

class CollectiveObserver {
 public:
  virtual ~CollectiveObserver() = default;
  virtual void OnCollectiveComplete(uint64_t tag, SimTime now) = 0;
};

class Collective : public FlowObserver {
 public:
  Collective(Simulator& sim, FlowNetwork& net, const ClusterGraph& graph, CollectiveSpec spec,
             CollectiveObserver* observer, uint64_t tag);

  // Checks that the algorithm supports the op and the ranks' layout.
  absl::Status Validate() const;
  void Start() { StartAt(-1); }
  // Starts at the continuous instant `start_s` (<= now; < 0 means now), so a
  // collective can follow its trigger exactly rather than at the rounded event.
  void StartAt(double start_s);
  void OnFlowComplete(uint64_t tag, SimTime now) override;

  int total_steps() const { return total_steps_; }
  SimTime start_time() const { return start_; }
  SimTime end_time() const { return end_; }
  // Exact (continuous) duration, free of per-step clock rounding.
  double exact_seconds() const { return step_end_s_ - exact_start_s_; }
  double exact_end_seconds() const { return step_end_s_; }
  bool done() const { return done_; }
  // The balls-in-bins closed form for ECMP hashing: for each step, the flows
  // leaving each leaf for another leaf pick one of its up-links at random;
  // the expected largest number of flows on one up-link, taken over leaves
  // and averaged over steps weighted by the step's bytes per flow. 1 means no
  // expected collision. An estimate (down-links and max-min re-sharing are not
  // in it), shown beside ECMP results.
  double ExpectedEcmpSlowdown() const;

 private:
  struct Transfer {
    int src, dst;  // global ranks
    double bytes;
    // kRoute: src to dst over the graph; kUp / kDown: only src's NVLink into
    // its NVSwitch / only dst's out of it (a switch-side reduction).
    enum Leg { kRoute, kUp, kDown } leg = kRoute;
  };
  void StepTransfers(int step, std::vector<Transfer>& out) const;
  void LaunchStep();

  Simulator& sim_;
  FlowNetwork& net_;
  const ClusterGraph& graph_;
  CollectiveSpec spec_;
  CollectiveObserver* observer_;
  uint64_t tag_;
  int n_ = 0;                              // ranks
  int g_ = 1, k_ = 1;                      // hierarchical: GPUs per node, nodes
  std::vector<std::vector<int>> by_node_;  // hierarchical: ranks grouped by node
  int total_steps_ = 0;
  int tree_depth_ = 0;  // double_tree: the trees' depth
  int step_ = 0;
  int outstanding_ = 0;
  SimTime start_ = 0, end_ = 0;
  double step_start_s_ = 0, step_end_s_ = 0;  // exact (continuous) step bounds
  double exact_start_s_ = 0;
  bool done_ = false;
  std::vector<Transfer> scratch_;
  std::vector<int> path_;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_COLLECTIVE_H_
