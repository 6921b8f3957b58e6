#!/usr/bin/env python3
# as_run.py — the development set's training cases as the papers ran them
# (bench/real_world/dev_cases_remapped.jsonl, the shapes registry), through
# the shared runner, and a per-case table beside earlier runs.
#
# The Megatron SC'21 rows that ran Megatron's local DDP (gradients
# all-reduced after the backward) need the bare flag --no-overlap, which a
# case's args cannot carry: those rows are run a second time with
# --extra=--no-overlap and taken from that run.
#
# Usage: python3 bench/real_world/as_run.py RUNNER BINARY [--extra=ARGS] [LABEL=RESULTS.json ...]
#   --extra=ARGS: appended to every run (e.g. --extra="--hardware-model calibrated")
#   RUNNER: ../shared/reference/real_world/run_dev_cases.py
#   LABEL=RESULTS.json: earlier `run_dev_cases.py --json-out` files to show beside
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "dev_cases_remapped.jsonl")
REGISTRY = os.path.join(HERE, "registry_with_shapes.textproto")


def run(runner, binary, extra, common):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [sys.executable, runner, binary, "--kind", "training", "--cases", CASES,
           "--registry", REGISTRY, "--json-out", out] + extra
    if common:
        joined = " ".join([common] + [e.split("=", 1)[1] for e in extra if e.startswith("--extra=")])
        cmd = [c for c in cmd if not c.startswith("--extra=")] + ["--extra=" + joined]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        rows = {r["id"]: r for r in json.load(f)}
    os.unlink(out)
    return rows


def main():
    runner, binary = sys.argv[1], sys.argv[2]
    common = ""
    rest = []
    for arg in sys.argv[3:]:
        if arg.startswith("--extra="):
            common = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    ddp = {}
    with open(CASES) as f:
        for line in f:
            c = json.loads(line)
            if c.get("sim", {}).get("ddp"):
                ddp[c["id"]] = c["sim"]["ddp"]
    overlapped = run(runner, binary, [], common)
    after_backward = run(runner, binary, ["--only", "megatron21", "--extra=--no-overlap"], common)
    as_run = {i: (after_backward[i] if ddp.get(i) == "local" else r) for i, r in overlapped.items()}
    columns = []
    for arg in rest:
        label, path = arg.split("=", 1)
        with open(path) as f:
            columns.append((label, {r["id"]: r for r in json.load(f)}))
    columns.append(("as run", as_run))
    print("| case | measured | " + " | ".join(label for label, _ in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for i, r in as_run.items():
        cells = []
        for _, rows in columns:
            e = rows.get(i, {}).get("rel_error")  # (predicted - measured) / measured
            cells.append("" if e is None else f"{100 * e:+.1f} %")
        print(f"| {i} | {r['measured']:g} | " + " | ".join(cells) + " |")
    meds = []
    for _, rows in columns:
        errs = [abs(rows[i]["rel_error"]) for i in as_run if i in rows]
        meds.append(f"{100 * statistics.median(errs):.1f} % (max {100 * max(errs):.1f} %)")
    print("| median abs. error | | " + " | ".join(meds) + " |")


if __name__ == "__main__":
    main()
