// walls.h — the 22-wall taxonomy of mlsysim v0.1.1 (core/walls.py, contract §3).
// Usage: const Wall* w = FindWall(14);  // Communication, resolved by DistributedModel
#ifndef MLSYSIM_ANALYTIC_WALLS_H_
#define MLSYSIM_ANALYTIC_WALLS_H_

#include <span>
#include <vector>
#include "absl/strings/string_view.h"

namespace mlsysim {

struct Wall {
  int number;
  absl::string_view name;
  absl::string_view domain;
  absl::string_view resolver;
  absl::string_view equation;
};

// All 22 walls, numbered 1–22, in order.
std::span<const Wall> AllWalls();
// nullptr when `number` is outside 1–22.
const Wall* FindWall(int number);
// The wall numbers a solver resolves (SingleNodeModel/Engine -> {1, 2}).
std::vector<int> WallsOfSolver(absl::string_view solver);

}  // namespace mlsysim

#endif  // MLSYSIM_ANALYTIC_WALLS_H_
