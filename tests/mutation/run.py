#!/usr/bin/env python3
"""run.py — the mutation check of issue 24: puts each one-line model bug of
mutations.py into the tree, builds (build/, Release), runs the C++ suite
(ctest without the Python and browser tests) and records whether it failed.
Each file is restored afterwards. Usage: tests/mutation/run.py [M1 M2 ...]
Results are appended to build/mutation_results.txt (about a minute per bug)."""
import os, subprocess, sys, time
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from mutations import MUTATIONS
root = os.path.dirname(os.path.dirname(here))
only = sys.argv[1:]  # ids
log = open(os.path.join(root, "build", "mutation_results.txt"), "a")
for mid, path, old, new, what in MUTATIONS:
    if only and mid not in only: continue
    p = f"{root}/{path}"
    src = open(p).read()
    if src.count(old) != 1:
        print(mid, "SKIP: site not unique/found", src.count(old), file=log, flush=True); continue
    open(p, "w").write(src.replace(old, new))
    t = time.time()
    try:
        b = subprocess.run(["cmake", "--build", "build", "-j2"], cwd=root, capture_output=True, text=True)
        if b.returncode != 0:
            print(mid, "BUILD FAILED", b.stdout[-500:], file=log, flush=True); continue
        r = subprocess.run(["ctest", "--test-dir", "build", "-j2", "-E", "Pytest|Browser"], cwd=root,
                           capture_output=True, text=True)
        names = [l.split()[2] if len(l.split()) > 2 else l for l in r.stdout.splitlines() if "(Failed)" in l]
        print(mid, "CAUGHT" if r.returncode != 0 else "NOT CAUGHT", what, "|", len(names), "failing:", ", ".join(names[:6]),
              f"| {time.time()-t:.0f}s", file=log, flush=True)
    finally:
        open(p, "w").write(src)
subprocess.run(["cmake", "--build", "build", "-j2"], cwd=root, capture_output=True)
print("DONE", file=log, flush=True)
