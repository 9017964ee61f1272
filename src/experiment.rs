//! Experiments: decode identical shots with several decoders, count each one's mistakes (alone
//! and paired against the first decoder), and time sampling and every decoder.
//!
//! The loop that `qecd threshold`, `qecd bench` and `qecd count-mistakes` share:
//!
//! - [`compare_on_toric`]: sample toric shots in batches from a [`ToricSampler`] and decode each
//!   batch with every decoder ([`Comparison`] holds the counts and times);
//! - [`Comparison::record`]: the same for one batch from anywhere (a shot file, Stim);
//! - [`decode_timed`] and [`count_mistakes`]: the two steps alone.
//!
//! Parallelism is the decoders' own (rayon over shots on the current pool): run these inside
//! `pool.install(...)` to choose the thread count.
//!
//! ```
//! use qecd::experiment::compare_on_toric;
//! use qecd::{Decoder, MwpmDecoder, NoiseSpec, ToricCode, ToricSampler};
//!
//! let code = ToricCode::new(6)?;
//! let channel = NoiseSpec::BitFlip.channel(0.05)?;
//! let mwpm = MwpmDecoder::from_dem(&code.dem(&channel)?)?;
//! let sampler = ToricSampler::new(code, &channel, 42);
//! let result = compare_on_toric(&sampler, 2_000, &[&mwpm, &mwpm], |_| {})?;
//! assert_eq!(result.shots, 2_000);
//! // The same decoder twice: identical mistakes on identical shots.
//! assert_eq!(result.decoders[1].paired.only_a + result.decoders[1].paired.only_b, 0);
//! # Ok::<(), qecd::Error>(())
//! ```

use std::time::{Duration, Instant};

use crate::bits::BitMatrix;
use crate::decode::{DecodeError, Decoder};
use crate::sample::{ToricSampler, CHUNK};
use crate::stats::PairedCounts;

/// The most worker threads a thread count may ask for (`--threads`, Python's `num_threads`):
/// a fixed number rather than a multiple of the machine's cores, so that a setting valid on
/// one machine is valid on every other; far more threads than cores only costs memory and
/// start-up time.
pub const MAX_THREADS: usize = 1024;

/// Shots sampled and decoded per batch by [`compare_on_toric`] (a multiple of [`CHUNK`]).
pub const BATCH: usize = 256 * CHUNK;

/// One decoder's results over the shots of a [`Comparison`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecoderCounts {
    /// Shots whose predicted observable flips differ from the actual ones.
    pub errors: u64,
    /// Time spent in this decoder's `decode_batch`.
    pub decoding: Duration,
    /// Against the first decoder of the comparison on the same shots (`a` = this decoder,
    /// `b` = the first; see [`PairedCounts::rate_ratio`]).
    pub paired: PairedCounts,
}

impl DecoderCounts {
    /// The logical error rate over `shots`.
    pub fn rate(&self, shots: u64) -> f64 {
        self.errors as f64 / shots.max(1) as f64
    }
}

/// Several decoders on identical shots.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Shots decoded (by every decoder).
    pub shots: u64,
    /// Time spent sampling them (zero when the shots came from elsewhere).
    pub sampling: Duration,
    /// One entry per decoder, in the order given.
    pub decoders: Vec<DecoderCounts>,
}

impl Comparison {
    /// An empty comparison of `num_decoders` decoders.
    pub fn new(num_decoders: usize) -> Self {
        Comparison {
            shots: 0,
            sampling: Duration::ZERO,
            decoders: vec![DecoderCounts::default(); num_decoders],
        }
    }

    /// Decodes one batch of detection events with every decoder (timed) and counts the shots
    /// each gets wrong against `obs`. Decoding errors name shots 1-based from the start of the
    /// comparison, as a shot file's would.
    pub fn record(
        &mut self,
        decoders: &[&dyn Decoder],
        dets: &BitMatrix,
        obs: &BitMatrix,
    ) -> Result<(), DecodeError> {
        assert_eq!(decoders.len(), self.decoders.len(), "one count per decoder");
        let mut wrong: Vec<Vec<bool>> = Vec::with_capacity(decoders.len());
        for (decoder, counts) in decoders.iter().zip(&mut self.decoders) {
            let (pred, time) = decode_timed(*decoder, dets).map_err(|e| e.in_file(self.shots))?;
            counts.decoding += time;
            let w = mistakes(&pred, obs);
            counts.errors += w.iter().filter(|&&x| x).count() as u64;
            wrong.push(w);
        }
        for (k, counts) in self.decoders.iter_mut().enumerate() {
            for (&a, &b) in wrong[k].iter().zip(&wrong[0]) {
                counts.paired.record(a, b);
            }
        }
        self.shots += dets.rows() as u64;
        Ok(())
    }

    /// Seconds charged to decoder `k`: all of the (shared) sampling plus its decoding.
    pub fn seconds(&self, k: usize) -> f64 {
        (self.sampling + self.decoders[k].decoding).as_secs_f64()
    }
}

/// Decodes `dets` with `decoder` and measures the time it took.
pub fn decode_timed(
    decoder: &dyn Decoder,
    dets: &BitMatrix,
) -> Result<(BitMatrix, Duration), DecodeError> {
    let clock = Instant::now();
    let pred = decoder.decode_batch(dets)?;
    Ok((pred, clock.elapsed()))
}

/// Per shot, whether the prediction differs from the actual observable flips.
fn mistakes(pred: &BitMatrix, obs: &BitMatrix) -> Vec<bool> {
    assert_eq!(pred.rows(), obs.rows(), "one actual row per prediction");
    (0..pred.rows())
        .map(|r| pred.row(r) != obs.row(r))
        .collect()
}

/// Number of shots whose predicted observable flips (`pred`) differ from the actual ones
/// (`obs`, same shape).
pub fn count_mistakes(pred: &BitMatrix, obs: &BitMatrix) -> u64 {
    mistakes(pred, obs).iter().filter(|&&x| x).count() as u64
}

/// Samples shots `0..shots` of `sampler` in batches of [`BATCH`] and decodes every batch with
/// every decoder. `on_batch(n)` runs after each batch of `n` shots (for progress).
pub fn compare_on_toric(
    sampler: &ToricSampler,
    shots: u64,
    decoders: &[&dyn Decoder],
    mut on_batch: impl FnMut(u64),
) -> Result<Comparison, DecodeError> {
    let mut comparison = Comparison::new(decoders.len());
    while comparison.shots < shots {
        let n = (shots - comparison.shots).min(BATCH as u64) as usize;
        let clock = Instant::now();
        let batch = sampler.sample(comparison.shots, n, false);
        comparison.sampling += clock.elapsed();
        comparison.record(decoders, &batch.dets, &batch.obs)?;
        on_batch(n as u64);
    }
    Ok(comparison)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::ToricCode;
    use crate::decode::matching::MwpmDecoder;
    use crate::noise::NoiseSpec;

    /// A decoder that predicts "no flip"; with `.2`, it fails on shots whose first detector
    /// fired.
    struct Zero(usize, usize, bool);

    impl Decoder for Zero {
        fn num_detectors(&self) -> usize {
            self.0
        }
        fn num_observables(&self) -> usize {
            self.1
        }
        fn decode_batch(&self, dets: &BitMatrix) -> Result<BitMatrix, DecodeError> {
            if let Some(r) = (0..dets.rows()).find(|&r| self.2 && dets.get(r, 0)) {
                return Err(DecodeError::Shot {
                    shot: r as u64,
                    message: "fired".into(),
                });
            }
            Ok(BitMatrix::zeros(dets.rows(), self.1))
        }
        fn name(&self) -> &str {
            "zero"
        }
    }

    #[test]
    fn counts_and_pairs_match_a_direct_count() {
        let code = ToricCode::new(4).unwrap();
        let channel = NoiseSpec::Depolarizing.channel(0.1).unwrap();
        let mwpm = MwpmDecoder::from_dem(&code.dem(&channel).unwrap()).unwrap();
        let zero = Zero(code.num_detectors(), code.num_observables(), false);
        let sampler = ToricSampler::new(code, &channel, 3);
        let shots = (BATCH + 100) as u64;
        let mut batches = 0;
        let c = compare_on_toric(&sampler, shots, &[&mwpm, &zero], |_| batches += 1).unwrap();
        assert_eq!((c.shots, batches), (shots, 2));
        let all = sampler.sample(0, shots as usize, false);
        let pred = mwpm.decode_batch(&all.dets).unwrap();
        let zeros = BitMatrix::zeros(all.obs.rows(), all.obs.cols());
        assert_eq!(c.decoders[0].errors, count_mistakes(&pred, &all.obs));
        assert_eq!(c.decoders[1].errors, count_mistakes(&zeros, &all.obs));
        let p = c.decoders[1].paired;
        assert_eq!(p.shots, shots);
        assert_eq!(p.both + p.only_a, c.decoders[1].errors);
        assert_eq!(p.both + p.only_b, c.decoders[0].errors);
    }

    #[test]
    fn decoding_errors_name_shots_of_the_whole_comparison() {
        let zero = Zero(3, 1, true);
        let mut c = Comparison::new(1);
        let dets = BitMatrix::zeros(10, 3);
        let obs = BitMatrix::zeros(10, 1);
        c.record(&[&zero], &dets, &obs).unwrap();
        let mut bad = BitMatrix::zeros(10, 3);
        bad.set(2, 0, true);
        let err = c.record(&[&zero], &bad, &obs).unwrap_err();
        assert_eq!(err.to_string(), "shot 13: fired");
        assert_eq!(c.shots, 10);
    }
}
