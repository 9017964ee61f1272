//! Bounded fuzzing of the text specs a user hands to qecd: OpenQASM circuits, the toric
//! `--noise` family, the mitigation `--noise` model and `--method`. Each is mutated from valid
//! examples and the corpus in `tests/fuzz_corpus/<target>/` (harness and conventions in
//! `tests/fuzz_harness/mod.rs`; `scripts/fuzz.sh` runs this for hours). The property: the
//! library parser returns a value or an error, never panics or overflows its stack; what it
//! accepts behaves (round trips, runs to a finite value or an error). A few inputs per target
//! also go through the binary, which must exit 0, 1 or 2 (a clap usage error), never crash.

mod fuzz_harness;

use std::process::{Command, Stdio};

use fuzz_harness::{fuzz, Settings, Target};
use qecd::mitigate::circuit::Circuit;
use qecd::mitigate::executor::{Backend, Executor};
use qecd::mitigate::method::{parse_method, Method};
use qecd::mitigate::noise::NoiseModel;
use qecd::mitigate::observable::PauliSum;
use qecd::mitigate::qasm::{parse_qasm, write_qasm};
use qecd::noise::NoiseSpec;

const FIXTURE: &str = include_str!("../datasets/mitigation/tfim4_pbc_h1_hva2.qasm");

/// Inputs per target that also run through the binary (each run costs a process start).
const CLI_CASES: usize = 4;

fn text(input: &[u8]) -> String {
    String::from_utf8_lossy(input).into_owned()
}

fn check_qasm(input: &[u8]) -> Result<(), String> {
    let Ok(circuit) = parse_qasm(&text(input)) else {
        return Ok(());
    };
    circuit
        .validate()
        .map_err(|e| format!("parsed circuit does not validate: {e}"))?;
    let again = parse_qasm(&write_qasm(&circuit))
        .map_err(|e| format!("written circuit does not parse: {e}"))?;
    if again != circuit {
        return Err("write_qasm then parse_qasm changed the circuit".into());
    }
    let _ = circuit.in_moment_order();
    Ok(())
}

fn check_toric_noise(input: &[u8]) -> Result<(), String> {
    let Ok(spec) = text(input).parse::<NoiseSpec>() else {
        return Ok(());
    };
    let again: NoiseSpec = spec
        .to_string()
        .parse()
        .map_err(|e| format!("'{spec}' does not parse back: {e}"))?;
    if again != spec {
        return Err(format!("'{spec}' parses back as '{again}'"));
    }
    for p in [0.0, 0.01, 0.3, 1.0] {
        if let Ok(channel) = spec.channel(p) {
            let _ = channel.independent_xyz();
        }
    }
    Ok(())
}

fn check_mitigation_noise(input: &[u8]) -> Result<(), String> {
    match NoiseModel::parse(&text(input)) {
        Ok(m) => m
            .validate()
            .map_err(|e| format!("accepted a model that does not validate: {e}")),
        Err(_) => Ok(()),
    }
}

/// A small circuit with non-Clifford rotations, so CDR has something to train on.
fn small_circuit() -> Circuit {
    parse_qasm(
        "OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[2];\nh q[0];\nrx(0.3) q[1];\ncx q[0],q[1];\n\
         rz(0.7) q[0];\nry(-1.1) q[1];\n",
    )
    .unwrap()
}

fn check_method(input: &[u8]) -> Result<(), String> {
    let spec = text(input);
    let Ok(method) = parse_method(&spec, 7) else {
        return Ok(());
    };
    let exec = Executor::new(
        PauliSum::parse("Z0*Z1+0.5*X0").unwrap(),
        NoiseModel::depolarizing(1e-2, 2e-2).unwrap(),
        Backend::Density,
    )
    .unwrap();
    let circuit = small_circuit();
    // Large training and sample sets are valid but slow; their parsing is what is fuzzed.
    let cheap = match &method {
        Method::Cdr(cdr) => cdr.num_training <= 16,
        Method::Pec(pec) => pec.samples <= 1000,
        Method::Parametric | Method::WithRem(_) => false,
        _ => true,
    };
    if !cheap {
        return Ok(());
    }
    match method.run(&circuit, &exec, None) {
        Ok(o) if !o.value.is_finite() => {
            Err(format!("'{spec}' returned {} without an error", o.value))
        }
        _ => Ok(()),
    }
}

/// Runs the binary with `args` (inputs with NUL bytes cannot be arguments and are skipped);
/// it must exit with 0, 1 or 2.
fn check_cli(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a.contains('\0')) {
        return Ok(());
    }
    let status = Command::new(assert_cmd::cargo::cargo_bin("qecd"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| e.to_string())?;
    match status.code() {
        Some(0..=2) => Ok(()),
        _ => Err(format!("qecd {args:?} ended with {status}")),
    }
}

/// A check that also sends the first [`CLI_CASES`] inputs it sees through the binary.
fn with_cli(
    check: fn(&[u8]) -> Result<(), String>,
    args: fn(String, &std::path::Path) -> Vec<String>,
) -> impl Fn(&[u8]) -> Result<(), String> + Send + Sync + 'static {
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let dir = tempfile::tempdir().unwrap();
    move |input| {
        check(input)?;
        if seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < CLI_CASES {
            check_cli(&args(text(input), dir.path()))?;
        }
        Ok(())
    }
}

const QASM_TOKENS: &[&str] = &[
    "qreg ",
    "creg ",
    "q",
    "[",
    "]",
    "(",
    ")",
    ";",
    ",",
    "->",
    "measure ",
    "barrier ",
    "pi",
    "sin(",
    "ln(",
    "sqrt(",
    "1e308",
    "18446744073709551615",
    "4000000000",
    "-",
    "+",
    "^",
    "/",
    "*",
    "0",
    "26",
    "27",
    "rx",
    "u3",
    "cx ",
    "swap ",
    "rzz",
    "OPENQASM 2.0;",
    "include \"qelib1.inc\";",
    "\"",
    "\n",
    "// ",
    "e",
    ".",
    "reset ",
    "gate ",
];

#[test]
fn fuzz_qasm() {
    let settings = Settings::from_env();
    let seeds = vec![
        FIXTURE.as_bytes().to_vec(),
        b"OPENQASM 2.0;\ninclude \"qelib1.inc\";\nqreg q[3];\ncreg c[3];\nu3(pi/2,-pi,2^0.5) q[0];\n\
          rzz(sin(pi/4)*ln(2)) q[0],q[2];\nbarrier q;\nh q;\nmeasure q -> c;\n"
            .to_vec(),
    ];
    let report = fuzz(
        Target {
            name: "qasm",
            seeds,
            tokens: QASM_TOKENS,
        },
        &settings,
        with_cli(check_qasm, |circuit, dir| {
            let path = dir.join("fuzz.qasm");
            std::fs::write(&path, circuit).unwrap();
            [
                "mitigate",
                "--circuit",
                &path.display().to_string(),
                "--observable",
                "pauli:Z0",
            ]
            .map(String::from)
            .to_vec()
        }),
    );
    eprintln!(
        "fuzz_qasm: {} corpus files, {} random cases",
        report.corpus, report.cases
    );
}

#[test]
fn fuzz_toric_noise() {
    let settings = Settings::from_env();
    let seeds = [
        "depolarizing",
        "bitflip",
        "phaseflip",
        "biased:eta=10",
        "pauli:px=0.01,py=0.02,pz=0.03",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec();
    let report = fuzz(
        Target {
            name: "toric_noise",
            seeds,
            tokens: &[
                "pauli:",
                "biased:",
                "eta=",
                "px=",
                "py=",
                "pz=",
                "nan",
                "inf",
                "-0",
                "1e-300",
                "1e308",
                ",",
                "=",
                ":",
                " ",
                "depolarizing",
                "x",
                "z",
                "0.5",
                "1",
            ],
        },
        &settings,
        with_cli(check_toric_noise, |noise, _| {
            [
                "sample",
                "--distance",
                "2",
                "--shots",
                "1",
                "--out",
                "-",
                "--noise",
            ]
            .map(String::from)
            .into_iter()
            .chain([noise])
            .collect()
        }),
    );
    eprintln!(
        "fuzz_toric_noise: {} corpus files, {} random cases",
        report.corpus, report.cases
    );
}

#[test]
fn fuzz_mitigation_noise() {
    let settings = Settings::from_env();
    let seeds = [
        "depolarizing:p1=1e-3,p2=1e-2",
        "p=0.01,gamma=1e-3,ro=0.02",
        "noise:ro01=0.1,ro10=0.2",
        "none",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec();
    let report = fuzz(
        Target {
            name: "mitigation_noise",
            seeds,
            tokens: &[
                "depolarizing:",
                "noise:",
                "p1=",
                "p2=",
                "p=",
                "gamma=",
                "ro=",
                "ro01=",
                "ro10=",
                "none",
                ",",
                "=",
                "nan",
                "inf",
                "1e-3",
                "-1",
                " ",
            ],
        },
        &settings,
        with_cli(check_mitigation_noise, |noise, _| {
            [
                "mitigate",
                "--circuit",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/datasets/mitigation/tfim4_pbc_h1_hva2.qasm"
                ),
                "--observable",
                "pauli:Z0",
                "--noise",
            ]
            .map(String::from)
            .into_iter()
            .chain([noise])
            .collect()
        }),
    );
    eprintln!(
        "fuzz_mitigation_noise: {} corpus files, {} random cases",
        report.corpus, report.cases
    );
}

#[test]
fn fuzz_method() {
    let settings = Settings::from_env();
    let seeds = [
        "zne:richardson:1,2,3:fold-global",
        "zne:linear:1,3,5:fold-all",
        "zne:exp:1,1.5,2,2.5:fold-random:3",
        "zne:exp@-1:1,2,3",
        "zne:poly2:1,2,3,4",
        "cdr:20",
        "vncdr:8",
        "parametric",
    ]
    .map(|s| s.as_bytes().to_vec())
    .to_vec();
    let report = fuzz(
        Target {
            name: "method",
            seeds,
            tokens: &[
                "zne:",
                "linear",
                "richardson",
                "poly",
                "exp",
                "exp0",
                "exp@",
                "fold-global",
                "fold-all",
                "fold-random",
                ":",
                ",",
                "1",
                "2",
                "3",
                "100",
                "101",
                "1e9",
                "nan",
                "inf",
                "cdr",
                "vncdr",
                "parametric",
                "18446744073709551615",
                "-1",
                "0.5",
                "",
            ],
        },
        &settings,
        with_cli(check_method, |method, _| {
            [
                "mitigate",
                "--circuit",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/datasets/mitigation/tfim4_pbc_h1_hva2.qasm"
                ),
                "--observable",
                "pauli:Z0",
                "--method",
            ]
            .map(String::from)
            .into_iter()
            .chain([method])
            .collect()
        }),
    );
    eprintln!(
        "fuzz_method: {} corpus files, {} random cases",
        report.corpus, report.cases
    );
}

#[test]
fn the_harness_finds_and_saves_a_planted_bug() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings {
        cases: 5000,
        seed: 1,
        save_dir: Some(dir.path().to_path_buf()),
    };
    let outcome = std::panic::catch_unwind(|| {
        fuzz(
            Target {
                name: "harness_selftest",
                seeds: vec![b"q[1];".to_vec()],
                tokens: &["]", "q"],
            },
            &settings,
            |input| {
                assert!(!input.windows(2).any(|w| w == b"]]"), "planted bug");
                Ok(())
            },
        )
    });
    let message = *outcome.unwrap_err().downcast::<String>().unwrap();
    assert!(message.contains("planted bug"), "{message}");
    let saved: Vec<_> = std::fs::read_dir(dir.path().join("harness_selftest"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(saved.len(), 1, "{saved:?}");
    assert!(saved[0]
        .file_name()
        .unwrap()
        .to_string_lossy()
        .starts_with("crash-"));
    let input = std::fs::read(&saved[0]).unwrap();
    assert!(input.windows(2).any(|w| w == b"]]"));
}
