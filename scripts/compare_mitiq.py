#!/usr/bin/env python3
"""Side-by-side with Mitiq 1.1.0 + Cirq 1.6.1 (density-matrix simulator) on the fixture circuit.

Times, on datasets/mitigation/tfim4_pbc_h1_hva2.qasm under the fixture's noise (p1 = 1e-3 after
each one-qubit gate, p2 = 1e-2 after each CNOT, two-qubit depolarizing over the 15 Paulis):
  * one noisy run (Cirq DensityMatrixSimulator + expectation of H) vs `qecd mitigate --timing`;
  * one ZNE call (Richardson, fold_global, scales 1, 2, 3) vs the same method in qecd;
  * one LRE call (`execute_with_lre`, degree 2, fold multiplier 1, 3 chunks: 10 circuits) and
    one PEC call (`execute_with_pec`, global depolarizing representations at p1 / p2, 40
    samples) vs `lre:2:1:3` and `pec:40:1` in qecd;
and reports ratios of medians. Then the cost growth with n: the HVA (2 layers, periodic chain,
fixed angles) for n = 2..MAX_N, one noisy run each, in both tools. qecd's times are measured
in-process (`--timing`, median over repetitions); the wall time of a whole `qecd mitigate`
process, startup included, is reported too.

With --emit-extra-reference PATH it instead writes Mitiq's values for random folding and the
exponential fits (datasets/mitigation/tfim4_pbc_h1_hva2.extra_reference.json).

Usage: python scripts/compare_mitiq.py [--qecd target/release/qecd] [--reps 20] [--max-n 10]
Needs the packages of scripts/requirements-mitigate.txt; installs nothing.
"""
import argparse, json, os, statistics, subprocess, sys, tempfile, time

import cirq
import numpy as np
from cirq.contrib.qasm_import import circuit_from_qasm
from mitiq import lre, pec, zne
from mitiq.pec.representations.depolarizing import represent_operation_with_global_depolarizing_noise
from mitiq.zne.inference import ExpFactory, PolyExpFactory, RichardsonFactory
from mitiq.zne.scaling import fold_gates_at_random, fold_global

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "datasets", "mitigation", "tfim4_pbc_h1_hva2")
P1, P2 = 1e-3, 1e-2


def noisy(circ):
    ops = []
    for op in circ.all_operations():
        ops.append(op)
        if len(op.qubits) == 1:
            ops.append(cirq.depolarize(P1).on(*op.qubits))
        else:
            ops.append(cirq.depolarize(P2, n_qubits=2).on(*op.qubits))
    return cirq.Circuit(ops)


def make_executor(qs, periodic=True):
    n = len(qs)
    m = n if periodic else n - 1
    ham = sum(cirq.Z(qs[i]) * cirq.Z(qs[(i + 1) % n]) for i in range(m)) + sum(cirq.X(q) for q in qs)
    sim = cirq.DensityMatrixSimulator(dtype=np.complex128)
    index = {q: i for i, q in enumerate(qs)}

    def ex(circ):
        rho = sim.simulate(noisy(circ), qubit_order=qs).final_density_matrix
        return float(ham.expectation_from_density_matrix(rho, index).real)

    return ex


def median_time(f, reps):
    t = []
    for _ in range(reps):
        s = time.perf_counter()
        f()
        t.append(time.perf_counter() - s)
    return statistics.median(t)


def hva(n, layers=2, gammas=(-0.67, -2.71), betas=(0.15, -2.15)):
    qs = cirq.LineQubit.range(n)
    c = cirq.Circuit()
    c.append(cirq.X.on_each(*qs))
    c.append(cirq.H.on_each(*qs))
    for l in range(layers):
        for i in range(n if n > 2 else 1):
            a, b = qs[i], qs[(i + 1) % n]
            c.append([cirq.CNOT(a, b), cirq.rz(2 * gammas[l]).on(b), cirq.CNOT(a, b)])
        for q in qs:
            c.append([cirq.H(q), cirq.rz(2 * betas[l]).on(q), cirq.H(q)])
    return c, qs


def qecd_timing(qecd, qasm_path, n, reps, periodic=True, methods=("zne:richardson:1,2,3:fold-global",)):
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "t.json")
        obs = f"tfim:n={n},J=1,h=1,{'periodic' if periodic else 'open'}"
        cmd = [qecd, "mitigate", "--circuit", qasm_path, "--observable", obs,
               "--noise", f"depolarizing:p1={P1},p2={P2}",
               *[x for m in methods for x in ("--method", m)],
               "--timing", str(reps), "--json", out]
        s = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        wall = time.perf_counter() - s
        rep = json.load(open(out))
    return rep, wall


def emit_extra(path):
    c = circuit_from_qasm(open(FIXTURE + ".qasm").read())
    qs = sorted(c.all_qubits())
    ex = make_executor(qs)
    out = {"generated_by": "python scripts/compare_mitiq.py --emit-extra-reference " + os.path.relpath(path, ROOT),
           "mitiq": "1.1.0", "cirq": "1.6.1", "p1": P1, "p2": P2}
    for s in [1.5, 2.0, 2.5]:
        for seed in [7, 123]:
            f = fold_gates_at_random(c, s, seed=seed)
            out[f"noisy_fold_random_{s}_seed{seed}"] = ex(f)
            out[f"len_fold_random_{s}_seed{seed}"] = len(list(f.all_operations()))
    out["zne_exp_1234_fold_global"] = zne.execute_with_zne(c, ex, factory=ExpFactory([1, 2, 3, 4]), scale_noise=fold_global)
    out["zne_polyexp2_asym0_1-3_fold_global"] = zne.execute_with_zne(
        c, ex, factory=PolyExpFactory([1, 1.5, 2, 2.5, 3], order=2, asymptote=0.0), scale_noise=fold_global)
    with open(path, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--qecd", default=os.path.join(ROOT, "target", "release", "qecd"))
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--max-n", type=int, default=10)
    ap.add_argument("--emit-extra-reference")
    a = ap.parse_args()
    if a.emit_extra_reference:
        emit_extra(a.emit_extra_reference)
        return
    if not os.path.exists(a.qecd):
        sys.exit(f"qecd binary not found at {a.qecd}: build with cargo build --release or pass --qecd")

    c = circuit_from_qasm(open(FIXTURE + ".qasm").read())
    qs = sorted(c.all_qubits())
    ex = make_executor(qs)
    t_run = median_time(lambda: ex(c), a.reps)
    t_zne = median_time(lambda: zne.execute_with_zne(c, ex, factory=RichardsonFactory([1, 2, 3]), scale_noise=fold_global), max(3, a.reps // 4))
    reps_heavy = max(3, a.reps // 6)
    t_lre = median_time(lambda: lre.execute_with_lre(c, ex, 2, 1, num_chunks=3), reps_heavy)
    reprs = [represent_operation_with_global_depolarizing_noise(cirq.Circuit(op), P1 if len(op.qubits) == 1 else P2)
             for op in set(c.all_operations())]
    t_pec = median_time(lambda: pec.execute_with_pec(c, ex, representations=reprs, num_samples=40, random_state=1), reps_heavy)
    rep, wall = qecd_timing(a.qecd, FIXTURE + ".qasm", 4, 200)
    q_run = rep["timing"]["noisy_run_median_s"]
    q_zne = rep["timing"]["method_median_s"][0][1]
    rep2, _ = qecd_timing(a.qecd, FIXTURE + ".qasm", 4, 50, methods=["lre:2:1:3", "pec:40:1"])
    q_lre = rep2["timing"]["method_median_s"][0][1]
    q_pec = rep2["timing"]["method_median_s"][1][1]
    print("fixture tfim4_pbc_h1_hva2 (4 qubits, 40 1q + 16 2q gates), medians:")
    print(f"  noisy run : Cirq {t_run*1e3:9.3f} ms   qecd {q_run*1e3:9.4f} ms   ratio {t_run/q_run:8.0f}x")
    print(f"  ZNE call  : Mitiq {t_zne*1e3:8.3f} ms   qecd {q_zne*1e3:9.4f} ms   ratio {t_zne/q_zne:8.0f}x")
    print(f"  LRE call  : Mitiq {t_lre*1e3:8.3f} ms   qecd {q_lre*1e3:9.4f} ms   ratio {t_lre/q_lre:8.0f}x  (degree 2, 3 chunks, 10 circuits)")
    print(f"  PEC call  : Mitiq {t_pec*1e3:8.3f} ms   qecd {q_pec*1e3:9.4f} ms   ratio {t_pec/q_pec:8.0f}x  (40 samples)")
    print(f"  whole `qecd mitigate` process (startup, 200+200 timed repetitions, output): {wall*1e3:.1f} ms")
    print(f"  values: Cirq noisy {ex(c):.10f}  qecd noisy {rep['noisy']:.10f}")
    print()
    print("cost growth with n (HVA, 2 layers, periodic, one noisy run, medians):")
    print(f"  {'n':>3} {'gates':>6} {'Cirq ms':>10} {'qecd ms':>10} {'ratio':>8}")
    with tempfile.TemporaryDirectory() as d:
        for n in range(3, a.max_n + 1):
            circ, q = hva(n)
            path = os.path.join(d, f"hva{n}.qasm")
            open(path, "w").write(cirq.qasm(circ))
            exn = make_executor(q)
            reps = max(2, a.reps // (1 + 4 ** max(0, n - 6)))
            tc = median_time(lambda: exn(circ), reps)
            r, _ = qecd_timing(a.qecd, path, n, max(5, 2000 // 4 ** max(0, n - 4)))
            tq = r["timing"]["noisy_run_median_s"]
            ops = len(list(circ.all_operations()))
            assert abs(r["noisy"] - exn(circ)) < 1e-6, (n, r["noisy"], exn(circ))
            print(f"  {n:>3} {ops:>6} {tc*1e3:>10.3f} {tq*1e3:>10.4f} {tc/tq:>7.0f}x", flush=True)


if __name__ == "__main__":
    main()
