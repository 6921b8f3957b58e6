#!/usr/bin/env python3
"""time_commands.py — whole-command wall times, binaries alternated.

Usage: bench/time_commands.py BIN1[,BIN2...] "ARGS ..." [REPS=7]
Runs each binary with ARGS (output discarded) REPS times, alternating the
binaries so that both see the same machine load, and prints the median and
every run in milliseconds (process wall clock, time.perf_counter).
"""
import subprocess, sys, time, statistics
bins = sys.argv[1].split(',')
args = sys.argv[2].split()
reps = int(sys.argv[3]) if len(sys.argv) > 3 else 7
res = {b: [] for b in bins}
for _ in range(reps):
    for b in bins:
        t = time.perf_counter(); subprocess.run([b] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False); res[b].append(time.perf_counter() - t)
for b in bins:
    print(f"{b}: median {statistics.median(res[b])*1e3:.1f} ms  runs {[round(x*1e3,1) for x in res[b]]}")
