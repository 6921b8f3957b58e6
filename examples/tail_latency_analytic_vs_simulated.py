#!/usr/bin/env python3
"""tail_latency_analytic_vs_simulated.py — analytic vs simulated tail
latency: mlsysim's TailLatencyModel (its p99 adds an M/M/c wait quantile to
the mean service time) against the simulated M/M/c queue and its exact
sojourn distribution, then an LLM serving fleet where batching makes the
simulated tail very different from any single-server closed form.

Run: . .venv/bin/activate && python examples/tail_latency_analytic_vs_simulated.py
(the README's first command makes .venv), or PYTHONPATH=build/python /usr/bin/python3 examples/tail_latency_analytic_vs_simulated.py
"""
import mlsysim
from mlsysim import Hardware, Models, TailLatencyModel

# 1. M/M/8 at rising load: closed forms vs simulation (10 replications each).
print("rho   mlsysim p99   exact p99   simulated p99 (95% CI)")
for rho in (0.5, 0.7, 0.8, 0.9):
    lam = 8 * rho
    mls = TailLatencyModel().solve(arrival_rate_qps=lam, service_latency_ms=1000, num_replicas=8)
    sim = mlsysim.simulate.queue(servers=8, arrival_rate=lam, service_time=1, requests=100000, seed=1)
    p99 = sim.sojourn_p99
    print(f"{rho:.1f}   {mls.p99_latency.to('s'):9.3f~P}   {p99.analytic:8.3f~P}   "
          f"{p99.simulated:8.3f~P} ± {p99.ci95.magnitude:.3f}")

# 2. A serving fleet: the per-request table is a DataFrame.
r = mlsysim.simulate.serving(model=Models.Llama3_8B, hardware=Hardware.H100, replicas=4, qps=60,
                             requests=6000, input_tokens="lognormal:6.2:0.8",
                             output_tokens="lognormal:4.8:0.7", router="lor", seed=7)
df = r.requests
ttft = df.first_token_s - df.arrival_s
print(f"\nserving, 4 x H100, 60 QPS: TTFT p50 {ttft.quantile(0.5) * 1e3:.1f} ms, "
      f"p99 {ttft.quantile(0.99) * 1e3:.1f} ms over {len(df)} requests")
print(f"  ServingModel's TTFT for one request alone: {r.ttft_p50_mlsysim.analytic.to('ms'):.1f~P} "
      f"(simulated p50 {r.ttft_p50_s.simulated.to('ms'):.1f~P}: queueing and batching add the rest)")
print(f"  e2e p99 {r.e2e_p99_s.simulated.to('s'):.2f~P}; TailLatencyModel: {r.e2e_p99_s.note}")
