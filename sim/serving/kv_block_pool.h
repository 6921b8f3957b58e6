// kv_block_pool.h — one replica's paged KV cache: a fixed number of blocks
// of `block_tokens` tokens; a request holds ceil(tokens / block_tokens) of
// them. Growing fails (the caller preempts or waits) when too few are free.
// Usage: KvBlockPool pool(29205, 16); int held = 0; if (!pool.Grow(&held, 513)) ...
#ifndef MLSYSIM_SIM_SERVING_KV_BLOCK_POOL_H_
#define MLSYSIM_SIM_SERVING_KV_BLOCK_POOL_H_

#include <cstdint>

namespace mlsysim {

class KvBlockPool {
 public:
  KvBlockPool() = default;
  KvBlockPool(int64_t blocks, int block_tokens)
      : free_(blocks), total_(blocks), block_tokens_(block_tokens) {}

  int64_t BlocksFor(int64_t tokens) const { return (tokens + block_tokens_ - 1) / block_tokens_; }
  // Grows a request holding *held blocks to cover `tokens`; false (nothing
  // taken) when the pool lacks the blocks.
  bool Grow(int* held, int64_t tokens) {
    const int64_t need = BlocksFor(tokens) - *held;
    if (need <= 0) return true;
    if (need > free_) return false;
    free_ -= need;
    *held += static_cast<int>(need);
    return true;
  }
  void Release(int* held) {
    free_ += *held;
    *held = 0;
  }
  int64_t used() const { return total_ - free_; }
  int64_t free() const { return free_; }
  double utilization() const { return total_ > 0 ? static_cast<double>(used()) / total_ : 0.0; }

 private:
  int64_t free_ = 0, total_ = 0;
  int block_tokens_ = 16;
};

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_SERVING_KV_BLOCK_POOL_H_
