#!/usr/bin/env python3
"""qecd.Matching against pymatching.Matching from Python, on identical shots.

1. decode_batch on the same SHOTS shots (bit-packed, one thread each) of a distance-d
   rotated surface-code memory circuit (d rounds, circuit noise p): median of REPEATS runs,
   and the ratio qecd / pymatching (goal: at most 1.0), plain and with
   enable_correlations=True;
2. sinter.collect wall time for the same circuit with decoder "qecd" (in process, through
   qecd.sinter_decoders()) and "pymatching", SINTER_SHOTS shots each, one worker.

Usage: python scripts/bench_python.py [--distance 11] [--p 0.001] [--shots 50000]
         [--repeats 3] [--sinter-shots 20000]
Needs the qecd package (pip install .), stim, pymatching and sinter.
"""
import argparse
import statistics
import time

import numpy as np
import pymatching
import sinter
import stim

import qecd


def circuit(d, p):
    return stim.Circuit.generated("surface_code:rotated_memory_x", distance=d, rounds=d,
                                  after_clifford_depolarization=p,
                                  before_round_data_depolarization=p,
                                  before_measure_flip_probability=p,
                                  after_reset_flip_probability=p)


def median_seconds(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--distance", type=int, default=11)
    ap.add_argument("--p", type=float, default=0.001)
    ap.add_argument("--shots", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--sinter-shots", type=int, default=20_000)
    a = ap.parse_args()

    c = circuit(a.distance, a.p)
    dem = c.detector_error_model(decompose_errors=True)
    dets, obs = c.compile_detector_sampler(seed=2024).sample(a.shots, separate_observables=True,
                                                              bit_packed=True)
    print(f"# d={a.distance} rounds={a.distance} p={a.p}: {dem.num_detectors} detectors, "
          f"{a.shots} shots, mean {np.unpackbits(dets, axis=1).sum(axis=1).mean():.1f} "
          f"detection events per shot")

    q = qecd.Matching.from_detector_error_model(dem, num_threads=1)
    pm = pymatching.Matching.from_detector_error_model(dem)
    q_s, q_pred = median_seconds(lambda: q.decode_batch(
        dets, bit_packed_shots=True, bit_packed_predictions=True), a.repeats)
    p_s, p_pred = median_seconds(lambda: pm.decode_batch(
        dets, bit_packed_shots=True, bit_packed_predictions=True), a.repeats)
    q_err = int(np.any(q_pred != obs, axis=1).sum())
    p_err = int(np.any(p_pred != obs, axis=1).sum())
    same = float(np.mean(np.all(q_pred == p_pred, axis=1)))
    print(f"decode_batch  qecd       {q_s:8.3f} s  {q_s / a.shots * 1e6:8.2f} us/shot  "
          f"{q_err} errors")
    print(f"decode_batch  pymatching {p_s:8.3f} s  {p_s / a.shots * 1e6:8.2f} us/shot  "
          f"{p_err} errors")
    print(f"decode_batch  ratio qecd / pymatching = {q_s / p_s:.2f} (median of {a.repeats}); "
          f"identical predictions on {same:.4%} of shots")

    qc = qecd.Matching.from_detector_error_model(dem, enable_correlations=True, num_threads=1)
    pc = pymatching.Matching.from_detector_error_model(dem, enable_correlations=True)
    qc_s, qc_pred = median_seconds(lambda: qc.decode_batch(
        dets, bit_packed_shots=True, bit_packed_predictions=True, enable_correlations=True),
        a.repeats)
    pc_s, pc_pred = median_seconds(lambda: pc.decode_batch(
        dets, bit_packed_shots=True, bit_packed_predictions=True, enable_correlations=True),
        a.repeats)
    same = float(np.mean(np.all(qc_pred == pc_pred, axis=1)))
    print(f"correlated    qecd       {qc_s:8.3f} s  {qc_s / a.shots * 1e6:8.2f} us/shot  "
          f"{int(np.any(qc_pred != obs, axis=1).sum())} errors")
    print(f"correlated    pymatching {pc_s:8.3f} s  {pc_s / a.shots * 1e6:8.2f} us/shot  "
          f"{int(np.any(pc_pred != obs, axis=1).sum())} errors")
    print(f"correlated    ratio qecd / pymatching = {qc_s / pc_s:.2f} (median of {a.repeats}); "
          f"identical predictions on {same:.4%} of shots")

    task = sinter.Task(circuit=c, json_metadata={"d": a.distance, "p": a.p})
    walls = {}
    for decoder in ["qecd", "pymatching"]:
        start = time.perf_counter()
        stats = sinter.collect(num_workers=1, tasks=[task], decoders=[decoder],
                               max_shots=a.sinter_shots,
                               custom_decoders=qecd.sinter_decoders())
        walls[decoder] = time.perf_counter() - start
        s = stats[0]
        print(f"sinter.collect {decoder:<10} {walls[decoder]:8.2f} s wall  {s.shots} shots  "
              f"{s.errors} errors  {s.seconds:8.2f} s in decoding workers")
    print(f"sinter.collect ratio qecd / pymatching = {walls['qecd'] / walls['pymatching']:.2f}")


if __name__ == "__main__":
    main()
