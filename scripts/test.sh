#!/usr/bin/env bash
# The test command of the README: lint, then the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release
