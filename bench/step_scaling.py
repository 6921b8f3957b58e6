#!/usr/bin/env python3
"""step_scaling.py — wall time and peak memory of one training step against
cluster size (issue 22), for bench/RESULTS.md.

Runs `mlsysim -q -o json simulate training --model GPT3 --node DGX_H100
--fabric InfiniBand_NDR --tp 8 --pp 8 --nodes N --batch-size 2N --days 0`
(16 microbatches, full detail as flow classes: the default) for N = 128 …
16,384 nodes (1,024 … 131,072 GPUs), each REPS times under /usr/bin/time,
and prints a Markdown table of medians with the growth exponent of wall time
and memory against GPUs (least squares on log–log, over the sizes whose wall
time is above the timer's 10 ms resolution).

Usage: python3 bench/step_scaling.py build/mlsysim [--reps 3] [EXTRA FLAGS…]
"""
import json
import math
import statistics
import subprocess
import sys
import tempfile


def run_once(binary, nodes, extra):
    with tempfile.NamedTemporaryFile(suffix=".json") as out, \
            tempfile.NamedTemporaryFile(mode="r", suffix=".time") as tm:
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", tm.name, binary, "-q", "-o", "json",
               "simulate", "training", "--model", "GPT3", "--node", "DGX_H100", "--fabric",
               "InfiniBand_NDR", "--tp", "8", "--pp", "8", "--nodes", str(nodes),
               "--batch-size", str(2 * nodes), "--days", "0"] + extra
        subprocess.run(cmd, stdout=out, check=True)
        wall, rss_kb = tm.read().split()[-2:]
        out.seek(0)
        result = json.load(out)
    facts = {f["name"]: f.get("number", f.get("text")) for f in result["facts"]}
    step = next(m["simulated"] for m in result["metrics"] if m["name"] == "step_time_s")
    return float(wall), int(rss_kb) / 1024.0, facts, step


def slope(xs, ys):
    lx = [math.log(x) for x in xs]
    ly = [math.log(y) for y in ys]
    mx, my = statistics.fmean(lx), statistics.fmean(ly)
    return sum((a - mx) * (b - my) for a, b in zip(lx, ly)) / sum((a - mx) ** 2 for a in lx)


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    binary, reps, extra = args[0], 3, []
    rest = args[1:]
    while rest:
        if rest[0] == "--reps":
            reps = int(rest[1])
            rest = rest[2:]
        else:
            extra.append(rest.pop(0))
    rows = []
    print("| GPUs | flows | simulated flows | classes | step (s) | wall (s), median of %d | "
          "peak RSS (MB) |" % reps)
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for nodes in (128, 256, 512, 1024, 2048, 4096, 8192, 16384):
        runs = [run_once(binary, nodes, extra) for _ in range(reps)]
        wall = statistics.median(r[0] for r in runs)
        rss = statistics.median(r[1] for r in runs)
        facts, step = runs[0][2], runs[0][3]
        gpus = nodes * 8
        rows.append((gpus, wall, rss))
        print("| %d | %.4g | %s | %s | %.6f | %.2f (%s) | %.0f |" % (
            gpus, facts["flows"], "%.4g" % facts["simulated_flows"] if "simulated_flows" in facts
            else "—", "%d" % facts["flow_classes"] if "flow_classes" in facts else "—", step,
            wall, ", ".join("%.2f" % r[0] for r in runs), rss))
        sys.stdout.flush()
    timed = [r for r in rows if r[1] >= 0.05]
    if len(timed) >= 2:
        print("\nwall time grows as GPUs^%.2f (sizes with wall >= 0.05 s: %s)" % (
            slope([r[0] for r in timed], [r[1] for r in timed]),
            ", ".join(str(r[0]) for r in timed)))
    print("peak memory grows as GPUs^%.2f" % slope([r[0] for r in rows], [r[2] for r in rows]))


if __name__ == "__main__":
    main()
