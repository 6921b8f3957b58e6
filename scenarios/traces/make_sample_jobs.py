#!/usr/bin/env python3
"""make_sample_jobs.py — writes sample_jobs.csv, the job trace the shipped
shared-cluster scenarios replay: one day of training jobs on a 2,048-GPU
cluster, generated here (no third-party data), shaped like the published
cluster studies say such traces are — most jobs small (Philly, ATC'19: most
use one node or less), a few large multi-node jobs that hold most of the
GPU-hours (Helios, SC'21), log-normal run times with a median near an hour.

Deterministic (seed 2026); rerun to regenerate:
  python3 scenarios/traces/make_sample_jobs.py > scenarios/traces/sample_jobs.csv
"""
import math
import random

rng = random.Random(2026)
SIZES = [(1, 0.30), (2, 0.10), (4, 0.10), (8, 0.22), (16, 0.10), (32, 0.08), (64, 0.06),
         (128, 0.03), (256, 0.01)]
USERS = [f"u{k:02d}" for k in range(24)]


def size():
    u, acc = rng.random(), 0.0
    for gpus, p in SIZES:
        acc += p
        if u < acc:
            return gpus
    return SIZES[-1][0]


print("job_id,user,submit_time_s,gpus,duration_s,status")
t, k = 0.0, 0
while True:
    t += rng.expovariate(1 / 80.0)  # a job every 80 s on average
    if t >= 86400:
        break
    gpus = size()
    # Larger jobs run longer (median 40 min for one GPU, ~2.5 h for 256).
    median = 2400 * (1 + math.log2(gpus) / 3)
    duration = min(12 * 3600, max(120, rng.lognormvariate(math.log(median), 0.9)))
    k += 1
    print(f"job{k:04d},{rng.choice(USERS)},{t:.1f},{gpus},{duration:.1f},Pass")
