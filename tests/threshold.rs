//! Thresholds at small scale with fixed seeds: below threshold the larger torus fails less
//! often, above it more often (toric code, MWPM; bit-flip threshold about 10.3%,
//! depolarizing with independent X/Z decoding about 15.5%). And `qecd threshold` end to end:
//! sinter CSV, table, fit and plot.

mod common;

use assert_cmd::Command;
use common::paired_rows;
use qecd::code::ToricCode;
use qecd::decode::matching::MwpmDecoder;
use qecd::decode::Decoder;
use qecd::dem::parse_dem;
use qecd::noise::NoiseSpec;
use qecd::sample::sample_toric;

/// Logical error rate and its standard error for the toric code of size `l`.
fn logical_rate(l: usize, noise: NoiseSpec, p: f64, shots: usize, seed: u64) -> (f64, f64) {
    let code = ToricCode::new(l).unwrap();
    let channel = noise.channel(p).unwrap();
    let dem = parse_dem(&code.dem_text(&channel).unwrap())
        .unwrap()
        .flatten()
        .unwrap();
    let decoder = MwpmDecoder::from_dem(&dem).unwrap();
    let s = sample_toric(&code, &channel, shots, seed, false);
    let pred = decoder.decode_batch(&s.dets).unwrap();
    let wrong = (0..shots).filter(|&r| pred.row(r) != s.obs.row(r)).count() as f64;
    let rate = wrong / shots as f64;
    (rate, (rate * (1.0 - rate) / shots as f64).sqrt())
}

/// Asserts `small - large` has the sign `sign` by more than 3 standard errors.
fn assert_ordered(noise: NoiseSpec, p: f64, sign: f64, seed: u64) {
    let (a, sa) = logical_rate(4, noise, p, 3000, seed);
    let (b, sb) = logical_rate(8, noise, p, 3000, seed + 1);
    let diff = sign * (a - b);
    let sd = (sa * sa + sb * sb).sqrt();
    assert!(
        diff > 3.0 * sd,
        "{noise} p={p}: L=4 {a:.4} vs L=8 {b:.4} (sd {sd:.4})"
    );
}

#[test]
fn bitflip_curves_cross_near_ten_percent() {
    assert_ordered(NoiseSpec::BitFlip, 0.06, 1.0, 11);
    assert_ordered(NoiseSpec::BitFlip, 0.15, -1.0, 13);
}

#[test]
fn depolarizing_curves_cross_near_fifteen_percent() {
    assert_ordered(NoiseSpec::Depolarizing, 0.09, 1.0, 21);
    assert_ordered(NoiseSpec::Depolarizing, 0.22, -1.0, 23);
}

#[test]
fn threshold_command_writes_sinter_csv_table_and_plot() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    let svg = dir.path().join("c.svg");
    let out = Command::cargo_bin("qecd")
        .unwrap()
        .args([
            "threshold",
            "--code",
            "toric",
            "--noise",
            "bitflip",
            "--distances",
            "4,6",
        ])
        .args([
            "--p",
            "0.08:0.12:0.02",
            "--shots",
            "640",
            "--decoder",
            "mwpm",
            "--seed",
            "3",
        ])
        .args([
            "--bootstrap",
            "10",
            "--out",
            csv.to_str().unwrap(),
            "--plot",
            svg.to_str().unwrap(),
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("95% Wilson interval") && text.contains("threshold p_th ="),
        "{text}"
    );
    let rows: Vec<String> = std::fs::read_to_string(&csv)
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    assert_eq!(
        rows[0],
        "shots,errors,discards,seconds,decoder,strong_id,json_metadata,custom_counts"
    );
    assert_eq!(rows.len(), 1 + 2 * 3);
    assert!(rows[1].starts_with("640,"), "{}", rows[1]);
    assert!(
        rows[1].contains(r#",mwpm,"#)
            && rows[1].contains(
                r#""{""L"":4,""code"":""toric"",""noise"":""bitflip"",""p"":0.08,""seed"":"#
            )
    );
    assert!(
        rows[2].contains(r#"""p"":0.1,"#),
        "grid points are rounded: {}",
        rows[2]
    );
    assert!(std::fs::read_to_string(&svg).unwrap().contains("mwpm L=6"));
    // Same seed, same counts.
    let again = dir.path().join("r2.csv");
    Command::cargo_bin("qecd")
        .unwrap()
        .args([
            "threshold",
            "--noise",
            "bitflip",
            "--distances",
            "4,6",
            "--p",
            "0.08:0.12:0.02",
        ])
        .args([
            "--shots",
            "640",
            "--seed",
            "3",
            "--bootstrap",
            "0",
            "--threads",
            "1",
        ])
        .args(["--out", again.to_str().unwrap()])
        .assert()
        .success();
    let counts = |p: &std::path::Path| -> Vec<String> {
        std::fs::read_to_string(p)
            .unwrap()
            .lines()
            .map(|l| {
                let f: Vec<&str> = l.splitn(5, ',').collect();
                format!("{},{}", f[0], f[1])
            })
            .collect()
    };
    assert_eq!(counts(&csv), counts(&again));
}

#[test]
fn threshold_rejects_bad_grids() {
    for bad in ["0.2:0.1:0.01", "0.1:0.2:0", "abc", "0.1:1.5:0.5"] {
        Command::cargo_bin("qecd")
            .unwrap()
            .args(["threshold", "--distances", "4", "--p", bad])
            .assert()
            .failure();
    }
    Command::cargo_bin("qecd")
        .unwrap()
        .args([
            "threshold",
            "--distances",
            "4",
            "--p",
            "0.1",
            "--decoder",
            "nonsense",
            "--shots",
            "64",
        ])
        .assert()
        .failure()
        .stderr(predicates::str::contains("unknown decoder 'nonsense'"));
}

#[test]
fn threshold_compares_decoders_on_identical_shots() {
    let run = |decoders: &str| {
        let out = Command::cargo_bin("qecd")
            .unwrap()
            .args(["threshold", "--distances", "3", "--p", "0.1,0.15"])
            .args(["--shots", "2048", "--seed", "9", "--threads", "1"])
            .args(["--decoder", decoders])
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    // A decoder against itself on the same shots: never alone in error, ratio exactly 1.
    let same = paired_rows(&run("mwpm,mwpm"));
    assert_eq!(same.len(), 2);
    for row in same {
        assert_eq!(row, (0, 0, 1.0, 1.0, 1.0));
    }
    // Maximum likelihood beats matching at L = 3 (about 0.78 of its rate at p = 0.1): the
    // paired interval lies below 1 at both error rates.
    let ml = paired_rows(&run("mwpm,ml"));
    assert_eq!(ml.len(), 2);
    for (only_ml, only_mwpm, ratio, lo, hi) in ml {
        assert!(only_mwpm > only_ml, "{only_mwpm} {only_ml}");
        assert!(lo < ratio && ratio < hi && hi < 1.0, "{ratio} [{lo}, {hi}]");
    }
}

/// The data rows of a sinter CSV without the `seconds` column (timings differ run to run).
fn rows_without_seconds(csv: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(csv).unwrap();
    let mut rows: Vec<String> = text
        .lines()
        .skip(1)
        .map(|line| {
            let mut fields: Vec<&str> = line.splitn(5, ',').collect();
            fields.remove(3);
            fields.join(",")
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn shards_partition_the_sweep_into_the_unsharded_rows() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &std::path::Path| {
        let mut cmd = Command::cargo_bin("qecd").unwrap();
        cmd.args(["threshold", "--distances", "3,4", "--p", "0.05,0.1,0.15"])
            .args(["--shots", "300", "--bootstrap", "0", "--seed", "5", "--out"])
            .arg(out);
        cmd
    };
    let whole = dir.path().join("whole.csv");
    args(&whole).assert().success();
    let mut sharded = Vec::new();
    for k in 0..4 {
        let part = dir.path().join(format!("part{k}.csv"));
        args(&part)
            .args(["--shard", &format!("{k}/4")])
            .assert()
            .success();
        let rows = rows_without_seconds(&part);
        // 6 tasks over 4 shards: 2, 2, 1, 1 in distance-major round robin.
        assert_eq!(rows.len(), if k < 2 { 2 } else { 1 }, "shard {k}");
        sharded.extend(rows);
    }
    sharded.sort();
    assert_eq!(sharded, rows_without_seconds(&whole));
    for bad in ["4/4", "1/0", "x/2", "1"] {
        args(&dir.path().join("bad.csv"))
            .args(["--shard", bad])
            .assert()
            .failure()
            .stderr(predicates::str::contains("expected K/N"));
    }
}

/// `--out -`: standard output holds the sinter CSV alone (so it can be piped into
/// `sinter plot`); the table and the fits go to standard error.
#[test]
fn csv_on_stdout_keeps_the_table_on_stderr() {
    let out = Command::cargo_bin("qecd")
        .unwrap()
        .args(["threshold", "--distances", "4,6", "--p", "0.08,0.1"])
        .args([
            "--shots",
            "200",
            "--decoder",
            "mwpm,mwpm-correlated",
            "--out",
            "-",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("shots,errors,discards,seconds,decoder"));
    assert_eq!(lines.len(), 1 + 2 * 4, "{stdout}");
    assert!(lines[1..].iter().all(|l| l.starts_with("200,")), "{stdout}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("95% Wilson interval"), "{stderr}");
    assert!(stderr.contains("paired on identical shots"), "{stderr}");
}
