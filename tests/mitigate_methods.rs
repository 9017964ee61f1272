//! Mitigation methods on their own: CDR training sets, vnCDR/CDR/parametric on the fixture,
//! VQE, and the parsers' errors.

use qecd::mitigate::ansatz::Hva;
use qecd::mitigate::cdr::{training_circuits, Cdr};
use qecd::mitigate::circuit::Gate;
use qecd::mitigate::executor::{Backend, Executor};
use qecd::mitigate::fold::Folding;
use qecd::mitigate::noise::NoiseModel;
use qecd::mitigate::observable::PauliSum;
use qecd::mitigate::parametric::Parametric;
use qecd::mitigate::read_qasm_file;
use qecd::mitigate::tfim::Tfim;
use qecd::mitigate::vqe::{optimize, Objective};
use std::path::Path;

fn fixture() -> qecd::mitigate::circuit::Circuit {
    read_qasm_file(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/mitigation/tfim4_pbc_h1_hva2.qasm"),
    )
    .unwrap()
}

#[test]
fn training_circuits_keep_the_requested_fraction_of_non_clifford_rotations() {
    let c = fixture();
    let non_clifford = c.ops.iter().filter(|o| !o.gate.is_clifford()).count();
    assert_eq!(non_clifford, 16);
    let set = training_circuits(&c, 8, 0.25, 5).unwrap();
    for t in &set {
        assert_eq!(t.ops.len(), c.ops.len());
        assert_eq!(t.ops.iter().filter(|o| !o.gate.is_clifford()).count(), 4);
        for (a, b) in t.ops.iter().zip(&c.ops) {
            assert_eq!(a.qubits, b.qubits);
            if let (Gate::Rz(x), Gate::Rz(y)) = (a.gate, b.gate) {
                // Snapped to the closest multiple of pi/2, or untouched.
                let k = (y / std::f64::consts::FRAC_PI_2).round() * std::f64::consts::FRAC_PI_2;
                assert!(x == y || (x - k).abs() < 1e-12);
            }
        }
    }
    // Different circuits for different indices, same set for the same seed.
    assert_ne!(set[0], set[1]);
    assert_eq!(set, training_circuits(&c, 8, 0.25, 5).unwrap());
    assert!(training_circuits(&c, 8, 1.5, 5).is_err());
}

#[test]
fn clifford_regression_methods_reduce_the_fixture_error() {
    let c = fixture();
    let model = Tfim::new(4, 1.0, 1.0, true).unwrap();
    let exec = Executor::new(
        model.hamiltonian(),
        NoiseModel::depolarizing(1e-3, 1e-2).unwrap(),
        Backend::Density,
    )
    .unwrap();
    let ideal = exec.ideal(&c).unwrap();
    let noisy_err = (exec.noisy(&c).unwrap() - ideal).abs();
    let cdr = Cdr {
        num_training: 20,
        fraction_non_clifford: 0.2,
        scales: vec![1.0],
        folding: Folding::Global,
        seed: 1,
    };
    let r = cdr.run(&c, &exec).unwrap();
    assert_eq!(r.coefficients.len(), 2);
    assert_eq!(r.circuits, 21);
    assert!(
        (r.value - ideal).abs() < noisy_err / 5.0,
        "CDR {} vs ideal {ideal}",
        r.value
    );
    let vn = Cdr {
        scales: vec![1.0, 2.0, 3.0],
        ..cdr
    };
    let r = vn.run(&c, &exec).unwrap();
    assert_eq!(r.coefficients.len(), 3);
    assert!(
        (r.value - ideal).abs() < noisy_err / 30.0,
        "vnCDR {} vs ideal {ideal}",
        r.value
    );
}

#[test]
fn vqe_and_parametric_scheme_on_the_periodic_chain() {
    let model = Tfim::new(4, 1.0, 1.5, true).unwrap();
    let hva = Hva { model, layers: 2 };
    let ideal_exec =
        Executor::new(model.hamiltonian(), NoiseModel::NONE, Backend::Density).unwrap();
    let best = optimize(&hva, &ideal_exec, &Objective::Ideal, &[], 4000).unwrap();
    let ground = model.ground_energy_exact().unwrap();
    assert!(
        (best.energy - ground).abs() < 1e-6,
        "VQE {} vs ground {ground}",
        best.energy
    );
    let exec = Executor::new(
        model.hamiltonian(),
        NoiseModel::depolarizing(1e-3, 1e-2).unwrap(),
        Backend::Density,
    )
    .unwrap();
    let mut training = Vec::new();
    for h in [0.1, 0.2, 0.3, 0.4] {
        let m = Tfim::new(4, 1.0, h, true).unwrap();
        let e = Executor::new(m.hamiltonian(), NoiseModel::NONE, Backend::Density).unwrap();
        training.push(
            optimize(
                &Hva {
                    model: m,
                    layers: 2,
                },
                &e,
                &Objective::Ideal,
                &[],
                4000,
            )
            .unwrap()
            .theta,
        );
    }
    let family = |t: &[f64]| hva.circuit(t);
    let r = Parametric::default()
        .run(&family, &training, &best.theta, &exec)
        .unwrap();
    let c = hva.circuit(&best.theta).unwrap();
    let ideal = exec.ideal(&c).unwrap();
    let noisy_err = (exec.noisy(&c).unwrap() - ideal).abs();
    assert_eq!(r.coefficients.len(), 6);
    assert_eq!(r.circuits, 5 * 5);
    assert!(
        (r.value - ideal).abs() < noisy_err / 30.0,
        "parametric {} vs ideal {ideal} (noisy error {noisy_err})",
        r.value
    );
    assert!(Parametric::default()
        .run(&family, &training[..2], &best.theta, &exec)
        .is_err());
}

#[test]
fn parsers_reject_bad_specifications() {
    assert!(NoiseModel::parse("depolarizing:p1=2").is_err());
    assert!(NoiseModel::parse("p3=0.1").is_err());
    assert!(NoiseModel::parse("p1=abc").is_err());
    let m = NoiseModel::parse("depolarizing:p1=1e-3,p2=1e-2,gamma=1e-3,ro=0.02").unwrap();
    assert_eq!(
        (m.p1, m.p2, m.gamma, m.readout.p01, m.readout.p10),
        (1e-3, 1e-2, 1e-3, 0.02, 0.02)
    );
    assert!(Tfim::parse("h=1").is_err());
    assert!(Tfim::parse("n=2,periodic").is_err());
    let (t, extra) = Tfim::parse("n=6,J=-1,h=0.5,open,layers=3").unwrap();
    assert_eq!((t.n, t.j, t.h, t.periodic), (6, -1.0, 0.5, false));
    assert_eq!(extra, vec![("layers".to_string(), "3".to_string())]);
    let s = PauliSum::parse("1e-3*Z0*Z1 - 0.5*X2 + Y3").unwrap();
    assert_eq!(s.terms.len(), 3);
    assert_eq!(s.terms[0].0, 1e-3);
    assert_eq!(s.terms[1].0, -0.5);
    assert!(PauliSum::parse("Z0*Z0").is_err());
    assert!(PauliSum::parse("Q1").is_err());
}

#[test]
fn vqe_with_mitigation_in_the_loop_finds_better_angles_than_the_noisy_objective_reports() {
    let model = Tfim::new(4, 1.0, 1.0, true).unwrap();
    let hva = Hva { model, layers: 1 };
    let exec = Executor::new(
        model.hamiltonian(),
        NoiseModel::depolarizing(1e-3, 1e-2).unwrap(),
        Backend::Density,
    )
    .unwrap();
    let ground = model.ground_energy_exact().unwrap();
    let noisy = optimize(&hva, &exec, &Objective::Noisy, &[], 600).unwrap();
    let zne = qecd::mitigate::zne::Zne {
        scales: vec![1.0, 2.0, 3.0],
        folding: Folding::Global,
        extrapolation: qecd::mitigate::zne::Extrapolation::Exp {
            asymptote: Some(0.0),
            order: 1,
        },
    };
    let mitigated = optimize(&hva, &exec, &Objective::Mitigated(zne), &[], 600).unwrap();
    // The mitigated objective is far closer to the noiseless optimum of the 1-layer ansatz.
    let ideal_exec =
        Executor::new(model.hamiltonian(), NoiseModel::NONE, Backend::Density).unwrap();
    let best_ideal = optimize(&hva, &ideal_exec, &Objective::Ideal, &[], 600)
        .unwrap()
        .energy;
    assert!(best_ideal > ground - 1e-9);
    assert!(
        (mitigated.energy - best_ideal).abs() < 0.2 * (noisy.energy - best_ideal).abs(),
        "mitigated {} noisy {} ideal optimum {best_ideal}",
        mitigated.energy,
        noisy.energy
    );
    // Both optimisers land on angles whose noiseless energy is near the ideal optimum.
    for r in [&noisy, &mitigated] {
        let e = ideal_exec.ideal(&hva.circuit(&r.theta).unwrap()).unwrap();
        assert!(e - best_ideal < 0.05, "{e} vs {best_ideal}");
    }
}
