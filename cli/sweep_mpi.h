// sweep_mpi.h — a sweep across machines with MPI (`mpirun -np N mlsysim sweep
// ...`): rank 0 coordinates — it hands out chunks of points to whichever
// worker asks (dynamic, guided self-scheduling: a quarter of the worker's
// share of what remains, so point costs that differ by orders of magnitude
// still balance) and gathers the rows; ranks 1…N−1 run points. Every rank reads
// the same sweep file, so only point indices and result rows travel. Built
// when CMake finds MPI (MLSYSIM_HAVE_MPI); otherwise a run under mpirun
// fails with a message saying so.
// Usage: if (LaunchedByMpi()) { auto r = RunSweepOverMpi(todo, run_point, on_done, &ranks); }
#ifndef MLSYSIM_CLI_SWEEP_MPI_H_
#define MLSYSIM_CLI_SWEEP_MPI_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "sim/scenario/sweep_runner.h"

namespace mlsysim {

// Whether the process was started by mpirun (Open MPI or a PMI launcher).
bool LaunchedByMpi();

// Runs `todo` over the MPI ranks. On rank 0 calls on_done for every row and
// returns true; on the other ranks returns false once the work is done (they
// print nothing). An error if this build has no MPI.
absl::StatusOr<bool> RunSweepOverMpi(const std::vector<int64_t>& todo,
                                     const std::function<SweepRow(int64_t)>& run_point,
                                     const std::function<void(SweepRow)>& on_done, int* ranks);

}  // namespace mlsysim

#endif  // MLSYSIM_CLI_SWEEP_MPI_H_
