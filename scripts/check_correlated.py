#!/usr/bin/env python3
"""Correlated matching: qecd's `--enable_correlations` against PyMatching 2.4's
`enable_correlations=True` on identical shots.

1. Circuit-level rotated surface-code memory (Stim's generated circuits, `decompose_errors=True`)
   for d in --distances and p in --ps: the fraction of shots on which both predict the same
   observables must be at least --min-agreement (99.5%, the matching issue's figure). qecd
   traces each matched pair's path as PyMatching's search flooder does, so where shortest
   paths tie the first pass takes the same edges and the reweighting is the same. The logical
   error rates are reported too.
2. Toric code under depolarizing noise (qecd's built-in DEM, Y as `X ^ Z`) at L in
   --toric-distances: the logical error rates must be statistically equal (the paired McNemar
   statistic over the shots where exactly one decoder fails, |z| < 4).

Usage: python3 scripts/check_correlated.py [target/release/qecd] [--shots 2000] [--json out]
Exits non-zero on a failed check. Needs stim, pymatching 2.4, numpy.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import pymatching
import stim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def qecd_predict(qecd, dem_path, dets, num_obs, tmp, extra=()):
    d_path = os.path.join(tmp, "dets.b8")
    o_path = os.path.join(tmp, "pred.b8")
    np.packbits(dets, axis=1, bitorder="little").tofile(d_path)
    subprocess.run([qecd, "predict", "--dem", dem_path, "--in", d_path, "--in_format", "b8",
                    "--out", o_path, "--out_format", "b8", "--enable_correlations", *extra],
                   check=True)
    raw = np.fromfile(o_path, dtype=np.uint8).reshape(len(dets), (num_obs + 7) // 8)
    return np.unpackbits(raw, axis=1, bitorder="little")[:, :num_obs].astype(bool)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("qecd", nargs="?", default=os.path.join(ROOT, "target/release/qecd"))
    ap.add_argument("--distances", default="5,9,13")
    ap.add_argument("--ps", default="0.005,0.01")
    ap.add_argument("--shots", type=int, default=2000)
    ap.add_argument("--toric-distances", default="8,16,24")
    ap.add_argument("--toric-p", type=float, default=0.14)
    ap.add_argument("--toric-shots", type=int, default=4000)
    ap.add_argument("--min-agreement", type=float, default=0.995)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--json")
    a = ap.parse_args()
    failures = []
    report = {"pymatching": pymatching.__version__, "surface": [], "toric": []}
    with tempfile.TemporaryDirectory() as tmp:
        for d in [int(x) for x in a.distances.split(",") if x]:
            for p in [float(x) for x in a.ps.split(",") if x]:
                circuit = stim.Circuit.generated(
                    "surface_code:rotated_memory_x", distance=d, rounds=d,
                    after_clifford_depolarization=p, before_round_data_depolarization=p,
                    before_measure_flip_probability=p, after_reset_flip_probability=p)
                dem = circuit.detector_error_model(decompose_errors=True)
                dem_path = os.path.join(tmp, "model.dem")
                dem.to_file(dem_path)
                sampler = circuit.compile_detector_sampler(seed=a.seed + d)
                dets, obs = sampler.sample(a.shots, separate_observables=True)
                m = pymatching.Matching.from_detector_error_model(dem, enable_correlations=True)
                want = m.decode_batch(dets, enable_correlations=True).astype(bool)
                got = qecd_predict(a.qecd, dem_path, dets, dem.num_observables, tmp)
                agree = float(np.mean(np.all(got == want, axis=1)))
                rate_q = float(np.mean(np.any(got != obs, axis=1)))
                rate_p = float(np.mean(np.any(want != obs, axis=1)))
                ok = agree >= a.min_agreement
                print(f"surface d={d:>2} p={p}: {a.shots} shots, predictions agree on "
                      f"{agree:.4f}; logical error rate qecd {rate_q:.4f}, pymatching "
                      f"{rate_p:.4f} {'ok' if ok else 'FAIL'}", flush=True)
                report["surface"].append({"d": d, "p": p, "shots": a.shots, "agreement": agree,
                                          "qecd": rate_q, "pymatching": rate_p})
                if not ok:
                    failures.append(f"surface d={d} p={p}: agreement {agree:.4f}")
        for L in [int(x) for x in a.toric_distances.split(",") if x]:
            p = a.toric_p
            d_path = os.path.join(tmp, "t.b8")
            o_path = os.path.join(tmp, "t.obs.b8")
            dem_path = os.path.join(tmp, "t.dem")
            subprocess.run([a.qecd, "sample", "--code", "toric", "--distance", str(L), "--noise",
                            "depolarizing", "--p", str(p), "--shots", str(a.toric_shots),
                            "--seed", str(a.seed * 100 + L), "--out", d_path, "--out_format",
                            "b8", "--obs_out", o_path, "--obs_out_format", "b8", "--dem_out",
                            dem_path], check=True)
            nd = 2 * L * L
            raw = np.fromfile(d_path, dtype=np.uint8).reshape(a.toric_shots, (nd + 7) // 8)
            dets = np.unpackbits(raw, axis=1, bitorder="little")[:, :nd].astype(bool)
            raw = np.fromfile(o_path, dtype=np.uint8).reshape(a.toric_shots, 1)
            obs = np.unpackbits(raw, axis=1, bitorder="little")[:, :4].astype(bool)
            dem = stim.DetectorErrorModel.from_file(dem_path)
            m = pymatching.Matching.from_detector_error_model(dem, enable_correlations=True)
            want = m.decode_batch(dets, enable_correlations=True).astype(bool)
            got = qecd_predict(a.qecd, dem_path, dets, 4, tmp)
            wq = np.any(got != obs, axis=1)
            wp = np.any(want != obs, axis=1)
            only_q, only_p = int(np.sum(wq & ~wp)), int(np.sum(wp & ~wq))
            z = (only_q - only_p) / math.sqrt(only_q + only_p) if only_q + only_p else 0.0
            ok = abs(z) < 4
            agree = float(np.mean(np.all(got == want, axis=1)))
            print(f"toric L={L:>2} p={p}: {a.toric_shots} shots, predictions agree on "
                  f"{agree:.4f}; logical error rate qecd "
                  f"{wq.mean():.4f}, pymatching {wp.mean():.4f}; only qecd wrong {only_q}, "
                  f"only pymatching {only_p}, McNemar z = {z:+.2f} {'ok' if ok else 'FAIL'}",
                  flush=True)
            report["toric"].append({"L": L, "p": p, "shots": a.toric_shots,
                                    "agreement": agree, "qecd": float(wq.mean()), "pymatching": float(wp.mean()),
                                    "only_qecd": only_q, "only_pymatching": only_p, "z": z})
            if not ok:
                failures.append(f"toric L={L}: z = {z:.2f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    if failures:
        print("FAILED: " + "; ".join(failures))
        return 1
    print("correlated matching agrees with pymatching")
    return 0


if __name__ == "__main__":
    sys.exit(main())
