//! The models shipped in `decoders/` load, decode the code they were trained for, and keep their
//! measured accuracy: below matching on identical shots at L = 4, 6, 8, and at L = 3 within a
//! few percent of the exact maximum-likelihood decoder (fixed seeds, paired intervals).

#[path = "../../tests/common/mod.rs"]
mod common;

use assert_cmd::Command;
use common::paired_rows;

fn threshold(args: &[&str]) -> String {
    let out = Command::cargo_bin("qecd-neural")
        .unwrap()
        .arg("threshold")
        .args(args)
        .args(["--seed", "11", "--threads", "1", "--device", "cpu"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn shipped_models_beat_matching_on_identical_shots() {
    let stdout = threshold(&[
        "--decoder",
        "mwpm,neural",
        "--distances",
        "4,6,8",
        "--p",
        "0.12",
        "--shots",
        "4096",
        "--model",
        "../decoders/end-L4-depol,../decoders/end-L6-depol,../decoders/end-L8-depol",
    ]);
    let rows = paired_rows(&stdout);
    assert_eq!(rows.len(), 3, "{stdout}");
    for (only_neural, only_mwpm, ratio, lo, hi) in rows {
        // Measured on the cards (100 000 shots): P_L(neural) / P_L(mwpm) = 0.54 to 0.56.
        assert!(only_mwpm > 2 * only_neural, "{only_mwpm} {only_neural}");
        assert!(lo < ratio && hi < 0.75, "{ratio} [{lo}, {hi}]");
    }
}

#[test]
fn shipped_l3_model_is_close_to_maximum_likelihood() {
    let stdout = threshold(&[
        "--decoder",
        "ml,neural",
        "--distances",
        "3",
        "--p",
        "0.1",
        "--shots",
        "4096",
        "--model",
        "../decoders/end-L3-depol",
    ]);
    let rows = paired_rows(&stdout);
    assert_eq!(rows.len(), 1, "{stdout}");
    let (_, _, ratio, lo, hi) = rows[0];
    // Maximum likelihood is optimal on average: the model cannot be clearly better, and it
    // is measured within 2% of it on 100 000 shots per p.
    assert!(
        hi > 0.98 && ratio < 1.05 && lo < 1.0,
        "{ratio} [{lo}, {hi}]"
    );
}
