// collective_hardware.h — a collective scenario on registry hardware
// (cluster.node, optionally cluster.fabric and cluster.nodes) turned into the
// raw link figures the collective runner takes.
// Usage: absl::StatusOr<scenario::Scenario> s = WithRegistryHardware(in, registry);
#ifndef MLSYSIM_SIM_SCENARIO_COLLECTIVE_HARDWARE_H_
#define MLSYSIM_SIM_SCENARIO_COLLECTIVE_HARDWARE_H_

#include "absl/status/statusor.h"
#include "proto/scenario.pb.h"
#include "topology/registry.h"

namespace mlsysim {

// A collective on registry hardware (cluster.node, optionally cluster.fabric
// and cluster.nodes): the link figures filled in from the registry. NVLink
// runs per direction at half the node's both-direction figure, with
// mlsysim's 0.5 µs per message; the NIC at the fabric's port rate and
// latency. On the calibrated machine the NVLink link runs at NCCL's measured
// bus efficiency for the node's group size, and the measured all-reduce
// latency is spread over the ring's 2(G − 1) steps.
// Without cluster.node the scenario comes back as it is (its own link
// figures); both at once is an error naming the fields.
absl::StatusOr<scenario::Scenario> WithRegistryHardware(const scenario::Scenario& in,
                                                        const Registry* registry);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SCENARIO_COLLECTIVE_HARDWARE_H_
