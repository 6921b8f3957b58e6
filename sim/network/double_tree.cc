// double_tree.cc — the double binary tree's edges (see double_tree.h).
#include "sim/network/double_tree.h"

#include <cstddef>

namespace mlsysim {
namespace {

int LowestBitIndex(int p) {
  int k = 0;
  while (((p >> k) & 1) == 0) ++k;
  return k;
}

// Tree A's parent of each position (−1 for the root, position 0).
std::vector<int> BitTreeParents(int n) {
  std::vector<int> parent(n, -1);
  if (n <= 1) return parent;
  int top = 1;
  while (top * 2 <= n - 1) top *= 2;
  parent[top] = 0;
  // Walk down from `top`: each position below names its parent.
  std::vector<int> stack = {top};
  while (!stack.empty()) {
    const int p = stack.back();
    stack.pop_back();
    const int k = LowestBitIndex(p);
    if (k == 0) continue;  // odd positions are leaves
    const int left = p - (1 << (k - 1));
    parent[left] = p;
    stack.push_back(left);
    for (int j = k - 1; j >= 0; --j) {
      if (p + (1 << j) <= n - 1) {
        parent[p + (1 << j)] = p;
        stack.push_back(p + (1 << j));
        break;
      }
    }
  }
  return parent;
}

}  // namespace

std::vector<TreeEdge> DoubleBinaryTreeEdges(int n) {
  std::vector<TreeEdge> edges;
  if (n <= 1) return edges;
  const std::vector<int> parent = BitTreeParents(n);
  edges.reserve(2 * static_cast<size_t>(n - 1));
  for (int p = 1; p < n; ++p) edges.push_back({p, parent[p]});
  auto relabel = [n](int p) { return n % 2 == 0 ? n - 1 - p : (p + 1) % n; };
  for (int p = 1; p < n; ++p) edges.push_back({relabel(p), relabel(parent[p])});
  return edges;
}

int DoubleBinaryTreeDepth(int n) {
  if (n <= 1) return 0;
  const std::vector<int> parent = BitTreeParents(n);
  int deepest = 0;
  for (int p = 1; p < n; ++p) {
    int d = 0;
    for (int q = p; q != 0; q = parent[q]) ++d;
    if (d > deepest) deepest = d;
  }
  return deepest;
}

}  // namespace mlsysim
