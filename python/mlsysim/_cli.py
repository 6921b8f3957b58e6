# _cli.py — the `mlsysim` command of a pip-installed package: runs the binary
# shipped in the wheel (mlsysim/_bin/mlsysim), with this interpreter and this
# package for `--report` (MLSYSIM_PYTHON, PYTHONPATH).
"""The `mlsysim` console script (pip install .)."""

import os
import sys


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    binary = os.path.join(here, "_bin", "mlsysim")
    if not os.access(binary, os.X_OK):
        sys.stderr.write("error: mlsysim: the command-line binary is missing from this install (%s); "
                         "reinstall with `pip install --no-build-isolation .` from the source tree, "
                         "or use build/mlsysim\n" % binary)
        return 1
    env = dict(os.environ)
    env.setdefault("MLSYSIM_PYTHON", sys.executable)
    site = os.path.dirname(here)
    env["PYTHONPATH"] = site + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    os.execve(binary, [binary] + sys.argv[1:], env)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
