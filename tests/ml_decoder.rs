//! The brute-force maximum-likelihood decoder: exact coset probabilities (checked against full
//! enumeration of every error at L = 2), the translation rule at L = 3, and sanity at low p.

use qecd::bits::{get_bit, set_bit, BitMatrix};
use qecd::code::toric::ToricCode;
use qecd::decode::ml::MlDecoder;
use qecd::noise::{NoiseSpec, PauliChannel};
use rand::{Rng, SeedableRng};

fn depolarizing(p: f64) -> PauliChannel {
    NoiseSpec::Depolarizing.channel(p).unwrap()
}

fn error_row(code: &ToricCode) -> Vec<u8> {
    vec![0u8; (2 * code.num_qubits()).div_ceil(8)]
}

#[test]
fn coset_probabilities_match_enumeration_of_all_errors_at_l2() {
    let code = ToricCode::new(2).unwrap();
    // Asymmetric rates, to catch X/Y/Z mix-ups.
    let channel = PauliChannel::new(0.05, 0.15, 0.1).unwrap();
    let pauli = [0.7, 0.05, 0.15, 0.1];
    let ml = MlDecoder::new(&code, &channel).unwrap();
    let n = code.num_qubits();
    let nd = code.num_detectors();
    let mut table: std::collections::HashMap<Vec<u8>, [f64; 16]> = Default::default();
    for xm in 0u32..1 << n {
        for zm in 0u32..1 << n {
            let mut e = error_row(&code);
            let mut prob = 1.0;
            for q in 0..n {
                let (xb, zb) = (xm >> q & 1 == 1, zm >> q & 1 == 1);
                set_bit(&mut e, q, xb);
                set_bit(&mut e, n + q, zb);
                prob *= match (xb, zb) {
                    (false, false) => pauli[0],
                    (true, false) => pauli[1],
                    (true, true) => pauli[2],
                    (false, true) => pauli[3],
                };
            }
            let mut s = vec![0u8; nd.div_ceil(8)];
            code.syndrome(&e, &mut s);
            let lab = code.label(&e);
            table.entry(s).or_insert([0.0; 16])[lab as usize] += prob;
        }
    }
    assert!(table.len() > 1);
    for (s, mut exact) in table {
        let total: f64 = exact.iter().sum();
        exact.iter_mut().for_each(|q| *q /= total);
        let got = ml.coset_probabilities(&s);
        for c in 0..16 {
            assert!(
                (got[c] - exact[c]).abs() < 1e-12,
                "syndrome {s:?} class {c}: {} vs {}",
                got[c],
                exact[c]
            );
        }
    }
}

#[test]
fn coset_probabilities_obey_the_translation_rule_at_l3() {
    let code = ToricCode::new(3).unwrap();
    let ml = MlDecoder::new(&code, &depolarizing(0.12)).unwrap();
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(17);
    let n = code.num_qubits();
    for _ in 0..6 {
        let mut e = error_row(&code);
        for q in 0..2 * n {
            set_bit(&mut e, q, rng.random::<f64>() < 0.15);
        }
        let mut s = vec![0u8; code.num_detectors().div_ceil(8)];
        code.syndrome(&e, &mut s);
        let base = ml.coset_probabilities(&s);
        for a in 0..3 {
            for b in 0..3 {
                let mut moved = vec![0u8; s.len()];
                code.translate_syndrome(&s, a, b, &mut moved);
                let mut site = vec![0u8; 9];
                code.site_xors(&moved, &mut site);
                let h = site[a * 3 + b] as usize;
                let got = ml.coset_probabilities(&moved);
                for c in 0..16 {
                    assert!(
                        (got[c] - base[c ^ h]).abs() <= 1e-9 * base[c ^ h] + 1e-15, // summation order only
                        "t = ({a}, {b}), class {c}: {} vs {}",
                        got[c],
                        base[c ^ h]
                    );
                }
            }
        }
    }
}

#[test]
fn single_errors_are_corrected_at_low_p() {
    let code = ToricCode::new(3).unwrap();
    let ml = MlDecoder::new(&code, &depolarizing(0.01)).unwrap();
    let n = code.num_qubits();
    let mut dets = BitMatrix::zeros(3 * n, code.num_detectors());
    let mut truth = Vec::new();
    for q in 0..n {
        for (k, (xb, zb)) in [(true, false), (true, true), (false, true)]
            .into_iter()
            .enumerate()
        {
            let mut e = error_row(&code);
            set_bit(&mut e, q, xb);
            set_bit(&mut e, n + q, zb);
            code.syndrome(&e, dets.row_mut(3 * q + k));
            truth.push(code.logical_class(&e));
        }
    }
    let pred = ml.decode_rows(&dets).unwrap();
    for (r, &t) in truth.iter().enumerate() {
        let got = (0..4).fold(0u8, |c, b| c | (get_bit(pred.row(r), b) as u8) << b);
        assert_eq!(got, t, "shot {r}");
    }
}

#[test]
fn bad_inputs_are_rejected() {
    let code = ToricCode::new(3).unwrap();
    let big = ToricCode::new(6).unwrap();
    assert!(MlDecoder::new(&big, &depolarizing(0.1))
        .unwrap_err()
        .to_string()
        .contains("L = 6"));
    let ml = MlDecoder::new(&code, &depolarizing(0.1)).unwrap();
    let err = ml
        .decode_rows(&BitMatrix::zeros(1, 17))
        .unwrap_err()
        .to_string();
    assert!(err.contains("17") && err.contains("18"), "{err}");
}
