// sweep_mpi.cc — see sweep_mpi.h.
#include "cli/sweep_mpi.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "sim/scenario/scenario_check.h"

#ifdef MLSYSIM_HAVE_MPI
#include <mpi.h>
#endif

namespace mlsysim {

bool LaunchedByMpi() {
  for (const char* var : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"}) {
    if (std::getenv(var) != nullptr) return true;
  }
  return false;
}

#ifndef MLSYSIM_HAVE_MPI

absl::StatusOr<bool> RunSweepOverMpi(const std::vector<int64_t>&,
                                     const std::function<SweepRow(int64_t)>&,
                                     const std::function<void(SweepRow)>&, int*) {
  return absl::FailedPreconditionError(
      "this mlsysim was built without MPI: install Open MPI (libopenmpi-dev, openmpi-bin) and "
      "rebuild, or run "
      "the sweep on one machine with --jobs N");
}

#else

namespace {

constexpr int kTagResult = 1;  // worker -> coordinator: a sweep::RowBatch (empty: "ready")
constexpr int kTagWork = 2;    // coordinator -> worker: a chunk of indices (empty: stop)

}  // namespace

absl::StatusOr<bool> RunSweepOverMpi(const std::vector<int64_t>& todo,
                                     const std::function<SweepRow(int64_t)>& run_point,
                                     const std::function<void(SweepRow)>& on_done, int* ranks) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) MPI_Init(nullptr, nullptr);
  int rank = 0, size = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  *ranks = size;
  if (size < 2) {
    MPI_Finalize();
    return absl::InvalidArgumentError(
        "mpirun: give at least 2 ranks (rank 0 coordinates, the others run points)");
  }
  if (rank == 0) {
    // Guided self-scheduling: a worker gets a chunk of the remaining points,
    // a quarter of its share (at least 1, at most 256), so cheap points do not
    // pay one round trip each and the last chunks stay small.
    size_t next = 0;
    int active = size - 1;
    const int workers = size - 1;
    while (active > 0) {
      MPI_Status st;
      int ready = 0;
      while (true) {  // poll with short sleeps: a blocking probe spins a core in Open MPI
        MPI_Iprobe(MPI_ANY_SOURCE, kTagResult, MPI_COMM_WORLD, &ready, &st);
        if (ready) break;
        std::this_thread::sleep_for(std::chrono::microseconds(200));
      }
      int length = 0;
      MPI_Get_count(&st, MPI_CHAR, &length);
      std::string buf(static_cast<size_t>(length), '\0');
      MPI_Recv(buf.data(), length, MPI_CHAR, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      if (length > 0) {
        sweep::RowBatch batch;
        if (!batch.ParseFromString(buf)) {
          MPI_Abort(MPI_COMM_WORLD, 1);  // a worker of another build: nothing to trust
        }
        for (sweep::Row& row : *batch.mutable_rows()) on_done(std::move(row));
      }
      const size_t remaining = todo.size() - next;
      const size_t chunk =
          std::min<size_t>(remaining, std::clamp<size_t>(remaining / (4 * workers), 1, 256));
      std::vector<long long> indices(todo.begin() + next, todo.begin() + next + chunk);
      next += chunk;
      if (indices.empty()) --active;
      MPI_Send(indices.data(), static_cast<int>(indices.size()), MPI_LONG_LONG, st.MPI_SOURCE,
               kTagWork, MPI_COMM_WORLD);
    }
  } else {
    std::string result;  // empty: ready for the first chunk
    while (true) {
      MPI_Send(result.data(), static_cast<int>(result.size()), MPI_CHAR, 0, kTagResult,
               MPI_COMM_WORLD);
      MPI_Status st;
      MPI_Probe(0, kTagWork, MPI_COMM_WORLD, &st);
      int count = 0;
      MPI_Get_count(&st, MPI_LONG_LONG, &count);
      std::vector<long long> indices(static_cast<size_t>(count));
      MPI_Recv(indices.data(), count, MPI_LONG_LONG, 0, kTagWork, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
      if (indices.empty()) break;
      sweep::RowBatch batch;
      for (long long index : indices) *batch.add_rows() = run_point(index);
      result = batch.SerializeAsString();
    }
  }
  MPI_Finalize();
  return rank == 0;
}

#endif  // MLSYSIM_HAVE_MPI

}  // namespace mlsysim
