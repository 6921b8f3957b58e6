// sampling.h — draws from the workload layer's distributions with the
// engine's random streams: durations, token counts, arrival times, and whole
// synthetic request streams. The workload layer describes the distributions
// (workloads/distributions.h); drawing belongs to the engine, which owns the
// random streams (sim/core/random.h), so the workload layer needs no engine.
// Usage: RandomStream rng = streams.Stream(0, "arrivals"); double t = NextArrival(arrivals, 0.0,
// rng);
#ifndef MLSYSIM_SIM_CORE_SAMPLING_H_
#define MLSYSIM_SIM_CORE_SAMPLING_H_

#include <cstdint>
#include <vector>

#include "sim/core/random.h"
#include "workloads/distributions.h"
#include "workloads/request_stream.h"

namespace mlsysim {

double Draw(const DurationDistribution& d, RandomStream& rng);
// Token counts, clamped to [1, 10^7].
int Draw(const TokenDistribution& d, RandomStream& rng);
// The next arrival after `t` (seconds).
double NextArrival(const ArrivalProcess& d, double t, RandomStream& rng);

// `count` requests: arrivals, input and output lengths from three streams of
// (seed, replication), entities 0, 1, 2.
std::vector<Request> GenerateRequests(const ArrivalProcess& arrivals,
                                      const TokenDistribution& input,
                                      const TokenDistribution& output, int64_t count, uint64_t seed,
                                      uint64_t replication);

}  // namespace mlsysim

#endif  // MLSYSIM_SIM_CORE_SAMPLING_H_
