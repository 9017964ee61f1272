//! Every DEM of `tests/dem_corpus/` (the examples of Stim's DEM format documentation and the
//! edge cases PyMatching decodes: no detectors, undecomposable components, more than 64
//! observables, certain errors, Stim's parser details, huge or nested repeat blocks) is read
//! with Stim's detector and observable counts, and every shot sampled from it is decoded.

use qecd::bits::{flip_bit, BitMatrix};
use qecd::decode::matching::MwpmDecoder;
use qecd::decode::Decoder;
use qecd::dem::FlatDem;
use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::path::Path;

/// Shots of a flattened DEM: each mechanism fires with its probability (a test sampler; the
/// decoder must handle whatever the model can produce).
fn sample(dem: &FlatDem, shots: usize, seed: u64) -> BitMatrix {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut m = BitMatrix::zeros(shots, dem.num_detectors);
    for s in 0..shots {
        for e in &dem.errors {
            if rng.random::<f64>() < e.probability {
                for c in &e.components {
                    for &d in &c.detectors {
                        flip_bit(m.row_mut(s), d);
                    }
                }
            }
        }
    }
    m
}

#[test]
fn every_corpus_dem_is_read_as_stim_reads_it_and_decoded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dem_corpus");
    let counts = std::fs::read_to_string(dir.join("counts.txt")).unwrap();
    let mut decoded = 0;
    for line in counts.lines().filter(|l| !l.starts_with('#')) {
        let f: Vec<&str> = line.split_whitespace().collect();
        let (name, nd, no): (&str, usize, usize) =
            (f[0], f[1].parse().unwrap(), f[2].parse().unwrap());
        let dem = FlatDem::from_file(dir.join(format!("{name}.dem")))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((dem.num_detectors, dem.num_observables), (nd, no), "{name}");
        let decoder = MwpmDecoder::from_dem(&dem).unwrap_or_else(|e| panic!("{name}: {e}"));
        let shots = if nd > 100_000 { 4 } else { 200 };
        let dets = sample(&dem, shots, 7);
        let pred = decoder
            .decode_batch(&dets)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((pred.rows(), pred.cols()), (shots, no), "{name}");
        decoded += 1;
    }
    assert_eq!(
        decoded, 37,
        "every DEM of the corpus is listed in counts.txt"
    );
}

#[test]
fn certain_errors_flip_every_prediction_and_wide_observables_are_predicted() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dem_corpus");
    // error(1) D0 L0 happens in every shot. An event on D0 is that error alone: L0. No event
    // on D0 means something else cancelled it; the certain error cannot be undone, so the
    // correction adds D0-D1 and D1's boundary (which flip nothing): L0 again.
    let dem = FlatDem::from_file(dir.join("certain_edge.dem")).unwrap();
    let d = MwpmDecoder::from_dem(&dem).unwrap();
    let mut shots = BitMatrix::zeros(2, 2);
    shots.set(0, 0, true);
    let pred = d.decode_batch(&shots).unwrap();
    assert!(pred.get(0, 0) && pred.get(1, 0));
    // Observables 3, 64 and 70 are predicted past the 64-bit masks.
    let dem = FlatDem::from_file(dir.join("many_observables.dem")).unwrap();
    let d = MwpmDecoder::from_dem(&dem).unwrap();
    let mut shots = BitMatrix::zeros(3, 2);
    shots.set(0, 0, true);
    shots.set(1, 1, true);
    shots.set(2, 0, true);
    shots.set(2, 1, true);
    let pred = d.decode_batch(&shots).unwrap();
    assert_eq!(pred.ones(0), vec![70]);
    assert_eq!(pred.ones(1), vec![64]);
    assert_eq!(pred.ones(2), vec![3]);
}
