#!/usr/bin/env python3
# validation_table.py — the development set, every case, on mlsysim's roofline
# machine and on the calibrated machine (issue 21), as docs/VALIDATION.md
# shows it: the shared mapping (../shared/reference/real_world/dev_cases.jsonl,
# raw link figures, MBS 1) with --hardware-model roofline ("before"), and the
# as-run mapping (bench/real_world/dev_cases_remapped.jsonl: each paper's
# settings, registry hardware for the collectives) on both machines. Rows
# whose framework all-reduced gradients after the backward (Megatron's
# DDP=local) are taken from a second run with --no-overlap.
#
# Usage: python3 bench/real_world/validation_table.py RUNNER BINARY [SHARED_CASES.jsonl]
#   RUNNER: ../shared/reference/real_world/run_dev_cases.py
import json
import os
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REMAPPED = os.path.join(HERE, "dev_cases_remapped.jsonl")
REGISTRY = os.path.join(HERE, "registry_with_shapes.textproto")


def run(runner, binary, cases, registry, extra):
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        out = f.name
    cmd = [sys.executable, runner, binary, "--json-out", out, "--extra=" + extra]
    if cases:
        cmd += ["--cases", cases]
    if registry:
        cmd += ["--registry", registry]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(out) as f:
        rows = {r["id"]: r for r in json.load(f)}
    os.unlink(out)
    return rows


def as_run(runner, binary, model):
    ddp = {}
    with open(REMAPPED) as f:
        for line in f:
            c = json.loads(line)
            if (c.get("sim") or {}).get("ddp"):
                ddp[c["id"]] = c["sim"]["ddp"]
    rows = run(runner, binary, REMAPPED, REGISTRY, f"--hardware-model {model}")
    after = run(runner, binary, REMAPPED, REGISTRY, f"--hardware-model {model} --no-overlap")
    return {i: (after[i] if ddp.get(i) == "local" else r) for i, r in rows.items()}


def summary(rows, ids):
    errs = [abs(rows[i]["rel_error"]) for i in ids if rows.get(i, {}).get("rel_error") is not None]
    within = sum(e <= 0.10 for e in errs)
    return (f"{100 * statistics.median(errs):.1f} % (max {100 * max(errs):.1f} %, "
            f"{within}/{len(errs)} within 10 %)")


def main():
    runner, binary = sys.argv[1], sys.argv[2]
    shared = sys.argv[3] if len(sys.argv) > 3 else None
    columns = []
    if shared:
        columns.append(("shared mapping, roofline (before)",
                        run(runner, binary, shared, None, "--hardware-model roofline")))
    columns.append(("as run, roofline", as_run(runner, binary, "roofline")))
    columns.append(("as run, calibrated", as_run(runner, binary, "calibrated")))
    ids = list(columns[-1][1])
    print("| case | measured | " + " | ".join(label for label, _ in columns) + " |")
    print("|---|---|" + "---|" * len(columns))
    for i in ids:
        cells = []
        for _, rows in columns:
            e = rows.get(i, {}).get("rel_error")
            cells.append("" if e is None else f"{100 * e:+.1f} %")
        print(f"| {i} | {columns[-1][1][i]['measured']:g} | " + " | ".join(cells) + " |")
    def kind_of(i):
        return ("serving" if i.startswith("trtllm") else
                "collective" if i.startswith("nccl") else "training")
    for kind in ("training", "serving", "collective", "all"):
        sel = [i for i in ids if kind == "all" or kind_of(i) == kind]
        print(f"| **{kind}** median abs. error | | "
              + " | ".join(summary(rows, sel) for _, rows in columns) + " |")


if __name__ == "__main__":
    main()
