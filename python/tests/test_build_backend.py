"""test_build_backend.py — the PEP 517 backend's choice of build folder: it
reuses a CMake folder configured for a Python with this interpreter's ABI
(FindPython records it as _Python_EXECUTABLE when the README's first command
configures without naming one), so `pip install .` after that command compiles
only the extension module."""
import importlib.util
import os
import sys

_SOURCE = os.environ.get("MLSYSIM_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))


def _backend():
    path = os.path.join(_SOURCE, "python", "build_backend", "mlsysim_build.py")
    spec = importlib.util.spec_from_file_location("mlsysim_build", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_build_folder_configured_for_this_python_is_reused(tmp_path):
    b = _backend()
    for key in ("_Python_EXECUTABLE:INTERNAL", "Python_EXECUTABLE:FILEPATH"):
        (tmp_path / "CMakeCache.txt").write_text(f"CMAKE_BUILD_TYPE:STRING=Release\n{key}={sys.executable}\n")
        assert b._cached_python(str(tmp_path)) == sys.executable
    assert b._same_abi(sys.executable)
    assert not b._same_abi(str(tmp_path / "no-such-python"))
    (tmp_path / "CMakeCache.txt").write_text("CMAKE_BUILD_TYPE:STRING=Release\n")
    assert b._cached_python(str(tmp_path)) is None
    # The wheel's tags name this interpreter: cpXY-cpXY-platform.
    impl = "cp%d%d" % sys.version_info[:2]
    assert b._tags().startswith(f"{impl}-{impl}-")
