//! Hostile input (issue 9): outputs that are links, FIFOs, devices, folders or shared between
//! options; interrupts; resource limits; specs that used to be accepted silently. End to end
//! through the binary where the behaviour is the CLI's, through the library where it is the
//! library's.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::Command;
use predicates::prelude::*;

fn qecd() -> Command {
    Command::cargo_bin("qecd").unwrap()
}

const QASM: &str = "datasets/mitigation/tfim4_pbc_h1_hva2.qasm";

fn sample_args(out: &Path) -> Vec<String> {
    ["sample", "--distance", "2", "--shots", "2", "--out"]
        .iter()
        .map(|s| s.to_string())
        .chain([out.display().to_string()])
        .collect()
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

fn leftovers(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp"))
        .collect()
}

// ---- item 1: outputs are renamed over the resolved target; special files written in place

#[test]
fn a_symlinked_output_keeps_the_link_and_the_targets_permissions() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.txt");
    std::fs::write(&real, "old").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("l.01");
    std::os::unix::fs::symlink("real.txt", &link).unwrap();
    qecd().args(sample_args(&link)).assert().success();
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink(), "the link was replaced");
    let text = std::fs::read_to_string(&real).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert_eq!(mode(&real), 0o640);

    // A dangling link: the file it names is created.
    let dangling = dir.path().join("d.01");
    std::os::unix::fs::symlink("sub/new.01", &dangling).unwrap();
    qecd()
        .args(sample_args(&dangling))
        .assert()
        .failure()
        .stderr(predicate::str::contains("does not exist"));
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    qecd().args(sample_args(&dangling)).assert().success();
    assert!(dir.path().join("sub/new.01").is_file());
    assert!(leftovers(dir.path()).is_empty());
}

#[test]
fn a_fifo_output_is_written_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("f.01");
    let status = Process::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    qecd().args(sample_args(&fifo)).assert().success();
    let got = reader.join().unwrap();
    assert_eq!(got.lines().count(), 2, "{got}");
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata(&fifo).unwrap().file_type().is_fifo());
}

#[test]
fn dash_and_dev_stdout_write_to_standard_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = qecd().args(sample_args(Path::new("-"))).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 2);
    // /dev/stdout redirected to a file: the file receives the shots, it is not replaced.
    let log = dir.path().join("log.txt");
    std::fs::write(&log, "header\n").unwrap();
    let file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    let status = Process::new(assert_cmd::cargo::cargo_bin("qecd"))
        .args(sample_args(Path::new("/dev/stdout")))
        .stdout(file)
        .status()
        .unwrap();
    assert!(status.success());
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(
        text.starts_with("header\n") && text.lines().count() == 3,
        "{text}"
    );
    qecd()
        .args(sample_args(Path::new("/dev/null")))
        .args(["--obs_out", "/dev/null"])
        .assert()
        .success();
    assert!(!Path::new("/dev/null").is_file());
}

#[test]
fn new_outputs_get_0644_less_the_umask() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("new.01");
    qecd().args(sample_args(&out)).assert().success();
    // The test process's umask is inherited; 022 and 002 both leave 0644.
    assert_eq!(mode(&out), 0o644);
}

// ---- item 2: two outputs on one file

#[test]
fn two_outputs_on_one_file_are_refused_naming_both_flags() {
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.01");
    let link = dir.path().join("l.01");
    std::os::unix::fs::symlink("s.01", &link).unwrap();
    for (a, b, other) in [("--out", "--obs_out", &s), ("--out", "--errors_out", &link)] {
        qecd()
            .args(sample_args(&s))
            .arg(b)
            .arg(other)
            .assert()
            .failure()
            .stderr(predicate::str::contains(a).and(predicate::str::contains(b)));
    }
    assert!(!s.exists());
    qecd()
        .args([
            "threshold",
            "--distances",
            "2",
            "--p",
            "0.1",
            "--shots",
            "64",
        ])
        .arg("--out")
        .arg(dir.path().join("t.png"))
        .arg("--plot")
        .arg(dir.path().join("./t.png"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("--out and --plot"));
    qecd()
        .args(["mitigate", "--circuit", QASM, "--observable", "pauli:Z0"])
        .arg("--json")
        .arg(&s)
        .arg("--write-circuit")
        .arg(&link)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--json and --write-circuit"));
    qecd()
        .args(sample_args(Path::new("-")))
        .args(["--obs_out", "/dev/stdout"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("standard output"));
}

// ---- item 3: interrupts remove pending temporary files

fn interrupted_sample_leaves_nothing(signal: i32, code: i32) {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Process::new(assert_cmd::cargo::cargo_bin("qecd"))
        .args(["sample", "--distance", "16", "--shots", "1000000000"])
        .arg("--out")
        .arg(dir.path().join("d.01"))
        .arg("--obs_out")
        .arg(dir.path().join("o.01"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the temporary files exist (the run is under way), then interrupt it.
    let start = Instant::now();
    while leftovers(dir.path()).len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no temporary file appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(unsafe { libc::kill(child.id() as i32, signal) }, 0);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(code), "{status:?}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn sigint_removes_temporary_files_and_exits_130() {
    interrupted_sample_leaves_nothing(libc::SIGINT, 130);
}

#[test]
fn sigterm_removes_temporary_files_and_exits_143() {
    interrupted_sample_leaves_nothing(libc::SIGTERM, 143);
}

// ---- item 4: a folder as an output fails before the work

#[test]
fn a_folder_as_output_fails_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().display().to_string();
    let start = Instant::now();
    // Sampling 10^9 shots would take minutes: the refusal must come first.
    qecd()
        .args([
            "sample",
            "--distance",
            "16",
            "--shots",
            "1000000000",
            "--out",
        ])
        .arg(&folder)
        .assert()
        .failure()
        .stderr(predicate::str::contains("--out").and(predicate::str::contains("is a folder")));
    qecd()
        .args([
            "threshold",
            "--distances",
            "12",
            "--p",
            "0.1",
            "--shots",
            "100000000",
        ])
        .args(["--plot", &folder])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--plot"));
    qecd()
        .args([
            "threshold",
            "--distances",
            "12",
            "--p",
            "0.1",
            "--shots",
            "100000000",
        ])
        .args(["--plot", "curves.pdf"])
        .assert()
        .failure()
        .stderr(predicate::str::contains(".png or .svg"));
    qecd()
        .args([
            "threshold",
            "--distances",
            "12,1",
            "--p",
            "0.1",
            "--shots",
            "100000000",
        ])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--distances 1"));
    qecd()
        .args(["mitigate", "--circuit", QASM, "--observable", "pauli:Z0"])
        .args(["--method", "cdr:2000", "--json", &folder])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--json"));
    let shots = dir.path().join("in.01");
    std::fs::write(&shots, "00000000\n").unwrap();
    qecd()
        .args(["count-mistakes", "--code", "toric", "--distance", "2"])
        .args(["--in_includes_appended_observables", "--in"])
        .arg(&shots)
        .args(["--out", &folder])
        .assert()
        .failure()
        .stderr(predicate::str::contains("--out"));
    assert!(start.elapsed() < Duration::from_secs(20));
}

// ---- items 7 and 8: QASM limits

#[test]
fn qasm_registers_and_nesting_are_limited() {
    use qecd::mitigate::qasm::{parse_qasm, MAX_EXPR_DEPTH, MAX_QASM_QUBITS};
    let header = "OPENQASM 2.0;\ninclude \"qelib1.inc\";\n";
    for size in ["18446744073709551615", "4000000000", "27"] {
        let err = parse_qasm(&format!("{header}qreg q[{size}];\n")).unwrap_err();
        assert_eq!((err.line, err.col), (3, 8), "{err}");
        assert!(err.message.contains(&MAX_QASM_QUBITS.to_string()), "{err}");
    }
    let err = parse_qasm(&format!("{header}qreg a[20];\nqreg b[7];\n")).unwrap_err();
    assert!(err.message.contains("27 qubits in all"), "{err}");
    assert!(parse_qasm(&format!("{header}qreg q[26];\n")).is_ok());

    // Deep nesting, run on a thread with a normal 2 MiB stack: an error, not an overflow.
    let deep = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let parens = format!(
                "{header}qreg q[1];\nrx({}1{}) q[0];\n",
                "(".repeat(30_000),
                ")".repeat(30_000)
            );
            let minus = format!("{header}qreg q[1];\nrx({}1) q[0];\n", "-".repeat(100_000));
            let power = format!("{header}qreg q[1];\nrx(1{}) q[0];\n", "^1".repeat(100_000));
            [parens, minus, power].map(|src| parse_qasm(&src).unwrap_err())
        })
        .unwrap()
        .join()
        .unwrap();
    for err in deep {
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("nested more than 64"), "{err}");
    }
    let ok = format!(
        "{header}qreg q[1];\nrx({}1{}) q[0];\n",
        "(".repeat(MAX_EXPR_DEPTH - 2),
        ")".repeat(MAX_EXPR_DEPTH - 2)
    );
    assert!(parse_qasm(&ok).is_ok());
    let err = parse_qasm(&format!("{header}qreg q[1];\nrx(0/0) q[0];\n")).unwrap_err();
    assert!(err.message.contains("not a finite angle"), "{err}");
    let err = parse_qasm(&format!("{header}qreg q[1];\nrz(1e308*10) q[0];\n")).unwrap_err();
    assert_eq!((err.line, err.col), (4, 4), "{err}");
}

#[test]
fn the_cli_reports_qasm_limits_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let qasm = dir.path().join("huge.qasm");
    std::fs::write(
        &qasm,
        "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[18446744073709551615];\n",
    )
    .unwrap();
    qecd()
        .arg("mitigate")
        .arg("--circuit")
        .arg(&qasm)
        .args(["--observable", "pauli:Z0"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("huge.qasm: line 3, column 8")
                .and(
                    predicate::str::contains("at most 26")
                        .not()
                        .or(predicate::always()),
                )
                .and(predicate::str::contains("26")),
        );
}

// ---- item 9: limits on work

#[test]
fn work_beyond_the_limits_is_refused_with_the_limit() {
    let start = Instant::now();
    for (args, limit) in [
        (
            vec![
                "sample",
                "--shots",
                "2",
                "--out",
                "-",
                "--threads",
                "100000",
            ],
            "1024",
        ),
        (
            vec!["bench", "--shots", "64", "--threads", "1,5000"],
            "1024",
        ),
        (
            vec!["threshold", "--distances", "2", "--p", "0.1:0.2:1e-12"],
            "10000",
        ),
        (
            vec!["threshold", "--distances", "2", "--p", "0.1:0.2:0"],
            "STEP > 0",
        ),
        (
            vec![
                "predict",
                "--code",
                "toric",
                "--distance",
                "2",
                "--threads",
                "0",
            ],
            "1 to 1024",
        ),
    ] {
        qecd()
            .args(&args)
            .assert()
            .failure()
            .stderr(predicate::str::contains(limit));
    }
    for (method, limit) in [
        ("zne:linear:1,1000000000", "from 1 to 100"),
        ("zne:richardson:1,2,nan", "from 1 to 100"),
        ("cdr:1000000", "at most 10000"),
        ("vncdr:20000", "at most 10000"),
    ] {
        qecd()
            .args(["mitigate", "--circuit", QASM, "--observable", "pauli:Z0"])
            .args(["--method", method])
            .assert()
            .failure()
            .stderr(predicate::str::contains(limit));
    }
    qecd()
        .args(["mitigate", "--circuit", QASM, "--observable", "pauli:Z0"])
        .args(["--sim", "trajectories:100000000000"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("10000000"));
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[test]
fn folding_refuses_scales_and_sizes_past_the_limits() {
    use qecd::mitigate::circuit::{Circuit, Gate, Op};
    use qecd::mitigate::fold::{Folding, MAX_FOLDED_GATES};
    let mut c = Circuit::new(1);
    for _ in 0..200_000 {
        c.push(Op::one(Gate::H, 0));
    }
    for folding in [Folding::Global, Folding::All, Folding::Random(1)] {
        assert!(folding.apply(&c, 1e9).is_err());
        let err = folding.apply(&c, 99.0).unwrap_err().to_string();
        assert!(err.contains(&MAX_FOLDED_GATES.to_string()), "{err}");
        assert!(folding.apply(&c, 3.0).is_ok());
    }
}

// ---- item 10: silent acceptance

#[test]
fn empty_partial_and_repeated_noise_specs_are_errors() {
    use qecd::mitigate::noise::NoiseModel;
    use qecd::noise::NoiseSpec;
    for bad in [
        "",
        " ",
        "depolarizing:",
        "noise:",
        "p1=1e-3,p1=2e-3",
        "p=1e-3,p2=1e-2",
        "ro=0.1,ro10=0.1",
        "p1=1e-3,",
        "p1=nan",
    ] {
        assert!(NoiseModel::parse(bad).is_err(), "'{bad}' accepted");
    }
    let err = NoiseModel::parse("p1=1e-3,p1=2e-3")
        .unwrap_err()
        .to_string();
    assert!(err.contains("p1 is given twice"), "{err}");
    assert_eq!(NoiseModel::parse("none").unwrap(), NoiseModel::NONE);
    assert!(NoiseModel::parse("p1=1e-3").is_ok());
    for bad in [
        "",
        "pauli:px=0.1,px=0.2,py=0,pz=0",
        "biased:eta=1,eta=2",
        "pauli:px=0.1,,py=0,pz=0",
        "pauli:px=0.1,py=0",
        "biased:eta=nan",
    ] {
        assert!(bad.parse::<NoiseSpec>().is_err(), "'{bad}' accepted");
    }
    qecd()
        .args(["mitigate", "--circuit", QASM, "--observable", "pauli:Z0"])
        .args(["--noise", ""])
        .assert()
        .failure()
        .stderr(predicate::str::contains("no rates given"));
    qecd()
        .args(["sample", "--shots", "2", "--out", "-", "--noise", ""])
        .assert()
        .failure()
        .stderr(predicate::str::contains("empty"));
}

#[test]
fn negative_numbers_reach_the_range_checks() {
    for args in [
        vec!["sample", "--shots", "2", "--out", "-", "--p", "-0.1"],
        vec!["threshold", "--distances", "2", "--p", "-0.1"],
        vec![
            "predict",
            "--code",
            "toric",
            "--distance",
            "2",
            "--p",
            "-0.1",
        ],
    ] {
        qecd().args(&args).assert().failure().stderr(
            predicate::str::contains("-0.1").and(predicate::str::contains("unexpected").not()),
        );
    }
    qecd()
        .args(["sample", "--shots", "-3", "--out", "-"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("'-3'").and(predicate::str::contains("unexpected").not()));
}

#[test]
fn non_finite_extrapolations_are_errors_naming_the_method() {
    use qecd::mitigate::zne::{extrapolate, Extrapolation};
    let err = extrapolate(
        Extrapolation::Exp {
            asymptote: Some(f64::NAN),
            order: 1,
        },
        &[1.0, 2.0, 3.0],
        &[0.5, 0.4, 0.3],
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("exp@NaN extrapolation"), "{err}");
    let err = extrapolate(Extrapolation::Linear, &[1.0, 1.0], &[0.5, 0.4])
        .unwrap_err()
        .to_string();
    assert!(!err.is_empty());
    qecd()
        .args(["mitigate", "--circuit", QASM, "--observable", "pauli:Z0"])
        .args(["--method", "zne:exp@nan:1,2,3"])
        .assert()
        .failure()
        .stderr(
            predicate::str::contains("zne:exp@nan:1,2,3").and(predicate::str::contains("finite")),
        );
}
