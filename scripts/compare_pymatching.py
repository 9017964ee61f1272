#!/usr/bin/env python3
"""Side-by-side decoding speed: `qecd predict` against `pymatching predict` on the same files.

Cases (as in the matching issue):
  - toric code, code capacity, bit-flip p = 0.1, L = 16, 32, 64: shots and DEM written by
    `qecd sample` (the DEM declares all 2 L^2 detectors; the plaquette ones never fire);
  - Stim `surface_code:rotated_memory_x`, d = 11 and 17, d rounds, p = 0.001 circuit noise
    (Stim's generated circuit, DEM with decompose_errors=True, shots from Stim's sampler).

Each tool decodes each file `--runs` times, and also a file of only its first 64 shots; the
wall clock of the whole command (start-up, reading the DEM, building the graph, decoding,
writing b8 predictions) is taken, and the per-shot cost is the difference of the medians
divided by the difference in shots, so that start-up (Python imports for PyMatching) cancels.
Reported: microseconds per shot for each tool, the ratio qecd / PyMatching, and the fraction of
shots on which the two tools' predictions agree.

Usage: python3 scripts/compare_pymatching.py [--qecd target/release/qecd] [--runs 3] [--quick]
Needs the packages of scripts/requirements-matching.txt (stim, pymatching); installs nothing.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import stim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def toric_case(qecd, tmp, L, shots, seed):
    d, m = os.path.join(tmp, f"toric{L}.b8"), os.path.join(tmp, f"toric{L}.dem")
    subprocess.run([qecd, "sample", "--code", "toric", "--distance", str(L), "--noise", "bitflip",
                    "--p", "0.1", "--shots", str(shots), "--seed", str(seed), "--out", d,
                    "--out_format", "b8", "--dem_out", m], check=True)
    return f"toric L={L} bitflip p=0.1", m, d, shots, 2 * L * L


def surface_case(tmp, dist, shots, seed):
    c = stim.Circuit.generated("surface_code:rotated_memory_x", distance=dist, rounds=dist,
                               after_clifford_depolarization=0.001,
                               before_round_data_depolarization=0.001,
                               before_measure_flip_probability=0.001,
                               after_reset_flip_probability=0.001)
    dem = c.detector_error_model(decompose_errors=True)
    m, d = os.path.join(tmp, f"surface{dist}.dem"), os.path.join(tmp, f"surface{dist}.b8")
    with open(m, "w") as f:
        f.write(str(dem))
    dets, _ = c.compile_detector_sampler(seed=seed).sample(shots, separate_observables=True)
    stim.write_shot_data_file(data=dets, path=d, format="b8", num_detectors=dem.num_detectors)
    return f"rotated_memory_x d={dist} p=0.001", m, d, shots, dem.num_detectors


def read_b8(path, bits):
    raw = np.fromfile(path, dtype=np.uint8)
    return raw.reshape(-1, (bits + 7) // 8)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--qecd", default=os.path.join(ROOT, "target", "release", "qecd"))
    ap.add_argument("--pymatching", default=shutil.which("pymatching") or "pymatching")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1, help="qecd worker threads (PyMatching uses one)")
    ap.add_argument("--quick", action="store_true", help="fewer shots (a smoke run)")
    a = ap.parse_args()
    scale = 0.1 if a.quick else 1.0
    n = lambda k: max(128, int(k * scale)) // 64 * 64
    with tempfile.TemporaryDirectory() as tmp:
        cases = [toric_case(a.qecd, tmp, 16, n(8192), 1), toric_case(a.qecd, tmp, 32, n(2048), 2),
                 toric_case(a.qecd, tmp, 64, n(512), 3), surface_case(tmp, 11, n(100000), 4),
                 surface_case(tmp, 17, n(20000), 5)]
        print(f"{'case':<34} {'shots':>6} {'pymatching us/shot':>19} {'qecd us/shot':>13} "
              f"{'ratio':>7} {'agree':>7}")
        for name, dem, dets, shots, ndet in cases:
            outs = {k: os.path.join(tmp, f"pred_{k}.b8") for k in ("pm", "q")}
            pm = [a.pymatching, "predict", "--dem", dem, "--in", dets, "--in_format", "b8",
                  "--out", outs["pm"], "--out_format", "b8"]
            q = [a.qecd, "predict", "--dem", dem, "--in", dets, "--in_format", "b8",
                 "--out", outs["q"], "--out_format", "b8", "--threads", str(a.threads)]
            small = dets + ".head"
            stride = (ndet + 7) // 8
            with open(dets, "rb") as f_in, open(small, "wb") as f_out:
                f_out.write(f_in.read(64 * stride))

            def per_shot(cmd):
                full = statistics.median(timed(cmd) for _ in range(a.runs))
                head_cmd = [small if x == dets else x + ".head" if x in outs.values() else x
                            for x in cmd]
                head = statistics.median(timed(head_cmd) for _ in range(a.runs))
                return max(full - head, 0.0) / (shots - 64) * 1e6

            t_pm = per_shot(pm)
            t_q = per_shot(q)
            p1, p2 = read_b8(outs["pm"], 1), read_b8(outs["q"], 1)
            agree = float(np.mean(np.all(p1 == p2, axis=1)))
            print(f"{name:<34} {shots:>6} {t_pm:>19.2f} {t_q:>13.2f} {t_q / t_pm:>7.2f} {agree:>7.3f}",
                  flush=True)


if __name__ == "__main__":
    sys.exit(main())
