#!/usr/bin/env bash
# The test command of the README: formatting and lints, the Rust test suite of the workspace
# (`qecd`, and `qecd-neural` on libtorch from .venv's torch 2.11.0), and the cross-checks
# against Stim, PyMatching and sinter, then the Python package in a fresh venv
# (scripts/test_python.sh: `pip install .`, pytest on tests/python).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_venv.sh
export CARGO_TERM_COLOR=never
cargo fmt --check
cargo clippy --release --workspace --all-targets -- -D warnings
cargo test --release --workspace
python scripts/check_stim_compat.py target/release/qecd
python scripts/check_matching_compat.py target/release/qecd
python scripts/check_sinter_files.py target/release/qecd
python scripts/check_correlated.py target/release/qecd --distances 5,9,13 --ps 0.01 --shots 1000 --toric-distances 8,16 --toric-shots 4000
bash scripts/test_python.sh
