#!/usr/bin/env python3
"""Side-by-side sampling speed: qecd's toric sampler against Stim's DEM sampler on the same DEM.

For toric L = 8, 16, 32 at p = 0.1 bit-flip: qecd writes the DEM (`--dem_out`), Stim compiles
it and samples `compile_sampler().sample(n, bit_packed=True)` in memory, and also with
`sample_write(...)` with b8 detection events and observables to a file; qecd samples the same number of shots to a b8 file
on one thread (Stim is single-threaded) and on all cores. Each timing is the median of several
runs; the figure that matters is the ratio, since this machine is shared and noisy.

Usage: python3 scripts/compare_stim_sampling.py [path/to/qecd] [--reps 5]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

import stim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def median_time(fn, reps):
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qecd", nargs="?", default=os.path.join(ROOT, "target", "release", "qecd"))
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args()
    print(f"{'L':>3} {'shots':>8} {'stim mem us/shot':>17} {'stim file':>10} "
          f"{'qecd 1T':>8} {'qecd all':>9} {'ratio stim_mem/qecd_1T':>23} {'stim_file/qecd_1T':>18}")
    with tempfile.TemporaryDirectory() as tmp:
        for L, shots in [(8, 200_000), (16, 100_000), (32, 25_000)]:
            dem_path = os.path.join(tmp, "m.dem")
            out = os.path.join(tmp, "d.b8")
            base = [args.qecd, "sample", "--distance", str(L), "--noise", "bitflip", "--p", "0.1",
                    "--out", out, "--out_format", "b8", "--obs_out", out + ".obs",
                    "--obs_out_format", "b8"]
            subprocess.run(base + ["--shots", "64", "--dem_out", dem_path], check=True)
            sampler = stim.DetectorErrorModel(open(dem_path).read()).compile_sampler(seed=1)
            t_mem = median_time(lambda: sampler.sample(shots, bit_packed=True), args.reps)
            t_file = median_time(
                lambda: sampler.sample_write(shots, det_out_file=out, det_out_format="b8",
                                           obs_out_file=out + ".obs", obs_out_format="b8"),
                args.reps)
            t_q1 = median_time(lambda: subprocess.run(
                base + ["--shots", str(shots), "--threads", "1"], check=True), args.reps)
            t_qa = median_time(lambda: subprocess.run(
                base + ["--shots", str(shots)], check=True), args.reps)
            us = lambda t: 1e6 * t / shots
            print(f"{L:>3} {shots:>8} {us(t_mem):>17.3f} {us(t_file):>10.3f} {us(t_q1):>8.3f} "
                  f"{us(t_qa):>9.3f} {t_mem / t_q1:>23.2f} {t_file / t_q1:>18.2f}")


if __name__ == "__main__":
    main()
