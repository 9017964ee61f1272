//! End-to-end tests of `qecd sample`.

use assert_cmd::Command;
use predicates::prelude::*;
use qecd::code::ToricCode;

fn qecd() -> Command {
    Command::cargo_bin("qecd").unwrap()
}

#[test]
fn writes_consistent_files_in_both_formats() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str| dir.path().join(n);
    for (fmt, name) in [("b8", "d.b8"), ("01", "d.01")] {
        qecd()
            .args([
                "sample",
                "--distance",
                "4",
                "--noise",
                "depolarizing",
                "--p",
                "0.1",
            ])
            .args([
                "--shots",
                "300",
                "--seed",
                "5",
                "--out_format",
                fmt,
                "--obs-out-format",
                fmt,
            ])
            .arg("--out")
            .arg(p(name))
            .arg("--obs_out")
            .arg(p(&format!("o.{fmt}")))
            .arg("--errors-out")
            .arg(p("e.b8"))
            .args(["--errors_out_format", "b8", "--threads", "1"])
            .arg("--dem_out")
            .arg(p("m.dem"))
            .assert()
            .success();
    }
    let b8 = std::fs::read(p("d.b8")).unwrap();
    let zo = std::fs::read_to_string(p("d.01")).unwrap();
    assert_eq!(b8.len(), 300 * 4);
    assert_eq!(zo.lines().count(), 300);
    for (r, line) in zo.lines().enumerate() {
        for (c, ch) in line.chars().enumerate() {
            let bit = b8[r * 4 + c / 8] >> (c % 8) & 1;
            assert_eq!(ch, if bit == 1 { '1' } else { '0' });
        }
    }
    // The errors file reproduces the detection events through the parity checks.
    let code = ToricCode::new(4).unwrap();
    let errors = std::fs::read(p("e.b8")).unwrap();
    let mut s = vec![0u8; 4];
    for r in 0..300 {
        code.syndrome(&errors[r * 8..r * 8 + 8], &mut s);
        assert_eq!(s, &b8[r * 4..r * 4 + 4]);
    }
    let dem = std::fs::read_to_string(p("m.dem")).unwrap();
    assert!(dem.contains(" ^ ") && dem.contains("logical_observable L3"));
}

#[test]
fn bad_input_fails_clearly_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.b8");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--distance", "1"], "at least 2"),
        (vec!["--p", "1.5"], "not a probability"),
        (vec!["--p", "abc"], "not a number"),
        (vec!["--noise", "biased:eta=-1"], "eta"),
        (
            vec![
                "--noise",
                "depolarizing",
                "--p",
                "0.9",
                "--dem_out",
                "x.dem",
            ],
            "decomposition",
        ),
        (vec!["--frobnicate"], "unexpected argument"),
        (vec!["--threads", "0"], "threads"),
    ];
    for (extra, msg) in cases {
        qecd()
            .current_dir(dir.path())
            .args(["sample", "--shots", "100", "--out"])
            .arg(&out)
            .args(&extra)
            .assert()
            .failure()
            .stderr(predicate::str::contains(msg));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "{extra:?}"
        );
    }
    qecd()
        .args(["sample", "--shots", "10", "--out", "/nonexistent-dir/d.b8"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("/nonexistent-dir"));
}

#[test]
fn help_explains_every_flag() {
    let out = qecd().args(["sample", "--help"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for flag in [
        "--distance",
        "--noise",
        "--p",
        "--shots",
        "--seed",
        "--out",
        "--out_format",
        "--obs_out",
        "--dem_out",
        "--errors_out",
        "--threads",
    ] {
        assert!(text.contains(flag), "{flag} missing from --help");
    }
}

/// A reader that closes standard output early (`qecd sample --out - | head`) ends the run as
/// SIGPIPE would end a Unix tool: status 141 and no error message.
#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("qecd"))
        .args([
            "sample",
            "--distance",
            "8",
            "--p",
            "0.1",
            "--shots",
            "2000000",
        ])
        .args(["--out", "-", "--out_format", "01", "--threads", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The read end is dropped here: the next writes fail with EPIPE.
    let out = child.wait_with_output().unwrap();
    assert!(first.iter().all(|b| matches!(b, b'0' | b'1' | b'\n')));
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
