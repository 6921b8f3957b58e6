"""conftest.py — paths for the Python tests: the source tree (golden cases,
scenarios) and the CLI binary (for comparisons), from the environment ctest
sets (MLSYSIM_SOURCE_DIR, MLSYSIM_BINARY), else relative to this file."""
import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


@pytest.fixture(scope="session")
def source_dir():
    return os.environ.get("MLSYSIM_SOURCE_DIR", os.path.normpath(os.path.join(HERE, "..", "..")))


@pytest.fixture(scope="session")
def cli_binary(source_dir):
    return os.environ.get("MLSYSIM_BINARY", os.path.join(source_dir, "build", "mlsysim"))
