#!/usr/bin/env bash
# pip_install_test.sh — the package as a user installs it: python/make_venv
# makes a fresh venv over Debian's python3 and runs `pip install
# --no-build-isolation .` (the PEP 517 backend in python/build_backend, reusing
# $MLSYSIM_BUILD_DIR); then, from outside the source tree, the `mlsysim`
# command gives the tutorial's first figure (5.603 ms: tests/data/SOURCES.md)
# and `import mlsysim` loads the installed copy, not build/python; a notebook
# runs on the venv's Jupyter kernel.
#   bash tests/pip_install_test.sh VENV_DIR
set -euo pipefail
venv="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
rm -rf "$venv"
unset PYTHONPATH
"$root/python/make_venv" "$venv"
cd "$(mktemp -d)"
out="$("$venv/bin/mlsysim" eval Llama3_8B H100)"
grep -q "5.603 ms" <<<"$out" || { echo "mlsysim eval did not print 5.603 ms:"; echo "$out"; exit 1; }
"$venv/bin/python" - "$venv" <<'PY'
import os, sys
import mlsysim
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(mlsysim.__file__).startswith(venv), mlsysim.__file__
from mlsysim import Engine, Hardware, Models
p = Engine.solve(model=Models.Llama3_8B, hardware=Hardware.H100, batch_size=1, precision="fp16",
                 efficiency=0.5, is_training=False)
assert f"{p.latency.to('ms').magnitude:.3f}" == "5.603", p.latency
r = mlsysim.simulate.serving(model="Llama3_8B", hardware="H100", replicas=1, qps=5, requests=200)
assert r.ttft_p50_s.simulated.magnitude > 0
print("installed:", mlsysim.__file__, mlsysim.__version__)
PY
# A notebook as an attendee runs it: Jupyter's python3 kernel from the venv.
"$venv/bin/python" "$root/python/notebooks/run_notebooks.py" 04_distributed_training_and_bubble
rm -rf "$venv"
