//! Exactness of the simulators and the TFIM solvers: density matrix vs statevector without
//! noise, analytic channels vs explicit Pauli/Kraus sums, trajectories vs density matrix within
//! their error bars, Lanczos vs the free-fermion closed form, folding preserves the unitary.

use proptest::prelude::*;
use qecd::mitigate::circuit::{Circuit, Gate, Op};
use qecd::mitigate::density::DensityMatrix;
use qecd::mitigate::executor::{Backend, Executor};
use qecd::mitigate::fold::Folding;
use qecd::mitigate::noise::{NoiseModel, Readout};
use qecd::mitigate::observable::{PauliExpectation, PauliString, PauliSum};
use qecd::mitigate::qasm::{parse_qasm, write_qasm};
use qecd::mitigate::statevector::{trajectory_expectation, StateVector};
use qecd::mitigate::tfim::Tfim;

fn gate_strategy() -> impl Strategy<Value = Gate> {
    let angle = -7.0f64..7.0;
    prop_oneof![
        Just(Gate::X),
        Just(Gate::Y),
        Just(Gate::Z),
        Just(Gate::H),
        Just(Gate::S),
        Just(Gate::Sdg),
        Just(Gate::T),
        Just(Gate::Tdg),
        Just(Gate::Cx),
        Just(Gate::Cz),
        Just(Gate::Swap),
        angle.clone().prop_map(Gate::Rx),
        angle.clone().prop_map(Gate::Ry),
        angle.clone().prop_map(Gate::Rz),
        angle.clone().prop_map(Gate::Rzz),
        (angle.clone(), angle.clone(), angle).prop_map(|(a, b, c)| Gate::U3(a, b, c)),
    ]
}

fn circuit_strategy(n: usize, len: usize) -> impl Strategy<Value = Circuit> {
    prop::collection::vec((gate_strategy(), 0..n, 1..n), 1..len).prop_map(move |ops| {
        let mut c = Circuit::new(n);
        for (g, a, d) in ops {
            if g.arity() == 2 {
                c.push(Op::two(g, a, (a + d) % n));
            } else {
                c.push(Op::one(g, a));
            }
        }
        c
    })
}

/// All 4^n Pauli strings on n qubits.
fn all_paulis(n: usize) -> Vec<PauliString> {
    (0..1u64 << (2 * n))
        .map(|k| PauliString {
            x: k & ((1 << n) - 1),
            z: k >> n,
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn density_matrix_equals_pure_state_without_noise(c in circuit_strategy(3, 25)) {
        let rho = DensityMatrix::simulate(&c, &NoiseModel::NONE).unwrap();
        let psi = StateVector::simulate(&c).unwrap();
        prop_assert!((psi.norm_sqr() - 1.0).abs() < 1e-10);
        for r in 0..8 {
            for col in 0..8 {
                let want = psi.amplitude(r) * psi.amplitude(col).conj();
                prop_assert!((rho.get(r, col) - want).norm() < 1e-10);
            }
        }
        for p in all_paulis(3) {
            prop_assert!((rho.expect_string(&p) - psi.expect_string(&p)).abs() < 1e-10);
        }
    }

    #[test]
    fn qasm_round_trip_is_exact(c in circuit_strategy(4, 30)) {
        prop_assert_eq!(parse_qasm(&write_qasm(&c)).unwrap(), c);
    }

    #[test]
    fn folding_preserves_the_noiseless_state(c in circuit_strategy(3, 20), s in 1.0f64..6.0, seed in 0u32..1000) {
        let psi = StateVector::simulate(&c).unwrap();
        for f in [Folding::Global, Folding::All, Folding::Random(seed)] {
            let folded = f.apply(&c, s).unwrap();
            let phi = StateVector::simulate(&folded).unwrap();
            for p in all_paulis(3) {
                prop_assert!((psi.expect_string(&p) - phi.expect_string(&p)).abs() < 1e-9);
            }
        }
        // Global folding reaches the requested length as Mitiq does.
        let g = Folding::Global.apply(&c, s).unwrap();
        let k = ((s - 1.0) / 2.0).floor();
        let frac = s - 1.0 - 2.0 * k;
        let extra = (frac * c.ops.len() as f64 / 2.0).round() as usize;
        prop_assert!((g.ops.len() as i64 - (c.ops.len() * (1 + 2 * k as usize) + 2 * extra) as i64).abs() <= 2);
    }

    #[test]
    fn analytic_channels_equal_explicit_kraus_sums(c in circuit_strategy(3, 15), p in 0.0f64..1.0, gamma in 0.0f64..1.0) {
        let rho = DensityMatrix::simulate(&c, &NoiseModel::NONE).unwrap();
        let paulis = [None, Some(Gate::X), Some(Gate::Y), Some(Gate::Z)];
        let conj = |ops: &[(Gate, usize)]| {
            let mut r = rho.clone();
            for &(g, q) in ops { r.apply(&Op::one(g, q)); }
            r
        };
        // One qubit: (1 - p) rho + p/3 (X rho X + Y rho Y + Z rho Z) on qubit 1.
        let mut d1 = rho.clone();
        d1.depolarize1(1, p);
        let terms: Vec<DensityMatrix> = paulis[1..].iter().map(|g| conj(&[(g.unwrap(), 1)])).collect();
        // Two qubits: (1 - p) rho + p/15 sum over the 15 non-identity Paulis on qubits (2, 0).
        let mut d2 = rho.clone();
        d2.depolarize2(2, 0, p);
        let mut terms2 = Vec::new();
        for (i, a) in paulis.iter().enumerate() {
            for (j, b) in paulis.iter().enumerate() {
                if i + j == 0 { continue; }
                let ops: Vec<(Gate, usize)> = [(a, 2), (b, 0)].iter().filter_map(|(g, q)| g.map(|g| (g, *q))).collect();
                terms2.push(conj(&ops));
            }
        }
        // Amplitude damping on qubit 0 with Kraus K0 = diag(1, sqrt(1-g)), K1 = sqrt(g)|0><1|.
        let mut ad = rho.clone();
        ad.amplitude_damp(0, gamma);
        for r in 0..8usize {
            for col in 0..8usize {
                let want1 = rho.get(r, col) * (1.0 - p) + terms.iter().map(|t| t.get(r, col)).sum::<num_complex::Complex64>() * (p / 3.0);
                prop_assert!((d1.get(r, col) - want1).norm() < 1e-12);
                let want2 = rho.get(r, col) * (1.0 - p) + terms2.iter().map(|t| t.get(r, col)).sum::<num_complex::Complex64>() * (p / 15.0);
                prop_assert!((d2.get(r, col) - want2).norm() < 1e-12);
                let k0 = |i: usize| if i & 1 == 1 { (1.0 - gamma).sqrt() } else { 1.0 };
                let mut want3 = rho.get(r, col) * k0(r) * k0(col);
                if r & 1 == 0 && col & 1 == 0 {
                    want3 += rho.get(r | 1, col | 1) * gamma;
                }
                prop_assert!((ad.get(r, col) - want3).norm() < 1e-12);
            }
        }
        prop_assert!((d2.trace() - 1.0).abs() < 1e-12 && (ad.trace() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn trajectories_converge_to_the_density_matrix() {
    let model = Tfim::new(5, 1.0, 0.7, false).unwrap();
    let hva = qecd::mitigate::ansatz::Hva { model, layers: 2 };
    let c = hva.circuit(&[-0.4, 0.3, -0.6, 0.2]).unwrap();
    let noise = NoiseModel {
        p1: 0.01,
        p2: 0.05,
        gamma: 0.01,
        readout: Readout {
            p01: 0.02,
            p10: 0.05,
        },
        ..NoiseModel::NONE
    };
    let obs = model.hamiltonian();
    let exact = Executor::new(obs.clone(), noise, Backend::Density)
        .unwrap()
        .noisy(&c)
        .unwrap();
    let est = trajectory_expectation(&c, &noise, &obs, 4000, 11).unwrap();
    let z = (est.mean - exact) / est.std_err;
    assert!(
        z.abs() < 4.0,
        "trajectories {} ± {} vs density {exact} (z = {z})",
        est.mean,
        est.std_err
    );
    // The noise is strong enough that the check is not vacuous.
    let ideal = Executor::new(obs, noise, Backend::Density)
        .unwrap()
        .ideal(&c)
        .unwrap();
    assert!((ideal - exact).abs() > 20.0 * est.std_err);
    // Same seed, same result (thread-count independent streams).
    let again = trajectory_expectation(&c, &noise, &model.hamiltonian(), 4000, 11).unwrap();
    assert_eq!(est, again);
}

#[test]
fn readout_error_matches_classical_bit_flips() {
    // Z0 Z1 on |11> with asymmetric flips: E[(-1)^(m0 + m1)] with each 1 read as 0 w.p. p10.
    let mut c = Circuit::new(2);
    c.push(Op::one(Gate::X, 0));
    c.push(Op::one(Gate::X, 1));
    let rho = DensityMatrix::simulate(&c, &NoiseModel::NONE).unwrap();
    let ro = Readout { p01: 0.1, p10: 0.2 };
    let zz = PauliSum::parse("Z0*Z1").unwrap();
    // Each bit reads -1 w.p. 0.8 and +1 w.p. 0.2: mean -0.6 each, product 0.36.
    assert!((zz.expectation_with_readout(&rho, &ro) - 0.36).abs() < 1e-12);
    let z0 = PauliSum::parse("2*Z0").unwrap();
    assert!((z0.expectation_with_readout(&rho, &ro) + 1.2).abs() < 1e-12);
}

#[test]
fn exact_ground_energies_match_the_free_fermion_closed_form() {
    for n in [4, 6, 8, 10] {
        for h in [0.0, 0.3, 1.0, 1.7] {
            for j in [1.0, -0.8] {
                let m = Tfim::new(n, j, h, true).unwrap();
                let ed = m.ground_energy_exact().unwrap();
                let ff = m.ground_energy_free_fermion().unwrap();
                assert!(
                    (ed - ff).abs() < 1e-9,
                    "n={n} h={h} J={j}: ED {ed} vs closed form {ff}"
                );
            }
        }
    }
    assert!(Tfim::new(5, 1.0, 1.0, true)
        .unwrap()
        .ground_energy_free_fermion()
        .is_err());
}

#[test]
fn open_chain_ground_energy_matches_dense_diagonalisation_bounds() {
    // Open chain n=3: H = J(Z0Z1 + Z1Z2) + h(X0+X1+X2); the variational principle gives an upper
    // bound from any state, and the Lanczos value must not exceed the product-state optimum
    // nor fall below -(2|J| + 3|h|).
    let m = Tfim::new(3, 1.0, 1.0, false).unwrap();
    let e = m.ground_energy_exact().unwrap();
    assert!((-5.0..=-3.0).contains(&e), "{e}");
    // Reference from an independent dense computation (numpy.linalg.eigvalsh).
    assert!((e - (-3.4939592074349344)).abs() < 1e-9, "{e}");
}
