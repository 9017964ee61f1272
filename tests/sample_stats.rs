//! Statistical and structural checks of the toric-code sampler, with fixed seeds.

use proptest::prelude::*;
use qecd::bits::BitMatrix;
use qecd::code::ToricCode;
use qecd::noise::{NoiseSpec, PauliChannel};
use qecd::sample::{sample_toric, ToricSampler};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn syndromes_and_classes_are_those_of_the_sampled_errors(
        l in 2usize..9,
        family in 0usize..5,
        p in 0.0f64..0.5,
        seed in any::<u64>(),
        shots in 1usize..200,
    ) {
        let spec = [
            NoiseSpec::Depolarizing,
            NoiseSpec::BitFlip,
            NoiseSpec::PhaseFlip,
            NoiseSpec::Biased { eta: 10.0 },
            NoiseSpec::Pauli { px: p / 4.0, py: p / 2.0, pz: p / 4.0 },
        ][family];
        let code = ToricCode::new(l).unwrap();
        let s = sample_toric(&code, &spec.channel(p).unwrap(), shots, seed, true);
        let errors = s.errors.as_ref().unwrap();
        let mut syn = vec![0u8; s.dets.stride()];
        for r in 0..shots {
            code.syndrome(errors.row(r), &mut syn);
            prop_assert_eq!(&syn[..], s.dets.row(r), "shot {}", r);
            prop_assert_eq!(code.logical_class(errors.row(r)), s.obs.row(r)[0]);
        }
    }
}

#[test]
fn output_is_independent_of_threads_and_batching() {
    let code = ToricCode::new(7).unwrap();
    let ch = NoiseSpec::Depolarizing.channel(0.1).unwrap();
    let one = pool(1).install(|| sample_toric(&code, &ch, 1000, 9, true));
    let two = pool(2).install(|| sample_toric(&code, &ch, 1000, 9, true));
    assert_eq!(one, two);
    let sampler = ToricSampler::new(code, &ch, 9);
    let mut dets = sampler.sample(0, 640, false).dets;
    dets.append(&sampler.sample(640, 360, false).dets);
    assert_eq!(dets, one.dets);
    assert_ne!(sample_toric(&code, &ch, 1000, 10, false).dets, one.dets);
}

/// Counts how often each error bit is set.
fn column_counts(m: &BitMatrix) -> Vec<u64> {
    let mut c = vec![0u64; m.cols()];
    for r in 0..m.rows() {
        for i in m.ones(r) {
            c[i] += 1;
        }
    }
    c
}

#[test]
fn marginal_flip_rates_match_the_channel_within_5_sigma() {
    let code = ToricCode::new(4).unwrap();
    let n = 32;
    let shots = 40_000usize;
    for ch in [
        PauliChannel::new(0.02, 0.05, 0.11).unwrap(),
        NoiseSpec::Depolarizing.channel(0.15).unwrap(),
        NoiseSpec::BitFlip.channel(0.001).unwrap(),
    ] {
        let s = sample_toric(&code, &ch, shots, 3, true);
        let counts = column_counts(s.errors.as_ref().unwrap());
        // Pool the X parts (rate px + py) and the Z parts (rate pz + py) over qubits, and check
        // the Y rate from the joint occurrences too.
        let err = s.errors.unwrap();
        let mut y = 0u64;
        for r in 0..shots {
            let row = err.row(r);
            y += (0..n)
                .filter(|&q| qecd::bits::get_bit(row, q) && qecd::bits::get_bit(row, n + q))
                .count() as u64;
        }
        let trials = (shots * n) as f64;
        for (count, p) in [
            (counts[..n].iter().sum::<u64>(), ch.x_part()),
            (counts[n..].iter().sum::<u64>(), ch.z_part()),
            (y, ch.py),
        ] {
            let sigma = (p * (1.0 - p) / trials).sqrt();
            let rate = count as f64 / trials;
            assert!(
                (rate - p).abs() <= 5.0 * sigma + 1e-12,
                "{ch:?}: rate {rate} vs {p} (sigma {sigma})"
            );
        }
    }
}

/// The exact distribution of the logical class of a random Pauli error on the L = 2 torus
/// (8 qubits), by enumerating all 4^8 errors.
fn exact_class_distribution(code: &ToricCode, ch: &PauliChannel) -> [f64; 16] {
    let n = code.num_qubits();
    let mut dist = [0.0; 16];
    let probs = [1.0 - ch.total(), ch.px, ch.py, ch.pz];
    for config in 0..(1u32 << (2 * n)) {
        let mut e = vec![0u8; (2 * n).div_ceil(8)];
        let mut p = 1.0;
        for q in 0..n {
            let k = (config >> (2 * q)) & 3;
            p *= probs[k as usize];
            if k == 1 || k == 2 {
                qecd::bits::flip_bit(&mut e, q);
            }
            if k == 2 || k == 3 {
                qecd::bits::flip_bit(&mut e, n + q);
            }
        }
        dist[code.logical_class(&e) as usize] += p;
    }
    dist
}

#[test]
fn logical_class_distribution_matches_exact_enumeration() {
    let code = ToricCode::new(2).unwrap();
    let ch = NoiseSpec::Biased { eta: 3.0 }.channel(0.3).unwrap();
    let exact = exact_class_distribution(&code, &ch);
    let shots = 200_000;
    let s = sample_toric(&code, &ch, shots, 11, false);
    let mut counts = [0f64; 16];
    for r in 0..shots {
        counts[s.obs.row(r)[0] as usize] += 1.0;
    }
    // Pearson chi-square with 15 degrees of freedom: the 99.99% quantile is about 42.
    let chi2: f64 = (0..16)
        .map(|c| {
            let e = exact[c] * shots as f64;
            (counts[c] - e).powi(2) / e
        })
        .sum();
    assert!(
        chi2 < 42.0,
        "chi2 = {chi2}, exact {exact:?}, counts {counts:?}"
    );
}
