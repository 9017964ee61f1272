//! `qecd train`, and `--decoder neural` in `predict`, `threshold` and `bench`, end to end.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn qecd() -> Command {
    Command::cargo_bin("qecd-neural").unwrap()
}

/// Trains a tiny L = 3 model into `out`.
fn train_tiny(out: &Path) {
    qecd()
        .args([
            "train",
            "--distance",
            "3",
            "--p",
            "0.08",
            "--steps",
            "120",
            "--batch",
            "128",
        ])
        .args([
            "--width",
            "16",
            "--depth",
            "2",
            "--eval-every",
            "60",
            "--eval-shots",
            "1000",
        ])
        .args([
            "--threads",
            "1",
            "--device",
            "cpu",
            "--no-progress",
            "--out",
        ])
        .arg(out)
        .assert()
        .success()
        .stdout(predicate::str::contains("trained 120/120 steps"))
        .stdout(predicate::str::contains("matching"));
}

#[test]
fn train_then_decode_with_threshold_predict_and_bench() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny-L3");
    train_tiny(&model);
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("card.json")).unwrap()).unwrap();
    assert_eq!(card["distance"], 3);
    assert_eq!(card["noise"], "depolarizing");
    assert_eq!(card["training"]["device"], "cpu");
    assert!(card["training"]["command"]
        .as_str()
        .unwrap()
        .starts_with("qecd train --distance 3"));
    assert_eq!(card["training"]["history"].as_array().unwrap().len(), 2);

    // Training into the same folder again needs --resume.
    qecd()
        .args([
            "train",
            "--distance",
            "3",
            "--steps",
            "1",
            "--no-progress",
            "--out",
        ])
        .arg(&model)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--resume"));

    // Resuming a finished run and measuring the card's table.
    qecd()
        .args([
            "train",
            "--resume",
            "--no-progress",
            "--device",
            "cpu",
            "--card-shots",
            "2000",
        ])
        .args(["--card-p", "0.06,0.1", "--out"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("neural").and(predicate::str::contains("mwpm")));
    let card: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(model.join("card.json")).unwrap()).unwrap();
    let eval = card["evaluation"].as_array().unwrap();
    assert_eq!(eval.len(), 2);
    assert_eq!(eval[0]["decoders"].as_array().unwrap().len(), 2);
    assert!(card["evaluation_note"].as_str().unwrap().contains("2000"));

    // Threshold with the model, matching and maximum likelihood on identical shots.
    qecd()
        .args([
            "threshold",
            "--decoder",
            "neural,mwpm,ml",
            "--distances",
            "3",
            "--p",
            "0.08",
        ])
        .args(["--shots", "1500", "--device", "cpu", "--model"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("neural").and(predicate::str::contains("ml")));

    // Bench.
    qecd()
        .args([
            "bench",
            "--decoder",
            "neural",
            "--distance",
            "3",
            "--p",
            "0.08",
            "--shots",
            "2000",
        ])
        .args(["--device", "cpu", "--model"])
        .arg(&model)
        .assert()
        .success()
        .stdout(predicate::str::contains("neural"));

    // A model for another L is a clear error.
    qecd()
        .args([
            "threshold",
            "--decoder",
            "neural",
            "--distances",
            "4",
            "--p",
            "0.08",
        ])
        .args(["--shots", "100", "--model"])
        .arg(&model)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("no model for L = 4").and(predicate::str::contains("L = 3")),
        );

    // So is a model for another noise.
    qecd()
        .args([
            "threshold",
            "--decoder",
            "neural",
            "--distances",
            "3",
            "--p",
            "0.08",
        ])
        .args(["--noise", "bitflip", "--shots", "100", "--model"])
        .arg(&model)
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("'depolarizing'").and(predicate::str::contains("bitflip")),
        );

    // Predict on a sampled toric shot file.
    let dets = dir.path().join("dets.01");
    let obs = dir.path().join("obs.01");
    qecd()
        .args([
            "sample",
            "--distance",
            "3",
            "--p",
            "0.08",
            "--shots",
            "300",
            "--out",
        ])
        .arg(&dets)
        .arg("--obs-out")
        .arg(&obs)
        .assert()
        .success();
    let pred = dir.path().join("pred.01");
    qecd()
        .args([
            "predict",
            "--decoder",
            "neural",
            "--code",
            "toric",
            "--distance",
            "3",
            "--device",
            "cpu",
        ])
        .arg("--model")
        .arg(&model)
        .arg("--in")
        .arg(&dets)
        .args(["--in_format", "01"])
        .arg("--out")
        .arg(&pred)
        .assert()
        .success();
    let lines = std::fs::read_to_string(&pred).unwrap();
    assert_eq!(lines.lines().count(), 300);
    assert!(lines
        .lines()
        .all(|l| l.len() == 4 && l.chars().all(|c| c == '0' || c == '1')));

    // A corrupt model file names the file.
    std::fs::write(model.join("model.safetensors"), b"not a safetensors file").unwrap();
    qecd()
        .args([
            "predict",
            "--decoder",
            "neural",
            "--code",
            "toric",
            "--distance",
            "3",
        ])
        .arg("--model")
        .arg(&model)
        .arg("--in")
        .arg(&dets)
        .assert()
        .failure()
        .stderr(predicate::str::contains("model.safetensors"));
}

#[test]
fn neural_without_a_model_and_bad_devices_are_clear_errors() {
    qecd()
        .args([
            "threshold",
            "--decoder",
            "neural",
            "--distances",
            "3",
            "--p",
            "0.1",
            "--shots",
            "10",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--model DIR"));
    qecd()
        .args([
            "train",
            "--distance",
            "3",
            "--device",
            "tpu",
            "--out",
            "/nonexistent/x",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("unknown device 'tpu'"));
    if !tch::Cuda::is_available() {
        let dir = tempfile::tempdir().unwrap();
        qecd()
            .args([
                "train",
                "--distance",
                "3",
                "--steps",
                "1",
                "--device",
                "cuda",
                "--out",
            ])
            .arg(dir.path().join("m"))
            .assert()
            .failure()
            .stderr(predicate::str::contains("no CUDA device"));
    }
}

/// `threshold` on the shipped model `model` at L = 6 with the extra neural options `options`.
fn threshold_with(model: &str, options: &[&str]) -> assert_cmd::assert::Assert {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../decoders")
        .join(model);
    qecd()
        .args([
            "threshold",
            "--decoder",
            "neural",
            "--device",
            "cpu",
            "--model",
        ])
        .arg(dir)
        .args(options)
        .args(["--distances", "6", "--p", "0.1"])
        .args(["--shots", "200", "--threads", "1"])
        .assert()
}

#[test]
fn symmetry_averaging_runs_on_local_models_and_bad_counts_are_refused() {
    threshold_with("local-depol", &["--symmetries", "16"])
        .success()
        .stdout(predicate::str::is_match(r"neural\s+6\s+0\.1000\s+200\s").unwrap());
    threshold_with("local-depol", &["--symmetries", "3"])
        .failure()
        .stderr(predicate::str::contains("expected 1, 2, 4, 8 or 16"));
    threshold_with("end-L6-depol", &["--symmetries", "2"])
        .failure()
        .stderr(predicate::str::contains("END models are already invariant"));
}

#[test]
fn precision_and_passes_run_on_local_models_and_bad_values_are_refused() {
    threshold_with("local-depol", &["--precision", "bf16"])
        .success()
        .stdout(predicate::str::is_match(r"neural\s+6\s+0\.1000\s+200\s").unwrap());
    threshold_with("local-depol", &["--precision", "fp16"])
        .failure()
        .stderr(predicate::str::contains("'fp16'").and(predicate::str::contains("bf16")));
    threshold_with("end-L6-depol", &["--precision", "bf16"])
        .failure()
        .stderr(predicate::str::contains("only local models"));
    threshold_with("local-depol", &["--passes", "1"])
        .success()
        .stdout(predicate::str::is_match(r"neural\s+6\s+0\.1000\s+200\s").unwrap());
    threshold_with("local-depol", &["--passes", "3"])
        .failure()
        .stderr(predicate::str::contains("--passes"));
    threshold_with("end-L6-depol", &["--passes", "1"])
        .failure()
        .stderr(predicate::str::contains("only local models take --passes"));
}

#[test]
fn qecd_hands_neural_commands_to_qecd_neural() {
    let light = std::path::Path::new(env!("CARGO_BIN_EXE_qecd-neural")).with_file_name("qecd");
    assert!(
        light.is_file(),
        "{} missing: test the workspace (cargo test --workspace)",
        light.display()
    );
    // Through `qecd`, the neural decoder runs (in `qecd-neural`): same output as direct.
    let dir = tempfile::tempdir().unwrap();
    let dets = dir.path().join("d.01");
    std::fs::write(&dets, "0".repeat(72) + "\n").unwrap();
    let model = concat!(env!("CARGO_MANIFEST_DIR"), "/../decoders/end-L6-depol");
    let run = |exe: &std::path::Path| {
        Command::new(exe)
            .args(["predict", "--decoder", "neural", "--code", "toric"])
            .args(["--distance", "6", "--device", "cpu", "--model", model])
            .arg("--in")
            .arg(&dets)
            .args(["--in_format", "01"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    assert_eq!(
        run(&light),
        run(std::path::Path::new(env!("CARGO_BIN_EXE_qecd-neural")))
    );
}
