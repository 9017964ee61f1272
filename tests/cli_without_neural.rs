//! Without the `neural` feature, the neural commands say how to get them.
#![cfg(not(feature = "neural"))]

use assert_cmd::Command;
use predicates::prelude::*;

#[test]
fn train_and_neural_decoder_need_the_feature() {
    Command::cargo_bin("qecd")
        .unwrap()
        .args(["train", "--distance", "3", "--out", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--features neural"));
    Command::cargo_bin("qecd")
        .unwrap()
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
        .stderr(predicate::str::contains("--features neural"));
}
