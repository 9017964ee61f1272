#!/usr/bin/env bash
# Builds qecd in release mode and runs the side-by-side decoding benchmark against PyMatching.
# Expects stim and pymatching on PATH / in the active Python (scripts/requirements-matching.txt).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
python3 scripts/compare_pymatching.py --qecd target/release/qecd "$@"
