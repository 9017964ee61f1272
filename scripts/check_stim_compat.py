#!/usr/bin/env python3
"""Stim compatibility of qecd's toric-code files.

For several sizes and channels: the DEM that `qecd sample --dem_out` writes must be accepted by
Stim with 2 L^2 detectors and 4 observables, the datasets' DEMs likewise, and Stim's own sampler
run on that DEM must give the same detection-event and observable rates as qecd's shots (per
column, within 5 sigma of the difference of two binomial estimates).

Usage: python3 scripts/check_stim_compat.py [path/to/qecd]   (needs `pip install stim numpy`)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import stim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QECD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "qecd")
SHOTS = 20000


def qecd_sample(tmp, L, noise, p, seed):
    dets, obs, dem = (os.path.join(tmp, n) for n in ("d.b8", "o.b8", "m.dem"))
    subprocess.run(
        [QECD, "sample", "--distance", str(L), "--noise", noise, "--p", str(p),
         "--shots", str(SHOTS), "--seed", str(seed), "--out", dets, "--out_format", "b8",
         "--obs_out", obs, "--obs_out_format", "b8", "--dem_out", dem],
        check=True)
    nd = 2 * L * L
    d = np.unpackbits(np.fromfile(dets, dtype=np.uint8).reshape(SHOTS, -1), axis=1,
                      bitorder="little")[:, :nd]
    o = np.unpackbits(np.fromfile(obs, dtype=np.uint8).reshape(SHOTS, -1), axis=1,
                      bitorder="little")[:, :4]
    return open(dem).read(), d, o


def compare_rates(name, a, b):
    pa, pb = a.mean(axis=0), b.mean(axis=0)
    pooled = (pa + pb) / 2
    sigma = np.sqrt(np.maximum(pooled * (1 - pooled), 1e-12) * 2 / SHOTS)
    z = np.abs(pa - pb) / sigma
    worst = float(z.max())
    # Many columns are compared: allow 5 sigma on the worst one.
    assert worst < 5.0, f"{name}: rates differ by {worst:.1f} sigma"
    return worst


FORMATS = ["01", "b8", "r8", "ptb64", "hits", "dets"]


def check_formats(tmp):
    """Every shot format both ways: what qecd writes, Stim reads back identically, and what
    Stim writes, qecd decodes exactly as the same shots in b8."""
    L, shots = 4, 640  # a multiple of 64, for ptb64
    nd = 2 * L * L
    base = [QECD, "sample", "--distance", str(L), "--p", "0.08", "--shots", str(shots),
            "--seed", "5"]
    ref_d = os.path.join(tmp, "ref.b8")
    ref_o = os.path.join(tmp, "ref_obs.b8")
    dem = os.path.join(tmp, "f.dem")
    subprocess.run(base + ["--out", ref_d, "--out_format", "b8", "--obs_out", ref_o,
                           "--obs_out_format", "b8", "--dem_out", dem], check=True)
    dets = stim.read_shot_data_file(path=ref_d, format="b8", num_detectors=nd)
    obs = stim.read_shot_data_file(path=ref_o, format="b8", num_observables=4)
    pred_ref = os.path.join(tmp, "pred_ref.01")
    subprocess.run([QECD, "predict", "--dem", dem, "--in", ref_d, "--in_format", "b8",
                    "--out", pred_ref], check=True)
    for f in FORMATS:
        d, o = os.path.join(tmp, f"q.{f}"), os.path.join(tmp, f"q_obs.{f}")
        subprocess.run(base + ["--out", d, "--out_format", f, "--obs_out", o,
                               "--obs_out_format", f], check=True)
        got_d = stim.read_shot_data_file(path=d, format=f, num_detectors=nd)
        got_o = stim.read_shot_data_file(path=o, format=f, num_observables=4)
        assert np.array_equal(got_d, dets), f"{f}: Stim reads qecd's detection events differently"
        assert np.array_equal(got_o, obs), f"{f}: Stim reads qecd's observables differently"
        s_in = os.path.join(tmp, f"s.{f}")
        both = np.concatenate([dets, obs], axis=1)
        stim.write_shot_data_file(data=both, path=s_in, format=f, num_detectors=nd,
                                  num_observables=4)
        pred = os.path.join(tmp, f"pred_{f}.01")
        subprocess.run([QECD, "predict", "--dem", dem, "--in", s_in, "--in_format", f,
                        "--in_includes_appended_observables", "--out", pred], check=True)
        assert open(pred).read() == open(pred_ref).read(), f"{f}: qecd reads Stim's file differently"
        print(f"ok  format {f:5s}: qecd -> Stim and Stim -> qecd agree on {shots} shots")


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        check_formats(tmp)
        for L, noise, p in [(3, "bitflip", 0.1), (5, "depolarizing", 0.12),
                            (8, "biased:eta=10", 0.1), (4, "phaseflip", 0.05),
                            (6, "pauli:px=0.01,py=0.03,pz=0.02", 0.0)]:
            text, d, o = qecd_sample(tmp, L, noise, p, seed=L)
            dem = stim.DetectorErrorModel(text)
            assert dem.num_detectors == 2 * L * L, (L, noise, dem.num_detectors)
            assert dem.num_observables == 4, (L, noise, dem.num_observables)
            sd, so, _ = dem.compile_sampler(seed=1).sample(SHOTS)
            zd = compare_rates(f"L={L} {noise} detectors", d, sd.astype(np.uint8))
            zo = compare_rates(f"L={L} {noise} observables", o, so.astype(np.uint8))
            print(f"ok  L={L:2d} {noise:32s} detectors={dem.num_detectors:4d} "
                  f"observables={dem.num_observables} worst |z| dets {zd:.2f} obs {zo:.2f}")
    for folder in sorted(os.listdir(os.path.join(ROOT, "datasets"))):
        path = os.path.join(ROOT, "datasets", folder, "model.dem")
        if os.path.exists(path):
            dem = stim.DetectorErrorModel(open(path).read())
            print(f"ok  datasets/{folder}/model.dem: {dem.num_detectors} detectors, "
                  f"{dem.num_observables} observables")
    print("stim compatibility: all checks passed")
    return failures


if __name__ == "__main__":
    sys.exit(main())
