//! `qecd` never links libtorch: it hands commands that run a network to `qecd-neural` beside
//! it. Alone (here: a copy of `qecd` in an empty folder), it says how to get them, and every
//! other command runs.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Held while this binary writes an executable and while it spawns a process. A child forked
/// by another test thread while the copy is open for writing inherits that descriptor until it
/// execs, and executing the copy in that window fails with "Text file busy" (ETXTBSY).
static SPAWN: Mutex<()> = Mutex::new(());

/// Copies `qecd` into `dir`, a folder without `qecd-neural`, and returns the copy's path.
fn lone_qecd_copy(dir: &Path) -> PathBuf {
    let _guard = SPAWN.lock().unwrap();
    let exe = dir.join("qecd");
    std::fs::copy(assert_cmd::cargo::cargo_bin("qecd"), &exe).unwrap();
    exe
}

#[test]
fn neural_commands_need_qecd_neural_and_the_rest_runs() {
    let dir = tempfile::tempdir().unwrap();
    let exe = lone_qecd_copy(dir.path());
    Command::new(&exe)
        .args(["train", "--distance", "3", "--out", "x"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("qecd-neural"));
    Command::new(&exe)
        .args(["threshold", "--decoder", "neural", "--distances", "3"])
        .args(["--p", "0.1", "--shots", "10"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("qecd-neural"));
    Command::new(&exe)
        .args(["threshold", "--decoder", "mwpm", "--distances", "3"])
        .args(["--p", "0.1", "--shots", "10"])
        .assert()
        .success();
}

#[test]
fn qecd_links_no_libtorch() {
    let out = {
        let _guard = SPAWN.lock().unwrap();
        std::process::Command::new("ldd")
            .arg(assert_cmd::cargo::cargo_bin("qecd"))
            .output()
    };
    if let Ok(out) = out {
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            !text.contains("torch") && !text.contains("c10"),
            "qecd must not load libtorch:\n{text}"
        );
    }
}
