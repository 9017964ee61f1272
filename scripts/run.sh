#!/usr/bin/env bash
# The main job of the README, on built-in defaults: the shipped local neural decoder (one set of
# weights for every L) against matching with and without correlations on identical fresh
# depolarizing toric-code shots at L = 6, 8, 12 and p = 0.10 .. 0.18; then the fast local
# model (its network in bf16) and the shipped END models (one per L, at L = 6 and 8) on the
# same shots. Tables with 95% Wilson intervals, paired
# ratios against correlated matching, sinter CSV and plots in out/main/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup_venv.sh
cargo build --release --workspace
mkdir -p out/main
shots="${QECD_SHOTS:-4000}"
common=(--code toric --noise depolarizing --p 0.10:0.18:0.02 --shots "$shots" --seed 2026
        --device cpu --threads "${QECD_THREADS:-2}")
target/release/qecd threshold "${common[@]}" --distances 6,8,12 \
  --decoder mwpm-correlated,mwpm,neural --model decoders/local-depol \
  --out out/main/compare.csv --plot out/main/compare.svg
echo
echo "The fast local model (decoders/local-depol-fast, network in bf16) on the same shots:"
target/release/qecd threshold "${common[@]}" --distances 6,8,12 \
  --decoder mwpm-correlated,neural --model decoders/local-depol-fast --precision bf16 \
  --out out/main/fast.csv --plot out/main/fast.svg
echo
echo "END (a model per L) on the same shots:"
target/release/qecd threshold "${common[@]}" --distances 6,8 \
  --decoder mwpm-correlated,neural --model decoders/end-L6-depol,decoders/end-L8-depol \
  --out out/main/end.csv --plot out/main/end.svg
echo "wrote out/main/{compare,fast,end}.csv (sinter format) and out/main/{compare,fast,end}.svg"
