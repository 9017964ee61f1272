#!/usr/bin/env python3
"""Side-by-side decoding speed: `qecd predict` against `pymatching predict` on the same files.

Cases (as in the matching issue):
  - toric code, code capacity, bit-flip p = 0.1, L = 16, 32, 64: shots and DEM written by
    `qecd sample` (the DEM declares all 2 L^2 detectors; the plaquette ones never fire);
  - Stim `surface_code:rotated_memory_x`, d = 11 and 17, d rounds, p = 0.001 circuit noise
    (Stim's generated circuit, DEM with decompose_errors=True, shots from Stim's sampler);
  - with correlated matching (`--enable_correlations` for both tools): toric code,
    depolarizing p = 0.14, L = 16 (Y errors as `X ^ Z` in the DEM), and the surface code d = 11
    at p = 0.005.

Two measurements per case, each the median of `--runs` runs (the two tools' runs alternate; a
ratio is the median of the per-run ratios qecd / PyMatching):
  - decoding time per shot as each tool reports it itself (`count_mistakes --time`: the time
    spent decoding, excluding start-up, DEM parsing and graph construction), the main figure;
  - the wall clock of the whole `predict` command per shot (start-up, Python imports for
    PyMatching, reading the DEM, building the graph, decoding, writing b8 predictions).
Reported with the ratios qecd / PyMatching and the fraction of shots on which the two tools'
predictions agree.

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


def toric_case(qecd, tmp, L, shots, seed, noise="bitflip", p=0.1, extra=()):
    d, o, m = (os.path.join(tmp, f"toric{L}{noise}.{x}") for x in ("b8", "obs.b8", "dem"))
    subprocess.run([qecd, "sample", "--code", "toric", "--distance", str(L), "--noise", noise,
                    "--p", str(p), "--shots", str(shots), "--seed", str(seed), "--out", d,
                    "--out_format", "b8", "--obs_out", o, "--obs_out_format", "b8", "--dem_out", m],
                   check=True)
    corr = " corr" if extra else ""
    return f"toric L={L} {noise} p={p}{corr}", m, d, o, shots, list(extra)


def surface_case(tmp, dist, shots, seed, p=0.001, extra=()):
    c = stim.Circuit.generated("surface_code:rotated_memory_x", distance=dist, rounds=dist,
                               after_clifford_depolarization=p,
                               before_round_data_depolarization=p,
                               before_measure_flip_probability=p,
                               after_reset_flip_probability=p)
    dem = c.detector_error_model(decompose_errors=True)
    d, o, m = (os.path.join(tmp, f"surface{dist}_{p}.{x}") for x in ("b8", "obs.b8", "dem"))
    with open(m, "w") as f:
        f.write(str(dem))
    dets, obs = c.compile_detector_sampler(seed=seed).sample(shots, separate_observables=True)
    stim.write_shot_data_file(data=dets, path=d, format="b8", num_detectors=dem.num_detectors)
    stim.write_shot_data_file(data=obs, path=o, format="b8", num_observables=dem.num_observables)
    corr = " corr" if extra else ""
    return f"rotated_memory_x d={dist} p={p}{corr}", m, d, o, shots, list(extra)


def decode_time_per_shot(cmd):
    """Runs `count_mistakes --time` and returns (mistakes, reported microseconds per shot)."""
    res = subprocess.run(cmd + ["--time"], check=True, capture_output=True, text=True)
    out = res.stdout + res.stderr
    mistakes = int(out.split("/")[0])
    line = next(l for l in out.splitlines() if l.startswith("Decoding time per shot"))
    return mistakes, float(line.split(":")[1].strip().rstrip("us"))


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
    n = lambda k: max(64, int(k * scale)) // 64 * 64
    with tempfile.TemporaryDirectory() as tmp:
        cases = [toric_case(a.qecd, tmp, 16, n(4096), 1), toric_case(a.qecd, tmp, 32, n(1024), 2),
                 toric_case(a.qecd, tmp, 64, n(256), 3), surface_case(tmp, 11, n(10000), 4),
                 surface_case(tmp, 17, n(2000), 5),
                 toric_case(a.qecd, tmp, 16, n(4096), 6, "depolarizing", 0.14,
                            ["--enable_correlations"]),
                 surface_case(tmp, 11, n(4000), 7, 0.005, ["--enable_correlations"])]
        print(f"{'case':<34} {'shots':>6} | {'decode us/shot: PyMatching':>26} {'qecd':>9} "
              f"{'ratio':>6} | {'predict wall us/shot: PyMatching':>32} {'qecd':>9} {'ratio':>6} | "
              f"{'agree':>6} {'mistakes pm/qecd':>16}")
        for name, dem, dets, obs, shots, extra in cases:
            outs = {k: os.path.join(tmp, f"pred_{k}.b8") for k in ("pm", "q")}
            pred = {"pm": [a.pymatching, "predict"], "q": [a.qecd, "predict", "--threads", str(a.threads)]}
            count = {"pm": [a.pymatching, "count_mistakes"],
                     "q": [a.qecd, "count-mistakes", "--threads", str(a.threads)]}
            io = ["--dem", dem, "--in", dets, "--in_format", "b8"] + extra
            # The two tools' runs alternate, so that a burst of load on this shared machine
            # hits both; a ratio is the median of the per-run ratios.
            walls = {"pm": [], "q": []}
            decs = {"pm": [], "q": []}
            mistakes = {}
            for _ in range(a.runs):
                for k in ("pm", "q"):
                    cmd = pred[k] + io + ["--out", outs[k], "--out_format", "b8"]
                    walls[k].append(timed(cmd) / shots * 1e6)
                    m, t = decode_time_per_shot(count[k] + io + ["--obs_in", obs, "--obs_in_format", "b8"])
                    mistakes[k] = m
                    decs[k].append(t)
            wall = {k: statistics.median(v) for k, v in walls.items()}
            dec = {k: statistics.median(v) for k, v in decs.items()}
            ratio = lambda d: statistics.median(q / pm for q, pm in zip(d["q"], d["pm"]))
            p1, p2 = read_b8(outs["pm"], 1), read_b8(outs["q"], 1)
            agree = float(np.mean(np.all(p1 == p2, axis=1)))
            print(f"{name:<34} {shots:>6} | {dec['pm']:>26.2f} {dec['q']:>9.2f} {ratio(decs):>6.2f} | "
                  f"{wall['pm']:>32.2f} {wall['q']:>9.2f} {ratio(walls):>6.2f} | "
                  f"{agree:>6.3f} {mistakes['pm']:>7}/{mistakes['q']:<8}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
