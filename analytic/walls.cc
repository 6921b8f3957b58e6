// walls.cc — the wall table (see walls.h).
#include "analytic/walls.h"
#include "absl/strings/string_view.h"

namespace mlsysim {
namespace {

constexpr Wall kWalls[] = {
    {1, "Compute", "Node", "SingleNodeModel", "T = OPs/(Peak*eta)"},
    {2, "Memory", "Node", "SingleNodeModel", "T = |W|/BW"},
    {3, "Software", "Node", "EfficiencyModel", "eta_MFU decomposition"},
    {4, "Serving", "Node", "ServingModel", "TTFT = OPs/Peak; ITL = |W|/BW"},
    {5, "Batching", "Node", "ContinuousBatchingModel", "paged KV"},
    {6, "Streaming", "Node", "WeightStreamingModel", "max(|W|/BW_inj, 2|W|B/(Peak*eta))"},
    {7, "Tail Latency", "Node", "TailLatencyModel", "Erlang-C"},
    {8, "Ingestion", "Data", "DataModel", "rho = demand/supply"},
    {9, "Transformation", "Data", "TransformationModel", "B*S/C"},
    {10, "Locality", "Data", "TopologyModel", "BW*beta/oversub"},
    {11, "Complexity", "Algorithm", "ScalingModel", "C = 6PD; P* = sqrt(C/120)"},
    {12, "Reasoning", "Algorithm", "InferenceScalingModel", "T = K*T_step"},
    {13, "Fidelity", "Algorithm", "CompressionModel", "32/b; 1/(1-s)"},
    {14, "Communication", "Fleet", "DistributedModel", "ring all-reduce"},
    {15, "Fragility", "Fleet", "ReliabilityModel", "MTBF/N"},
    {16, "Multi-tenant", "Fleet", "OrchestrationModel", "rho/(2mu(1-rho))"},
    {17, "Capital", "Operations", "EconomicsModel", "TCO = CapEx + OpEx"},
    {18, "Sustainability", "Operations", "SustainabilityModel", "CO2 = E*PUE*CI"},
    {19, "Checkpoint", "Operations", "CheckpointModel", "T_write/T_interval"},
    {20, "Safety", "Operations", "ResponsibleEngineeringModel", "sigma ~ 1/epsilon"},
    {21, "Sensitivity", "Analysis", "SensitivitySolver", "dT/dx"},
    {22, "Synthesis", "Analysis", "SynthesisSolver", "BW = |W|/T"},
};

}  // namespace

std::span<const Wall> AllWalls() { return kWalls; }

const Wall* FindWall(int number) {
  if (number < 1 || number > 22) return nullptr;
  return &kWalls[number - 1];
}

std::vector<int> WallsOfSolver(absl::string_view solver) {
  if (solver == "Engine") solver = "SingleNodeModel";
  std::vector<int> out;
  for (const Wall& w : kWalls)
    if (w.resolver == solver) out.push_back(w.number);
  return out;
}

}  // namespace mlsysim
