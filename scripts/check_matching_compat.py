#!/usr/bin/env python3
"""Cross-checks of qecd's matching tools against PyMatching and sinter.

1. `qecd threshold --out r.csv` is read by sinter (`sinter.read_stats_from_csv_files` and the
   `sinter combine` command) with the same shots and errors. The seed is part of each task's
   metadata (and so of its strong id): runs with different seeds stay separate tasks, a run
   repeated with the same seed merges with itself.
2. On a fresh Stim `rotated_memory_x` d=5 circuit (new seed), `qecd predict` and
   `pymatching predict` agree on at least 99.9% of shots, and `qecd count-mistakes` prints
   the count in PyMatching's `M / N` form within 0.1% of PyMatching's.

Usage: python3 scripts/check_matching_compat.py [path/to/qecd]
Needs scripts/requirements-matching.txt; installs nothing. Exits non-zero on a failed check.
"""
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np
import sinter
import stim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QECD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "qecd")
PYMATCHING = shutil.which("pymatching") or os.path.join(os.path.dirname(sys.executable), "pymatching")


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def check_sinter(tmp):
    csvs = []
    for seed in (1, 2):
        path = os.path.join(tmp, f"r{seed}.csv")
        run(QECD, "threshold", "--noise", "bitflip", "--distances", "4,6", "--p", "0.08,0.1",
            "--shots", "1280", "--seed", str(seed), "--bootstrap", "0", "--out", path)
        csvs.append(path)
    stats = sinter.read_stats_from_csv_files(csvs[0])
    assert len(stats) == 4, stats
    rows = [l.split(",") for l in open(csvs[0]).read().splitlines()[1:]]
    assert sorted(int(r[1]) for r in rows) == sorted(s.errors for s in stats), (rows, stats)
    assert all(s.shots == 1280 and s.decoder == "mwpm" for s in stats), stats
    assert {s.json_metadata["L"] for s in stats} == {4, 6}, stats
    combined = sinter.read_stats_from_csv_files(*csvs)
    assert len(combined) == 8 and all(s.shots == 1280 for s in combined), combined
    out = run(os.path.join(os.path.dirname(sys.executable), "sinter"), "combine", csvs[0], csvs[0])
    assert out.count("\n") == 5 and out.count("2560") == 4, out
    print("sinter reads and combines qecd threshold CSV: ok")


def check_pymatching(tmp):
    c = stim.Circuit.generated("surface_code:rotated_memory_x", distance=5, rounds=5,
                               after_clifford_depolarization=0.002,
                               before_round_data_depolarization=0.002,
                               before_measure_flip_probability=0.002,
                               after_reset_flip_probability=0.002)
    dem = c.detector_error_model(decompose_errors=True)
    m, d, o = (os.path.join(tmp, n) for n in ("m.dem", "d.b8", "o.b8"))
    open(m, "w").write(str(dem))
    dets, obs = c.compile_detector_sampler(seed=99).sample(20000, separate_observables=True)
    stim.write_shot_data_file(data=dets, path=d, format="b8", num_detectors=dem.num_detectors)
    stim.write_shot_data_file(data=obs, path=o, format="b8", num_observables=dem.num_observables)
    preds = {}
    for tool in ("q", "pm"):
        out = os.path.join(tmp, f"{tool}.b8")
        exe = [QECD] if tool == "q" else [PYMATCHING]
        run(*exe, "predict", "--dem", m, "--in", d, "--in_format", "b8", "--out", out, "--out_format", "b8")
        preds[tool] = np.fromfile(out, dtype=np.uint8)
    agree = float(np.mean(preds["q"] == preds["pm"]))
    assert agree >= 0.999, agree
    counts = {}
    for tool, exe in (("q", QECD), ("pm", PYMATCHING)):
        line = run(exe, "count_mistakes", "--dem", m, "--in", d, "--in_format", "b8", "--obs_in", o,
                   "--obs_in_format", "b8").strip().splitlines()[0]
        mistakes, shots = line.split(" / ")
        assert shots == "20000", line
        counts[tool] = int(mistakes)
    assert abs(counts["q"] - counts["pm"]) <= 20, counts
    print(f"qecd vs PyMatching on rotated_memory_x d=5: {agree:.4%} predictions agree, "
          f"mistakes {counts['q']} vs {counts['pm']}: ok")


def main():
    with tempfile.TemporaryDirectory() as tmp:
        check_sinter(tmp)
        check_pymatching(tmp)


if __name__ == "__main__":
    main()
