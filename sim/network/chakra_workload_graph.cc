// chakra_workload_graph.cc — see chakra_workload_graph.h.
#include "sim/network/chakra_workload_graph.h"

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace mlsysim {
namespace {

struct CollSpec {
  std::string pg;
  int op;
  int64_t size;
  double bytes;
};

absl::Status Annotate(size_t rank, const absl::Status& s) {
  return absl::Status(s.code(), absl::StrCat("workload rank ", rank, ": ", s.message()));
}

}  // namespace

std::string ChakraGroupOf(const chakra::Node& nd) {
  const chakra::AttributeProto* a = FindChakraAttr(nd, "pg_name");
  return a != nullptr && a->value_case() == chakra::AttributeProto::kStringVal ? a->string_val()
                                                                               : "";
}

double ChakraDoubleAttr(const chakra::Node& nd, const char* name, double def) {
  const chakra::AttributeProto* a = FindChakraAttr(nd, name);
  if (a != nullptr && a->value_case() == chakra::AttributeProto::kDoubleVal &&
      a->double_val() >= 0) {
    return a->double_val();
  }
  return def;
}

absl::StatusOr<ChakraWorkloadGraph> BuildChakraWorkloadGraph(const std::vector<ChakraTrace>& traces,
                                                             ChakraRunResult* counts) {
  ChakraWorkloadGraph graph;
  const size_t n = traces.size();
  graph.ranks.resize(n);
  std::vector<std::vector<CollSpec>> colls(n);
  std::map<std::string, std::vector<int>> pg_ranks;
  for (size_t r = 0; r < n; ++r) {
    const auto& nodes = traces[r].nodes;
    ChakraRankGraph& rs = graph.ranks[r];
    absl::flat_hash_map<uint64_t, int> index;
    for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].id()] = static_cast<int>(i);
    rs.pending.assign(nodes.size(), 0);
    rs.children.resize(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) {
      const chakra::Node& nd = nodes[i];
      for (const auto* deps : {&nd.data_deps(), &nd.ctrl_deps()}) {
        for (uint64_t d : *deps) {
          rs.children[index.at(d)].push_back(static_cast<int>(i));
          ++rs.pending[i];
        }
      }
      counts->nodes++;
      if (nd.type() == chakra::COMP_NODE) counts->comp_nodes++;
      if (nd.type() == chakra::COMM_COLL_NODE) {
        counts->comm_nodes++;
        auto op = ChakraIntAttr(nd, "comm_type");
        if (!op.ok()) return Annotate(r, op.status());
        if (auto s = CheckChakraCollective(static_cast<int>(*op)); !s.ok()) return Annotate(r, s);
        auto size = ChakraIntAttr(nd, "comm_size");
        if (!size.ok() && *op != chakra::BARRIER) return Annotate(r, size.status());
        const int64_t bytes = size.ok() ? *size : 0;
        if (bytes < 0) {
          return Annotate(
              r, absl::InvalidArgumentError(absl::StrCat("node ", nd.id(), ": comm_size < 0")));
        }
        const std::string pg = ChakraGroupOf(nd);
        colls[r].push_back({pg, static_cast<int>(*op), bytes,
                            ChakraDoubleAttr(nd, "comm_size_bytes", static_cast<double>(bytes))});
        auto& members = pg_ranks[pg];
        if (members.empty() || members.back() != static_cast<int>(r))
          members.push_back(static_cast<int>(r));
      }
      if (nd.type() == chakra::COMM_SEND_NODE || nd.type() == chakra::COMM_RECV_NODE) {
        counts->comm_nodes++;
        const char* peer = nd.type() == chakra::COMM_SEND_NODE ? "comm_dst" : "comm_src";
        auto p = ChakraIntAttr(nd, peer);
        if (!p.ok()) return Annotate(r, p.status());
        if (*p < 0 || *p >= static_cast<int64_t>(n) || *p == static_cast<int64_t>(r)) {
          return Annotate(r, absl::InvalidArgumentError(absl::StrCat(
                                 "node ", nd.id(), ": ", peer, " = ", *p, " is not another rank")));
        }
      }
    }
  }
  // Per process group (pg_name; none = every rank), the k-th collective of
  // each member rank forms one collective: same type and size everywhere.
  for (const auto& [pg, members] : pg_ranks) {
    const std::string name =
        pg.empty() ? "the default group (all ranks)" : absl::StrCat("group '", pg, "'");
    if (pg.empty() && members.size() != n) {
      return absl::InvalidArgumentError(
          absl::StrCat("workload: collectives without pg_name involve every rank, but only ",
                       members.size(), " of ", n, " ranks have them"));
    }
    std::vector<std::vector<const CollSpec*>> seq(members.size());
    for (size_t m = 0; m < members.size(); ++m)
      for (const CollSpec& cs : colls[members[m]])
        if (cs.pg == pg) seq[m].push_back(&cs);
    for (size_t m = 0; m < members.size(); ++m) {
      if (seq[m].size() != seq[0].size()) {
        return absl::InvalidArgumentError(
            absl::StrCat("workload: in ", name, " rank ", members[m], " has ", seq[m].size(),
                         " collectives, rank ", members[0], " has ", seq[0].size()));
      }
      for (size_t k = 0; k < seq[m].size(); ++k) {
        if (seq[m][k]->op != seq[0][k]->op || seq[m][k]->size != seq[0][k]->size) {
          return absl::InvalidArgumentError(absl::StrCat(
              "workload: in ", name, " collective #", k, " differs between rank ", members[0],
              " (type ", seq[0][k]->op, ", ", seq[0][k]->size, " B) and rank ", members[m],
              " (type ", seq[m][k]->op, ", ", seq[m][k]->size, " B)"));
        }
      }
    }
    auto& list = graph.pg_groups[pg];
    for (size_t k = 0; k < seq[0].size(); ++k) {
      list.push_back(graph.groups.size());
      graph.groups.push_back({seq[0][k]->op, seq[0][k]->bytes, seq[0][k]->size, members});
    }
  }
  return graph;
}

}  // namespace mlsysim
