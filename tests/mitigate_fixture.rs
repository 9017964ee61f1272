//! Agreement with Mitiq 1.1.0 + Cirq 1.6.1 on the fixture `tfim4_pbc_h1_hva2` (values in
//! `datasets/mitigation/tfim4_pbc_h1_hva2.reference.json`): every number to 1e-6.

use qecd::mitigate::ansatz::Hva;
use qecd::mitigate::executor::{Backend, Executor};
use qecd::mitigate::fold::{fold_global, Folding};
use qecd::mitigate::noise::NoiseModel;
use qecd::mitigate::read_qasm_file;
use qecd::mitigate::tfim::Tfim;
use qecd::mitigate::zne::{Extrapolation, Zne};
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/mitigation");

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(Path::new(DIR).join("tfim4_pbc_h1_hva2.reference.json"))
        .expect("reference json");
    serde_json::from_str(&text).expect("valid json")
}

fn setup() -> (
    qecd::mitigate::circuit::Circuit,
    Executor,
    serde_json::Value,
) {
    let r = reference();
    let c = read_qasm_file(&Path::new(DIR).join("tfim4_pbc_h1_hva2.qasm")).expect("qasm");
    let model = Tfim::new(4, r["J"].as_f64().unwrap(), r["h"].as_f64().unwrap(), true).unwrap();
    let noise =
        NoiseModel::depolarizing(r["p1"].as_f64().unwrap(), r["p2"].as_f64().unwrap()).unwrap();
    let exec = Executor::new(model.hamiltonian(), noise, Backend::Density).unwrap();
    (c, exec, r)
}

fn close(name: &str, got: f64, r: &serde_json::Value) {
    let want = r[name].as_f64().unwrap_or_else(|| panic!("{name} missing"));
    assert!(
        (got - want).abs() < 1e-6,
        "{name}: got {got}, Mitiq/Cirq give {want}"
    );
}

#[test]
fn ideal_and_noisy_energies_match_cirq() {
    let (c, exec, r) = setup();
    close("E_ideal_circuit", exec.ideal(&c).unwrap(), &r);
    close("E_noisy", exec.noisy(&c).unwrap(), &r);
    let model = Tfim::new(4, 1.0, 1.0, true).unwrap();
    close("E_ground", model.ground_energy_exact().unwrap(), &r);
    close("E_ground", model.ground_energy_free_fermion().unwrap(), &r);
}

#[test]
fn globally_folded_noisy_energies_match_cirq() {
    let (c, exec, r) = setup();
    close(
        "noisy_fold_global_2",
        exec.noisy(&fold_global(&c, 2.0).unwrap()).unwrap(),
        &r,
    );
    close(
        "noisy_fold_global_3",
        exec.noisy(&fold_global(&c, 3.0).unwrap()).unwrap(),
        &r,
    );
}

#[test]
fn zne_values_match_mitiq() {
    let (c, exec, r) = setup();
    let cases = [
        (
            "zne_richardson_123_fold_global",
            vec![1.0, 2.0, 3.0],
            Folding::Global,
            Extrapolation::Richardson,
        ),
        (
            "zne_linear_123_fold_global",
            vec![1.0, 2.0, 3.0],
            Folding::Global,
            Extrapolation::Linear,
        ),
        (
            "zne_exp_123_asym0_fold_global",
            vec![1.0, 2.0, 3.0],
            Folding::Global,
            Extrapolation::Exp {
                asymptote: Some(0.0),
                order: 1,
            },
        ),
        (
            "zne_richardson_135_fold_all",
            vec![1.0, 3.0, 5.0],
            Folding::All,
            Extrapolation::Richardson,
        ),
        (
            "zne_poly2_1-3_fold_global",
            vec![1.0, 1.5, 2.0, 2.5, 3.0],
            Folding::Global,
            Extrapolation::Poly(2),
        ),
    ];
    for (name, scales, folding, extrapolation) in cases {
        let zne = Zne {
            scales,
            folding,
            extrapolation,
        };
        close(name, zne.run(&c, &exec).unwrap().value, &r);
    }
}

#[test]
fn hva_generator_reproduces_the_fixture_circuit() {
    let (c, exec, r) = setup();
    let theta: Vec<f64> = r["params"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let hva = Hva {
        model: Tfim::new(4, 1.0, 1.0, true).unwrap(),
        layers: 2,
    };
    let ours = hva.circuit(&theta).unwrap();
    assert_eq!(ours.ops.len(), c.ops.len());
    // Same moments and gates once both are in Cirq's moment order (angles to the 12 digits of
    // the QASM file).
    let (a, b) = (ours.in_moment_order(), c.in_moment_order());
    let mut sa: Vec<String> = a.moments().iter().map(|m| format!("{}", m.len())).collect();
    let sb: Vec<String> = b.moments().iter().map(|m| format!("{}", m.len())).collect();
    assert_eq!(sa, sb);
    sa.clear();
    assert!((exec.noisy(&ours).unwrap() - exec.noisy(&c).unwrap()).abs() < 1e-6);
}

#[test]
fn random_folding_and_exponential_fits_match_mitiq() {
    // Values from `python scripts/compare_mitiq.py --emit-extra-reference ...` (Mitiq 1.1.0).
    let (c, exec, _) = setup();
    let text =
        std::fs::read_to_string(Path::new(DIR).join("tfim4_pbc_h1_hva2.extra_reference.json"))
            .unwrap();
    let r: serde_json::Value = serde_json::from_str(&text).unwrap();
    for s in [1.5, 2.0, 2.5] {
        for seed in [7u32, 123] {
            let f = Folding::Random(seed).apply(&c, s).unwrap();
            let key = format!("{s:?}_seed{seed}");
            assert_eq!(
                f.ops.len() as u64,
                r[format!("len_fold_random_{key}")].as_u64().unwrap(),
                "{key}"
            );
            close(
                &format!("noisy_fold_random_{key}"),
                exec.noisy(&f).unwrap(),
                &r,
            );
        }
    }
    let exp = Zne {
        scales: vec![1.0, 2.0, 3.0, 4.0],
        folding: Folding::Global,
        extrapolation: Extrapolation::Exp {
            asymptote: None,
            order: 1,
        },
    };
    close(
        "zne_exp_1234_fold_global",
        exp.run(&c, &exec).unwrap().value,
        &r,
    );
    let polyexp = Zne {
        scales: vec![1.0, 1.5, 2.0, 2.5, 3.0],
        folding: Folding::Global,
        extrapolation: Extrapolation::Exp {
            asymptote: Some(0.0),
            order: 2,
        },
    };
    close(
        "zne_polyexp2_asym0_1-3_fold_global",
        polyexp.run(&c, &exec).unwrap().value,
        &r,
    );
}
