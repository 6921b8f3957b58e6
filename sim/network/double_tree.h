// double_tree.h — NCCL's double binary tree over N ranks, as the edges a
// pipelined tree all-reduce streams at once.
//
// Tree A is the in-order "bit" tree over positions 0..N−1: position 0 is the
// root and has one child, the largest power of two ≤ N − 1; a position p whose
// lowest set bit is 2^k (k ≥ 1) has the children p − 2^(k−1) and p + 2^j for
// the largest j < k with p + 2^j ≤ N − 1; odd positions are leaves. Tree B is
// the same shape over relabelled ranks — mirrored (rank N − 1 − p) when N is
// even, shifted (rank p + 1 mod N) when odd — so that every rank is a leaf in
// one of the two trees, or the root of tree A with its single child (Sanders,
// Speck & Träff 2009; NCCL 2.4): no rank is on more than four tree edges.
// Each tree reduces half the buffer towards its root and broadcasts it back.
//
// As a flow schedule (collective.h, algorithm double_tree): every edge of both
// trees carries M/2 up and M/2 down, all at once (the pipeline's steady
// state), each flow delayed by the pipeline's fill, 2·depth·α. A rank sends
// and receives at most four of these flows, so on an idle non-blocking
// fabric with B per NIC the all-reduce takes 2·depth·α + 2M/B for N ≥ 4 —
// the ring's bandwidth term, with a latency term logarithmic in N instead of
// 2(N − 1)·α.
//
// Usage:
//   for (const TreeEdge& e : DoubleBinaryTreeEdges(n)) ...  // e.child, e.parent: ranks
//   int d = DoubleBinaryTreeDepth(n);
#ifndef MLSYSIM_SIM_NETWORK_DOUBLE_TREE_H_
#define MLSYSIM_SIM_NETWORK_DOUBLE_TREE_H_

#include <vector>

namespace mlsysim {

struct TreeEdge {
  int child, parent;  // indices 0..N−1 into the collective's ranks
};

// The N − 1 edges of tree A, then the N − 1 of tree B (none for N ≤ 1).
std::vector<TreeEdge> DoubleBinaryTreeEdges(int n);

// Edges from the root to the deepest leaf (both trees have the same shape);
// 0 for N ≤ 1, else ⌊log2(N − 1)⌋ + 1.
int DoubleBinaryTreeDepth(int n);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_NETWORK_DOUBLE_TREE_H_
