//! `qecd predict` and `qecd count-mistakes` behave as `pymatching predict` and
//! `pymatching count_mistakes` do for every flag both tools share: the defaults, the `dets`
//! format in and out (PyMatching's own CLI tests, in this project's words), appended
//! observables, models PyMatching decodes leniently (with a warning here, refused under
//! `--strict`), and models without detectors.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn qecd() -> Command {
    Command::cargo_bin("qecd").unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Three detectors, each with its own boundary edge flipping its own observable: a shot's
/// events name the observables to predict.
const THREE_ERRORS: &str = "error(0.1) D0 L0\nerror(0.1) D1 L1\nerror(0.1) D2 L2\n";

#[test]
fn dets_in_and_out_as_pymatchings_cli_test() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dem = write(d, "three_errors.dem", THREE_ERRORS.as_bytes());
    let dets = write(d, "three_errors.dets", b"shot\nshot D0\nshot D2\nshot D1\n");
    // The same shots as b8: one byte a shot.
    let b8 = write(d, "three_errors.b8", &[0b000, 0b001, 0b100, 0b010]);
    for (input, format) in [(&dets, "dets"), (&b8, "b8")] {
        let out = d.join(format!("predictions_{format}.dets"));
        qecd()
            .args(["predict", "--dem", s(&dem), "--in", s(input)])
            .args([
                "--in_format",
                format,
                "--out",
                s(&out),
                "--out_format",
                "dets",
            ])
            .assert()
            .success();
        assert_eq!(
            std::fs::read_to_string(&out).unwrap(),
            "shot\nshot L0\nshot L2\nshot L1\n"
        );
    }
}

#[test]
fn predict_reads_b8_and_count_mistakes_reads_01_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dem = write(d, "m.dem", THREE_ERRORS.as_bytes());
    let b8 = write(d, "s.b8", &[0b001, 0b110]);
    qecd()
        .args(["predict", "--dem", s(&dem), "--in", s(&b8)])
        .assert()
        .success()
        .stdout("100\n011\n");
    let z1 = write(d, "s.01", b"100\n011\n");
    let obs = write(d, "o.01", b"100\n000\n");
    qecd()
        .args(["count-mistakes", "--dem", s(&dem), "--in", s(&z1)])
        .args(["--obs_in", s(&obs)])
        .assert()
        .success()
        .stdout("1 / 2\n");
    // Both spellings of the command and of the flags.
    qecd()
        .args(["count_mistakes", "--dem", s(&dem), "--in", s(&z1)])
        .args(["--obs-in", s(&obs), "--obs-in-format", "01"])
        .assert()
        .success()
        .stdout("1 / 2\n");
}

#[test]
fn count_mistakes_without_observables_compares_against_zeros_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dem = write(d, "m.dem", THREE_ERRORS.as_bytes());
    let z1 = write(d, "s.01", b"100\n000\n011\n");
    qecd()
        .args(["count-mistakes", "--dem", s(&dem), "--in", s(&z1)])
        .assert()
        .success()
        .stdout("2 / 3\n")
        .stderr(predicate::str::contains("warning: neither --obs_in"));
    qecd()
        .args([
            "count-mistakes",
            "--dem",
            s(&dem),
            "--in",
            s(&z1),
            "--strict",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--strict"));
}

#[test]
fn appended_observables_in_every_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dem = write(d, "m.dem", THREE_ERRORS.as_bytes());
    // Shot 1: D0, actual L0 (right). Shot 2: D1, actual L2 (wrong). Shot 3: nothing.
    let inputs = [
        ("dets", b"shot D0 L0\nshot D1 L2\nshot\n".to_vec()),
        ("01", b"100100\n010001\n000000\n".to_vec()),
        ("hits", b"0,3\n1,5\n\n".to_vec()),
        ("b8", vec![0b001001, 0b100010, 0]),
        ("r8", vec![0, 2, 2, 1, 3, 0, 6]),
    ];
    for (format, bytes) in inputs {
        let input = write(d, &format!("s.{format}"), &bytes);
        qecd()
            .args(["count-mistakes", "--dem", s(&dem), "--in", s(&input)])
            .args(["--in_format", format, "--in_includes_appended_observables"])
            .assert()
            .success()
            .stdout("1 / 3\n");
    }
}

#[test]
fn every_output_format_and_ptb64_shot_counts() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dem = write(d, "m.dem", THREE_ERRORS.as_bytes());
    let input = write(d, "s.01", b"101\n010\n");
    for (format, want) in [
        ("01", b"101\n010\n".to_vec()),
        ("b8", vec![0b101, 0b010]),
        ("hits", b"0,2\n1\n".to_vec()),
        ("dets", b"shot L0 L2\nshot L1\n".to_vec()),
        ("r8", vec![0, 1, 0, 1, 1]),
    ] {
        let out = d.join(format!("p.{format}"));
        qecd()
            .args([
                "predict",
                "--dem",
                s(&dem),
                "--in",
                s(&input),
                "--in_format",
                "01",
            ])
            .args(["--out", s(&out), "--out_format", format])
            .assert()
            .success();
        assert_eq!(std::fs::read(&out).unwrap(), want, "{format}");
    }
    // ptb64 needs whole groups of 64 shots: 2 shots are refused and no file is left.
    let out = d.join("p.ptb64");
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&input),
            "--in_format",
            "01",
        ])
        .args(["--out", s(&out), "--out_format", "ptb64"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("groups of 64").and(predicate::str::contains("2 shots")));
    assert!(!out.exists());
    let many = write(d, "many.01", "100\n".repeat(64).as_bytes());
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&many),
            "--in_format",
            "01",
        ])
        .args(["--out", s(&out), "--out_format", "ptb64"])
        .assert()
        .success();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(bytes, [[0xff; 8], [0; 8], [0; 8]].concat());
}

#[test]
fn undecomposable_components_are_dropped_with_a_warning_or_refused_under_strict() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let dem = write(
        d,
        "hyper.dem",
        b"error(0.1) D0 L0\nerror(0.1) D1\n# c\nerror(0.1) D0 D1 D2 L0\nerror(0.1) D2\n",
    );
    let input = write(d, "s.01", b"100\n");
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&input),
            "--in_format",
            "01",
        ])
        .assert()
        .success()
        .stdout("1\n")
        .stderr(
            predicate::str::contains("hyper.dem")
                .and(predicate::str::contains("dropping 1 error component"))
                .and(predicate::str::contains("line 4")),
        );
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&input),
            "--in_format",
            "01",
        ])
        .arg("--strict")
        .assert()
        .failure()
        .stderr(predicate::str::contains("line 4").and(predicate::str::contains("D0 D1 D2")));
}

#[test]
fn models_without_detectors_predict_zeros() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for text in [
        "",
        "error(0.1) L0\n",
        "repeat 0 {\n    error(0.1) D0 L0\n}\n",
    ] {
        let dem = write(d, "m.dem", text.as_bytes());
        let input = write(d, "s.01", b"\n\n\n");
        let zeros = if text.contains("L0") && !text.contains("repeat") {
            "0\n0\n0\n"
        } else {
            "\n\n\n"
        };
        qecd()
            .args([
                "predict",
                "--dem",
                s(&dem),
                "--in",
                s(&input),
                "--in_format",
                "01",
            ])
            .assert()
            .success()
            .stdout(zeros);
        // PyMatching prints the same count for count_mistakes.
        qecd()
            .args(["count-mistakes", "--dem", s(&dem), "--in", s(&input)])
            .assert()
            .success()
            .stdout("0 / 3\n");
    }
}
