// training_chakra.cc — exporting a training step as Chakra traces (see
// training_chakra.h).
#include "sim/training/training_chakra.h"

#include <sys/stat.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sim/core/packed_fields.h"
#include "traces/atomic_file.h"

namespace mlsysim {
namespace {

enum TagKind : int64_t { kActivation = 1, kGradient = 2 };

// A pipeline message's comm_tag: kind << 40 | chunk << 20 | microbatch
// (microbatches <= 2^20 and chunks <= 1024 by the step's checks).
int64_t Tag(TagKind kind, int mb, int chunk) {
  return static_cast<int64_t>(PackedFields<24, 20, 20>::Pack(
      {static_cast<uint64_t>(kind), static_cast<uint64_t>(chunk), static_cast<uint64_t>(mb)}));
}

class RankWriter {
 public:
  explicit RankWriter(ChakraTrace* t) : t_(t) { t_->metadata.set_version("0.0.4"); }

  chakra::Node& Add(chakra::NodeType type, std::string name) {
    chakra::Node& n = t_->nodes.emplace_back();
    n.set_id(next_++);
    n.set_name(std::move(name));
    n.set_type(type);
    return n;
  }
  static void Int(chakra::Node& n, const char* name, int64_t v) {
    auto* a = n.add_attr();
    a->set_name(name);
    a->set_int64_val(v);
  }
  static void Double(chakra::Node& n, const char* name, double v) {
    auto* a = n.add_attr();
    a->set_name(name);
    a->set_double_val(v);
  }
  static void Bool(chakra::Node& n, const char* name, bool v) {
    auto* a = n.add_attr();
    a->set_name(name);
    a->set_bool_val(v);
  }
  static void String(chakra::Node& n, const char* name, const std::string& v) {
    auto* a = n.add_attr();
    a->set_name(name);
    a->set_string_val(v);
  }

 private:
  ChakraTrace* t_;
  uint64_t next_ = 0;
};

}  // namespace

ChakraExport TrainingStepToChakra(const TrainingStepPlan& p) {
  ChakraExport e;
  const int tp = p.tp, pp = p.pp, dp = p.dp, v = p.virtual_stages;
  const int last_j = pp * v - 1;
  e.ranks.resize(static_cast<size_t>(dp) * pp * tp);
  auto rank = [&](int r, int s, int t) { return (s * dp + r) * tp + t; };
  for (const TrainingStepPlan::Actor& a : p.actors) {
    for (int t = 0; t < tp; ++t) {
      RankWriter w(&e.ranks[rank(a.r, a.s, t)]);
      int64_t prev_comp = -1;
      std::map<std::pair<int, int>, uint64_t> forward_of;  // (chunk, mb) -> node
      for (size_t idx = 0; idx < a.ops.size(); ++idx) {
        const TrainingStepPlan::Op& op = a.ops[idx];
        const int j = op.chunk * pp + a.s;
        std::vector<uint64_t> data;
        if (op.forward && j > 0) {
          chakra::Node& rv =
              w.Add(chakra::COMM_RECV_NODE, absl::StrCat("recv act mb", op.mb, " c", op.chunk));
          RankWriter::Int(rv, "comm_src", rank(a.r, (j - 1) % pp, t));
          RankWriter::Int(rv, "comm_tag", Tag(kActivation, op.mb, op.chunk));
          RankWriter::Int(rv, "comm_size", std::llround(p.p2p_bytes));
          data.push_back(rv.id());
        } else if (!op.forward && j < last_j) {
          chakra::Node& rv =
              w.Add(chakra::COMM_RECV_NODE, absl::StrCat("recv grad mb", op.mb, " c", op.chunk));
          RankWriter::Int(rv, "comm_src", rank(a.r, (j + 1) % pp, t));
          RankWriter::Int(rv, "comm_tag", Tag(kGradient, op.mb, op.chunk));
          RankWriter::Int(rv, "comm_size", std::llround(p.p2p_bytes));
          data.push_back(rv.id());
        } else if (!op.forward) {
          data.push_back(forward_of.at({op.chunk, op.mb}));  // the last stage turns around
        }
        const bool last_backward = !op.forward && idx + 1 == a.ops.size();
        const bool gradients = last_backward && p.communication && dp > 1;
        const int pieces = gradients && p.overlap_gradients ? p.buckets[a.s] : 1;
        const double dur = op.forward ? a.chunk_fwd_s[op.chunk] : a.chunk_bwd_s[op.chunk];
        std::vector<uint64_t> piece_ids;
        for (int k = 0; k < pieces; ++k) {
          chakra::Node& c = w.Add(
              chakra::COMP_NODE,
              pieces > 1 ? absl::StrCat(op.forward ? "F" : "B", op.mb, ".", op.chunk, " part ", k)
                         : absl::StrCat(op.forward ? "F" : "B", op.mb, ".", op.chunk));
          if (k == 0) {
            for (uint64_t d : data) c.add_data_deps(d);
          }
          if (prev_comp >= 0) c.add_ctrl_deps(static_cast<uint64_t>(prev_comp));
          c.set_duration_micros(static_cast<uint64_t>(std::llround(dur / pieces * 1e6)));
          RankWriter::Double(c, "duration_s", dur / pieces);
          RankWriter::Bool(c, "is_cpu_op", false);
          prev_comp = static_cast<int64_t>(c.id());
          piece_ids.push_back(c.id());
        }
        if (op.forward) forward_of[{op.chunk, op.mb}] = static_cast<uint64_t>(prev_comp);
        if (p.communication) {
          int to_j = -1;
          TagKind kind = kActivation;
          if (op.forward && j < last_j) to_j = j + 1;
          if (!op.forward && j > 0) {
            to_j = j - 1;
            kind = kGradient;
          }
          if (to_j >= 0) {
            chakra::Node& sd =
                w.Add(chakra::COMM_SEND_NODE,
                      absl::StrCat(kind == kActivation ? "send act" : "send grad", " mb", op.mb));
            sd.add_data_deps(static_cast<uint64_t>(prev_comp));
            RankWriter::Int(sd, "comm_dst", rank(a.r, to_j % pp, t));
            RankWriter::Int(sd, "comm_tag", Tag(kind, op.mb, to_j / pp));
            RankWriter::Int(sd, "comm_size", std::llround(p.p2p_bytes));
            RankWriter::Double(sd, "comm_size_bytes", p.p2p_bytes);
          }
        }
        if (gradients) {
          int64_t prev_coll = -1;
          const std::string pg = absl::StrCat("dp.stage", a.s, ".tp", t);
          for (int k = 0; k < p.buckets[a.s]; ++k) {
            chakra::Node& col =
                w.Add(chakra::COMM_COLL_NODE, absl::StrCat("dp all-reduce bucket ", k));
            col.add_data_deps(p.overlap_gradients ? piece_ids[k] : piece_ids.back());
            if (prev_coll >= 0) col.add_ctrl_deps(static_cast<uint64_t>(prev_coll));
            RankWriter::Bool(col, "is_cpu_op", false);
            RankWriter::Int(col, "comm_type", chakra::ALL_REDUCE);
            RankWriter::Int(col, "comm_size", std::llround(p.bucket_bytes[a.s]));
            RankWriter::Double(col, "comm_size_bytes", p.bucket_bytes[a.s]);
            RankWriter::String(col, "pg_name", pg);
            prev_coll = static_cast<int64_t>(col.id());
          }
        }
      }
    }
  }
  // Platform: dimension 0 the NVLink switch, 1 the fabric. ASTRA-sim reads
  // "GB/s" as GiB/s and a Switch costs two link latencies, so both are
  // written to give back the simulated cluster's bytes/s and per-message α.
  const ClusterShape& s = p.shape;
  const double gib = 1073741824.0;
  e.network_yaml = absl::StrFormat(
      "# One training step exported by mlsysim (simulate training --export-chakra).\n"
      "topology: [ Switch, Switch ]\n"
      "npus_count: [ %d, %d ]\n"
      "bandwidth: [ %.17g, %.17g ]  # GB/s (ASTRA-sim: GiB/s)\n"
      "latency: [ %.17g, %.17g ]  # ns per link\n"
      "mlsysim_fabric: %s\n"
      "mlsysim_routing: %s\n"
      "mlsysim_oversubscription: %.17g\n"
      "mlsysim_leaf_ports: %d\n",
      s.gpus_per_node, s.nodes, s.nvlink_bandwidth / gib, s.nic_bandwidth / gib,
      s.nvlink_latency * 1e9 / 2, s.nic_latency * 1e9 / 2, FabricKindName(s.fabric),
      RoutingName(s.routing), s.oversubscription, s.leaf_ports);
  e.system_json =
      "{\n  \"scheduling-policy\": \"FIFO\",\n  \"endpoint-delay\": 1,\n"
      "  \"active-chunks-per-dimension\": 1,\n  \"preferred-dataset-splits\": 1,\n"
      "  \"all-reduce-implementation\": [\"ring\", \"ring\"],\n"
      "  \"all-gather-implementation\": [\"ring\", \"ring\"],\n"
      "  \"reduce-scatter-implementation\": [\"ring\", \"ring\"],\n"
      "  \"all-to-all-implementation\": [\"ring\", \"ring\"],\n"
      "  \"collective-optimization\": \"baseline\",\n  \"local-mem-bw\": 1000000,\n"
      "  \"boost-mode\": 0\n}\n";
  return e;
}

absl::StatusOr<std::vector<std::string>> WriteChakraExport(const ChakraExport& e,
                                                           const std::string& dir,
                                                           const std::string& prefix) {
  struct stat st;
  if (stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) {
      return absl::InvalidArgumentError(absl::StrCat(dir, ": exists and is not a directory"));
    }
  } else if (mkdir(dir.c_str(), 0755) != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(dir, ": cannot create (", std::strerror(errno), ")"));
  }
  std::vector<std::string> files;
  for (size_t r = 0; r < e.ranks.size(); ++r) {
    const std::string path = absl::StrCat(dir, "/", prefix, ".", r, ".et");
    if (auto s = WriteChakraTrace(path, e.ranks[r]); !s.ok()) return s;
    files.push_back(path);
  }
  for (const auto& [name, text] :
       {std::pair<const char*, const std::string*>{"network.yml", &e.network_yaml},
        {"system.json", &e.system_json}}) {
    const std::string path = absl::StrCat(dir, "/", name);
    AtomicFile f(path);
    f.stream() << *text;
    if (auto s = f.Commit(); !s.ok()) return s;
    files.push_back(path);
  }
  return files;
}

}  // namespace mlsysim
