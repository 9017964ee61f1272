#!/usr/bin/env python3
"""Logical error rates of a qecd neural model, qecd's MWPM and PyMatching 2.4 (plain and with
`enable_correlations`) on identical depolarizing toric-code shots, and decoding speed.

For every (L, p): `qecd sample` writes the shots (b8), their observables (b8) and the DEM (Y as
`X ^ Z`, so PyMatching's correlated decoding can use it); `qecd predict` decodes them with
`--decoder neural --model MODEL` and `--decoder mwpm`; PyMatching decodes the same files. Per
decoder: mistakes, rate, Wilson 95% interval; per pair (model vs. PyMatching-correlated):
the ratio of the rates with a paired 95% interval (multinomial bootstrap of the per-shot 2x2
table), so the comparison uses that the shots are shared.

Speed (`--speed-distances`): decoding time per shot on one thread, on the same files: qecd's
`count-mistakes --time --threads 1` (network + per-shot matching; excludes start-up and DEM
parsing) against PyMatching-correlated's `decode_batch` (graph construction excluded), in
`--speed-runs` alternating runs: each tool's best run, and the median of the per-run ratios.

Threshold (`--fit-distances`, `--fit-ps`): for each decoder, the finite-size-scaling fit
P_L = A + B x + C x^2, x = (p - p_th) L^(1/nu) (as `qecd threshold` fits it: weighted least
squares, grid search over p_th and nu), over the points with L and p in those sets, with chi2
and a parametric-bootstrap standard error. `--fit-only JSON` refits an earlier run's JSON.

Usage:
  python3 scripts/compare_neural_pymatching.py --model decoders/local-depol \\
      [--distances 6,8,12,16,24,32] [--ps 0.10,0.12,0.14,0.16,0.17,0.18] \\
      [--shots 10000] [--shots-at 24=5000,32=5000] [--seed 2024] [--json out.json] \\
      [--symmetries 1] [--precision f32|bf16] [--passes 1|2] [--speed-runs 3]
Needs stim, pymatching 2.4 and numpy (scripts/requirements-test.txt); installs nothing.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import pymatching
import stim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def wilson(k, n, z=1.959964):
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return (max(0.0, c - h), min(1.0, c + h))


def paired_ratio(wrong_a, wrong_b, rng, draws=4000):
    """Ratio rate(a)/rate(b) with a 95% interval from a multinomial bootstrap of the paired
    table (both wrong, only a, only b, neither)."""
    n = len(wrong_a)
    cells = np.array([np.sum(wrong_a & wrong_b), np.sum(wrong_a & ~wrong_b),
                      np.sum(~wrong_a & wrong_b), np.sum(~wrong_a & ~wrong_b)])
    b = cells[0] + cells[2]
    ratio = (cells[0] + cells[1]) / b if b else float("inf")
    sim = rng.multinomial(n, cells / n, size=draws)
    num, den = sim[:, 0] + sim[:, 1], sim[:, 0] + sim[:, 2]
    ok = den > 0
    r = num[ok] / den[ok]
    lo, hi = (np.quantile(r, [0.025, 0.975]) if r.size else (float("nan"), float("nan")))
    return float(ratio), float(lo), float(hi), [int(c) for c in cells]


def read_b8(path, bits, shots):
    data = np.fromfile(path, dtype=np.uint8).reshape(shots, (bits + 7) // 8)
    return np.unpackbits(data, axis=1, bitorder="little")[:, :bits].astype(bool)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, text=True, capture_output=True, **kw)


def sample(qecd, tmp, L, p, shots, seed):
    d, o, m = (os.path.join(tmp, f"L{L}_p{p}.{x}") for x in ("b8", "obs.b8", "dem"))
    run([qecd, "sample", "--code", "toric", "--distance", str(L), "--noise", "depolarizing",
         "--p", str(p), "--shots", str(shots), "--seed", str(seed), "--out", d,
         "--out_format", "b8", "--obs_out", o, "--obs_out_format", "b8", "--dem_out", m])
    return d, o, m


def neural_args(a):
    """qecd's options for the model under test."""
    return ["--model", a.model, "--device", "cpu", "--symmetries", str(a.symmetries),
            "--precision", a.precision, "--passes", str(a.passes)]


def qecd_predict(qecd, decoder, nn_args, dem, dets, out, threads):
    cmd = [qecd, "predict", "--decoder", decoder, "--dem", dem, "--in", dets, "--in_format",
           "b8", "--out", out, "--out_format", "b8", "--threads", str(threads)]
    if decoder == "neural":
        cmd += nn_args
    run(cmd)


def qecd_time_per_shot(qecd, nn_args, dem, dets, obs):
    r = run([qecd, "count-mistakes", "--decoder", "neural", *nn_args, "--dem", dem, "--in", dets,
             "--in_format", "b8", "--obs_in", obs, "--obs_in_format", "b8", "--threads", "1",
             "--time"],
            env={**os.environ, "OMP_NUM_THREADS": "1"})
    for line in r.stderr.splitlines():
        if line.startswith("Decoding time per shot:"):
            v = line.split(":")[1].strip()
            for unit, scale in (("us", 1e-6), ("ms", 1e-3), ("s", 1.0)):
                if v.endswith(unit):
                    return float(v[: -len(unit)]) * scale
    raise RuntimeError(f"no timing in: {r.stderr}")


def fit_threshold(points, rng, resamples=100):
    """points: (L, p, errors, shots). Returns (p_th, p_th_se, nu, nu_se, chi2, dof)."""
    L = np.array([x[0] for x in points], float)
    p = np.array([x[1] for x in points], float)
    n = np.array([x[3] for x in points], float)
    y0 = np.array([x[2] for x in points], float) / n

    def best(y):
        q = np.clip(y, 0.5 / n, 1 - 0.5 / n)
        w = n / (q * (1 - q))
        top = (np.inf, 0, 0)
        pc, nc, pw, nw = (p.min() + p.max()) / 2, 1.5, (p.max() - p.min()) / 2, 1.35
        for _ in range(4):
            pths = np.linspace(pc - pw, pc + pw, 41)
            nus = np.maximum(np.linspace(nc - nw, nc + nw, 41), 0.05)
            P, N = np.meshgrid(pths, nus, indexing="ij")
            x = (p[None, None, :] - P[..., None]) * L[None, None, :] ** (1 / N[..., None])
            X = np.stack([np.ones_like(x), x, x * x], axis=-1)  # (41, 41, pts, 3)
            A = np.einsum("ijkp,k,ijkq->ijpq", X, w, X)
            rhs = np.einsum("ijkp,k,k->ijp", X, w, y)
            coef = np.linalg.solve(A + 1e-12 * np.eye(3), rhs[..., None])[..., 0]
            chi2 = np.einsum("k,ijk->ij", w, (np.einsum("ijkp,ijp->ijk", X, coef) - y) ** 2)
            i, j = np.unravel_index(np.argmin(chi2), chi2.shape)
            if chi2[i, j] < top[0]:
                top = (float(chi2[i, j]), float(P[i, j]), float(N[i, j]))
            pc, nc, pw, nw = top[1], top[2], pw / 8, nw / 8
        return top

    chi2, pth, nu = best(y0)
    boots = []
    for _ in range(resamples):
        q = np.clip(y0, 0.5 / n, 1 - 0.5 / n)
        yb = np.clip(y0 + np.sqrt(q * (1 - q) / n) * rng.standard_normal(len(n)), 0, 1)
        _, bp, bn = best(yb)
        boots.append((bp, bn))
    b = np.array(boots)
    return pth, float(b[:, 0].std(ddof=1)), nu, float(b[:, 1].std(ddof=1)), chi2, len(n) - 5


def report_fits(rows, distances, ps, names, rng):
    fits = {}
    for name in names:
        pts = [(r["L"], r["p"], r["decoders"][name]["errors"], r["shots"]) for r in rows
               if name in r["decoders"] and r["L"] in distances
               and any(abs(r["p"] - q) < 1e-9 for q in ps)]
        if len({x[0] for x in pts}) < 2 or len(pts) < 6:
            continue
        pth, se, nu, nse, chi2, dof = fit_threshold(pts, rng)
        fits[name] = {"p_th": pth, "p_th_se": se, "nu": nu, "nu_se": nse, "chi2": chi2,
                      "dof": dof, "distances": sorted({x[0] for x in pts}),
                      "ps": sorted({x[1] for x in pts})}
        print(f"threshold {name}: p_th = {pth:.4f} +- {se:.4f}, nu = {nu:.2f} +- {nse:.2f}, "
              f"chi2 = {chi2:.1f} for {dof} dof (L in {sorted(distances)}, p in {ps})", flush=True)
    return fits


def parse_at(text):
    out = {}
    for part in filter(None, (text or "").split(",")):
        k, v = part.split("=")
        out[int(k)] = int(v)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--qecd", default=os.path.join(ROOT, "target/release/qecd"))
    ap.add_argument("--model", required=True)
    ap.add_argument("--symmetries", type=int, default=1,
                    help="point symmetries the local model's posteriors are averaged over")
    ap.add_argument("--precision", default="f32", choices=["f32", "bf16"],
                    help="arithmetic of the local model's network")
    ap.add_argument("--passes", type=int, default=2, choices=[1, 2],
                    help="matching passes per shot of the local model")
    ap.add_argument("--distances", default="6,8,12,16,24,32")
    ap.add_argument("--ps", default="0.10,0.12,0.14,0.16,0.17,0.18")
    ap.add_argument("--shots", type=int, default=10000)
    ap.add_argument("--shots-at", default="", help="per-L shot counts, e.g. 24=5000,32=5000")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--speed-distances", default="16,32")
    ap.add_argument("--speed-p", type=float, default=0.16)
    ap.add_argument("--speed-shots", type=int, default=1000)
    ap.add_argument("--speed-runs", type=int, default=3,
                    help="alternating timed runs of each tool")
    ap.add_argument("--json", help="write all results here")
    ap.add_argument("--decoders", default="neural,mwpm,mwpm-correlated,pymatching,pymatching_corr",
                    help="columns: neural, mwpm, mwpm-correlated (qecd), pymatching, "
                         "pymatching_corr (PyMatching 2.4 with enable_correlations)")
    ap.add_argument("--fit-distances", default="8,12,16,24,32")
    ap.add_argument("--fit-ps", default="0.16,0.17,0.18,0.19,0.20")
    ap.add_argument("--fit-only", help="refit the points of an earlier --json file and exit")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    fit_l = [int(x) for x in a.fit_distances.split(",") if x]
    fit_p = [float(x) for x in a.fit_ps.split(",") if x]
    fit_names = ["neural", "pymatching_corr", "mwpm-correlated", "pymatching", "mwpm"]
    if a.fit_only:
        with open(a.fit_only) as f:
            data = json.load(f)
        data["threshold"] = report_fits(data["points"], fit_l, fit_p, fit_names, rng)
        with open(a.fit_only, "w") as f:
            json.dump(data, f, indent=1)
        return 0
    distances = [int(x) for x in a.distances.split(",") if x]
    ps = [float(x) for x in a.ps.split(",") if x]
    shots_at = parse_at(a.shots_at)
    rows = []
    nn_args = neural_args(a)
    names = [n for n in a.decoders.split(",") if n]
    paired = "neural" in names and "pymatching_corr" in names
    print(f"{'L':>3} {'p':>5} {'shots':>6} " + " ".join(f"{n:>24}" for n in names)
          + (f" {'neural/pm_corr [95%]':>24}" if paired else ""), flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for L in distances:
            for k, p in enumerate(ps):
                shots = shots_at.get(L, a.shots)
                seed = a.seed * 1000 + L * 37 + k
                dets, obs, dem = sample(a.qecd, tmp, L, p, shots, seed)
                nd = 2 * L * L
                truth = read_b8(obs, 4, shots)
                wrong = {}
                for dec in [n for n in names if n in ("neural", "mwpm", "mwpm-correlated")]:
                    out = os.path.join(tmp, f"pred_{dec}.b8")
                    qecd_predict(a.qecd, dec, nn_args, dem, dets, out, a.threads)
                    wrong[dec] = np.any(read_b8(out, 4, shots) != truth, axis=1)
                syn = read_b8(dets, nd, shots).astype(np.uint8)
                model = stim.DetectorErrorModel.from_file(dem)
                for name, corr in (("pymatching", False), ("pymatching_corr", True)):
                    if name not in names:
                        continue
                    m = pymatching.Matching.from_detector_error_model(model, enable_correlations=corr)
                    pred = m.decode_batch(syn, enable_correlations=corr)
                    wrong[name] = np.any(pred.astype(bool) != truth, axis=1)
                row = {"L": L, "p": p, "shots": shots, "seed": seed, "decoders": {}}
                for n in names:
                    e = int(wrong[n].sum())
                    lo, hi = wilson(e, shots)
                    row["decoders"][n] = {"errors": e, "rate": e / shots, "ci": [lo, hi]}
                tail = ""
                if paired:
                    ratio, lo, hi, cells = paired_ratio(wrong["neural"], wrong["pymatching_corr"], rng)
                    row["neural_over_pymatching_corr"] = {"ratio": ratio, "ci": [lo, hi],
                                                          "paired_cells": cells}
                    tail = f"   {ratio:.3f} [{lo:.3f},{hi:.3f}]"
                rows.append(row)
                cellstr = " ".join(
                    "{:>7.4f} [{:.4f},{:.4f}]".format(row["decoders"][n]["rate"], *row["decoders"][n]["ci"])
                    for n in names)
                print(f"{L:>3} {p:>5} {shots:>6} {cellstr}{tail}", flush=True)
        speed = []
        for L in [int(x) for x in a.speed_distances.split(",") if x] if "neural" in names else []:
            dets, obs, dem = sample(a.qecd, tmp, L, a.speed_p, a.speed_shots, a.seed + L)
            syn = read_b8(dets, 2 * L * L, a.speed_shots).astype(np.uint8)
            m = pymatching.Matching.from_detector_error_model(
                stim.DetectorErrorModel.from_file(dem), enable_correlations=True)
            # Alternating runs, so that a burst of load on a shared machine hits both tools;
            # each tool's best run, and the median of the per-run ratios.
            t_nn, best, ratios = float("inf"), float("inf"), []
            for _ in range(a.speed_runs):
                nn = qecd_time_per_shot(a.qecd, nn_args, dem, dets, obs)
                t0 = time.perf_counter()
                m.decode_batch(syn, enable_correlations=True)
                pm = (time.perf_counter() - t0) / a.speed_shots
                t_nn, best = min(t_nn, nn), min(best, pm)
                ratios.append(nn / pm)
            median_ratio = float(np.median(ratios))
            speed.append({"L": L, "p": a.speed_p, "shots": a.speed_shots, "runs": a.speed_runs,
                          "neural_s_per_shot": t_nn, "pymatching_corr_s_per_shot": best,
                          "ratio": t_nn / best, "median_run_ratio": median_ratio})
            print(f"speed L={L} p={a.speed_p}: neural {t_nn * 1e3:.3f} ms/shot, "
                  f"pymatching-correlated {best * 1e3:.3f} ms/shot (best of {a.speed_runs}), "
                  f"ratio {t_nn / best:.2f}x, median per-run ratio {median_ratio:.2f}x "
                  "(one thread each)", flush=True)
    fits = report_fits(rows, fit_l, fit_p, [n for n in fit_names if n in names], rng)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"model": a.model, "precision": a.precision, "passes": a.passes,
                       "symmetries": a.symmetries,
                       "pymatching": pymatching.__version__, "points": rows, "speed": speed,
                       "threshold": fits}, f, indent=1)


if __name__ == "__main__":
    sys.exit(main())
