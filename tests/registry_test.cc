// registry_test.cc — the compiled-in registries equal mlsysim v0.1.1's tables;
// names resolve as users type them; bad names and files fail clearly.
#include "topology/registry.h"

#include <cstdio>
#include <fstream>

#include <map>
#include "analytic/fleet.h"
#include "analytic/operations.h"
#include "analytic/roofline_engine.h"
#include "gtest/gtest.h"

namespace mlsysim {
namespace {

const Registry& Reg() {
  static auto reg = Registry::Builtin();
  EXPECT_TRUE(reg.ok()) << reg.status();
  return **reg;
}

constexpr double kGiB = 1024.0 * 1024 * 1024;

// The reference table (tests/data/SOURCES.md §4, docs/mlsysim_v0.1.1_contract.md §4.1): key, peak
// flop/s, bandwidth B/s, capacity B.
struct HwRow {
  const char* key;
  double peak, bw, cap;
};
constexpr HwRow kHardware[] = {
    {"V100", 125e12, 900e9, 32 * kGiB},
    {"A100", 312e12, 2039e9, 80 * kGiB},
    {"H100", 989e12, 3.35e12, 80 * kGiB},
    {"H200", 989e12, 4.8e12, 141e9},
    {"B200", 2250e12, 8e12, 192 * kGiB},
    {"NVL72", 162e15, 576e12, 13.8e12},
    {"MI300X", 1307e12, 5.3e12, 192 * kGiB},
    {"MI250X", 383e12, 3.2e12, 128 * kGiB},
    {"Gaudi2", 432e12, 2.45e12, 96 * kGiB},
    {"Gaudi3", 1835e12, 3.7e12, 128 * kGiB},
    {"Trainium2", 380e12, 2.4e12, 96 * kGiB},
    {"TPUv6", 2150e12, 4.5e12, 128 * kGiB},
    {"TPUv5p", 459e12, 2.76e12, 95 * kGiB},
    {"TPUv4", 275e12, 1200e9, 32 * kGiB},
    {"T4", 65e12, 320e9, 16 * kGiB},
    {"CerebrasCS3", 125e15, 21e15, 44e9},
    {"DGXSpark", 250e12, 500e9, 128e9},
    {"MacBook", 14.2e12, 400e9, 128e9},
    {"iPhone", 35e12, 100e9, 8e9},
    {"Pixel8", 15e12, 60e9, 8e9},
    {"Snapdragon", 45e12, 77e9, 12e9},
    {"Jetson", 25e12, 102e9, 16e9},
    {"Coral", 4e12, 8e9, 1e9},
    {"NUC_Movidius", 1e12, 25e9, 16e9},
    {"GenericServer", 1e12, 100e9, 128e9},
    {"ESP32", 0.5e9, 0.08e9, 8e6},
    {"nRF52840", 64e6, 0.064e9, 1e6},
    {"Himax", 0.2e9, 0.1e9, 2e6},
};

TEST(RegistryTest, All28AcceleratorsMatchTheReferenceTable) {
  EXPECT_EQ(Reg().accelerators().size(), 28u);
  for (const HwRow& row : kHardware) {
    auto hw = Reg().FindAccelerator(row.key);
    ASSERT_TRUE(hw.ok()) << row.key;
    EXPECT_DOUBLE_EQ(hw->peak.si, row.peak) << row.key;
    EXPECT_DOUBLE_EQ(hw->memory_bw.si, row.bw) << row.key;
    EXPECT_DOUBLE_EQ(hw->capacity, row.cap) << row.key;
    EXPECT_GT(hw->tdp_w, 0) << row.key;
    const double ridge = hw->peak.si / hw->memory_bw.si;
    EXPECT_GT(ridge, 0) << row.key;
    EXPECT_LT(ridge, 5000) << row.key;  // test_physics_bounds
  }
}

TEST(RegistryTest, DetailsThatSolversDependOn) {
  auto h100 = Reg().FindAccelerator("H100");
  ASSERT_TRUE(h100.ok());
  EXPECT_DOUBLE_EQ(h100->PeakFor("int8").si, 1979e12);
  EXPECT_DOUBLE_EQ(h100->PeakFor("int4").si, 989e12);  // falls back to the default peak
  EXPECT_DOUBLE_EQ(h100->storage.bandwidth.si, 7e9);
  EXPECT_DOUBLE_EQ(h100->interconnect_bw.si, 64e9);
  EXPECT_DOUBLE_EQ(h100->dispatch_tax_ms, 0.01);
  EXPECT_DOUBLE_EQ(h100->capacity, 85.89934592e9);
  EXPECT_NEAR(h100->peak.si / h100->memory_bw.si, 295.2, 0.1);
  auto a100 = Reg().FindAccelerator("A100");
  ASSERT_TRUE(a100.ok());
  const double ridge = a100->peak.si / a100->memory_bw.si;
  EXPECT_GT(ridge, 100);
  EXPECT_LT(ridge, 200);
  auto esp = Reg().FindAccelerator("ESP32");
  ASSERT_TRUE(esp.ok());
  EXPECT_DOUBLE_EQ(esp->sram.capacity, 512 * 1024.0);
  EXPECT_DOUBLE_EQ(esp->sram.bandwidth.si, 0.96e9);
  EXPECT_DOUBLE_EQ(esp->flash.bandwidth.si, 0.08e9);
  auto tpu4 = Reg().FindAccelerator("TPUv4");
  auto tpu5 = Reg().FindAccelerator("TPUv5p");
  ASSERT_TRUE(tpu4.ok() && tpu5.ok());
  EXPECT_NE(tpu4->key, tpu5->key);
  EXPECT_DOUBLE_EQ(tpu4->peak.si, 275e12);
}

TEST(RegistryTest, ModelsNodesFabricsClustersGrids) {
  auto llama = Reg().FindModel("Llama3_8B");
  ASSERT_TRUE(llama.ok());
  EXPECT_DOUBLE_EQ(llama->parameters, 8.03e9);
  EXPECT_EQ(llama->kv_heads, 8);
  EXPECT_EQ(llama->hidden_dim / llama->heads, 128);
  auto dlrm = Reg().FindModel("DLRM");
  ASSERT_TRUE(dlrm.ok());
  EXPECT_DOUBLE_EQ(dlrm->model_size_bytes, 100e9);
  auto r256 = Reg().FindFleet("Research_256");
  ASSERT_TRUE(r256.ok());
  EXPECT_EQ(r256->TotalAccelerators(), 256);
  EXPECT_EQ(r256->fabric.key, "Ethernet_100G");
  EXPECT_DOUBLE_EQ(r256->fabric.bandwidth.si, 12.5e9);
  EXPECT_NEAR(NodeMtbfHours(r256->node), 4285.714285714, 1e-6);
  EXPECT_NEAR(NodeMtbfHours(r256->node) / r256->count, 133.928571, 1e-5);
  auto mega = Reg().FindFleet("Mega_100K");
  ASSERT_TRUE(mega.ok());
  EXPECT_EQ(mega->TotalAccelerators(), 100000);
  auto quebec = Reg().FindGrid("Quebec");
  ASSERT_TRUE(quebec.ok());
  EXPECT_EQ(quebec->name, "Quebec (Hydro)");
  EXPECT_DOUBLE_EQ(quebec->pue, 1.06);
  EXPECT_DOUBLE_EQ(quebec->wue_l_kwh, 0.0);
  EXPECT_EQ(Reg().grids().size(), 5u);
}

TEST(RegistryTest, NamesResolveAsUsersTypeThem) {
  for (const char* n : {"H100", "Hardware.H100", "Hardware.Cloud.H100", "h100"}) {
    auto hw = Reg().FindAccelerator(n);
    ASSERT_TRUE(hw.ok()) << n;
    EXPECT_EQ(hw->key, "H100");
  }
  EXPECT_EQ(Reg().FindAccelerator("GB200_NVL72")->key, "NVL72");
  EXPECT_EQ(Reg().FindAccelerator("iPhone15Pro")->key, "iPhone");
  EXPECT_EQ(Reg().FindModel("Models.Language.Llama3_8B")->key, "Llama3_8B");
  EXPECT_EQ(Reg().FindFleet("Systems.Clusters.Research_256")->key, "Research_256");
  EXPECT_EQ(Reg().FindGrid("Infra.Quebec")->key, "Quebec");
  EXPECT_EQ(Reg().FindGrid("Infra.Grids.Quebec")->key, "Quebec");
  // The display names listings print (topology/data/*.textproto `name`),
  // dots kept, case-insensitive (issue 26: a model printed as Llama-3-8B).
  EXPECT_EQ(Reg().FindModel("Llama-3-8B")->key, "Llama3_8B");
  EXPECT_EQ(Reg().FindModel("llama-3-70b")->key, "Llama3_70B");
  EXPECT_EQ(Reg().FindAccelerator("NVIDIA H100")->key, "H100");
  EXPECT_EQ(Reg().FindNode("NVIDIA DGX A100")->key, "DGX_A100");
  EXPECT_EQ(Reg().FindGrid("Quebec (Hydro)")->key, "Quebec");
}

TEST(RegistryTest, UnknownNameListsTheClosest) {
  auto hw = Reg().FindAccelerator("H1000");
  ASSERT_FALSE(hw.ok());
  EXPECT_TRUE(absl::IsNotFound(hw.status()));
  EXPECT_NE(hw.status().message().find("H100"), std::string::npos);
  auto m = Reg().FindModel("Llama3_7B");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("Llama3_8B"), std::string::npos);
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + name;
  std::ofstream(path) << text;
  return path;
}

TEST(RegistryTest, UserFileAddsAndOverrides) {
  const std::string path = WriteTemp("user_registry.textproto", R"pb(
    accelerator {
      key: "MyChip"
      name: "My Chip"
      peak_flops: "100 TFLOP/s"
      memory_capacity: "24 GB"
      memory_bandwidth: "1 TB/s"
      tdp: "150 W"
    }
    accelerator {
      key: "H100"
      name: "NVIDIA H100 (overclocked)"
      peak_flops: "1000 TFLOP/s"
      memory_capacity: "80 GiB"
      memory_bandwidth: "3.35 TB/s"
      tdp: "700 W"
    }
  )pb");
  auto reg = Registry::WithFile(path);
  ASSERT_TRUE(reg.ok()) << reg.status();
  EXPECT_EQ((*reg)->accelerators().size(), 29u);
  EXPECT_DOUBLE_EQ((*reg)->FindAccelerator("MyChip")->peak.si, 100e12);
  EXPECT_DOUBLE_EQ((*reg)->FindAccelerator("H100")->peak.si, 1000e12);
  // The built-in registry is untouched.
  EXPECT_DOUBLE_EQ(Reg().FindAccelerator("H100")->peak.si, 989e12);
}

TEST(RegistryTest, MalformedFilesFailWithTheReason) {
  auto syntax =
      Registry::WithFile(WriteTemp("bad1.textproto", "accelerator { key: \"X\" peak_flops: }"));
  ASSERT_FALSE(syntax.ok());
  EXPECT_NE(syntax.status().message().find("line 1"), std::string::npos);
  auto unit = Registry::WithFile(WriteTemp("bad2.textproto", R"(accelerator { key: "X"
    peak_flops: "100 TFLOP/s" memory_capacity: "24 GB" memory_bandwidth: "1 TB" })"));
  ASSERT_FALSE(unit.ok());
  EXPECT_NE(unit.status().message().find("memory_bandwidth"), std::string::npos);
  EXPECT_NE(unit.status().message().find("'X'"), std::string::npos);
  auto missing = Registry::WithFile(::testing::TempDir() + "does_not_exist.textproto");
  ASSERT_FALSE(missing.ok());
  auto dangling = Registry::WithFile(WriteTemp("bad3.textproto",
                                               R"(cluster { key: "C" node: "NoSuchNode" count: 2
                                                  fabric: "InfiniBand_NDR" })"));
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("NoSuchNode"), std::string::npos);
  // Fewer NICs than accelerators must divide them (accelerators share NICs evenly).
  auto nics = Registry::WithFile(WriteTemp("bad4.textproto",
                                           R"(node { key: "N3" accelerator: "H100"
                                              accelerators_per_node: 8 nics_per_node: 3 })"));
  ASSERT_FALSE(nics.ok());
  EXPECT_NE(nics.status().message().find("nics_per_node (3)"), std::string::npos)
      << nics.status().message();
}

TEST(RegistryTest, ConstantsAgreeWithTheSolvers) {
  // The data table (zoo constants) must say what the code computes with.
  std::map<std::string, double> c;
  for (const auto& k : Reg().constants()) c[k.key()] = k.value();
  NodeSpec node;
  node.accelerators_per_node = 8;
  node.nics_per_node = 8;
  node.psus_per_node = 2;
  EXPECT_DOUBLE_EQ(NodeMtbfHours(node),
                   1.0 / (8 / c["GPU_MTTF"] + 8 / c["NIC_MTTF"] + 2 / c["PSU_MTTF"]));
  EXPECT_EQ(c["DEFAULT_KWH_PRICE"], kDefaultKwhPrice);
  EXPECT_EQ(c["DEFAULT_GPU_UNIT_COST"], kDefaultUnitCostUsd);
  EXPECT_EQ(c["MAINTENANCE_FRACTION"], kMaintenanceFraction);
  EXPECT_EQ(c["HFU_MFU_RATIO"], kHfuMfuRatio);
  EXPECT_EQ(c["FRAMEWORK_LAYER_TAX"], kLayerTaxMs);
  EXPECT_EQ(c["OFFLOAD_DEFAULT_BW"], kOffloadDefaultGBs);
  // test_solver_suite's constants.
  EXPECT_EQ(c["GPU_MTTF"], 50000);
  EXPECT_EQ(c["PUE_LIQUID"], 1.06);
  EXPECT_EQ(c["PUE_LEGACY"], 1.58);
  EXPECT_EQ(c["CHINCHILLA_TOKENS_PER_PARAM"], 20);
  EXPECT_EQ(c["CHINCHILLA_COMPUTE_CONSTANT"], 6);
}

}  // namespace
}  // namespace mlsysim
