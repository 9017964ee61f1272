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
