#!/usr/bin/env python3
"""qecd through sinter's file-based decoder interface, unmodified.

A `sinter.Decoder` whose `decode_via_files` runs `qecd predict` (b8 in, b8 out), as a sinter
user would wire any command-line decoder. sinter starts at small batches and grows them only
while a call is fast, so this measures qecd's start-up as much as its decoding. Collects 20 000
shots of a d = 5 rotated surface-code memory circuit (5 rounds, 0.5% circuit noise) with qecd
and with sinter's built-in pymatching, checks that the logical error rates agree within 4
sigma, and prints shots per second of each.

Usage: python3 scripts/check_sinter_files.py [path/to/qecd]   (needs stim, sinter, pymatching)
"""
import os
import pathlib
import subprocess
import sys
import time

import sinter
import stim

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
QECD = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "target", "release", "qecd")
SHOTS = 20_000


class QecdViaFiles(sinter.Decoder):
    """`qecd predict` on the files sinter writes."""

    def decode_via_files(self, *, num_shots, num_dets, num_obs, dem_path, dets_b8_in_path,
                         obs_predictions_b8_out_path, tmp_dir):
        subprocess.run(
            [QECD, "predict", "--dem", str(dem_path), "--in", str(dets_b8_in_path),
             "--in_format", "b8", "--out", str(obs_predictions_b8_out_path),
             "--out_format", "b8", "--threads", "1"],
            check=True)


def collect(decoder, custom):
    circuit = stim.Circuit.generated("surface_code:rotated_memory_x", distance=5, rounds=5,
                                     after_clifford_depolarization=0.005,
                                     before_measure_flip_probability=0.005,
                                     after_reset_flip_probability=0.005)
    task = sinter.Task(circuit=circuit, json_metadata={"d": 5})
    start = time.perf_counter()
    stats = sinter.collect(num_workers=1, tasks=[task], decoders=[decoder], max_shots=SHOTS,
                           custom_decoders=custom)
    elapsed = time.perf_counter() - start
    s = stats[0]
    return s.shots, s.errors, elapsed


def main():
    q_shots, q_err, q_time = collect("qecd-files", {"qecd-files": QecdViaFiles()})
    p_shots, p_err, p_time = collect("pymatching", None)
    pq, pp = q_err / q_shots, p_err / p_shots
    pooled = (q_err + p_err) / (q_shots + p_shots)
    sigma = (pooled * (1 - pooled) * (1 / q_shots + 1 / p_shots)) ** 0.5
    z = abs(pq - pp) / max(sigma, 1e-12)
    print(f"qecd via files:     {q_shots} shots, {q_err} errors, {q_time:6.1f} s, "
          f"{q_shots / q_time:8.0f} shots/s")
    print(f"sinter pymatching:  {p_shots} shots, {p_err} errors, {p_time:6.1f} s, "
          f"{p_shots / p_time:8.0f} shots/s")
    print(f"ratio of wall times qecd/pymatching: {q_time / p_time:.2f}; rates differ by "
          f"{z:.1f} sigma")
    assert q_shots >= SHOTS and p_shots >= SHOTS
    assert z < 4, f"logical error rates differ by {z:.1f} sigma"
    print("sinter file-path check: passed")


if __name__ == "__main__":
    main()
