#!/usr/bin/env python3
"""run_validation.py — the development set (bench/real_world/dev_cases_remapped.jsonl:
31 published runs, each with its source and the settings it ran with) through
`mlsysim simulate`, predicted against measured, with no file from outside the
project: the table of docs/VALIDATION.md's "as run" columns.

Usage (from the project root):
    python3 bench/real_world/run_validation.py build/mlsysim [--hardware-model calibrated]
        [--only SUBSTRING] [--check MEDIAN,WORST]

--check MEDIAN,WORST exits 3 (mlsysim's "a constraint failed") when the median
|error| exceeds MEDIAN or any case's |error| exceeds WORST (fractions); the
test suite runs it with today's figures as a regression guard.

Metrics, error = (predicted - measured) / measured:
  tflops_per_gpu_eq3   Megatron's eq. (3), 96·B·s·l·h²·(1 + s/6h + V/16lh) per
                       step, over step time × GPUs
  step_time_s          the step time
  output_tokens_per_s  generated tokens per second (throughput_tokens_per_s)
  busbw_GBps           2(n-1)/n × message / collective time (nccl-tests)
Rows whose framework all-reduced gradients after the backward (sim.ddp =
"local", Megatron's DDP) run with --no-overlap.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "dev_cases_remapped.jsonl")
REGISTRY = os.path.join(HERE, "registry_with_shapes.textproto")
SIZES = {"B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12, "KiB": 2**10, "MiB": 2**20,
         "GiB": 2**30}


def size_of(text):
    for unit in sorted(SIZES, key=len, reverse=True):
        if text.endswith(unit):
            return float(text[:-len(unit)]) * SIZES[unit]
    return float(text)


def command(binary, case, machine):
    sim = case["sim"]
    cmd = [binary, "-o", "json", "--registry", REGISTRY, "simulate", sim["command"]]
    args = dict(sim["args"])
    if sim["command"] == "training":
        args.setdefault("days", 0)
        args.setdefault("replications", 1)
    for key, value in args.items():
        cmd += ["--" + key, str(value)]
    if sim.get("ddp") == "local":
        cmd.append("--no-overlap")
    if machine:
        cmd += ["--hardware-model", machine]
    return cmd


def simulated(result):
    values = {}
    for m in result.get("metrics", []):
        values.setdefault(m["name"], m.get("simulated"))
    for section in result.get("sections", []):
        for m in section.get("metrics", []):
            values.setdefault(m["name"], m.get("simulated"))
    return values


def predicted(case, values):
    metric = case["measured"]["metric"]
    args = case["sim"]["args"]
    if metric == "step_time_s":
        return values["step_time_s"]
    if metric == "tflops_per_gpu_eq3":
        b, s = args["batch-size"], args["seq-len"]
        model = case["model"]
        l, h, v = model["layers"], model["hidden"], model["vocab"]
        flops = 96.0 * b * s * l * h * h * (1 + s / (6.0 * h) + v / (16.0 * l * h))
        return flops / (values["step_time_s"] * case["gpus"]) / 1e12
    if metric == "output_tokens_per_s":
        return values["throughput_tokens_per_s"]
    if metric == "busbw_GBps":
        n = args["ranks"]
        return 2.0 * (n - 1) / n * size_of(args["message"]) / values["simulated_time_s"] / 1e9
    raise KeyError(metric)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("--hardware-model", default="", help="calibrated | roofline (default: each "
                    "form's default)")
    ap.add_argument("--only", default="")
    ap.add_argument("--check", default="", help="MEDIAN,WORST as fractions, e.g. 0.05,0.20")
    opts = ap.parse_args()
    rows = []
    with open(CASES) as f:
        cases = [json.loads(line) for line in f if line.strip()]
    for case in cases:
        if not case.get("sim") or opts.only not in case["id"]:
            continue
        p = subprocess.run(command(opts.binary, case, opts.hardware_model), capture_output=True,
                           text=True)
        if p.returncode != 0:
            print(f"{case['id']}: exit {p.returncode}: {p.stderr.strip()}", file=sys.stderr)
            return 1
        value = predicted(case, simulated(json.loads(p.stdout)))
        measured = case["measured"]["value"]
        rows.append((case["id"], case["measured"]["metric"], measured, value,
                     (value - measured) / measured))
    print("| case | metric | measured | predicted | error |")
    print("|---|---|---|---|---|")
    for cid, metric, measured, value, err in rows:
        print(f"| {cid} | {metric} | {measured:g} | {value:.4g} | {100 * err:+.1f} % |")
    errors = [abs(r[4]) for r in rows]
    median, worst = statistics.median(errors), max(errors)
    print(f"\n{len(rows)} cases: median |error| {100 * median:.1f} %, worst {100 * worst:.1f} % "
          f"({max(rows, key=lambda r: abs(r[4]))[0]}), "
          f"{sum(e <= 0.10 for e in errors)} within 10 %")
    if opts.check:
        limit_median, limit_worst = (float(x) for x in opts.check.split(","))
        if median > limit_median or worst > limit_worst:
            print(f"check failed: median {median:.4f} > {limit_median} or worst {worst:.4f} > "
                  f"{limit_worst}", file=sys.stderr)
            return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
