// flow_classes.cc — coarsest equitable partition of flows and links by colour
// refinement, verified exactly (see flow_classes.h).
#include "sim/network/flow_classes.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <map>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "sim/core/random.h"

namespace mlsysim {
namespace {

uint64_t Bits(double x) { return std::bit_cast<uint64_t>(x); }

// Dense ids in order of first appearance, so the partition is deterministic.
class DenseIds {
 public:
  uint32_t Of(uint64_t key) {
    auto [it, inserted] = ids_.try_emplace(key, static_cast<uint32_t>(ids_.size()));
    return it->second;
  }
  size_t size() const { return ids_.size(); }
  void Clear() { ids_.clear(); }

 private:
  absl::flat_hash_map<uint64_t, uint32_t> ids_;
};

uint64_t HashSorted(uint64_t seed, std::vector<uint32_t>& colors) {
  std::sort(colors.begin(), colors.end());
  uint64_t h = MixHash(seed, colors.size());
  for (uint32_t c : colors) h = MixHash(h, c);
  return h;
}

}  // namespace

FlowClasses::FlowClasses(std::vector<double> link_capacity) : capacity_(std::move(link_capacity)) {}

int FlowClasses::AddTemplate() {
  template_members_.push_back(0);
  return static_cast<int>(template_members_.size()) - 1;
}

void FlowClasses::AddMember(int tmpl, const std::vector<int>& links, double latency_s, int unit) {
  member_tmpl_.push_back(tmpl);
  member_unit_.push_back(unit);
  member_latency_.push_back(latency_s);
  member_links_.insert(member_links_.end(), links.begin(), links.end());
  member_offset_.push_back(static_cast<uint32_t>(member_links_.size()));
  ++template_members_[tmpl];
}

absl::Status FlowClasses::Refine() {
  const size_t m_count = member_tmpl_.size();
  // Local ids for the links some member crosses, and link -> members (CSR).
  std::vector<int> local(capacity_.size(), -1), used;
  for (int l : member_links_) {
    if (l < 0 || static_cast<size_t>(l) >= capacity_.size())
      return absl::InvalidArgumentError(absl::StrCat("flow classes: link ", l, " out of range"));
    if (local[l] < 0) {
      local[l] = static_cast<int>(used.size());
      used.push_back(l);
    }
  }
  const size_t l_count = used.size();
  std::vector<uint32_t> link_offset(l_count + 1, 0);
  for (int l : member_links_) ++link_offset[local[l] + 1];
  for (size_t i = 0; i < l_count; ++i) link_offset[i + 1] += link_offset[i];
  std::vector<uint32_t> link_members(member_links_.size()), fill(link_offset.begin(),
                                                                  link_offset.end() - 1);
  for (size_t m = 0; m < m_count; ++m)
    for (uint32_t k = member_offset_[m]; k < member_offset_[m + 1]; ++k)
      link_members[fill[local[member_links_[k]]]++] = static_cast<uint32_t>(m);

  // Initial colours: a member's template and latency; a link's capacity.
  std::vector<uint32_t> mc(m_count), lc(l_count);
  DenseIds ids;
  for (size_t m = 0; m < m_count; ++m)
    mc[m] = ids.Of(MixHash(static_cast<uint64_t>(member_tmpl_[m]), Bits(member_latency_[m])));
  size_t m_colours = ids.size();
  ids.Clear();
  for (size_t i = 0; i < l_count; ++i) lc[i] = ids.Of(Bits(capacity_[used[i]]));
  size_t l_colours = ids.size();
  std::vector<uint32_t> sig;
  rounds_ = 0;
  for (;;) {
    ++rounds_;
    ids.Clear();
    std::vector<uint32_t> next_lc(l_count);
    for (size_t i = 0; i < l_count; ++i) {
      sig.clear();
      for (uint32_t k = link_offset[i]; k < link_offset[i + 1]; ++k)
        sig.push_back(mc[link_members[k]]);
      next_lc[i] = ids.Of(HashSorted(lc[i], sig));
    }
    const size_t next_l_colours = ids.size();
    ids.Clear();
    std::vector<uint32_t> next_mc(m_count);
    for (size_t m = 0; m < m_count; ++m) {
      sig.clear();
      for (uint32_t k = member_offset_[m]; k < member_offset_[m + 1]; ++k)
        sig.push_back(next_lc[local[member_links_[k]]]);
      next_mc[m] = ids.Of(HashSorted(mc[m], sig));
    }
    const size_t next_m_colours = ids.size();
    lc.swap(next_lc);
    mc.swap(next_mc);
    if (next_l_colours == l_colours && next_m_colours == m_colours) break;
    // Each round costs a pass over every incidence; colours that keep
    // spreading round after round (asymmetry travelling along rings) mean
    // the classes will be too many to gain.
    if (rounds_ >= max_rounds_) {
      return absl::ResourceExhaustedError(
          absl::StrCat("flow classes: no stable partition after ", rounds_,
                       " refinement rounds (", next_m_colours, " classes for ", m_count,
                       " flows so far)"));
    }
    l_colours = next_l_colours;
    m_colours = next_m_colours;
  }

  // Verify exactly: (a) per cell, capacities and the classes on each link;
  // (b) per class, template, latency and the cells along each member's path.
  const size_t cells = l_colours, classes = m_colours;
  std::vector<int> cell_first(cells, -1), class_first(classes, -1);
  std::vector<std::vector<uint32_t>> cell_sig(cells), class_sig(classes);
  for (size_t i = 0; i < l_count; ++i) {
    sig.clear();
    for (uint32_t k = link_offset[i]; k < link_offset[i + 1]; ++k) sig.push_back(mc[link_members[k]]);
    std::sort(sig.begin(), sig.end());
    const uint32_t x = lc[i];
    if (cell_first[x] < 0) {
      cell_first[x] = static_cast<int>(i);
      cell_sig[x] = sig;
    } else if (sig != cell_sig[x] || capacity_[used[i]] != capacity_[used[cell_first[x]]]) {
      return absl::InternalError("flow classes: a cell's links differ (hash collision)");
    }
  }
  for (size_t m = 0; m < m_count; ++m) {
    sig.clear();
    for (uint32_t k = member_offset_[m]; k < member_offset_[m + 1]; ++k)
      sig.push_back(lc[local[member_links_[k]]]);
    std::sort(sig.begin(), sig.end());
    const uint32_t c = mc[m];
    if (class_first[c] < 0) {
      class_first[c] = static_cast<int>(m);
      class_sig[c] = sig;
    } else if (sig != class_sig[c] || member_tmpl_[m] != member_tmpl_[class_first[c]] ||
               member_latency_[m] != member_latency_[class_first[c]]) {
      return absl::InternalError("flow classes: a class's flows differ (hash collision)");
    }
  }

  // The quotient: cells with their capacity, classes with n(C, X) per cell.
  cell_capacity_.assign(cells, 0.0);
  classes_.assign(classes, Class{});
  for (size_t x = 0; x < cells; ++x) {
    cell_capacity_[x] = capacity_[used[cell_first[x]]];
    const std::vector<uint32_t>& s = cell_sig[x];
    for (size_t k = 0; k < s.size();) {
      size_t e = k;
      while (e < s.size() && s[e] == s[k]) ++e;
      classes_[s[k]].cells.push_back(static_cast<int>(x));
      classes_[s[k]].weights.push_back(static_cast<double>(e - k));
      k = e;
    }
  }
  std::vector<int> class_local(classes, -1);
  template_classes_.assign(template_members_.size(), {});
  for (size_t m = 0; m < m_count; ++m) {
    Class& c = classes_[mc[m]];
    c.latency_s = member_latency_[m];
    ++c.members;
    if (class_local[mc[m]] < 0) {
      auto& list = template_classes_[member_tmpl_[m]];
      class_local[mc[m]] = static_cast<int>(list.size());
      list.push_back(static_cast<int>(mc[m]));
    }
  }
  unit_profiles_.assign(template_members_.size(), {});
  std::vector<std::map<int, std::vector<int>>> units(template_members_.size());
  for (size_t m = 0; m < m_count; ++m) {
    std::vector<int>& p = units[member_tmpl_[m]][member_unit_[m]];
    p.push_back(class_local[mc[m]]);
  }
  for (size_t t = 0; t < units.size(); ++t) {
    std::map<std::vector<int>, int> seen;
    for (auto& [unit, p] : units[t]) {
      std::sort(p.begin(), p.end());
      p.erase(std::unique(p.begin(), p.end()), p.end());
      if (seen.emplace(p, 0).second) unit_profiles_[t].push_back(p);
    }
  }
  return absl::OkStatus();
}

}  // namespace mlsysim
