#!/usr/bin/env bash
# Long-running fuzzing: runs every tests/fuzz_*.rs target round after round, each round with a
# fresh random seed and many cases, for a given time. When a round fails, the failing inputs
# (tests/fuzz_harness/mod.rs saves them under $QECD_FUZZ_SAVE_DIR, including the input that was
# running when the process aborted) are moved into tests/fuzz_corpus/<target>/, where every
# later `cargo test` replays them, and the round's log is kept.
#
# Usage: scripts/fuzz.sh [HOURS (default 1)] [CASES per target per round (default 20000)]
# Env:   FUZZ_STOP_ON_CRASH=1 stops at the first failing round.
set -uo pipefail
cd "$(dirname "$0")/.."

hours=${1:-1}
cases=${2:-20000}
end=$(( $(date +%s) + $(awk "BEGIN { printf \"%d\", $hours * 3600 }") ))
logs=target/fuzz-logs
mkdir -p "$logs"

cargo test --release --no-run --test 'fuzz_*' || exit 1

round=0
crashes=0
while [ "$(date +%s)" -lt "$end" ]; do
    round=$((round + 1))
    seed=$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')
    save=$(mktemp -d)
    log="$logs/round-$round-seed-$seed.log"
    echo "round $round: seed $seed, $cases cases per target"
    if QECD_FUZZ_CASES=$cases QECD_FUZZ_SEED=$seed QECD_FUZZ_SAVE_DIR=$save \
        cargo test --release --test 'fuzz_*' >"$log" 2>&1; then
        rm -f "$log"
    else
        crashes=$((crashes + 1))
        echo "round $round FAILED (seed $seed): log in $log"
        for dir in "$save"/*/; do
            [ -d "$dir" ] || continue
            target=$(basename "$dir")
            mkdir -p "tests/fuzz_corpus/$target"
            for f in "$dir"crash-* "$dir".current; do
                [ -f "$f" ] || continue
                name=$(basename "$f")
                [ "$name" = .current ] && name="crash-abort-$(sha256sum "$f" | cut -c1-16)"
                cp "$f" "tests/fuzz_corpus/$target/$name"
                echo "  saved tests/fuzz_corpus/$target/$name"
            done
        done
        [ "${FUZZ_STOP_ON_CRASH:-0}" = 1 ] && { rm -rf "$save"; break; }
    fi
    rm -rf "$save"
done
echo "$round rounds, $crashes failed"
[ "$crashes" -eq 0 ]
