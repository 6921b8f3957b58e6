# mlsysim_build.py — the PEP 517 build backend behind `pip install .`: builds
# the C++ core with CMake and packs the Python package, its extension module
# and the `mlsysim` binary into a wheel. No third-party build tool: it needs
# only cmake, g++ and Debian's -dev packages (.ci/install-deps), so it works
# offline with `pip install --no-build-isolation .`.
#
# The CMake build folder is, in order: $MLSYSIM_BUILD_DIR; `build/` when it
# was configured with a Python whose extension modules this interpreter loads
# (the README's first command made it: nothing is compiled twice); else
# build/wheel-<python tag>, configured for this interpreter.
"""PEP 517 backend for mlsysim (see the banner comment)."""

import base64
import hashlib
import os
import re
import stat
import subprocess
import sys
import sysconfig
import zipfile

_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
_NAME = "mlsysim"
_SUMMARY = ("A discrete-event cluster simulator for machine-learning systems, with "
            "mlsysim v0.1.1's analytic models beside it")
# What `import mlsysim` needs (Debian: python3-pint python3-pandas python3-matplotlib).
_REQUIRES = ["pint", "pandas", "matplotlib"]


def _version():
    with open(os.path.join(_ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(mlsysim VERSION ([0-9.]+)", f.read())
    if not m:
        raise RuntimeError("mlsysim_build: no 'project(mlsysim VERSION x.y.z)' in CMakeLists.txt")
    return m.group(1)


def _tags():
    impl = "cp%d%d" % sys.version_info[:2]
    platform = re.sub(r"[^A-Za-z0-9]", "_", sysconfig.get_platform())
    return "%s-%s-%s" % (impl, impl, platform)


def _ext_suffix():
    return sysconfig.get_config_var("EXT_SUFFIX") or ".so"


def _run(cmd):
    sys.stderr.write("mlsysim_build: %s\n" % " ".join(cmd))
    subprocess.run(cmd, check=True, cwd=_ROOT)


def _cached_python(build):
    """The interpreter a CMake build folder was configured with, or None."""
    try:
        with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
            for line in f:  # set by the user, or found by FindPython (internal)
                if line.startswith(("Python_EXECUTABLE:", "_Python_EXECUTABLE:")):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


def _same_abi(python):
    """Whether `python` builds extension modules this interpreter loads."""
    if not python or not os.access(python, os.X_OK):
        return False
    out = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"],
                         capture_output=True, text=True, check=False)
    return out.returncode == 0 and out.stdout.strip() == _ext_suffix()


def _build_dir():
    env = os.environ.get("MLSYSIM_BUILD_DIR")
    if env:
        return os.path.abspath(env)
    default = os.path.join(_ROOT, "build")
    if _same_abi(_cached_python(default)):
        return default
    return os.path.join(_ROOT, "build", "wheel-" + _tags().split("-")[0])


def _build():
    build = _build_dir()
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        _run(["cmake", "-S", _ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
              "-DPython_EXECUTABLE=" + sys.executable, "-DPYTHON_EXECUTABLE=" + sys.executable])
    jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL") or str(os.cpu_count() or 2)
    _run(["cmake", "--build", build, "-j", jobs, "--target", "mlsysim", "mlsysim_python"])
    module = os.path.join(build, "python", "mlsysim", "_core" + _ext_suffix())
    if not os.path.exists(module):
        raise RuntimeError(
            "mlsysim_build: %s was not built: the Python module needs pybind11-dev and the "
            "headers of %s (python3-dev for Debian's python3; .ci/install-deps)" % (module, sys.executable))
    return build


def _metadata():
    lines = ["Metadata-Version: 2.1", "Name: " + _NAME, "Version: " + _version(),
             "Summary: " + _SUMMARY, "Requires-Python: >=3.9"]
    lines += ["Requires-Dist: " + r for r in _REQUIRES]
    return "\n".join(lines) + "\n"


def _wheel_text():
    return ("Wheel-Version: 1.0\nGenerator: mlsysim_build\nRoot-Is-Purelib: false\nTag: %s\n"
            % _tags())


_ENTRY_POINTS = "[console_scripts]\nmlsysim = mlsysim._cli:main\n"


def _dist_info():
    return "%s-%s.dist-info" % (_NAME, _version())


def _write_dist_info(directory):
    path = os.path.join(directory, _dist_info())
    os.makedirs(path, exist_ok=True)
    for name, text in (("METADATA", _metadata()), ("WHEEL", _wheel_text()),
                       ("entry_points.txt", _ENTRY_POINTS)):
        with open(os.path.join(path, name), "w", encoding="utf-8") as f:
            f.write(text)
    return os.path.basename(path)


# ---- PEP 517 hooks -----------------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _write_dist_info(metadata_directory)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    build = _build()
    files = []  # (name in the wheel, bytes, executable)
    package = os.path.join(build, "python", "mlsysim")
    for name in sorted(os.listdir(package)):
        if name.endswith(".py") or name == "_core" + _ext_suffix():
            with open(os.path.join(package, name), "rb") as f:
                files.append(("mlsysim/" + name, f.read(), False))
    with open(os.path.join(build, "mlsysim"), "rb") as f:
        files.append(("mlsysim/_bin/mlsysim", f.read(), True))
    info = _dist_info()
    files += [(info + "/METADATA", _metadata().encode(), False),
              (info + "/WHEEL", _wheel_text().encode(), False),
              (info + "/entry_points.txt", _ENTRY_POINTS.encode(), False)]
    record = []
    for name, data, _ in files:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        record.append("%s,sha256=%s,%d" % (name, digest, len(data)))
    record.append(info + "/RECORD,,")
    files.append((info + "/RECORD", ("\n".join(record) + "\n").encode(), False))

    wheel_name = "%s-%s-%s.whl" % (_NAME, _version(), _tags())
    os.makedirs(wheel_directory, exist_ok=True)
    partial = os.path.join(wheel_directory, wheel_name + ".partial")
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as whl:
        for name, data, executable in files:
            entry = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            mode = 0o755 if executable else 0o644
            entry.external_attr = (stat.S_IFREG | mode) << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            whl.writestr(entry, data)
    os.replace(partial, os.path.join(wheel_directory, wheel_name))
    return wheel_name


def build_sdist(sdist_directory, config_settings=None):
    """The source tree as tracked by git (a release tarball)."""
    base = "%s-%s" % (_NAME, _version())
    out = os.path.join(sdist_directory, base + ".tar.gz")
    _run(["git", "archive", "--format=tar.gz", "--prefix=%s/" % base, "-o", out, "HEAD"])
    return os.path.basename(out)


if __name__ == "__main__":  # python3 python/build_backend/mlsysim_build.py DIR: a wheel in DIR
    print(build_wheel(sys.argv[1] if len(sys.argv) > 1 else os.path.join(_ROOT, "build", "dist")))
