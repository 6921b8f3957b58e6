// grouped_queue.h — a min-priority queue of items whose keys repeat: items
// with equal keys share one group, so the heap holds one entry per distinct
// key. The flow network uses it for finish times and arrival times, where the
// flows of one collective step all share a key; heap work then follows the
// number of distinct instants, not the number of flows.
//
// Items of a group come out in insertion order (deterministic). Lookup by key
// goes through a hash map that is never iterated, so no hash order reaches
// the output.
//
// Usage:
//   GroupedQueue<double, uint32_t> q;
//   q.Push(1.5, 7); q.Push(1.5, 9);
//   while (!q.Empty() && q.TopKey() <= now) for (uint32_t x : q.PopGroup()) ...;
#ifndef MLSYSIM_SIM_CORE_GROUPED_QUEUE_H_
#define MLSYSIM_SIM_CORE_GROUPED_QUEUE_H_

#include <algorithm>
#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"

namespace mlsysim {

template <typename Key, typename Item>
class GroupedQueue {
 public:
  void Push(Key key, Item item) {
    if (has_last_ && key == last_key_) {  // runs of equal keys skip the lookup
      groups_[last_group_].push_back(item);
      ++size_;
      return;
    }
    auto [it, inserted] = open_.try_emplace(key, 0u);
    if (inserted) {
      uint32_t g;
      if (!free_.empty()) {
        g = free_.back();
        free_.pop_back();
      } else {
        g = static_cast<uint32_t>(groups_.size());
        groups_.emplace_back();
      }
      it->second = g;
      heap_.push_back({key, g});
      std::push_heap(heap_.begin(), heap_.end(), std::greater<>());
    }
    groups_[it->second].push_back(item);
    ++size_;
    has_last_ = true;
    last_key_ = key;
    last_group_ = it->second;
  }
  bool Empty() const { return heap_.empty(); }
  size_t size() const { return size_; }
  Key TopKey() const { return heap_.front().first; }
  // Removes the smallest key's group and returns its items (valid until the
  // next call on this queue).
  const std::vector<Item>& PopGroup() {
    std::pop_heap(heap_.begin(), heap_.end(), std::greater<>());
    const auto [key, g] = heap_.back();
    heap_.pop_back();
    open_.erase(key);
    if (has_last_ && last_group_ == g) has_last_ = false;
    out_.swap(groups_[g]);
    groups_[g].clear();
    free_.push_back(g);
    size_ -= out_.size();
    return out_;
  }

 private:
  std::vector<std::pair<Key, uint32_t>> heap_;  // (key, group)
  std::vector<std::vector<Item>> groups_;
  std::vector<uint32_t> free_;
  absl::flat_hash_map<Key, uint32_t> open_;
  std::vector<Item> out_;
  size_t size_ = 0;
  bool has_last_ = false;
  Key last_key_{};
  uint32_t last_group_ = 0;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_GROUPED_QUEUE_H_
