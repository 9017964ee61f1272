//! Agreement with Mitiq 1.1.0 + Cirq 1.6.1 for LRE, REM, PEC and DDD on the fixture
//! `tfim4_pbc_h1_hva2` (values in
//! `datasets/mitigation/tfim4_pbc_h1_hva2.lre_pec_rem_ddd_reference.json`, written by
//! `scripts/mitiq_reference.py`): LRE to 1e-6, REM with exact probabilities and the inverse
//! confusion matrices to 1e-9, PEC's one-norm to 1e-9 and its estimate within 4 standard errors
//! of the ideal value (reproducible byte for byte), DDD circuits equal to Mitiq's.

use qecd::mitigate::circuit::{Circuit, Gate};
use qecd::mitigate::ddd::Rule;
use qecd::mitigate::executor::{Backend, Executor};
use qecd::mitigate::lre::Lre;
use qecd::mitigate::measure::{confusion_matrix, tensored_inverse_confusion_matrix};
use qecd::mitigate::method::Method;
use qecd::mitigate::noise::{NoiseModel, Readout};
use qecd::mitigate::pec::{represent, Pec, Representation};
use qecd::mitigate::read_qasm_file;
use qecd::mitigate::tfim::Tfim;
use serde_json::Value;
use std::path::Path;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/datasets/mitigation");

fn json(name: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(DIR).join(name)).expect("reference json");
    serde_json::from_str(&text).expect("valid json")
}

fn reference() -> Value {
    json("tfim4_pbc_h1_hva2.lre_pec_rem_ddd_reference.json")
}

fn fixture() -> Circuit {
    read_qasm_file(&Path::new(DIR).join("tfim4_pbc_h1_hva2.qasm")).expect("qasm")
}

fn executor(noise: NoiseModel) -> Executor {
    let h = Tfim::new(4, 1.0, 1.0, true).unwrap().hamiltonian();
    Executor::new(h, noise, Backend::Density).unwrap()
}

fn f(r: &Value, key: &str) -> f64 {
    r[key].as_f64().unwrap_or_else(|| panic!("{key} missing"))
}

fn depolarizing(r: &Value) -> NoiseModel {
    NoiseModel::depolarizing(f(r, "p1"), f(r, "p2")).unwrap()
}

#[test]
fn lre_matches_mitiq_with_and_without_chunks() {
    let r = reference();
    let fix = fixture();
    let idle = read_qasm_file(&Path::new(DIR).join("idle3.qasm")).unwrap();
    assert_eq!(fix.moments().len() as f64, f(&r, "layers_fixture"));
    assert_eq!(idle.moments().len() as f64, f(&r, "layers_idle3"));
    let noise = depolarizing(&r);
    let obs3 =
        qecd::mitigate::observable::PauliSum::parse("Z2 + X0*Y1 + Z0*X1 + 0.5*Y0*Z1").unwrap();
    let cases = [
        ("fixture", &fix, executor(noise), [Some(3), Some(4)]),
        (
            "idle3",
            &idle,
            Executor::new(obs3, noise, Backend::Density).unwrap(),
            [None, Some(3)],
        ),
    ];
    for (name, c, exec, chunk_list) in &cases {
        for degree in [1, 2] {
            for chunks in chunk_list {
                let key = format!(
                    "lre_{name}_d{degree}_m1{}",
                    chunks.map_or(String::new(), |c| format!("_c{c}"))
                );
                let lre = Lre {
                    degree,
                    fold_multiplier: 1,
                    chunks: *chunks,
                };
                let got = lre.run(c, exec).unwrap().value;
                let want = f(&r, &key);
                assert!((got - want).abs() < 1e-6, "{key}: qecd {got}, Mitiq {want}");
            }
        }
    }
}

#[test]
fn rem_matches_mitiq_with_exact_probabilities() {
    let r = reference();
    let readout = Readout {
        p01: f(&r, "ro01"),
        p10: f(&r, "ro10"),
    };
    let exec = executor(NoiseModel {
        readout,
        ..depolarizing(&r)
    });
    let c = fixture();
    let noisy = exec.noisy(&c).unwrap();
    assert!((noisy - f(&r, "E_noisy_readout")).abs() < 1e-9, "{noisy}");
    let rem = Method::Rem.run(&c, &exec, None).unwrap().value;
    assert!((rem - f(&r, "E_rem_exact")).abs() < 1e-9, "{rem}");
    // REM inside ZNE runs (and differs from plain ZNE by removing the readout bias).
    let zne: Method = "rem+zne:richardson:1,2,3".parse().unwrap();
    assert!(zne.run(&c, &exec, None).unwrap().value.is_finite());

    let close = |got: &[Vec<f64>], want: &Value| {
        let want = want.as_array().unwrap();
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            for (x, y) in g.iter().zip(w.as_array().unwrap()) {
                assert!((x - y.as_f64().unwrap()).abs() < 1e-9);
            }
        }
    };
    let m = confusion_matrix(&readout);
    close(
        &tensored_inverse_confusion_matrix(&[m; 4]).unwrap(),
        &r["inverse_confusion_matrix_4"],
    );
    let pair: Vec<[f64; 4]> = r["tensored_confusions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let v: Vec<f64> = m
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|row| row.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()))
                .collect();
            [v[0], v[1], v[2], v[3]]
        })
        .collect();
    close(
        &tensored_inverse_confusion_matrix(&pair).unwrap(),
        &r["tensored_inverse_confusion_matrix"],
    );
}

#[test]
fn pec_one_norm_matches_mitiq_and_estimate_is_within_four_standard_errors() {
    let r = reference();
    let noise = depolarizing(&r);
    let c = fixture();
    let pec = Pec {
        samples: 4000,
        seed: 11,
        representation: Representation::Global,
    };
    let reps = pec.representations(&c, &noise, false).unwrap();
    let want: Vec<f64> = r["pec_gate_norms_global"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    // Mitiq lists gates in moment order; the norms depend only on the arity.
    let mut got: Vec<f64> = reps.iter().map(|g| g.one_norm()).collect();
    let mut want_sorted = want.clone();
    got.sort_by(f64::total_cmp);
    want_sorted.sort_by(f64::total_cmp);
    for (g, w) in got.iter().zip(&want_sorted) {
        assert!((g - w).abs() < 1e-9, "{g} vs {w}");
    }
    let exec = executor(noise);
    let out = pec.run(&c, &exec).unwrap();
    assert!(
        (out.one_norm - f(&r, "pec_one_norm_global")).abs() < 1e-9,
        "{}",
        out.one_norm
    );
    let ideal = json("tfim4_pbc_h1_hva2.reference.json")["E_ideal_circuit"]
        .as_f64()
        .unwrap();
    assert!(
        (out.value - ideal).abs() < 4.0 * out.std_error,
        "PEC {} ± {} vs ideal {ideal}",
        out.value,
        out.std_error
    );
    let noisy = exec.noisy(&c).unwrap();
    assert!((out.value - ideal).abs() < (noisy - ideal).abs());
    // The same seed gives the same bytes.
    let again = pec.run(&c, &exec).unwrap();
    assert_eq!(
        serde_json::to_string(&out).unwrap(),
        serde_json::to_string(&again).unwrap()
    );
    // Local representations.
    let p1 = f(&r, "p1");
    let p2 = f(&r, "p2");
    let local1 = represent(&[0], p1, Representation::Local)
        .unwrap()
        .one_norm();
    assert!((local1 - f(&r, "pec_norm_1q_local_p1")).abs() < 1e-9);
    let local2 = represent(&[0, 1], p2, Representation::Local)
        .unwrap()
        .one_norm();
    assert!((local2 - f(&r, "pec_norm_cnot_local_p2")).abs() < 1e-9);
    let global2 = represent(&[0, 1], p2, Representation::Global)
        .unwrap()
        .one_norm();
    assert!((global2 - f(&r, "pec_norm_cnot_global_p2")).abs() < 1e-9);
}

/// One string per used qubit, one character per moment, as the reference script writes them.
fn grid(c: &Circuit) -> Vec<String> {
    let moments = c.moments();
    let used: Vec<usize> = (0..c.num_qubits)
        .filter(|q| c.ops.iter().any(|o| o.targets().contains(q)))
        .collect();
    used.iter()
        .map(|&q| {
            moments
                .iter()
                .map(|m| {
                    match m
                        .iter()
                        .map(|&i| c.ops[i])
                        .find(|o| o.targets().contains(&q))
                    {
                        None => '.',
                        Some(o) => match o.gate {
                            Gate::I => 'I',
                            Gate::X => 'X',
                            Gate::Y => 'Y',
                            _ => '#',
                        },
                    }
                })
                .collect()
        })
        .collect()
}

#[test]
fn ddd_inserts_mitiqs_sequences() {
    let r = reference();
    let strings = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect()
    };
    for (name, c) in [
        ("fixture", fixture()),
        (
            "idle3",
            read_qasm_file(&Path::new(DIR).join("idle3.qasm")).unwrap(),
        ),
    ] {
        assert_eq!(grid(&c), strings(&r[format!("ddd_{name}_none")]), "{name}");
        for rule in [Rule::Xx, Rule::Xyxy, Rule::Yy] {
            let got = grid(&rule.insert(&c));
            assert_eq!(
                got,
                strings(&r[format!("ddd_{name}_{rule}")]),
                "{name} {rule}"
            );
        }
    }
}

#[test]
fn ddd_refocuses_idle_detuning() {
    // With a coherent detuning per idle moment, XX on the idle windows brings the energy of the
    // idle-heavy circuit closer to the ideal value.
    let c = read_qasm_file(&Path::new(DIR).join("idle3.qasm")).unwrap();
    let obs =
        qecd::mitigate::observable::PauliSum::parse("Z2 + X0*Y1 + Z0*X1 + 0.5*Y0*Z1").unwrap();
    let noise = NoiseModel::parse("p1=1e-4,p2=1e-3,idle_rz=0.2").unwrap();
    let exec = Executor::new(obs, noise, Backend::Density).unwrap();
    let ideal = exec.ideal(&c).unwrap();
    let noisy = exec.noisy(&c).unwrap();
    let ddd = Method::Ddd(Rule::Xx).run(&c, &exec, None).unwrap().value;
    assert!(
        (ddd - ideal).abs() < 0.5 * (noisy - ideal).abs(),
        "ideal {ideal}, noisy {noisy}, ddd {ddd}"
    );
}
