"""Writes datasets/stim/surface_d7_p01/: a circuit-level surface-code memory experiment (Stim
rotated_memory_x, d = 7, 7 rounds, p = 0.01 on every channel, errors decomposed), 1000 shots,
and what PyMatching 2.4 makes of them: the first-pass correction of every shot
(`decode_to_edges_array`, the edges correlated matching reweights by) and the correlated
predictions (`enable_correlations=True`). tests/matching_fixtures.rs checks qecd against both.

Usage (needs stim 1.16 and pymatching 2.4, as in .venv):
    python scripts/make_correlated_fixture.py datasets/stim/surface_d7_p01
"""
import json
import os
import sys

import numpy as np
import pymatching
import stim

SEED = 20261203
SHOTS = 1000


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    p = 0.01
    circuit = stim.Circuit.generated(
        "surface_code:rotated_memory_x", distance=7, rounds=7,
        after_clifford_depolarization=p, before_round_data_depolarization=p,
        before_measure_flip_probability=p, after_reset_flip_probability=p)
    dem = circuit.detector_error_model(decompose_errors=True)
    dem.to_file(os.path.join(out, "model.dem"))
    dets, obs = circuit.compile_detector_sampler(seed=SEED).sample(
        SHOTS, separate_observables=True)
    np.packbits(dets, axis=1, bitorder="little").tofile(os.path.join(out, "dets.b8"))
    np.packbits(obs, axis=1, bitorder="little").tofile(os.path.join(out, "obs.b8"))
    m = pymatching.Matching.from_detector_error_model(dem, enable_correlations=True)
    pred = m.decode_batch(dets, enable_correlations=True).astype(bool)
    np.packbits(pred, axis=1, bitorder="little").tofile(
        os.path.join(out, "pymatching_correlated_pred.b8"))
    with open(os.path.join(out, "pymatching_edges.txt"), "w") as f:
        for shot in dets:
            pairs = sorted(tuple(sorted((int(a), int(b))))
                           for a, b in m.decode_to_edges_array(shot))
            f.write(" ".join(f"{a},{b}" for a, b in pairs) + "\n")
    meta = {
        "generator": "scripts/make_correlated_fixture.py (stim rotated_memory_x d=7, 7 rounds, "
                     "p=0.01 on every channel, decompose_errors=True)",
        "stim": stim.__version__,
        "pymatching": pymatching.__version__,
        "seed": SEED,
        "shots": SHOTS,
        "num_detectors": dem.num_detectors,
        "num_observables": dem.num_observables,
        "pymatching_edges.txt": "per shot, PyMatching's first-pass correction: sorted pairs "
                                "'a,b' of detectors (a = -1 for an edge to the boundary)",
        "pymatching_correlated_pred.b8": "decode_batch(dets, enable_correlations=True), b8",
        "pymatching_correlated_logical_failures": int(np.sum(np.any(pred != obs, axis=1))),
    }
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
