//! The matching decoder built from the Stim fixtures' DEMs (graph construction by PyMatching's
//! rules plus the exact solver) reproduces PyMatching's matching weight on every shot, and the
//! batch decoder agrees with the per-shot matcher.

use qecd::bits::{ones, BitMatrix};
use qecd::decode::matching::MwpmDecoder;
use qecd::decode::{DecodeError, Decoder};
use qecd::dem::Dem;
use std::path::Path;

fn check_fixture(name: &str, num_detectors: usize) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("datasets/stim")
        .join(name);
    let dem = Dem::from_file(dir.join("model.dem"))
        .unwrap()
        .flatten()
        .unwrap();
    assert_eq!(dem.num_detectors, num_detectors);
    let decoder = MwpmDecoder::from_dem(&dem).unwrap();
    let bytes = std::fs::read(dir.join("dets.b8")).unwrap();
    let stride = num_detectors.div_ceil(8);
    let dets = BitMatrix::from_bytes(bytes.len() / stride, num_detectors, bytes).unwrap();
    let weights: Vec<f64> = std::fs::read_to_string(dir.join("pymatching_weight.txt"))
        .unwrap()
        .lines()
        .map(|l| l.trim().parse().unwrap())
        .collect();
    assert_eq!(weights.len(), dets.rows());
    let batch = decoder.decode_batch(&dets).unwrap();
    let matcher = decoder.matcher();
    let mut ws = matcher.workspace();
    for (shot, &expected) in weights.iter().enumerate() {
        let m = matcher.decode(&ones(dets.row(shot)), &mut ws).unwrap();
        // PyMatching matches on weights discretised to integers, so its total carries a
        // relative rounding error of order 1e-5.
        assert!(
            (m.weight - expected).abs() <= 1e-4 * expected.max(1.0),
            "{name} shot {shot}: weight {} but PyMatching {expected}",
            m.weight
        );
        for k in 0..decoder.num_observables() {
            assert_eq!(
                batch.get(shot, k),
                m.observables >> k & 1 == 1,
                "{name} shot {shot}"
            );
        }
    }
}

#[test]
fn surface_d5_weights_equal_pymatching_on_every_shot() {
    check_fixture("surface_d5", 120);
}

#[test]
fn toric_l8_weights_equal_pymatching_on_every_shot() {
    check_fixture("toric_L8", 64);
}

#[test]
fn batch_of_the_wrong_width_is_refused() {
    let dem = qecd::dem::parse_dem("error(0.1) D0 D1\nerror(0.1) D1\n")
        .unwrap()
        .flatten()
        .unwrap();
    let decoder = MwpmDecoder::from_dem(&dem).unwrap();
    assert_eq!(
        decoder.decode_batch(&BitMatrix::zeros(3, 5)),
        Err(DecodeError::WidthMismatch {
            expected: 2,
            found: 5
        })
    );
    assert_eq!(
        decoder
            .decode_batch(&BitMatrix::zeros(0, 2))
            .unwrap()
            .rows(),
        0
    );
}

/// Reads a b8 file of `bits` columns.
fn read_b8(path: &Path, bits: usize) -> BitMatrix {
    let bytes = std::fs::read(path).unwrap();
    BitMatrix::from_bytes(bytes.len() / bits.div_ceil(8), bits, bytes).unwrap()
}

/// Circuit-level d = 7, p = 0.01 (`scripts/make_correlated_fixture.py`): where shortest paths
/// tie, qecd's correction takes PyMatching's path (its search flooder's), so the first-pass
/// edges are PyMatching's on every shot, and so are the correlated predictions.
#[test]
fn surface_d7_corrections_and_correlated_predictions_equal_pymatching() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("datasets/stim/surface_d7_p01");
    let dem = Dem::from_file(dir.join("model.dem"))
        .unwrap()
        .flatten()
        .unwrap();
    let n = dem.num_detectors;
    let dets = read_b8(&dir.join("dets.b8"), n);
    let want = read_b8(&dir.join("pymatching_correlated_pred.b8"), 1);
    let edges = std::fs::read_to_string(dir.join("pymatching_edges.txt")).unwrap();
    let edges: Vec<&str> = edges.lines().collect();
    assert_eq!((dets.rows(), edges.len()), (1000, 1000));

    let plain = MwpmDecoder::from_dem(&dem).unwrap();
    let matcher = plain.matcher();
    let mut ws = matcher.workspace();
    for (shot, line) in edges.iter().enumerate() {
        let (_, correction) = matcher
            .decode_with_correction(&ones(dets.row(shot)), &mut ws)
            .unwrap();
        let mut pairs: Vec<(i64, i64)> = correction
            .iter()
            .map(|&e| match matcher.edge_ends(e) {
                (a, Some(b)) => (a.min(b) as i64, a.max(b) as i64),
                (a, None) => (-1, a as i64),
            })
            .collect();
        pairs.sort_unstable();
        let got = pairs
            .iter()
            .map(|(a, b)| format!("{a},{b}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert_eq!(got, *line, "shot {shot}: first-pass correction");
    }

    let correlated = MwpmDecoder::from_dem_correlated(&dem).unwrap();
    let got = correlated.decode_batch(&dets).unwrap();
    for shot in 0..dets.rows() {
        assert_eq!(got.get(shot, 0), want.get(shot, 0), "shot {shot}");
    }
}
