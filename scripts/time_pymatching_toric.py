"""PyMatching's decoding time on the toric code under bit-flip noise, for comparison with
`cargo bench --bench matching` (same graphs: L x L vertex graph, every edge p = 0.1).

Usage: python scripts/time_pymatching_toric.py [--shots N]
Prints, per L, PyMatching's median microseconds per shot over 5 repeats of decode_batch.
"""
import argparse
import time

import numpy as np
import pymatching


def toric_matching(l, p):
    m = pymatching.Matching()
    w = np.log((1 - p) / p)
    for i in range(l):
        for j in range(l):
            m.add_edge(i * l + j, i * l + (j + 1) % l, fault_ids={0} if j == 0 else set(),
                       weight=w, error_probability=p)
    for i in range(l):
        for j in range(l):
            m.add_edge(i * l + j, ((i + 1) % l) * l + j, fault_ids={1} if i == 0 else set(),
                       weight=w, error_probability=p)
    return m


def sample(l, p, shots, rng):
    n = l * l
    errors_h = rng.random((shots, n)) < p
    errors_v = rng.random((shots, n)) < p
    syndrome = np.zeros((shots, n), dtype=np.uint8)
    idx = np.arange(n)
    right = (idx // l) * l + (idx % l + 1) % l
    down = ((idx // l + 1) % l) * l + idx % l
    for errors, other in ((errors_h, right), (errors_v, down)):
        syndrome ^= errors.astype(np.uint8)
        np.bitwise_xor.at(syndrome, (slice(None), other), errors.astype(np.uint8))
    return syndrome


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shots", type=int, default=2000)
    args = parser.parse_args()
    rng = np.random.default_rng(2024)
    for l in (16, 32, 64):
        m = toric_matching(l, 0.1)
        shots = sample(l, 0.1, args.shots, rng)
        m.decode_batch(shots[:50])
        times = []
        for _ in range(5):
            t = time.perf_counter()
            m.decode_batch(shots)
            times.append((time.perf_counter() - t) / len(shots) * 1e6)
        events = shots.sum(axis=1).mean()
        print(f"L={l}: pymatching {np.median(times):.1f} us/shot ({events:.0f} events/shot)")


if __name__ == "__main__":
    main()
