#!/usr/bin/env python3
"""Mitiq 1.1.0 + Cirq 1.6.1 reference values for LRE, PEC, REM and DDD on the mitigation fixture.

Writes datasets/mitigation/tfim4_pbc_h1_hva2.lre_pec_rem_ddd_reference.json, which
tests/mitigate_reference.rs reads. The noise model and energy are those of `make_executor` in
scripts/compare_mitiq.py (p1 = 1e-3 after one-qubit gates, p2 = 1e-2 two-qubit depolarizing after
CNOTs, H = sum Z_i Z_{i+1} + sum X_i on the periodic 4-spin chain).

- LRE: `mitiq.lre.execute_with_lre(circuit, executor, degree, fold_multiplier=1, num_chunks=..)`
  with the default folding (fold_gates_at_random), degrees 1 and 2: on the fixture with 3 and 4
  chunks, on datasets/mitigation/idle3.qasm (observable Z2 + X0 Y1 + Z0 X1 + 0.5 Y0 Z1) without chunks and
  with 3 (Mitiq cannot run the fixture's 32 layers unchunked: it enumerates 3^32 exponents).
- REM: `generate_inverse_confusion_matrix(4, p0=ro01, p1=ro10)` and a tensored inverse of two
  different matrices; the readout-mitigated energy with exact probabilities: each commuting
  group (all Z, all X) is measured on Cirq's final density matrix, passed through the confusion
  matrix, and the Mitiq inverse applied.
- PEC: the norms of Mitiq's global depolarizing representations of every gate of the fixture
  (noise_level p1 or p2) and their product, plus the local representation's norms.
- DDD: `insert_ddd_sequences(circuit, rule)` for xx, xyxy, yy on the fixture and on
  datasets/mitigation/idle3.qasm, as one string per qubit with one character per moment
  ('.' idle, 'I', 'X', 'Y', '#' any other gate).

Usage: python scripts/mitiq_reference.py  (venv from scripts/requirements-mitigate.txt)
"""
import json, os, sys
from functools import reduce

import cirq
import numpy as np
from cirq.contrib.qasm_import import circuit_from_qasm
from mitiq import lre
from mitiq.ddd import insert_ddd_sequences, rules
from mitiq.pec.representations.depolarizing import (
    represent_operation_with_global_depolarizing_noise,
    represent_operation_with_local_depolarizing_noise,
)
from mitiq.rem import generate_inverse_confusion_matrix, generate_tensored_inverse_confusion_matrix

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare_mitiq import FIXTURE, P1, P2, ROOT, make_executor, noisy  # noqa: E402

RO01, RO10 = 0.02, 0.05
OUT = os.path.join(ROOT, "datasets", "mitigation", "tfim4_pbc_h1_hva2.lre_pec_rem_ddd_reference.json")


def grid(circ, qubits):
    rows = []
    for q in qubits:
        s = ""
        for m in circ:
            op = m.operation_at(q)
            if op is None:
                s += "."
            elif op.gate == cirq.I:
                s += "I"
            elif op.gate == cirq.X:
                s += "X"
            elif op.gate == cirq.Y:
                s += "Y"
            else:
                s += "#"
        rows.append(s)
    return rows


def rem_energy(c, qs):
    """Readout-mitigated energy with exact probabilities, and the unmitigated one."""
    n = len(qs)
    sim = cirq.DensityMatrixSimulator(dtype=np.complex128)
    cm = np.array([[1 - RO01, RO10], [RO01, 1 - RO10]])
    full_cm = reduce(np.kron, [cm] * n)
    inv = generate_inverse_confusion_matrix(n, p0=RO01, p1=RO10)
    totals = {"noisy": 0.0, "rem": 0.0}
    for rotation, terms in [([], [(i, (i + 1) % n) for i in range(n)]), ([cirq.H(q) for q in qs], [(i,) for i in range(n)])]:
        circ = noisy(c) + cirq.Circuit(rotation)
        rho = sim.simulate(circ, qubit_order=qs).final_density_matrix
        p = np.real(np.diag(rho))
        measured = full_cm @ p
        for key, dist in [("noisy", measured), ("rem", inv @ measured)]:
            for t in terms:
                # Big-endian: qubit i is bit n-1-i of the index.
                par = [(-1) ** sum((b >> (n - 1 - i)) & 1 for i in t) for b in range(2 ** n)]
                totals[key] += float(np.dot(par, dist))
    return totals, inv


def main():
    c = circuit_from_qasm(open(FIXTURE + ".qasm").read())
    qs = sorted(c.all_qubits())
    ex = make_executor(qs)
    idle = circuit_from_qasm(open(os.path.join(ROOT, "datasets", "mitigation", "idle3.qasm")).read())
    out = {"generated_by": "python scripts/mitiq_reference.py", "mitiq": "1.1.0", "cirq": cirq.__version__,
           "p1": P1, "p2": P2, "ro01": RO01, "ro10": RO10, "layers_fixture": len(c), "layers_idle3": len(idle)}
    # Without chunks Mitiq enumerates (degree + 1)^layers exponent tuples, which the fixture's
    # 32 layers make impossible; the 14-layer idle3 circuit (open 3-spin chain energy) is
    # extrapolated without chunks, the fixture with 3 and 4.
    q3 = sorted(idle.all_qubits())
    obs3 = cirq.Z(q3[2]) + cirq.X(q3[0]) * cirq.Y(q3[1]) + cirq.Z(q3[0]) * cirq.X(q3[1]) + 0.5 * cirq.Y(q3[0]) * cirq.Z(q3[1])
    sim3 = cirq.DensityMatrixSimulator(dtype=np.complex128)

    def ex3(circ):
        rho = sim3.simulate(noisy(circ), qubit_order=q3).final_density_matrix
        return float(obs3.expectation_from_density_matrix(rho, {q: i for i, q in enumerate(q3)}).real)

    for name, circ, exe, chunk_list in [("fixture", c, ex, [3, 4]), ("idle3", idle, ex3, [None, 3])]:
        for degree in [1, 2]:
            for chunks in chunk_list:
                key = f"lre_{name}_d{degree}_m1" + (f"_c{chunks}" if chunks else "")
                out[key] = float(lre.execute_with_lre(circ, exe, degree, 1, num_chunks=chunks))
                print(key, out[key], flush=True)
    totals, inv = rem_energy(c, qs)
    out["E_noisy_readout"] = totals["noisy"]
    out["E_rem_exact"] = totals["rem"]
    out["inverse_confusion_matrix_4"] = inv.tolist()
    a = np.array([[0.97, 0.08], [0.03, 0.92]])
    b = np.array([[0.99, 0.02], [0.01, 0.98]])
    out["tensored_confusions"] = [a.tolist(), b.tolist()]
    out["tensored_inverse_confusion_matrix"] = generate_tensored_inverse_confusion_matrix(2, [a, b]).tolist()
    norms = []
    for op in c.all_operations():
        p = P1 if len(op.qubits) == 1 else P2
        norms.append(represent_operation_with_global_depolarizing_noise(cirq.Circuit(op), p).norm)
    out["pec_gate_norms_global"] = norms
    out["pec_one_norm_global"] = float(np.prod(norms))
    a0, a1 = cirq.LineQubit.range(2)
    out["pec_norm_1q_local_p1"] = represent_operation_with_local_depolarizing_noise(cirq.Circuit(cirq.H(a0)), P1).norm
    out["pec_norm_cnot_local_p2"] = represent_operation_with_local_depolarizing_noise(cirq.Circuit(cirq.CNOT(a0, a1)), P2).norm
    out["pec_norm_cnot_global_p2"] = represent_operation_with_global_depolarizing_noise(cirq.Circuit(cirq.CNOT(a0, a1)), P2).norm
    for name, circ in [("fixture", c), ("idle3", idle)]:
        qubits = sorted(circ.all_qubits())
        out[f"ddd_{name}_none"] = grid(circ, qubits)
        for rule in ["xx", "xyxy", "yy"]:
            out[f"ddd_{name}_{rule}"] = grid(insert_ddd_sequences(circ, getattr(rules, rule)), qubits)
    with open(OUT, "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
