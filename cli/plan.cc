// plan.cc — YAML plan loading (see plan.h).
#include "cli/plan.h"


#include <cctype>
#include <cstdlib>

#include "absl/strings/str_cat.h"
#include "traces/small_file.h"
#include "yaml-cpp/yaml.h"

namespace mlsysim {
namespace {

// Reads a scalar as T; the error names "section.key".
template <typename T>
absl::Status Read(const YAML::Node& section, const char* section_name, const char* key, T* out) {
  if (!section || !section[key]) return absl::OkStatus();
  try {
    *out = section[key].as<T>();
  } catch (const YAML::Exception&) {
    return absl::InvalidArgumentError(absl::StrCat(section_name, ".", key, ": '",
                                                   YAML::Dump(section[key]), "' is not a valid ",
                                                   std::is_same_v<T, std::string> ? "string"
                                                   : std::is_same_v<T, int>       ? "integer"
                                                                                  : "number"));
  }
  return absl::OkStatus();
}

// mlsysim parses assertion values as floats after removing non-numeric characters.
std::optional<double> Numeric(const YAML::Node& n) {
  if (!n) return std::nullopt;
  std::string s = n.as<std::string>();
  std::string kept;
  for (char c : s)
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == 'e' ||
        c == 'E' || c == '+')
      kept += c;
  if (kept.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(kept.c_str(), &end);
  if (end == kept.c_str()) return std::nullopt;
  return v;
}

}  // namespace

namespace {
absl::StatusOr<Plan> PlanFromRoot(const YAML::Node& root);
}  // namespace

// yaml-cpp reports shape mismatches (a scalar where a map belongs, a complex
// key, ...) by exception wherever a node is read: every one becomes
// "PLAN.yaml:LINE:COL: ..." and exit 1, never an abort.
absl::StatusOr<Plan> LoadPlan(const std::string& path) {
  if (auto s = CheckReadableFile(path, "plan", 16 << 20); !s.ok()) return s;
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return absl::InvalidArgumentError(absl::StrCat("plan: cannot read '", path, "'"));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("plan '", path, "': malformed YAML at line ", e.mark.line + 1, ": ", e.msg));
  }
  try {
    return PlanFromRoot(root);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(path, ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": ", e.msg,
                                                   " (a section or value of the wrong shape)"));
  }
}

absl::StatusOr<Plan> ParsePlan(const std::string& text, const std::string& origin) {
  try {
    return PlanFromRoot(YAML::Load(text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat(origin, ":", e.mark.line + 1, ":", e.mark.column + 1, ": ", e.msg));
  }
}

namespace {

absl::StatusOr<Plan> PlanFromRoot(const YAML::Node& root) {
  if (!root.IsMap()) {
    return absl::InvalidArgumentError(
        "plan: expected a mapping with workload, hardware, ops, constraints");
  }
  for (auto it = root.begin(); it != root.end(); ++it) {
    const std::string key = it->first.as<std::string>();
    if (key != "version" && key != "name" && key != "workload" && key != "hardware" &&
        key != "ops" && key != "constraints" && key != "description") {
      return absl::InvalidArgumentError(
          absl::StrCat("plan: unknown section '", key,
                       "'; accepted: version, name, workload, hardware, ops, constraints"));
    }
  }
  Plan p;
  if (auto s = Read(root, "plan", "version", &p.version); !s.ok()) return s;
  if (auto s = Read(root, "plan", "name", &p.name); !s.ok()) return s;
  const YAML::Node w = root["workload"];
  const YAML::Node h = root["hardware"];
  if (!w || !w["name"]) return absl::InvalidArgumentError("workload.name: missing (a model name)");
  if (!h || !h["name"]) {
    return absl::InvalidArgumentError("hardware.name: missing (an accelerator name)");
  }
  if (auto s = Read(w, "workload", "name", &p.model); !s.ok()) return s;
  if (auto s = Read(w, "workload", "batch_size", &p.batch_size); !s.ok()) return s;
  if (auto s = Read(w, "workload", "seq_len", &p.seq_len); !s.ok()) return s;
  if (auto s = Read(h, "hardware", "name", &p.hardware); !s.ok()) return s;
  if (auto s = Read(h, "hardware", "nodes", &p.nodes); !s.ok()) return s;
  if (auto s = Read(h, "hardware", "precision", &p.precision); !s.ok()) return s;
  if (auto s = Read(h, "hardware", "efficiency", &p.efficiency); !s.ok()) return s;
  if (p.batch_size < 1) return absl::InvalidArgumentError("workload.batch_size: must be >= 1");
  if (p.seq_len < 1) return absl::InvalidArgumentError("workload.seq_len: must be >= 1");
  if (p.nodes < 1) return absl::InvalidArgumentError("hardware.nodes: must be >= 1");
  if (!(p.efficiency >= 1e-9 && p.efficiency <= 1)) {
    return absl::InvalidArgumentError("hardware.efficiency: must lie in [1e-9, 1]");
  }
  const YAML::Node ops = root["ops"];
  if (ops) {
    p.has_ops = true;
    if (auto s = Read(ops, "ops", "region", &p.region); !s.ok()) return s;
    if (auto s = Read(ops, "ops", "duration_days", &p.duration_days); !s.ok()) return s;
    // The simulator's clock spans 292 years; no plan outlives it.
    if (!(p.duration_days >= 0 && p.duration_days <= 106751)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "ops.duration_days: must lie in [0, 106751] (292 years); got ", p.duration_days));
    }
  }
  const YAML::Node c = root["constraints"];
  if (c && c["assert"]) {
    if (!c["assert"].IsSequence()) {
      return absl::InvalidArgumentError("constraints.assert: must be a list");
    }
    for (const YAML::Node& a : c["assert"]) {
      PlanAssertion pa;
      if (!a["metric"]) return absl::InvalidArgumentError("constraints.assert[].metric: missing");
      pa.metric = a["metric"].as<std::string>();
      pa.min = Numeric(a["min"]);
      pa.max = Numeric(a["max"]);
      for (const char* bound : {"min", "max"}) {
        if (a[bound] && !(bound[1] == 'i' ? pa.min : pa.max)) {
          return absl::InvalidArgumentError(
              absl::StrCat("constraints.assert[].", bound, ": '", YAML::Dump(a[bound]),
                           "' is not a number (metric ", pa.metric, ")"));
        }
      }
      if (!pa.min && !pa.max) {
        return absl::InvalidArgumentError(
            absl::StrCat("constraints.assert[]: metric ", pa.metric, " has neither min nor max"));
      }
      const size_t dot = pa.metric.find('.');
      const std::string level = pa.metric.substr(0, dot);
      if (dot == std::string::npos ||
          (level != "feasibility" && level != "performance" && level != "macro")) {
        return absl::InvalidArgumentError(
            absl::StrCat("constraints.assert[].metric: '", pa.metric,
                         "' must be <level>.<key> with level feasibility, performance or macro"));
      }
      p.assertions.push_back(pa);
    }
  }
  return p;
}

}  // namespace

FleetSpec PlanFleet(const Plan& plan, const Accelerator& hw) {
  FleetSpec f;
  f.key = plan.name.empty() ? "plan" : plan.name;
  f.name = f.key;
  f.node.key = "DGX";
  f.node.name = "DGX-style node";
  f.node.accelerator = hw;
  f.node.accelerators_per_node = 8;
  f.node.intra_node_bw = Rate{900, 900e9, (1.0 / 1e9) * 1000.0};
  f.node.nics_per_node = 8;
  f.node.psus_per_node = 2;
  f.count = plan.nodes / 8;
  f.fabric.key = "Default IB";
  f.fabric.name = "Default IB";
  f.fabric.bandwidth = Rate{50, 50e9, (1.0 / 1e9) * 1000.0};
  f.fabric.latency_s = 0.0;
  f.fabric.oversubscription = 1.0;
  return f;
}

}  // namespace mlsysim
