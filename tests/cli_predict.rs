//! `qecd predict` and `qecd count-mistakes` end to end: agreement with PyMatching on the Stim
//! fixtures, PyMatching's flags and formats, streaming from stdin, the toric code without a
//! DEM file, and clear refusals of bad input that leave no output file behind.

use assert_cmd::Command;
use predicates::prelude::*;
use qecd::bits::BitMatrix;
use qecd::io::{ShotFormat, ShotReader, ShotWriter};
use std::path::{Path, PathBuf};

fn fixture(name: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/stim")
        .join(name)
        .join(file)
}

fn qecd() -> Command {
    Command::cargo_bin("qecd").unwrap()
}

fn read_all(path: &Path, format: ShotFormat, bits: usize) -> BitMatrix {
    let mut all = BitMatrix::zeros(0, bits);
    for b in ShotReader::open(path, format, bits).unwrap() {
        all.append(&b.unwrap());
    }
    all
}

fn write_all(path: &Path, m: &BitMatrix, format: ShotFormat) {
    let mut w = ShotWriter::new(std::fs::File::create(path).unwrap(), format, m.cols(), "t");
    w.write_batch(m).unwrap();
    w.finish().unwrap();
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn surface_d5_predictions_agree_with_pymatching() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pred.b8");
    qecd()
        .args(["predict", "--dem", s(&fixture("surface_d5", "model.dem"))])
        .args([
            "--in",
            s(&fixture("surface_d5", "dets.b8")),
            "--in_format",
            "b8",
        ])
        .args(["--out", s(&out), "--out_format", "b8"])
        .assert()
        .success();
    let ours = read_all(&out, ShotFormat::B8, 1);
    let theirs = read_all(
        &fixture("surface_d5", "pymatching_pred.b8"),
        ShotFormat::B8,
        1,
    );
    assert_eq!(ours.rows(), 10_000);
    let differ = (0..10_000)
        .filter(|&r| ours.row(r) != theirs.row(r))
        .count();
    assert!(
        differ <= 10,
        "{differ} of 10000 predictions differ from PyMatching's (at most 0.1% allowed)"
    );
}

#[test]
fn formats_stdin_and_dashed_flags_give_the_same_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let dem = fixture("surface_d5", "model.dem");
    let b8 = dir.path().join("a.b8");
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&fixture("surface_d5", "dets.b8")),
            "--in_format",
            "b8",
        ])
        .args(["--out", s(&b8), "--out_format", "b8"])
        .assert()
        .success();
    // 01 in from stdin, 01 out to stdout, dashed spellings.
    let dets = read_all(&fixture("surface_d5", "dets.b8"), ShotFormat::B8, 120);
    let dets01 = dir.path().join("d.01");
    write_all(&dets01, &dets, ShotFormat::Zero1);
    let output = qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in-format",
            "01",
            "--out-format",
            "01",
        ])
        .pipe_stdin(&dets01)
        .unwrap()
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let mut expected = Vec::new();
    let pred = read_all(&b8, ShotFormat::B8, 1);
    for r in 0..pred.rows() {
        expected.push(if pred.get(r, 0) { b'1' } else { b'0' });
        expected.push(b'\n');
    }
    assert_eq!(output, expected);
}

#[test]
fn appended_observables_are_split_off() {
    let dir = tempfile::tempdir().unwrap();
    let dem = fixture("surface_d5", "model.dem");
    let dets = read_all(&fixture("surface_d5", "dets.b8"), ShotFormat::B8, 120);
    let obs = read_all(&fixture("surface_d5", "obs.b8"), ShotFormat::B8, 1);
    let mut joined = BitMatrix::zeros(dets.rows(), 121);
    for r in 0..dets.rows() {
        for c in dets.ones(r) {
            joined.set(r, c, true);
        }
        joined.set(r, 120, obs.get(r, 0));
    }
    let path = dir.path().join("joined.b8");
    write_all(&path, &joined, ShotFormat::B8);
    let pred = dir.path().join("p.b8");
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&path),
            "--in_format",
            "b8",
        ])
        .args([
            "--in_includes_appended_observables",
            "--out",
            s(&pred),
            "--out_format",
            "b8",
        ])
        .assert()
        .success();
    let direct = dir.path().join("q.b8");
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&fixture("surface_d5", "dets.b8")),
            "--in_format",
            "b8",
        ])
        .args(["--out", s(&direct), "--out_format", "b8"])
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&pred).unwrap(),
        std::fs::read(&direct).unwrap()
    );
    let appended = qecd()
        .args([
            "count-mistakes",
            "--dem",
            s(&dem),
            "--in",
            s(&path),
            "--in_format",
            "b8",
        ])
        .arg("--in-includes-appended-observables")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let separate = qecd()
        .args([
            "count_mistakes",
            "--dem",
            s(&dem),
            "--in",
            s(&fixture("surface_d5", "dets.b8")),
        ])
        .args([
            "--in_format",
            "b8",
            "--obs_in",
            s(&fixture("surface_d5", "obs.01")),
            "--obs_in_format",
            "01",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(appended, separate);
}

#[test]
fn count_mistakes_matches_the_predictions() {
    let out = qecd()
        .args([
            "count-mistakes",
            "--dem",
            s(&fixture("surface_d5", "model.dem")),
        ])
        .args([
            "--in",
            s(&fixture("surface_d5", "dets.b8")),
            "--in_format",
            "b8",
        ])
        .args([
            "--obs_in",
            s(&fixture("surface_d5", "obs.b8")),
            "--obs_in_format",
            "b8",
            "--time",
        ])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let timing = String::from_utf8(out.stderr).unwrap();
    let first = text.lines().next().unwrap();
    let pm_pred = read_all(
        &fixture("surface_d5", "pymatching_pred.b8"),
        ShotFormat::B8,
        1,
    );
    let obs = read_all(&fixture("surface_d5", "obs.b8"), ShotFormat::B8, 1);
    let pm_mistakes = (0..obs.rows())
        .filter(|&r| obs.row(r) != pm_pred.row(r))
        .count() as i64;
    let (m, n) = first.split_once(" / ").unwrap();
    assert_eq!(n, "10000");
    assert!(
        (m.parse::<i64>().unwrap() - pm_mistakes).abs() <= 10,
        "{first} vs PyMatching {pm_mistakes}"
    );
    assert_eq!(text.lines().count(), 1, "only the count on stdout: {text}");
    assert!(timing.contains("Decoding time per shot"), "{timing}");
}

#[test]
fn toric_l8_logical_error_rate_agrees_with_pymatching_statistically() {
    let out = qecd()
        .args([
            "count-mistakes",
            "--dem",
            s(&fixture("toric_L8", "model.dem")),
        ])
        .args([
            "--in",
            s(&fixture("toric_L8", "dets.b8")),
            "--in_format",
            "b8",
        ])
        .args([
            "--obs_in",
            s(&fixture("toric_L8", "obs.b8")),
            "--obs_in_format",
            "b8",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let ours: f64 = text.split(" / ").next().unwrap().trim().parse().unwrap();
    let pm_pred = read_all(
        &fixture("toric_L8", "pymatching_pred.b8"),
        ShotFormat::B8,
        2,
    );
    let obs = read_all(&fixture("toric_L8", "obs.b8"), ShotFormat::B8, 2);
    let theirs = (0..obs.rows())
        .filter(|&r| obs.row(r) != pm_pred.row(r))
        .count() as f64;
    // Equal-weight matchings of different class are common here, so only the rates must agree:
    // both are binomial estimates over 10 000 shots (sd about 44); allow 5 sd of a difference.
    let sd = (2.0 * theirs * (1.0 - theirs / 1e4)).sqrt();
    assert!(
        (ours - theirs).abs() < 5.0 * sd,
        "qecd {ours} vs PyMatching {theirs} mistakes"
    );
}

#[test]
fn toric_code_without_a_dem_file_matches_the_exported_dem() {
    let dir = tempfile::tempdir().unwrap();
    let (d, o, m) = (
        dir.path().join("d.b8"),
        dir.path().join("o.b8"),
        dir.path().join("m.dem"),
    );
    qecd()
        .args([
            "sample",
            "--distance",
            "6",
            "--noise",
            "depolarizing",
            "--p",
            "0.1",
            "--shots",
            "3000",
        ])
        .args([
            "--seed",
            "5",
            "--out",
            s(&d),
            "--out_format",
            "b8",
            "--obs_out",
            s(&o),
        ])
        .args(["--obs_out_format", "b8", "--dem_out", s(&m)])
        .assert()
        .success();
    let by_code = qecd()
        .args([
            "predict",
            "--code",
            "toric",
            "--distance",
            "6",
            "--in",
            s(&d),
            "--in_format",
            "b8",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let by_dem = qecd()
        .args([
            "predict",
            "--dem",
            s(&m),
            "--in",
            s(&d),
            "--in_format",
            "b8",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(by_code.len(), 3000 * 5);
    assert_eq!(by_code, by_dem);
    let text = String::from_utf8(
        qecd()
            .args([
                "count-mistakes",
                "--code",
                "toric",
                "--distance",
                "6",
                "--in",
                s(&d),
                "--in_format",
                "b8",
            ])
            .args(["--obs_in", s(&o), "--obs_in_format", "b8"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone(),
    )
    .unwrap();
    let mistakes: f64 = text.split(" / ").next().unwrap().parse().unwrap();
    // Depolarizing p = 0.1 is below the 15.5% threshold; at L = 6 about one shot in six fails.
    assert!(mistakes > 0.0 && mistakes < 0.25 * 3000.0, "{text}");
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Runs predict expecting failure; checks the message and that --out was not created.
fn predict_fails(dem: &Path, input: &Path, needles: &[&str]) {
    let out = dem.parent().unwrap().join("never.01");
    let assert = qecd()
        .args([
            "predict",
            "--dem",
            s(dem),
            "--in",
            s(input),
            "--in_format",
            "01",
            "--out",
            s(&out),
        ])
        .assert()
        .failure();
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    for n in needles {
        assert!(err.contains(n), "stderr {err:?} lacks {n:?}");
    }
    assert!(!out.exists(), "a failed run left {}", out.display());
    assert_eq!(
        std::fs::read_dir(dem.parent().unwrap())
            .unwrap()
            .filter(|e| e
                .as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with(".tmp"))
            .count(),
        0,
        "temporary file left behind"
    );
}

#[test]
fn bad_inputs_are_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let good = write(
        d,
        "good.dem",
        "error(0.1) D0 D1\nerror(0.1) D1 D2 L0\nerror(0.1) D2\nerror(0.1) D0\n",
    );
    let shots = write(d, "s.01", "110\n000\n");
    // Probability outside [0, 1].
    let badp = write(d, "badp.dem", "error(1.5) D0 D1\n");
    predict_fails(&badp, &shots, &["badp.dem", "line 1, column 6", "[0, 1]"]);
    // Shot wider than the DEM's detector count.
    let wide = write(d, "wide.01", "110\n0000\n");
    predict_fails(
        &good,
        &wide,
        &["wide.01", "shot 2", "expected 3 bits", "found a line of 4"],
    );
    // Bad character.
    let badc = write(d, "badc.01", "1x0\n");
    predict_fails(&good, &badc, &["badc.01", "shot 1, column 2", "found 'x'"]);
    // A detector past the documented limit, and a shift that overflows.
    let huge = write(d, "huge.dem", "error(0.1) D0\ndetector D100000000\n");
    predict_fails(
        &huge,
        &shots,
        &["huge.dem", "line 2", "D100000000", "limit"],
    );
    let shift = write(
        d,
        "shift.dem",
        "shift_detectors 18446744073709551615\nerror(0.1) D1\n",
    );
    predict_fails(&shift, &shots, &["shift.dem", "line 2", "limit"]);
    // An odd number of events where no boundary is reachable: the shot is named.
    let closed = write(d, "closed.dem", "error(0.1) D0 D1\nerror(0.1) D1 D2\n");
    let odd = write(d, "odd.01", "000\n100\n");
    predict_fails(&closed, &odd, &["shot 2", "no perfect matching"]);
    // Observable flips wider than the DEM's observables.
    let obs = write(d, "obs.01", "01\n00\n");
    let assert = qecd()
        .args([
            "count-mistakes",
            "--dem",
            s(&good),
            "--in",
            s(&shots),
            "--obs_in",
            s(&obs),
        ])
        .assert()
        .failure();
    let err = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("obs.01") && err.contains("expected 1 bits") && err.contains("shot 1"),
        "{err}"
    );
    // Fewer observable rows than shots.
    let short = write(d, "short.01", "0\n");
    qecd()
        .args([
            "count-mistakes",
            "--dem",
            s(&good),
            "--in",
            s(&shots),
            "--obs_in",
            s(&short),
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("fewer shots"));
    // Neither --dem nor --code.
    qecd()
        .args(["predict", "--in", s(&shots)])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--dem"));
    // p = 0 edges are dropped, not refused: here the p = 0 edge would flip L0.
    let zero = write(
        d,
        "zero.dem",
        "error(0) D0 D1 L0\nerror(0.1) D1 D0\nerror(0.1) D1 D2\nerror(0.1) D2\nerror(0.2) D0\n",
    );
    qecd()
        .args([
            "predict",
            "--dem",
            s(&zero),
            "--in",
            s(&shots),
            "--in_format",
            "01",
        ])
        .assert()
        .success()
        .stdout("0\n0\n");
}

#[test]
fn negative_weights_give_the_likely_correction() {
    // D0 -- D1 with p = 0.9 (weight ln(0.1/0.9) = -2.20, flips L0), boundary edges with
    // p = 0.3 (weight 0.85). Shot 1 (D0 D1): the edge (-2.20) beats both boundaries (1.69).
    // Shot 2 (no events): the edge plus both boundaries (-0.50) beats nothing (0), so L0 flips.
    let dir = tempfile::tempdir().unwrap();
    let dem = write(
        dir.path(),
        "neg.dem",
        "error(0.9) D0 D1 L0\nerror(0.3) D0\nerror(0.3) D1\n",
    );
    let shots = write(dir.path(), "s.01", "11\n00\n10\n");
    // Shot 3 (D0 only): boundary edge of D0 (w = 0.85) vs edge + boundary of D1 (0.85 - 2.20).
    qecd()
        .args([
            "predict",
            "--dem",
            s(&dem),
            "--in",
            s(&shots),
            "--in_format",
            "01",
        ])
        .assert()
        .success()
        .stdout("1\n1\n1\n");
}
