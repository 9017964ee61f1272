#!/usr/bin/env bash
# GPU check of the neural decoders, prepared on a CPU machine and carried to a machine with a GPU.
#
# Prepare here (where the torch venv exists):
#   bash scripts/device_check.sh prepare
# builds `qecd`, `qecd-neural` and the `neural_cuda` test binary (release) and writes stripped
# copies to target/device/ (about 12 MB; carry that one path with the working tree, whose
# decoders/ holds the weights the throughput test loads). The GPU machine needs torch 2.11.0
# (a CUDA 13 build) importable by python3, or its lib folder at $QECD_TORCH_LIB: libtorch is
# found through LD_LIBRARY_PATH there, not through the build's rpath.
#
# Run there:  OUT=/some/dir bash scripts/device_check.sh
# It runs, each under a timeout, within about 8 minutes in all:
#   1. the CUDA tests (QECD_REQUIRE_CUDA=1: a missing GPU is a failure, not a skip);
#   2. the ignored `device_throughput` test: forward-pass shots per second of the local networks
#      (decoders/local-depol, decoders/local-depol-fast) and END (decoders/end-L8-depol weights) at L = 8, 16, 32 with
#      batch 4096, and training samples per second of both kinds (device step, CPU sampling);
#   3. `qecd bench` of the whole local decoder (network on the GPU, matching on the CPU) at
#      L = 16 and 32.
# and writes $OUT/device_check.json (a summary) plus the logs and throughput.json.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${OUT:-$root/device-check-out}"
mkdir -p "$OUT"
cd "$root"

if [ "${1:-}" = "prepare" ]; then
  set -e
  source scripts/setup_venv.sh
  cargo build --release -p qecd -p qecd-neural
  cargo test --release -p qecd-neural --test neural_cuda --no-run
  mkdir -p target/device
  strip -o target/device/qecd target/release/qecd
  strip -o target/device/qecd-neural target/release/qecd-neural
  strip -o target/device/neural_cuda \
    "$(ls -t target/release/deps/neural_cuda-* | grep -v '\.d$' | head -n 1)"
  du -sh target/device
  exit 0
fi

torch_lib="${QECD_TORCH_LIB:-}"
if [ -z "$torch_lib" ]; then
  torch_lib="$(python3 -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)"
fi
if [ -n "$torch_lib" ]; then
  export LD_LIBRARY_PATH="$torch_lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
fi

if [ -x target/device/neural_cuda ]; then
  test_bin="target/device/neural_cuda"
  qecd="target/device/qecd"
else
  test_bin="$(ls -t target/release/deps/neural_cuda-* 2>/dev/null | grep -v '\.d$' | head -n 1)"
  qecd="target/release/qecd"
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu.txt" 2>&1 || true

status() { # name rc
  if [ "$2" -eq 0 ]; then echo "\"$1\": \"ok\""; else echo "\"$1\": \"failed (exit $2)\""; fi
}

rc_test=127; rc_tp=127; rc_bench=127
if [ -n "$test_bin" ] && [ -x "$test_bin" ]; then
  QECD_REQUIRE_CUDA=1 timeout 180 "$test_bin" --test-threads 1 > "$OUT/cuda_tests.log" 2>&1
  rc_test=$?
  QECD_REQUIRE_CUDA=1 QECD_DECODERS="$root/decoders" QECD_DEVICE_JSON="$OUT/throughput.json" \
    timeout 180 "$test_bin" \
    --ignored --exact device_throughput --nocapture > "$OUT/throughput.log" 2>&1
  rc_tp=$?
else
  echo "no neural_cuda test binary under target/release/deps (build it first)" > "$OUT/cuda_tests.log"
fi
if [ -x "$qecd" ]; then
  : > "$OUT/bench.log"
  rc_bench=0
  for l in 16 32; do
    timeout 60 "$qecd" bench --decoder neural --model decoders/local-depol --device cuda \
      --distance "$l" --p 0.16 --shots 4096 --threads 16 >> "$OUT/bench.log" 2>&1 || rc_bench=$?
  done
fi

{
  echo "{"
  echo "\"gpu\": \"$(tr -d '"\n' < "$OUT/gpu.txt")\","
  echo "\"torch_lib\": \"$torch_lib\","
  status cuda_tests "$rc_test"; echo ","
  status throughput_test "$rc_tp"; echo ","
  status bench "$rc_bench"; echo ","
  echo "\"throughput\": $(cat "$OUT/throughput.json" 2>/dev/null || echo null)"
  echo "}"
} > "$OUT/device_check.json"
cat "$OUT/device_check.json"
[ "$rc_test" -eq 0 ] && [ "$rc_tp" -eq 0 ]
