#!/usr/bin/env bash
# The Python package's tests: a fresh virtual environment (target/pytest-venv), `pip install .`
# from the project root (maturin builds python/ as an abi3 wheel), the test tools, then pytest
# on tests/python. Uses target/release/qecd (built by scripts/test.sh) for the CLI
# comparisons. Exits with pytest's status; says what a non-zero one means.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv=target/pytest-venv
python="${PYTHON:-python3}"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet --no-cache-dir . -r scripts/requirements-python-test.txt
set +e
"$venv/bin/python" -m pytest tests/python -q -p no:cacheprovider "$@"
status=$?
set -e
case $status in
  0) ;;
  1) echo "pytest: some tests failed" >&2 ;;
  2) echo "pytest: the run was interrupted" >&2 ;;
  3) echo "pytest: internal error" >&2 ;;
  4) echo "pytest: command-line usage error" >&2 ;;
  5) echo "pytest: no tests were collected (tests/python missing or misnamed?)" >&2 ;;
  *) echo "pytest: exit status $status" >&2 ;;
esac
exit $status
