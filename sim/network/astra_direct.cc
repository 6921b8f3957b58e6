// astra_direct.cc — ASTRA-sim's direct collectives, simulated message by
// message with ASTRA-sim's event order (see astra_direct.h).
#include "sim/network/astra_direct.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <queue>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "proto/chakra.pb.h"
#include "sim/network/astra_timing.h"

namespace mlsysim {

namespace {

// One NPU's instance of ASTRA-sim's AllToAll algorithm for one stream.
struct Algorithm {
  int stream_count = 0, free_packets = 0, received = 0;
  int zero_latency = 0, non_zero_latency = 0;
  bool toggle = false, done = false;
  std::vector<std::pair<int, int>> packets;  // (destination, source), from `head`
  size_t head = 0;
  int receiver = 0, sender = 0;
};

// A callback of ASTRA-sim's system layer (Sys::register_event).
struct SysEvent {
  enum Kind { kBusCrossed, kGeneral } kind;
  int npu, stream;
  bool processed;
};

struct Message {
  int src, dst, stream, at;
};

struct Link {
  bool busy = false;
  std::deque<int> pending;
};

class DirectSimulation {
 public:
  DirectSimulation(int op, int64_t comm_size, const AstraDimension& dim, const AstraSystem& sys,
                   int window, bool aware)
      : op_(op),
        n_(dim.npus),
        streams_(sys.splits),
        active_(sys.active_chunks),
        aware_(aware),
        topology_(dim.topology) {
    window_ = window < 0 ? n_ - 1 : std::min(window, n_ - 1);
    const double chunk = static_cast<double>(comm_size) / sys.splits;
    size_ = op == chakra::ALL_GATHER ? chunk : chunk / n_;
    const double b = dim.bytes_per_ns, a = dim.latency_ns;
    serialization_ = static_cast<int64_t>(std::floor(size_ / b));
    link_delay_ = static_cast<int64_t>(std::floor(a + size_ / b));
    alpha_ = a;
    bytes_per_ns_ = b;
    endpoint_ = static_cast<int64_t>(sys.endpoint_delay);
    reduce_ = 3 * static_cast<int64_t>(std::floor(size_ / sys.local_mem_bw));
    stream_messages_ = op == chakra::ALL_REDUCE ? 2 * (n_ - 1) : n_ - 1;
  }

  int64_t Run() {
    algorithms_.resize(static_cast<size_t>(n_) * streams_);
    match_.assign(static_cast<size_t>(streams_) * n_ * n_, 0);
    next_stream_.assign(n_, 0);
    links_.resize(topology_ == AstraTopology::kRing ? 2 * n_ : 2 * n_);
    for (int npu = 0; npu < n_; ++npu)
      for (int k = 0; k < std::min(active_, streams_); ++k) StartNextStream(npu);
    while (!queue_.empty()) {
      const Event e = queue_.top();
      queue_.pop();
      now_ = e.time;
      switch (e.kind) {
        case kSysBatch: RunBatch(e.a); break;
        case kLinkFree: LinkFree(e.a); break;
        case kArrive: Arrive(e.a); break;
        case kDeliver: Deliver(e.a); break;
      }
    }
    return finish_;
  }

 private:
  enum Kind { kSysBatch, kLinkFree, kArrive, kDeliver };
  struct Event {
    int64_t time;
    uint64_t seq;
    Kind kind;
    int a;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };

  void Schedule(int64_t time, Kind kind, int a) { queue_.push({time, seq_++, kind, a}); }

  // Sys::try_register_event: the events of one cycle run as one batch, placed
  // in the queue when that cycle's first event was registered.
  void RegisterSys(int64_t delay, SysEvent ev) {
    const int64_t t = now_ + delay;
    auto it = batch_of_time_.find(t);
    if (it == batch_of_time_.end()) {
      it = batch_of_time_.emplace(t, static_cast<int>(batches_.size())).first;
      batches_.emplace_back();
      Schedule(t, kSysBatch, it->second);
    }
    batches_[it->second].push_back(ev);
  }

  void RunBatch(int b) {
    for (size_t i = 0; i < batches_[b].size(); ++i) {
      const SysEvent ev = batches_[b][i];  // the batch may grow while it runs
      if (ev.kind == SysEvent::kBusCrossed && ev.processed) {
        RegisterSys(reduce_, {SysEvent::kGeneral, ev.npu, ev.stream, false});
      } else {
        General(ev.npu, ev.stream);
      }
    }
    batch_of_time_.erase(now_);
    batches_[b].clear();
    batches_[b].shrink_to_fit();
  }

  Algorithm& Of(int npu, int stream) { return algorithms_[static_cast<size_t>(stream) * n_ + npu]; }

  void StartNextStream(int npu) {
    if (next_stream_[npu] >= streams_) return;
    const int stream = next_stream_[npu]++;
    Algorithm& a = Of(npu, stream);
    a.stream_count = stream_messages_;
    a.receiver = (npu + 1) % n_;
    a.sender = (npu + n_ - 1) % n_;
    for (int i = 0; i < window_; ++i) InsertPacket(npu, stream);
  }

  void InsertPacket(int npu, int stream) {
    Algorithm& a = Of(npu, stream);
    if (a.zero_latency == 0 && a.non_zero_latency == 0) {
      a.zero_latency = window_;
      a.non_zero_latency = window_;
      a.toggle = !a.toggle;
    }
    bool processed = false;
    if (a.zero_latency > 0) {
      --a.zero_latency;
    } else {
      processed = op_ == chakra::REDUCE_SCATTER || op_ == chakra::REDUCE_SCATTER_BLOCK ||
                  (op_ == chakra::ALL_REDUCE && a.toggle);
      --a.non_zero_latency;
    }
    a.packets.emplace_back(a.receiver, a.sender);
    RegisterSys(endpoint_, {SysEvent::kBusCrossed, npu, stream, processed});
    a.receiver = (a.receiver + 1) % n_;
    if (a.receiver == npu) a.receiver = (a.receiver + 1) % n_;
    a.sender = (a.sender + n_ - 1) % n_;
    if (a.sender == npu) a.sender = (a.sender + n_ - 1) % n_;
  }

  void General(int npu, int stream) {
    Algorithm& a = Of(npu, stream);
    ++a.free_packets;
    if (op_ == chakra::ALL_REDUCE && a.stream_count <= n_ - 1) {
      if (a.received < n_ - 1) return;
      for (int i = 0; i < window_; ++i) Ready(npu, stream);
    } else {
      Ready(npu, stream);
    }
    if (a.stream_count == 0 && a.free_packets == window_ && !a.done) {
      a.done = true;
      finish_ = std::max(finish_, now_);
      StartNextStream(npu);
    }
  }

  void Ready(int npu, int stream) {
    Algorithm& a = Of(npu, stream);
    if (a.head == a.packets.size() || a.stream_count == 0 || a.free_packets == 0) return;
    const auto [dst, src] = a.packets[a.head++];
    --a.free_packets;
    --a.stream_count;
    Send(npu, dst, stream);
    PostReceive(npu, src, stream);
  }

  // Per (stream, receiver, sender): > 0 receives posted and not yet matched,
  // < 0 messages arrived before their receive was posted.
  int8_t& Match(int stream, int dst, int src) {
    return match_[(static_cast<size_t>(stream) * n_ + dst) * n_ + src];
  }

  void PostReceive(int npu, int src, int stream) {
    int8_t& m = Match(stream, npu, src);
    if (m < 0) {
      ++m;
      Schedule(now_, kDeliver, npu * streams_ + stream);
    } else {
      ++m;
    }
  }

  void Send(int src, int dst, int stream) {
    const int m = static_cast<int>(messages_.size());
    messages_.push_back({src, dst, stream, src});
    if (!aware_) {
      Schedule(
          now_ + static_cast<int64_t>(std::floor(Hops(src, dst) * alpha_ + size_ / bytes_per_ns_)),
          kArrive, m);
      return;
    }
    LinkSend(NextLink(m), m);
  }

  int Hops(int src, int dst) const {
    if (topology_ == AstraTopology::kSwitch) return 2;
    if (topology_ == AstraTopology::kFullyConnected) return 1;
    const int cw = (dst - src + n_) % n_;
    return std::min(cw, n_ - cw);
  }

  // The link a message takes from where it is: Ring links are 2·node (+1) and
  // 2·node+1 (−1); Switch: node's up-link 2·node, the switch's down-link to
  // node 2·node+1; FullyConnected: one link per ordered pair.
  int NextLink(int m) {
    Message& msg = messages_[m];
    switch (topology_) {
      case AstraTopology::kSwitch: return msg.at == msg.src ? 2 * msg.src : 2 * msg.dst + 1;
      case AstraTopology::kFullyConnected: {
        const int64_t key = static_cast<int64_t>(msg.src) * n_ + msg.dst;
        auto it = pair_link_.find(key);
        if (it == pair_link_.end()) {
          it = pair_link_.emplace(key, static_cast<int>(links_.size())).first;
          links_.emplace_back();
        }
        return it->second;
      }
      case AstraTopology::kRing: {
        const int cw = (msg.dst - msg.src + n_) % n_;
        return n_ - cw < cw ? 2 * msg.at + 1 : 2 * msg.at;
      }
    }
    return 0;
  }

  void LinkSend(int link, int m) {
    Link& l = links_[link];
    if (l.busy) {
      l.pending.push_back(m);
      return;
    }
    Transmit(link, m);
  }

  void Transmit(int link, int m) {
    links_[link].busy = true;
    Message& msg = messages_[m];
    // Where the message is after this link.
    switch (topology_) {
      case AstraTopology::kSwitch: msg.at = msg.at == msg.src ? -1 : msg.dst; break;
      case AstraTopology::kFullyConnected: msg.at = msg.dst; break;
      case AstraTopology::kRing:
        msg.at = (link % 2 == 0) ? (msg.at + 1) % n_ : (msg.at + n_ - 1) % n_;
        break;
    }
    Schedule(now_ + link_delay_, kArrive, m);
    Schedule(now_ + serialization_, kLinkFree, link);
  }

  void LinkFree(int link) {
    Link& l = links_[link];
    l.busy = false;
    if (l.pending.empty()) return;
    const int m = l.pending.front();
    l.pending.pop_front();
    Transmit(link, m);
  }

  void Arrive(int m) {
    const Message& msg = messages_[m];
    if (aware_ && msg.at != msg.dst) {
      LinkSend(NextLink(m), m);
      return;
    }
    int8_t& match = Match(msg.stream, msg.dst, msg.src);
    --match;
    if (match >= 0) Deliver(msg.dst * streams_ + msg.stream);
  }

  // PacketReceived on (npu, stream).
  void Deliver(int id) {
    const int npu = id / streams_, stream = id % streams_;
    ++Of(npu, stream).received;
    InsertPacket(npu, stream);
  }

  const int op_, n_, streams_, active_;
  const bool aware_;
  const AstraTopology topology_;
  int window_ = 1, stream_messages_ = 1;
  double size_ = 0, alpha_ = 0, bytes_per_ns_ = 1;
  int64_t serialization_ = 0, link_delay_ = 0, endpoint_ = 0, reduce_ = 0;
  int64_t now_ = 0, finish_ = 0;
  uint64_t seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> queue_;
  absl::flat_hash_map<int64_t, int> batch_of_time_;
  std::vector<std::vector<SysEvent>> batches_;
  std::vector<Algorithm> algorithms_;
  std::vector<int> next_stream_;
  std::vector<Message> messages_;
  std::vector<Link> links_;
  absl::flat_hash_map<int64_t, int> pair_link_;
  std::vector<int8_t> match_;
};

}  // namespace

absl::StatusOr<int64_t> AstraDirectCycles(int op, int64_t comm_size, const AstraDimension& dim,
                                          const AstraSystem& sys, int window, bool aware) {
  if (op != chakra::ALL_TO_ALL && op != chakra::ALL_GATHER && op != chakra::REDUCE_SCATTER &&
      op != chakra::REDUCE_SCATTER_BLOCK && op != chakra::ALL_REDUCE) {
    return absl::UnimplementedError(
        absl::StrCat("the direct implementation covers ALL_REDUCE, ALL_GATHER, REDUCE_SCATTER and "
                     "ALL_TO_ALL; got comm_type ",
                     op));
  }
  const int n = dim.npus;
  if (n <= 1 || comm_size <= 0) return 0;
  const double hops = aware && dim.topology == AstraTopology::kRing ? n / 4.0 + 1 : 1;
  const double work =
      static_cast<double>(sys.splits) * n * (n - 1.0) * hops * (op == chakra::ALL_REDUCE ? 2 : 1);
  if (work > kMaxAstraDirectHops || static_cast<double>(sys.splits) * n > 4e6) {
    return absl::InvalidArgumentError(
        absl::StrCat("direct collective on ", n, " NPUs with ", sys.splits, " splits: ", work,
                     " message hops to simulate, above the limit of ", kMaxAstraDirectHops,
                     " (fewer preferred-dataset-splits, a Switch topology, or --backend flow)"));
  }
  DirectSimulation sim(op, comm_size, dim, sys, window, aware);
  return sim.Run();
}

AstraImplementation AstraCollectiveTimer::ImplementationFor(int op) const {
  return op == chakra::BARRIER ? AstraImplementation{} : system_.ImplementationFor(op);
}

absl::StatusOr<int64_t> AstraCollectiveTimer::Cycles(int op, int64_t size, int group) {
  const auto key = std::make_tuple(op, size, group);
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  const AstraImplementation impl = ImplementationFor(op);
  AstraDimension dim = dim_;
  dim.npus = group;
  auto c = impl.kind == AstraImplementation::kDirect
               ? AstraDirectCycles(op, size, dim, system_, impl.window, aware_)
               : AstraCollectiveCycles(op, size, dim, system_, aware_);
  if (!c.ok())
    return absl::Status(c.status().code(),
                        absl::StrCat("system: ", impl.name, ": ", c.status().message()));
  cache_.emplace(key, *c);
  return *c;
}

}  // namespace mlsysim
