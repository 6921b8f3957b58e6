// collective_hardware.cc — see collective_hardware.h.
#include "sim/scenario/collective_hardware.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "analytic/formulas.h"
#include "analytic/kernel_model.h"
#include "sim/scenario/resolve.h"

namespace mlsysim {

absl::StatusOr<scenario::Scenario> WithRegistryHardware(const scenario::Scenario& in,
                                                        const Registry* registry) {
  if (in.cluster().node().empty()) {
    if (in.cluster().hardware_model() == "calibrated") {
      return absl::InvalidArgumentError(
          "cluster.hardware_model: calibrated needs registry hardware (cluster.node)");
    }
    return in;
  }
  if (registry == nullptr)
    return absl::InvalidArgumentError("cluster.node: no registry to resolve it in");
  const Registry& reg = *registry;
  scenario::Scenario s = in;
  auto* w = s.mutable_collective();
  if (!w->bandwidth().empty() || !w->latency().empty() || !w->inter_bandwidth().empty() ||
      !w->inter_latency().empty()) {
    return absl::InvalidArgumentError(
        "collective.bandwidth/latency: give either registry hardware (cluster.node) or the "
        "link figures, not both");
  }
  auto node = reg.FindNode(in.cluster().node());
  if (!node.ok())
    return absl::InvalidArgumentError(absl::StrCat("cluster.node: ", node.status().message()));
  const std::string fabric_key =
      in.cluster().fabric().empty() ? ScenarioDefaults::kFabric : in.cluster().fabric();
  auto fabric = reg.FindFabric(fabric_key);
  if (!fabric.ok())
    return absl::InvalidArgumentError(absl::StrCat("cluster.fabric: ", fabric.status().message()));
  const int gpn = w->gpus_per_node() > 0 ? w->gpus_per_node() : node->accelerators_per_node;
  const int nodes = std::max(1, in.cluster().nodes());
  if (w->ranks() == 0)
    w->set_ranks(static_cast<int>(std::min<int64_t>(static_cast<int64_t>(nodes) * gpn, 1 << 21)));
  w->set_gpus_per_node(gpn);
  // The node's NICs when fewer than its GPUs (shared); a count given stays.
  if (w->nics_per_node() == 0 && node->nics_per_node > 0 && node->nics_per_node < gpn &&
      gpn % node->nics_per_node == 0) {
    w->set_nics_per_node(node->nics_per_node);
  }
  auto machine = ResolveHardwareModel(in.cluster().hardware_model(), reg, node->accelerator);
  if (!machine.ok()) return machine.status();
  double nvlink = node->intra_node_bw.si / 2, nvlink_latency = kLatencyNvlinkS;
  if (w->algorithm() == "nvls") {
    // NVLink SHARP needs an NVSwitch that reduces (NVSwitch 3 on: H100 and
    // later); the accelerator's machine model says whether its node has one.
    const KernelModel* known = reg.FindMachine(node->accelerator.key);
    if (known == nullptr || !(known->nvls_efficiency > 0)) {
      std::string have;
      for (const Accelerator& a : reg.accelerators()) {
        const KernelModel* km = reg.FindMachine(a.key);
        if (km != nullptr && km->nvls_efficiency > 0)
          absl::StrAppend(&have, have.empty() ? "" : ", ", a.key);
      }
      return absl::InvalidArgumentError(absl::StrCat(
          "collective.algorithm: nvls needs NVLink SHARP in the node's NVSwitch; ",
          in.cluster().node(), " (", node->accelerator.key,
          ") has none known (accepted: nodes of ", have.empty() ? "none" : have, ")"));
    }
    // Calibrated: NVLS's measured fraction of per-direction NVLink and, for
    // its one step, the ring's whole latency; roofline: line rate.
    if (machine->has_value() && gpn > 1) {
      nvlink *= (*machine)->nvls_efficiency;
      if (const KernelModel::AllReducePoint* point = NvlinkAllReducePoint(**machine, gpn))
        nvlink_latency = point->latency_s;
    }
  } else if (machine->has_value() && gpn > 1) {
    if (const KernelModel::AllReducePoint* point = NvlinkAllReducePoint(**machine, gpn)) {
      nvlink *= point->bus_efficiency;
      nvlink_latency = point->latency_s / (2.0 * (gpn - 1));
    }
  }
  w->set_bandwidth(absl::StrFormat("%.17g B/s", gpn > 1 ? nvlink : fabric->bandwidth.si));
  w->set_latency(absl::StrFormat(
      "%.17g s", gpn > 1 ? nvlink_latency : (fabric->latency_s > 0 ? fabric->latency_s : 5e-6)));
  if (gpn > 1 && w->ranks() > gpn) {
    w->set_inter_bandwidth(absl::StrFormat("%.17g B/s", fabric->bandwidth.si));
    w->set_inter_latency(
        absl::StrFormat("%.17g s", fabric->latency_s > 0 ? fabric->latency_s : 5e-6));
  }
  if (s.cluster().topology().empty() && w->ranks() > gpn) {
    s.mutable_cluster()->set_topology("fat_tree_2");
  }
  return s;
}

}  // namespace mlsysim
