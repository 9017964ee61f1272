//! `qecd` never links libtorch: it hands commands that run a network to `qecd-neural` beside
//! it. Alone (here: a copy of `qecd` in an empty folder), it says how to get them, and every
//! other command runs.

use assert_cmd::Command;
use predicates::prelude::*;

/// A copy of `qecd` in a folder without `qecd-neural`.
fn lone_qecd(dir: &std::path::Path) -> Command {
    let exe = dir.join("qecd");
    std::fs::copy(assert_cmd::cargo::cargo_bin("qecd"), &exe).unwrap();
    Command::new(exe)
}

#[test]
fn neural_commands_need_qecd_neural_and_the_rest_runs() {
    let dir = tempfile::tempdir().unwrap();
    lone_qecd(dir.path())
        .args(["train", "--distance", "3", "--out", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("qecd-neural"));
    lone_qecd(dir.path())
        .args(["threshold", "--decoder", "neural", "--distances", "3"])
        .args(["--p", "0.1", "--shots", "10"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("qecd-neural"));
    lone_qecd(dir.path())
        .args(["threshold", "--decoder", "mwpm", "--distances", "3"])
        .args(["--p", "0.1", "--shots", "10"])
        .assert()
        .success();
}

#[test]
fn qecd_links_no_libtorch() {
    let out = std::process::Command::new("ldd")
        .arg(assert_cmd::cargo::cargo_bin("qecd"))
        .output();
    if let Ok(out) = out {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("torch") && !text.contains("c10"),
            "qecd must not load libtorch:\n{text}"
        );
    }
}
