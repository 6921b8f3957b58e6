#!/usr/bin/env python3
"""run_notebooks.py — executes the tutorial notebooks top to bottom with
nbclient (Debian: python3-nbclient, python3-ipykernel), as a reader would:
any cell that raises fails the run, naming the notebook and the cell.

    PYTHONPATH=build/python /usr/bin/python3 python/notebooks/run_notebooks.py [--out DIR] [NAME…]

--out DIR writes each executed notebook (with its outputs and plots) to DIR.
"""
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

HERE = os.path.dirname(os.path.abspath(__file__))


def main(argv):
    out = None
    if "--out" in argv:
        i = argv.index("--out")
        out = argv[i + 1]
        argv = argv[:i] + argv[i + 2:]
        os.makedirs(out, exist_ok=True)
    # The kernel starts in python/notebooks: make the path absolute; quiet
    # ipykernel's debugger notice about frozen modules.
    os.environ["PYTHONPATH"] = os.pathsep.join(
        os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    names = argv or sorted(f[:-6] for f in os.listdir(HERE) if f.endswith(".ipynb"))
    failed = []
    for name in names:
        path = os.path.join(HERE, name + ".ipynb")
        nb = nbformat.read(path, as_version=4)
        start = time.time()
        try:
            NotebookClient(nb, timeout=600, kernel_name="python3",
                           resources={"metadata": {"path": HERE}}).execute()
            status = "ok"
        except CellExecutionError as e:
            failed.append(name)
            status = "FAILED\n" + str(e)[-3000:]
        print(f"{name}: {status} ({time.time() - start:.1f} s)", flush=True)
        if out:
            nbformat.write(nb, os.path.join(out, name + ".ipynb"))
    if failed:
        print("failed: " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
