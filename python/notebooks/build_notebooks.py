#!/usr/bin/env python3
"""build_notebooks.py — writes the tutorial's exercises as Jupyter notebooks
(python/notebooks/NN_*.ipynb) from the cells below: the source of truth, so
that the notebooks diff as Python. Each exercise asks for a prediction first,
then reveals the closed form, then runs the simulation and plots both.

    /usr/bin/python3 python/notebooks/build_notebooks.py          # rewrite them
    /usr/bin/python3 python/notebooks/build_notebooks.py --check  # exit 1 if stale

The notebooks are written without outputs; tests/ executes every one (nbclient).
"""
import os
import sys

import nbformat

HERE = os.path.dirname(os.path.abspath(__file__))

SETUP = """\
# Run with the package on the path: `. .venv/bin/activate && python -m notebook python/notebooks`
# (the README's first command makes .venv), or PYTHONPATH=build/python.
import mlsysim
from mlsysim import *
import matplotlib.pyplot as plt
%matplotlib inline
plt.rcParams["figure.figsize"] = (7, 4)"""

NOTEBOOKS = {}

NOTEBOOKS["01_roofline_and_iron_law"] = [
    ("md", """\
# 1. The roofline and the Iron Law

Two closed forms carry most of the tutorial: the **roofline** (a kernel takes
max(FLOPs / peak, bytes / bandwidth)) and the **Iron Law of training**
(step time = 6·P·D / (N · peak · η) for P parameters, D tokens per step, N
accelerators at efficiency η). Predict first, then reveal, then simulate."""),
    ("code", SETUP),
    ("md", """\
## Predict
One forward pass of Llama-3-8B at batch 1 in fp16 on one H100. Every weight
(16 GB) is read once; the H100 reads 3.35 TB/s and computes 989 TFLOP/s.
**Your guess, in milliseconds, and is it compute- or memory-bound?**"""),
    ("code", "my_guess_ms = None        # write your prediction here\nmy_guess_bound = None     # 'Compute' or 'Memory'"),
    ("md", "## Reveal: the closed form (mlsysim's Engine, η = 0.5)"),
    ("code", """\
profile = Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=1,
                       precision="fp16", efficiency=0.5, is_training=False)
print(f"latency {profile.latency.to('ms'):.3f~P}, {profile.bottleneck}-bound "
      f"(your guess: {my_guess_ms} ms, {my_guess_bound})")
print(f"weights / bandwidth alone: {(16.06e9 / 3.35e12) * 1e3:.2f} ms; "
      f"the rest is mlsysim's fixed overhead ({profile.latency_overhead.to('ms'):.2f~P})")"""),
    ("md", """\
## Batching moves along the roofline
Larger batches reuse each weight for more tokens: the arithmetic intensity
rises toward the ridge point (peak / bandwidth) where the kernel turns
compute-bound."""),
    ("code", """\
batches = [1, 2, 4, 8, 16, 32, 64, 128, 256]
runs = [Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=b,
                     precision="fp16", efficiency=0.5, is_training=False) for b in batches]
ridge = Hardware.H100.ridge_point
peak = Hardware.H100.flops.to("flop/s").magnitude
bw = Hardware.H100.bandwidth.to("B/s").magnitude
import numpy as np
ai = np.logspace(-1, 3.5, 200)
fig, ax = plt.subplots()
ax.loglog(ai, np.minimum(peak, ai * bw) / 1e12, color="black", label="H100 roofline")
for b, r in zip(batches, runs):
    x = r.arithmetic_intensity.magnitude
    ax.scatter([x], [min(peak, x * bw) / 1e12], zorder=3)
    ax.annotate(f"b={b}", (x, min(peak, x * bw) / 1e12), textcoords="offset points", xytext=(4, -10), fontsize=8)
ax.axvline(ridge, ls=":", color="grey", label=f"ridge {ridge:.0f} FLOP/B")
ax.set_xlabel("arithmetic intensity (FLOP/byte)")
ax.set_ylabel("attainable TFLOP/s")
ax.legend()
plt.show()"""),
    ("md", """\
## Predict: the Iron Law
Llama-3-70B trained on Research_256 (256 H100s, TP 8 × PP 4 × DP 8), 256
sequences of 8,192 tokens per step. **Is the simulated step shorter or longer
than 6PD/(N·peak·η) with η = 0.5, and by how much?**"""),
    ("code", "my_guess_step_s = None"),
    ("md", """\
## Reveal, then simulate
The simulation runs the step at flow level on the cluster's fabric: TP on
NVLink, the pipeline's sends, and the gradient all-reduce on the 100 GbE fabric
(ECMP hashing makes rings collide)."""),
    ("code", """\
r = mlsysim.simulate.training(model="Llama3_70B", cluster="Research_256", tp=8, pp=4,
                              batch_size=256, days=0)
iron = r.step_time_s.analytic.to("s").magnitude
dm = r.step_time_mlsysim.analytic.to("s").magnitude
sim = r.step_time_s.simulated.to("s").magnitude
print(f"Iron Law {iron:.2f} s | mlsysim DistributedModel {dm:.2f} s | simulated {sim:.2f} s "
      f"(your guess: {my_guess_step_s})")
step = r.sections["step"]
parts = {k: step[k].simulated.to("s").magnitude for k in
         ("compute_s", "tp_communication_s", "pipeline_bubble_s", "exposed_dp_communication_s")}
fig, ax = plt.subplots()
ax.bar(["Iron Law", "DistributedModel"], [iron, dm], color=["#4c72b0", "#55a868"])
bottom = 0.0
for name, value in parts.items():
    ax.bar(["simulated"], [value], bottom=bottom, label=name.removesuffix("_s"))
    bottom += value
ax.set_ylabel("step time (s)")
ax.legend()
plt.show()"""),
    ("md", """\
The Iron Law counts only the model's FLOPs at one efficiency; the simulation
adds what a real step pays: TP all-reduces, the pipeline bubble and the part of
the gradient all-reduce that backward compute does not hide."""),
]

NOTEBOOKS["02_serving_and_kv_cache"] = [
    ("md", """\
# 2. Serving and the KV cache

A served LLM is two phases: **prefill** (the prompt, compute-bound) and
**decode** (one token per step per sequence, memory-bound). The KV cache —
2 · layers · KV heads · head dim · bytes per token — decides how many
sequences fit."""),
    ("code", SETUP),
    ("md", """\
## Predict
Llama-3-8B (32 layers, 8 KV heads of 128 dims, fp16): the KV cache of **32
sequences of 4,096 tokens**, in GiB?"""),
    ("code", "my_guess_gib = None"),
    ("md", "## Reveal"),
    ("code", """\
kv = calc_kv_cache_size(32, 8, 128, 4096, 32, 2, 2)
print(f"KV cache: {kv.to('GiB'):.2f~P}  (2 · 32 · 8 · 128 · 2 B · 4096 · 32; your guess {my_guess_gib})")
s = ServingModel().solve(model=Models.Llama3_8B, hardware=Hardware.H100, seq_len=4096,
                         batch_size=32, precision="fp16")
print(f"weights {s.model_weights_size.to('GB'):.1f~P} + KV {s.kv_cache_size.to('GB'):.1f~P} = "
      f"{s.total_memory_required.to('GB'):.1f~P} of {Hardware.H100.capacity.to('GB'):.1f~P}; TTFT {s.ttft.to('s'):.2f~P}, "
      f"ITL {s.itl.to('ms'):.2f~P}")"""),
    ("md", """\
## How many sequences fit?
The batch grows until weights + KV fill the memory."""),
    ("code", """\
import numpy as np
seqs = np.arange(1, 257)
need = [(16.06e9 + calc_kv_cache_size(32, 8, 128, 4096, int(b), 2, 2).to("B").magnitude) / 1e9 for b in seqs]
cap = Hardware.H100.capacity.to("GB").magnitude
fit = int(seqs[np.array(need) <= cap].max())
fig, ax = plt.subplots()
ax.plot(seqs, need, label="weights + KV (4,096-token sequences)")
ax.axhline(cap, color="red", ls="--", label=f"H100 memory {cap:.0f} GB")
ax.axvline(fit, color="grey", ls=":", label=f"{fit} sequences fit")
ax.set_xlabel("concurrent sequences"); ax.set_ylabel("GB"); ax.legend(); plt.show()"""),
    ("md", """\
## Predict, then simulate one replica under load
One H100 serves Llama-3-8B at 25 requests/s (Poisson; 512 prompt tokens, 128
output tokens, continuous batching with paged KV). **Median time to first
token: close to one request alone, or well above it? And the p99?**"""),
    ("code", "my_guess_ttft_p50_ms = None\nmy_guess_ttft_p99_ms = None"),
    ("code", """\
r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=1, qps=25,
                             requests=20000, seed=1)
alone = r.ttft_p50_mlsysim.analytic.to("ms")
for m in (r.ttft_p50_s, r.ttft_p99_s):
    print(f"{m.name}: simulated {m.simulated.to('ms'):.2f~P}, queueing-aware estimate "
          f"{m.analytic.to('ms'):.2f~P} ({m.analytic_source})")
print(f"one request alone (mlsysim ServingModel): {alone:.2f~P}; "
      f"your guesses {my_guess_ttft_p50_ms}, {my_guess_ttft_p99_ms} ms")
fig, ax = plt.subplots()
ax.hist(r.requests.ttft_s * 1e3, bins=80, color="#4c72b0")
ax.axvline(alone.magnitude, color="black", ls="--", label="one request alone")
for m, color in ((r.ttft_p50_s, "#dd8452"), (r.ttft_p99_s, "#c44e52")):
    ax.axvline(m.analytic.to("ms").magnitude, color=color, ls=":", label=f"{m.name[5:8]} estimate")
    ax.axvline(m.simulated.to("ms").magnitude, color=color, label=f"{m.name[5:8]} simulated")
ax.set_xlabel("TTFT (ms)"); ax.set_ylabel("requests"); ax.legend(); plt.show()
r.requests[["ttft_s", "tpot_s", "e2e_s"]].describe()"""),
    ("md", """\
A new request waits for the iteration in progress to end, then shares its
prefill iteration with the running decodes and with whoever arrived meanwhile:
the median sits above "one request alone", and the tail is set by the requests
that arrive during another prompt's prefill (`sim/serving/ttft_estimate.h`)."""),
]

NOTEBOOKS["03_tail_latency_vs_utilisation"] = [
    ("md", """\
# 3. Tail latency against utilisation

Queueing theory's lesson for serving: the tail grows without bound as
utilisation ρ → 1, and grows long before the mean does."""),
    ("code", SETUP),
    ("md", """\
## Predict
8 servers, service time 1 s (exponential), Poisson arrivals at 6.4/s (ρ = 0.8).
**The 99th percentile of the time in system, in seconds?**"""),
    ("code", "my_guess_p99_s = None"),
    ("md", "## Reveal: M/M/c (exact), then simulate"),
    ("code", """\
q = mlsysim.simulate.queue(servers=8, arrival_rate=6.4, service_time=1.0, requests=20000,
                           replications=4, seed=7)
m = q.sojourn_p99
print(f"p99 sojourn: closed form {m.analytic:.3f~P} ({m.analytic_source}); simulated "
      f"{m.simulated:.3f~P} ± {m.ci95:.3f~P} (95 % CI); your guess {my_guess_p99_s}")"""),
    ("md", "## Sweep the load"),
    ("code", """\
rhos = [0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95]
rows = []
for rho in rhos:
    q = mlsysim.simulate.queue(servers=8, arrival_rate=8 * rho, service_time=1.0, requests=20000,
                               replications=4, seed=7)
    rows.append((rho, q.sojourn_p99, q.sojourn_mean))
fig, ax = plt.subplots()
for k, (label, color) in enumerate([("p99", "#c44e52"), ("mean", "#4c72b0")]):
    ax.plot(rhos, [r[1 + k].analytic.magnitude for r in rows], color=color, label=f"{label}, M/M/8 closed form")
    ax.errorbar(rhos, [r[1 + k].simulated.magnitude for r in rows],
                yerr=[r[1 + k].ci95.magnitude for r in rows], fmt="o", color=color,
                label=f"{label}, simulated (95 % CI)")
ax.set_xlabel("utilisation ρ"); ax.set_ylabel("time in system (s)"); ax.legend(); plt.show()"""),
    ("md", """\
## The same lesson on an LLM fleet
Two H100 replicas serving Llama-3-8B: push the request rate and watch p99
TTFT."""),
    ("code", """\
qps = [10, 20, 30, 40, 45, 50]
p50, p99, ci = [], [], []
for x in qps:
    r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=2, qps=x,
                                 requests=4000, replications=3, seed=3)
    p50.append(r.ttft_p50_s.simulated.to("ms").magnitude)
    p99.append(r.ttft_p99_s.simulated.to("ms").magnitude)
    ci.append(r.ttft_p99_s.ci95.to("ms").magnitude)
fig, ax = plt.subplots()
ax.plot(qps, p50, "o-", label="TTFT p50")
ax.errorbar(qps, p99, yerr=ci, fmt="s-", label="TTFT p99 (95 % CI)")
ax.set_xlabel("requests/s (2 replicas)"); ax.set_ylabel("ms"); ax.set_yscale("log"); ax.legend(); plt.show()"""),
]

NOTEBOOKS["04_distributed_training_and_bubble"] = [
    ("md", """\
# 4. Distributed training and the pipeline bubble

With P pipeline stages and M microbatches, 1F1B leaves each stage idle for
(P − 1) of (M + P − 1) slots: the **bubble** (P − 1)/(M + P − 1)."""),
    ("code", SETUP),
    ("md", """\
## Predict
Llama-3-70B on Research_256 with PP = 4 and **16 microbatches**: the bubble
fraction?"""),
    ("code", "my_guess_bubble = None"),
    ("code", """\
print(f"(P-1)/(M+P-1) = 3/19 = {calc_pipeline_bubble(4, 16, 1):.4f}  (your guess {my_guess_bubble})")"""),
    ("md", """\
## Simulate: microbatches from 4 to 32
The simulated step has uneven stages (the LM head sits on the last one), so the
closed form it is compared with is the uneven-stage bubble F/(M·Tmax + F)."""),
    ("code", """\
mbs = [4, 8, 16, 32]
sim, closed, uniform = [], [], []
for mb in mbs:
    r = mlsysim.simulate.training(model="Llama3_70B", cluster="Research_256", tp=8, pp=4,
                                  batch_size=256, microbatches=mb, days=0, routing="dmodk")
    sim.append(r.bubble_fraction.simulated.magnitude)
    closed.append(r.bubble_fraction.analytic.magnitude)
    uniform.append(calc_pipeline_bubble(4, mb, 1))
fig, ax = plt.subplots()
ax.plot(mbs, uniform, "k--", label="(P-1)/(M+P-1), equal stages")
ax.plot(mbs, closed, "b-", label="F/(M·Tmax+F), the step's stages")
ax.plot(mbs, sim, "ro", label="simulated")
ax.set_xscale("log", base=2); ax.set_xlabel("microbatches M"); ax.set_ylabel("bubble fraction")
ax.legend(); plt.show()"""),
    ("md", """\
## Predict: does data parallelism scale?
Keep 8 sequences per replica and grow data parallelism. **At what DP does the
gradient all-reduce stop hiding behind backward compute?**"""),
    ("code", "my_guess_dp = None"),
    ("code", """\
nodes = [4, 8, 16, 32, 64]
step, ar = [], []
for n in nodes:
    dp = n * 8 // 32
    r = mlsysim.simulate.training(model="Llama3_70B", node="DGX_H100", fabric="InfiniBand_NDR",
                                  nodes=n, tp=8, pp=4, batch_size=8 * dp, days=0)
    step.append(r.step_time_s.simulated.magnitude)
    ar.append(r.sections["step"]["exposed_dp_communication_s"].simulated.magnitude)
fig, ax = plt.subplots()
ax.plot([n * 8 for n in nodes], step, "o-", label="step time")
ax.plot([n * 8 for n in nodes], ar, "s-", label="exposed DP all-reduce")
ax.set_xscale("log", base=2); ax.set_xlabel("GPUs"); ax.set_ylabel("s"); ax.legend(); plt.show()"""),
]

NOTEBOOKS["05_failures_and_checkpoints"] = [
    ("md", """\
# 5. Failures and checkpoints

A cluster of N nodes fails N times as often as one node. Checkpoint too often
and the writes cost; too rarely and each failure loses half an interval of
work. Young and Daly: interval ≈ √(2 · write time · MTBF)."""),
    ("code", SETUP),
    ("md", """\
## Predict
A 60 s checkpoint write on a cluster whose MTBF is 10 hours: **the best
interval, in minutes?**"""),
    ("code", "my_guess_min = None"),
    ("code", """\
yd = calc_young_daly_interval(60, 10 * 3600)
print(f"Young/Daly: {yd.to('min'):.1f~P}  (your guess {my_guess_min})")"""),
    ("md", """\
## Simulate a month on Research_256
Failures from mlsysim's registry rates, 690 s to restart, checkpoints to
storage. Sweep the interval; each point is 8 replications with its 95 % CI."""),
    ("code", """\
intervals_min = [5, 10, 20, 40, 80, 160, 320]
ettr, ci = [], []
for minutes in intervals_min:
    r = mlsysim.simulate.training(model="Llama3_70B", cluster="Research_256", tp=8, pp=4,
                                  batch_size=256, days=30, failures="registry",
                                  checkpoint_interval=f"{minutes} min", replications=8, seed=11)
    ettr.append(r.ettr.simulated.magnitude)
    ci.append(r.ettr.ci95.magnitude)
ck = r.sections["checkpoint"]
young = ck["young_interval_s"].analytic.to("min").magnitude
print(f"write {ck['checkpoint_write_s'].simulated:.2f~P}, cluster MTBF "
      f"{ck['cluster_mtbf_s'].simulated.to('h'):.0f~P}, Young interval {young:.1f} min")
fig, ax = plt.subplots()
ax.errorbar(intervals_min, ettr, yerr=ci, fmt="o-", label="simulated ETTR (95 % CI)")
ax.axvline(young, color="grey", ls=":", label="Young √(2dM)")
ax.set_xscale("log"); ax.set_xlabel("checkpoint interval (min)"); ax.set_ylabel("effective training time ratio")
ax.legend(); plt.show()
best = max(range(len(ettr)), key=lambda i: ettr[i])
tied = [intervals_min[i] for i in range(len(ettr)) if ettr[best] - ettr[i] <= ci[best] + ci[i]]
print(f"best {intervals_min[best]} min (ETTR {ettr[best]:.4f} ± {ci[best]:.4f}); "
      f"statistically tied with it: {tied} min")"""),
    ("md", """\
The curve is flat near its optimum: intervals within a factor of two of Young's
are within the noise of each other, which is why the rule of thumb works."""),
]

NOTEBOOKS["06_energy_and_carbon"] = [
    ("md", """\
# 6. Energy and carbon

Energy = power × time; carbon = energy × PUE × the grid's carbon intensity. The
same job can differ 30-fold in carbon by where it runs."""),
    ("code", SETUP),
    ("md", """\
## Predict
A 30-day run on Research_256 (256 H100s, 700 W each, at 40 % MFU): **how many
times more CO₂ in Poland than in Quebec?**"""),
    ("code", "my_guess_ratio = None"),
    ("code", """\
fleet = Systems.Clusters.Research_256
regions = ["Quebec", "Norway", "Iowa", "US_Avg", "Poland"]
closed = {g: SustainabilityModel().solve(fleet, duration_days=30, datacenter=getattr(Infra, g), mfu=0.4)
          for g in regions}
for g, c in closed.items():
    print(f"{g:8s} {getattr(Infra, g).carbon_intensity_g_kwh:6.0f} g/kWh  "
          f"{c.carbon_footprint_kg / 1000:8.1f} t CO₂")
ratio = closed["Poland"].carbon_footprint_kg / closed["Quebec"].carbon_footprint_kg
print(f"Poland / Quebec: {ratio:.1f}x (your guess {my_guess_ratio})")"""),
    ("md", """\
## Simulate: the same month with failures
The simulated run spends time in restarts and checkpoints at lower power, and
its MFU is the simulated step's, not an assumption."""),
    ("code", """\
sim = {}
for g in regions:
    r = mlsysim.simulate.training(model="Llama3_70B", cluster="Research_256", tp=8, pp=4,
                                  batch_size=256, days=30, failures="registry", region=g, seed=5)
    sim[g] = r.sections["energy"]
import numpy as np
x = np.arange(len(regions))
fig, ax = plt.subplots()
ax.bar(x - 0.2, [closed[g].carbon_footprint_kg / 1000 for g in regions], 0.4,
       label="SustainabilityModel, MFU 0.4")
ax.bar(x + 0.2, [sim[g]["carbon_footprint_kg"].simulated.to("t").magnitude for g in regions], 0.4,
       label="simulated month (its MFU, failures)")
ax.set_xticks(x, regions); ax.set_ylabel("t CO₂"); ax.set_yscale("log"); ax.legend(); plt.show()
e = sim["Quebec"]["it_energy_kwh"]
print(f"IT energy: simulated {e.simulated:.0f~P} vs {e.analytic:.0f~P} ({e.analytic_source} at the simulated MFU)")"""),
    ("md", "## Serving: energy per token"),
    ("code", """\
r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=8, qps=200,
                             requests=20000, region="Poland", seed=1)
print(f"{r.energy_per_token_j.simulated:.3f~P} per output token; "
      f"{r.carbon_per_request_g.simulated:.3f~P} CO₂ per request in Poland")"""),
]

NOTEBOOKS["07_design_space_sweeps"] = [
    ("md", """\
# 7. Design-space sweeps

The cheapest fleet that meets a latency objective: sweep, keep the feasible
points, and say which choices the noise cannot tell apart."""),
    ("code", SETUP),
    ("md", """\
## Predict
Llama-3-8B on H100s at 300 requests/s, objective **p99 TTFT ≤ 60 ms**. The
closed-form capacity (ContinuousBatchingModel) says how many replicas carry the
load; **how many does the p99 objective need?**"""),
    ("code", "my_guess_replicas = None"),
    ("code", """\
SLO_MS = 60
replicas = list(range(4, 13))
rows = []
for n in replicas:
    r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=n, qps=300,
                                 requests=12000, replications=4, seed=21)
    m = r.ttft_p99_s
    rows.append(dict(replicas=n, p99_ms=m.simulated.to("ms").magnitude, ci_ms=m.ci95.to("ms").magnitude,
                     capex_usd=r.facts["fleet_capex_usd"]))
import pandas as pd
df = pd.DataFrame(rows)
df["feasible"] = df.p99_ms + df.ci_ms <= SLO_MS      # the whole CI under the objective
df["maybe"] = (df.p99_ms - df.ci_ms <= SLO_MS) & ~df.feasible
df"""),
    ("code", """\
best = df[df.feasible].sort_values("capex_usd").iloc[0]
print(f"cheapest feasible: {best.replicas} replicas, p99 {best.p99_ms:.1f} ± {best.ci_ms:.1f} ms, "
      f"${best.capex_usd:,.0f}  (your guess {my_guess_replicas})")
undecided = df[df.maybe].replicas.tolist()
if undecided:
    print(f"within the noise of the objective (CI crosses {SLO_MS} ms): {undecided} replicas")
fig, ax = plt.subplots()
for ok, color, label in [(True, "#55a868", "feasible"), (False, "#c44e52", "infeasible")]:
    d = df[df.feasible == ok]
    ax.errorbar(d.capex_usd / 1e3, d.p99_ms, yerr=d.ci_ms, fmt="o", color=color, label=label)
ax.axhline(SLO_MS, color="black", ls="--", label=f"objective {SLO_MS} ms")
ax.scatter([best.capex_usd / 1e3], [best.p99_ms], s=200, facecolors="none", edgecolors="black",
           label="cheapest feasible")
ax.set_xlabel("fleet capex (k$)"); ax.set_ylabel("TTFT p99 (ms)"); ax.set_yscale("log"); ax.legend()
plt.show()"""),
    ("md", """\
The same sweep runs from the command line with threads or MPI, resumable
(`mlsysim sweep scenarios/sweeps/…`); its report draws the Pareto front."""),
]

NOTEBOOKS["08_capstone_multi_region_fleet"] = [
    ("md", """\
# 8. Capstone: a multi-region fleet under budget, latency and carbon

Serve Llama-3-8B at 400 requests/s from up to two regions. Constraints:
**p99 TTFT ≤ 80 ms**, **capex ≤ $600k**, **carbon ≤ 0.002 g CO₂ per request**.
Minimise cost (capex plus a year of energy)."""),
    ("code", SETUP),
    ("md", """\
## Predict
Which regions, how many replicas in each? Write it down before the search."""),
    ("code", "my_guess = None   # e.g. {'Quebec': 10, 'Norway': 6}"),
    ("md", """\
## Closed forms first: carbon per request
Energy per request from the simulated fleet × PUE × grid intensity: a region
whose grid is too dirty cannot meet the carbon cap at any size."""),
    ("code", """\
regions = ["Quebec", "Norway", "Iowa", "US_Avg", "Poland"]
for g in regions:
    i = getattr(Infra, g)
    print(f"{g:8s} {i.carbon_intensity_g_kwh:6.0f} g/kWh, PUE {i.pue}")"""),
    ("md", "## Simulate each region's candidate fleets (a region serves half the load when two are used)"),
    ("code", """\
import itertools
SLO_MS, BUDGET, CARBON_G = 80, 600_000, 0.002
cache = {}
def run(region, n, qps):
    key = (region, n, qps)
    if key not in cache:
        r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=n, qps=qps,
                                     requests=8000, replications=2, region=region, seed=99)
        kwh = r.energy_per_request_j.simulated.to("kWh").magnitude * qps * 3600 * 24 * 365
        cache[key] = dict(p99_ms=r.ttft_p99_s.simulated.to("ms").magnitude,
                          ci_ms=r.ttft_p99_s.ci95.to("ms").magnitude,
                          carbon_g=r.carbon_per_request_g.simulated.to("g").magnitude,
                          capex=r.facts["fleet_capex_usd"], energy_usd=kwh * 0.10)
    return cache[key]

plans = []
for k in (1, 2):
    for combo in itertools.combinations(regions, k):
        for sizes in itertools.product([8, 10, 12, 14, 16], repeat=k):
            parts = [run(g, n, 400 // k) for g, n in zip(combo, sizes)]
            plans.append(dict(plan=" + ".join(f"{g}×{n}" for g, n in zip(combo, sizes)),
                              p99_ms=max(p["p99_ms"] + p["ci_ms"] for p in parts),
                              carbon_g=sum(p["carbon_g"] for p in parts) / k,
                              capex=sum(p["capex"] for p in parts),
                              cost=sum(p["capex"] + p["energy_usd"] for p in parts)))
import pandas as pd
df = pd.DataFrame(plans)
df["feasible"] = (df.p99_ms <= SLO_MS) & (df.capex <= BUDGET) & (df.carbon_g <= CARBON_G)
df.sort_values("cost").head(8)"""),
    ("code", """\
best = df[df.feasible].sort_values("cost").iloc[0]
print(f"best plan: {best.plan}: ${best.cost:,.0f} (capex ${best.capex:,.0f}), p99 ≤ {best.p99_ms:.1f} ms, "
      f"{best.carbon_g:.4f} g/request  (your guess {my_guess})")
fig, ax = plt.subplots()
for ok, color, label in [(True, "#55a868", "feasible"), (False, "#c44e52", "infeasible")]:
    d = df[df.feasible == ok]
    ax.scatter(d.cost / 1e3, d.carbon_g, color=color, label=label, s=14)
ax.axhline(CARBON_G, color="black", ls="--", label="carbon cap")
ax.axvline(BUDGET / 1e3, color="grey", ls=":", label="capex budget (on cost axis)")
ax.scatter([best.cost / 1e3], [best.carbon_g], s=200, facecolors="none", edgecolors="black", label="chosen")
ax.set_xlabel("capex + one year of energy (k$)"); ax.set_ylabel("g CO₂ per request"); ax.set_yscale("log")
ax.legend(); plt.show()"""),
]


def build(name, cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                   "language_info": {"name": "python"}}
    for kind, text in cells:
        cell = (nbformat.v4.new_markdown_cell(text) if kind == "md" else nbformat.v4.new_code_cell(text))
        cell.pop("id", None)
        nb.cells.append(cell)
    nb.nbformat, nb.nbformat_minor = 4, 4
    return nbformat.writes(nb) + "\n"


def main(argv):
    check = "--check" in argv
    stale = []
    for name, cells in NOTEBOOKS.items():
        path = os.path.join(HERE, name + ".ipynb")
        text = build(name, cells)
        old = open(path, encoding="utf-8").read() if os.path.exists(path) else None
        if old != text:
            stale.append(path)
            if not check:
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
    if check and stale:
        print("stale notebooks (run python/notebooks/build_notebooks.py): " + ", ".join(stale))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
