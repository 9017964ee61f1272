"""Shared paths and helpers of the Python test suite (run by scripts/test.sh in a fresh venv
with `pip install .`)."""

import os
import pathlib
import subprocess

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "datasets" / "stim"


def qecd_bin():
    """The `qecd` executable built by `cargo build --release` (or $QECD_BIN)."""
    path = pathlib.Path(os.environ.get("QECD_BIN", ROOT / "target" / "release" / "qecd"))
    if not path.exists():
        pytest.skip(f"{path} not built (cargo build --release -p qecd)")
    return path


def run_qecd(*args, cwd=None):
    """Runs the CLI; returns the CompletedProcess (text mode, never raises)."""
    return subprocess.run([str(qecd_bin()), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd)


def read_b8(path, bits):
    """A b8 file as a (shots, ceil(bits / 8)) uint8 array."""
    data = np.fromfile(path, dtype=np.uint8)
    return data.reshape(-1, (bits + 7) // 8)
