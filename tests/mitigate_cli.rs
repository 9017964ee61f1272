//! `qecd mitigate` end to end, and its errors on bad input.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/datasets/mitigation/tfim4_pbc_h1_hva2.qasm"
);

fn qecd() -> Command {
    Command::cargo_bin("qecd").unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

#[test]
fn fixture_run_prints_table_and_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    qecd()
        .args([
            "mitigate",
            "--circuit",
            FIXTURE,
            "--observable",
            "tfim:n=4,J=1,h=1,periodic",
        ])
        .args(["--noise", "depolarizing:p1=1e-3,p2=1e-2"])
        .args([
            "--method",
            "zne:richardson:1,2,3:fold-global",
            "--method",
            "zne:linear:1,2,3:fold-global",
        ])
        .args([
            "--method",
            "zne:richardson:1,3,5:fold-all",
            "--method",
            "cdr:12",
            "--method",
            "vncdr:12",
        ])
        .arg("--json")
        .arg(&json)
        .assert()
        .success()
        .stdout(
            predicate::str::contains("reduction").and(predicate::str::contains("-5.2474144747")),
        );
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert!((r["noisy"].as_f64().unwrap() - -4.458833789344327).abs() < 1e-6);
    assert!((r["ideal"].as_f64().unwrap() - -5.226251859496416).abs() < 1e-6);
    let m = r["methods"].as_array().unwrap();
    assert_eq!(m.len(), 5);
    assert!((m[1]["mitigated"].as_f64().unwrap() - -5.043281924640833).abs() < 1e-6);
    assert!((m[2]["mitigated"].as_f64().unwrap() - -5.1881363398275155).abs() < 1e-6);
    assert_eq!(m[0]["circuits"].as_u64().unwrap(), 3);
    // CDR runs the circuit plus 12 training circuits; vnCDR three scales of each.
    assert_eq!(m[3]["circuits"].as_u64().unwrap(), 13);
    assert_eq!(m[4]["circuits"].as_u64().unwrap(), 39);
    let noisy_err = (r["noisy"].as_f64().unwrap() - r["ideal"].as_f64().unwrap()).abs();
    for row in m {
        assert!(row["error"].as_f64().unwrap() < noisy_err / 4.0, "{row}");
    }
}

#[test]
fn tfim_mode_optimises_the_ansatz_and_mitigates() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("t.json");
    let qasm = dir.path().join("opt.qasm");
    qecd()
        .args([
            "mitigate",
            "--tfim",
            "n=4,h=1,layers=2,periodic",
            "--method",
            "parametric",
        ])
        .args(["--method", "zne:exp0:1,2,3:fold-global", "--json"])
        .arg(&json)
        .arg("--write-circuit")
        .arg(&qasm)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "exact ground energy: -5.2262518595",
        ));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // Two HVA layers reach the 4-spin ground state.
    assert!((r["ideal"].as_f64().unwrap() - r["ground"].as_f64().unwrap()).abs() < 1e-6);
    let noisy_err = (r["noisy"].as_f64().unwrap() - r["ideal"].as_f64().unwrap()).abs();
    for m in r["methods"].as_array().unwrap() {
        assert!(m["error"].as_f64().unwrap() < noisy_err / 30.0, "{m}");
    }
    // The written circuit reads back and gives the same ideal energy.
    qecd()
        .args(["mitigate", "--circuit"])
        .arg(&qasm)
        .args(["--observable", "tfim:n=4,h=1,periodic", "--noise", "p=0"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-5.2262518595"));
}

#[test]
fn study_mode_writes_table_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    qecd()
        .args([
            "mitigate",
            "--study",
            "--study-chains",
            "4:periodic:2",
            "--study-fields",
            "1",
        ])
        .args(["--study-p2", "0.001,0.01", "--out-dir"])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicate::str::contains("parametric"));
    let csv = std::fs::read_to_string(dir.path().join("study.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2 * 12);
    for f in ["study.json", "study.png", "study.svg"] {
        assert!(
            std::fs::metadata(dir.path().join(f)).unwrap().len() > 100,
            "{f}"
        );
    }
}

#[test]
fn malformed_qasm_reports_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "bad.qasm",
        "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nh q[0]\ncx q[0],q[1];\n",
    );
    qecd()
        .args(["mitigate", "--circuit", &p, "--observable", "pauli:Z0"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("bad.qasm").and(predicate::str::contains(
                "line 5, column 1: expected ';', found 'cx'",
            )),
        );
}

#[test]
fn unknown_gate_and_out_of_range_qubit_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "g.qasm",
        "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nccx q[0],q[1],q[0];\n",
    );
    qecd()
        .args(["mitigate", "--circuit", &p, "--observable", "pauli:Z0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "line 4, column 1: unknown gate 'ccx'",
        ));
    let p = write(
        dir.path(),
        "r.qasm",
        "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nrz(pi/2) q[2];\n",
    );
    qecd()
        .args(["mitigate", "--circuit", &p, "--observable", "pauli:Z0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "line 4, column 12: qubit index 2 out of range for register 'q' of size 2",
        ));
}

#[test]
fn bad_noise_rates_are_rejected() {
    qecd()
        .args([
            "mitigate",
            "--circuit",
            FIXTURE,
            "--observable",
            "tfim:n=4,periodic",
            "--noise",
            "depolarizing:p1=1e-3,p2=1.5",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "noise rate p2 = 1.5 is outside [0, 1]",
        ));
    qecd()
        .args([
            "mitigate",
            "--circuit",
            FIXTURE,
            "--observable",
            "tfim:n=4,periodic",
            "--noise",
            "p1=-0.1",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("p1 = -0.1 is outside [0, 1]"));
}

#[test]
fn too_many_qubits_for_density_matrix_suggests_trajectories() {
    let dir = tempfile::tempdir().unwrap();
    let mut src = String::from("OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[14];\n");
    for i in 0..13 {
        src.push_str(&format!("h q[{i}];\ncx q[{i}],q[{}];\n", i + 1));
    }
    let p = write(dir.path(), "wide.qasm", &src);
    qecd()
        .args(["mitigate", "--circuit", &p, "--observable", "pauli:Z0*Z13"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("14 qubits is too many for the density-matrix simulator")
                .and(predicate::str::contains("trajectories")),
        );
    // With trajectories it runs (16 spins would too; 14 keeps the test quick).
    qecd()
        .args([
            "mitigate",
            "--circuit",
            &p,
            "--observable",
            "pauli:Z0*Z13",
            "--sim",
            "trajectories:50",
        ])
        .args([
            "--noise",
            "p1=1e-3,p2=1e-2",
            "--method",
            "zne:linear:1,3:fold-global",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("standard error, 50 trajectories"));
}

#[test]
fn given_angles_skip_the_optimiser() {
    // The fixture's angles (6 digits) through the HVA generator give the fixture's noisy energy.
    qecd()
        .args([
            "mitigate",
            "--tfim",
            "n=4,h=1,layers=2,periodic",
            "--theta=-0.670184,0.148256,-2.713588,-2.151539",
        ])
        .args(["--noise", "depolarizing:p1=1e-3,p2=1e-2"])
        .assert()
        .success()
        .stdout(predicate::str::contains("-4.45883"))
        .stderr(predicate::str::contains("VQE").not());
    qecd()
        .args([
            "mitigate",
            "--tfim",
            "n=4,h=1,layers=2,periodic",
            "--theta=0.1,0.2",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "HVA with 2 layers takes 4 parameters, found 2",
        ));
}

#[test]
fn parametric_accepts_a_named_training_set() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("p.json");
    let train = "-0.1,0.7,-0.3,0.5;-0.2,0.6,-0.4,0.4;-0.3,0.5,-0.5,0.3;-0.4,0.4,-0.6,0.2;-0.5,0.3,-0.7,0.1;-0.6,0.2,-0.8,0.0;-0.7,0.1,-0.9,-0.1;-0.2,0.3,-0.6,0.6";
    qecd()
        .args([
            "mitigate",
            "--tfim",
            "n=4,h=1,layers=2,periodic",
            "--theta=-0.670184,0.148256,-2.713588,-2.151539",
        ])
        .args(["--method", "parametric", "--train-theta", train, "--json"])
        .arg(&json)
        .assert()
        .success();
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let m = &r["methods"][0];
    // 8 training points x 5 features + 5 at the target.
    assert_eq!(m["circuits"].as_u64().unwrap(), 45);
    assert!(m["reduction"].as_f64().unwrap() > 1.0, "{m}");
    qecd()
        .args([
            "mitigate",
            "--tfim",
            "n=4,h=1,layers=2,periodic",
            "--theta=-0.67,0.15,-2.71,-2.15",
        ])
        .args(["--method", "parametric", "--train-theta", "0.1,0.2,0.3"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "--train-theta point 1: the ansatz takes 4 angles, found 3",
        ));
}

#[test]
fn terminal_measurements_are_accepted_and_mid_circuit_ones_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let ok = write(dir.path(), "m.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nx q[0];\nmeasure q -> c;\n");
    qecd()
        .args([
            "mitigate",
            "--circuit",
            &ok,
            "--observable",
            "pauli:Z0+Z1",
            "--noise",
            "p=0",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("0.0000000000"));
    let bad = write(dir.path(), "b.qasm", "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nmeasure q[0] -> c[0];\nh q[0];\n");
    qecd()
        .args(["mitigate", "--circuit", &bad, "--observable", "pauli:Z0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "line 6, column 1: gate 'h' on qubit 0 after its measurement",
        ));
    let bad = write(
        dir.path(),
        "c.qasm",
        "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\ncreg c[2];\nmeasure q[1] -> c[2];\n",
    );
    qecd()
        .args(["mitigate", "--circuit", &bad, "--observable", "pauli:Z0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "line 5, column 19: bit index 2 out of range",
        ));
}

#[test]
fn new_methods_run_with_shots_and_write_their_fields() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("out.json");
    qecd()
        .args(["mitigate", "--circuit", FIXTURE])
        .args(["--observable", "tfim:n=4,J=1,h=1,periodic"])
        .args(["--noise", "p1=1e-3,p2=1e-2,ro=0.02"])
        .args(["--method", "lre:1:1:3", "--method", "rem+pec:200:3"])
        .args(["--method", "rem+zne:linear:1,2,3", "--method", "rem"])
        .args(["--shots", "5000:9", "--json"])
        .arg(&json)
        .assert()
        .success()
        .stdout(predicate::str::contains("std_error").and(predicate::str::contains("5000 shots")));
    let r: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(r["shots"].as_u64(), Some(5000));
    let m = r["methods"].as_array().unwrap();
    assert_eq!(m.len(), 4);
    for row in m {
        assert!(row["std_error"].as_f64().unwrap() > 0.0, "{row}");
        assert!(
            row["variance_amplification"].as_f64().unwrap() > 0.0,
            "{row}"
        );
    }
    assert!(m[1]["one_norm"].as_f64().unwrap() > 1.0);
    assert_eq!(m[1]["circuits"].as_u64(), Some(200));
    // DDD with idle noise.
    qecd()
        .args(["mitigate", "--circuit", FIXTURE])
        .args(["--observable", "tfim:n=4,J=1,h=1,periodic"])
        .args(["--noise", "p1=1e-3,p2=1e-2,idle=1e-3,idle_rz=0.05"])
        .args(["--method", "ddd:xyxy", "--method", "ddd:yy"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ddd:xyxy"));
}

#[test]
fn methods_refuse_noise_they_cannot_handle() {
    let run = |noise: &str, method: &str, extra: &[&str]| {
        qecd()
            .args(["mitigate", "--circuit", FIXTURE])
            .args(["--observable", "tfim:n=4,J=1,h=1,periodic"])
            .args(["--noise", noise, "--method", method])
            .args(extra)
            .assert()
            .failure()
    };
    run("p1=1e-3,p2=1e-2,gamma=1e-3", "pec:10", &[])
        .stderr(predicate::str::contains("amplitude damping"));
    run("p1=1e-3,p2=1e-2,ro=0.01", "pec:10", &[]).stderr(predicate::str::contains("rem+pec"));
    run("p1=1e-3,p2=1e-2", "pec:10:1:local", &[]).stderr(predicate::str::contains(
        "local depolarizing representation",
    ));
    run("p1=1e-3,p2=1e-2", "rem", &[]).stderr(predicate::str::contains("needs readout noise"));
    run("p1=1e-3,p2=1e-2", "rem+zne:linear:1,2", &[])
        .stderr(predicate::str::contains("needs readout noise"));
    run("p1=1e-3,p2=1e-2", "ddd:xx", &[]).stderr(predicate::str::contains("no idle noise"));
    run("p1=1e-3,p2=1e-2", "lre:2:1:999", &[])
        .stderr(predicate::str::contains("999 chunks").and(predicate::str::contains("layers")));
    run("p1=1e-3,p2=1e-2", "lre:60:1", &[]).stderr(predicate::str::contains("scale factor"));
    run("p1=1e-3,p2=1e-2", "ddd:zz", &[]).stderr(predicate::str::contains("unknown DDD rule"));
    run("p1=1e-3,p2=1e-2", "zne:linear:1,2", &["--shots", "0"])
        .stderr(predicate::str::contains("--shots '0'"));
    run("p1=1e-3,p2=1e-2", "zne:linear:1,2", &["--shots", "10:x"])
        .stderr(predicate::str::contains("expected a seed"));
    run(
        "p1=1e-3,p2=1e-2",
        "zne:linear:1,2",
        &["--shots", "10", "--sim", "trajectories:5"],
    )
    .stderr(predicate::str::contains(
        "--shots needs the density-matrix simulator",
    ));
    run("p1=1e-3,p2=1e-2,idle_rz=inf", "zne:linear:1,2", &[])
        .stderr(predicate::str::contains("idle_rz"));
}
