// sweep_points.h — the points of a design-space sweep (proto/sweep.proto):
// each axis's values (explicit, or a linear/log range), the grid of all
// combinations in row-major order, or random / Latin-hypercube samples drawn
// from the sweep's seed; and the scenario of one point (the base with the
// axes' values set by field path, its seed derived from (sweep seed, index)).
// Usage: auto points = SweepPoints(sweep); auto s = PointScenario(sweep, points->at(7), 7);
#ifndef MLSYSIM_SIM_SCENARIO_SWEEP_POINTS_H_
#define MLSYSIM_SIM_SCENARIO_SWEEP_POINTS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/message.h"
#include "proto/scenario.pb.h"
#include "proto/sweep.pb.h"

namespace mlsysim {

inline constexpr int64_t kMaxSweepPoints = 1000000;

// One point: the value (text-format) of each axis, in axis order.
using SweepPoint = std::vector<std::string>;

// Every point, in the sweep's fixed order; errors name the axis.
absl::StatusOr<std::vector<SweepPoint>> SweepPoints(const sweep::Sweep& s);

// The base scenario with the point's values set; seed = f(sweep seed, index)
// unless an axis sets `seed`.
absl::StatusOr<scenario::Scenario> PointScenario(const sweep::Sweep& s, const SweepPoint& point,
                                                 int64_t index);

// Sets a scalar (or repeated scalar, comma-separated) field by its dotted
// path, e.g. "serving.qps". Refuses a path into a oneof the message does not
// hold (an axis over training.tp on a serving scenario).
absl::Status SetFieldByPath(google::protobuf::Message* msg, const std::string& path,
                            const std::string& value);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_SWEEP_POINTS_H_
