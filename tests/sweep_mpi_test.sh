#!/usr/bin/env bash
# sweep_mpi_test.sh — the same sweep with --jobs 1, --jobs 2, mpirun -np 2 and
# mpirun -np 3 --oversubscribe must write byte-identical CSVs (ctest runs it
# when the build has MPI). Usage: sweep_mpi_test.sh MLSYSIM SWEEP.textproto DIR
set -euo pipefail
bin=$1 sweep=$2 dir=$3
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
mkdir -p "$dir"
"$bin" sweep "$sweep" --jobs 1 --output "$dir/j1.csv" > /dev/null
"$bin" sweep "$sweep" --jobs 2 --output "$dir/j2.csv" > /dev/null
mpirun -np 2 "$bin" sweep "$sweep" --output "$dir/mpi2.csv" > "$dir/mpi2.txt"
mpirun -np 3 --oversubscribe "$bin" sweep "$sweep" --output "$dir/mpi3.csv" > "$dir/mpi3.txt"
grep -q "with 2 MPI worker ranks" "$dir/mpi3.txt"
sums=$(md5sum "$dir"/j1.csv "$dir"/j2.csv "$dir"/mpi2.csv "$dir"/mpi3.csv | awk '{print $1}' | sort -u | wc -l)
md5sum "$dir"/*.csv
test "$sums" -eq 1
