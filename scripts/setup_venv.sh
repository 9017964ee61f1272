#!/usr/bin/env bash
# Creates the project-local Python environment .venv (once) with the tools qecd is checked
# against (Stim, PyMatching, sinter) and PyTorch 2.11.0, whose libtorch the `neural` feature
# links. Source it: it exports what the `neural` build needs.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$root/.venv"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
fi
stamp="$venv/.qecd-requirements"
want="$(cat "$root/scripts/requirements-test.txt"; echo "torch==2.11.0")"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  # No pip cache: PyTorch and its CUDA libraries are several GB, and a cached copy of the
  # wheels beside the installed ones has filled a CI machine's disk.
  "$venv/bin/pip" install --quiet --no-cache-dir --upgrade pip
  "$venv/bin/pip" install --quiet --no-cache-dir -r "$root/scripts/requirements-test.txt" "torch==2.11.0"
  printf '%s' "$want" > "$stamp"
fi
export PATH="$venv/bin:$PATH"
export LIBTORCH_USE_PYTORCH=1
