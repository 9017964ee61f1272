#!/usr/bin/env bash
# The main job of the README, on built-in defaults: the shipped END model for the L = 6 toric
# code against minimum-weight perfect matching on identical fresh depolarizing shots at
# p = 0.10 .. 0.18, a table with 95% Wilson intervals, sinter CSV and plots in out/main/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_venv.sh
cargo build --release --workspace
mkdir -p out/main
target/release/qecd threshold --code toric --noise depolarizing --distances 6 \
  --p 0.10:0.18:0.02 --shots "${QECD_SHOTS:-20000}" --seed 2026 \
  --decoder mwpm,neural --model decoders/end-L6-depol --threads 1 \
  --out out/main/compare.csv --plot out/main/compare.svg
echo "wrote out/main/compare.csv (sinter format) and out/main/compare.svg"
