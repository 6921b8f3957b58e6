#!/usr/bin/env python3
"""tutorial_first_hour.py — the ISCA tutorial's first hour as a script:
roofline (Engine), serving (ServingModel) and the KV cache, with mlsysim's
API on the C++ core.

Run: . .venv/bin/activate && python examples/tutorial_first_hour.py
(the README's first command makes .venv), or PYTHONPATH=build/python /usr/bin/python3 examples/tutorial_first_hour.py
"""
from mlsysim import Engine, Hardware, Models, ServingModel, calc_kv_cache_size

# 1. The roofline: one Llama-3-8B forward on an H100 is memory-bound.
profile = Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=1,
                       precision="fp16", efficiency=0.5, is_training=False)
print(f"Llama-3-8B on H100, batch 1: {profile.latency.to('ms'):.3f~P}, "
      f"{profile.throughput:.2f~P}, {profile.bottleneck}-bound")
ridge = Hardware.H100.flops / Hardware.H100.bandwidth
print(f"H100 ridge point: {ridge.to('flop/byte'):.0f~P}; "
      f"the workload's intensity: {profile.arithmetic_intensity:.1f~P}")

# 2. Batching moves the workload along the roofline.
for batch in (1, 8, 64, 256):
    p = Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=batch)
    print(f"  batch {batch:3d}: {p.latency.to('ms'):8.3f~P}  {p.throughput:9.1f~P}  {p.bottleneck}")

# 3. Serving: time to first token, inter-token latency, and the KV cache.
for seq_len in (1024, 4096, 16384):
    s = ServingModel().solve(model=Models.Llama3_8B, hardware=Hardware.H100,
                             seq_len=seq_len, batch_size=32, precision="fp16")
    print(f"seq {seq_len:5d}, batch 32: TTFT {s.ttft.to('ms'):9.1f~P}, ITL {s.itl.to('ms'):6.2f~P}, "
          f"KV {s.kv_cache_size.to('GiB'):6.1f~P}, fits: {s.feasible}")

# 4. The KV cache by formula: 2 · layers · KV heads · head dim · tokens · bytes.
kv = calc_kv_cache_size(n_layers=32, n_heads=8, head_dim=128, seq_len=4096, batch_size=32, bytes_per_elem=2)
print(f"calc_kv_cache_size: {kv.to('GiB'):.1f~P}")
