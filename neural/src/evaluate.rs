//! The card's accuracy table: logical error rates of the model and of reference decoders on the
//! same freshly sampled shots, with 95% Wilson intervals.

use super::card::{DecoderRate, EvalPoint};
use super::seeds::{stream_seed, Stream};
use super::{channel, NeuralError};
use qecd::code::ToricCode;
use qecd::decode::Decoder;
use qecd::noise::NoiseSpec;
use qecd::sample::ToricSampler;
use qecd::stats::{wilson_interval, Z95};

/// Shots sampled and decoded at a time.
const BATCH: usize = 16_384;

/// Decodes `shots` shots at each `p` (seed derived from the run's `seed` and the index of `p`) with every
/// decoder `decoders(p)` returns, all on the same shots, and counts wrong logical classes.
pub fn evaluate(
    code: &ToricCode,
    noise: NoiseSpec,
    ps: &[f64],
    shots: u64,
    seed: u64,
    decoders: &mut dyn FnMut(f64) -> Result<Vec<Box<dyn Decoder>>, NeuralError>,
    progress: &mut dyn FnMut(&str),
) -> Result<Vec<EvalPoint>, NeuralError> {
    let mut points = Vec::with_capacity(ps.len());
    for (k, &p) in ps.iter().enumerate() {
        let decs = decoders(p)?;
        let point_seed = stream_seed(seed, Stream::CardPoint(k as u64));
        let sampler = ToricSampler::new(*code, &channel(noise, p)?, point_seed);
        let mut errors = vec![0u64; decs.len()];
        let mut done = 0u64;
        while done < shots {
            let n = (shots - done).min(BATCH as u64) as usize;
            let batch = sampler.sample(done, n, false);
            for (d, count) in decs.iter().zip(errors.iter_mut()) {
                let pred = d
                    .decode_batch(&batch.dets)
                    .map_err(|e| NeuralError::InvalidConfig(format!("{}: {e}", d.name())))?;
                *count += (0..n).filter(|&r| pred.row(r) != batch.obs.row(r)).count() as u64;
            }
            done += n as u64;
            progress(&format!("p = {p}: {done}/{shots} shots"));
        }
        points.push(EvalPoint {
            p,
            shots,
            seed: point_seed,
            decoders: decs
                .iter()
                .zip(&errors)
                .map(|(d, &e)| {
                    let (lo, hi) = wilson_interval(e, shots, Z95);
                    DecoderRate {
                        decoder: d.name().to_string(),
                        errors: e,
                        rate: e as f64 / shots.max(1) as f64,
                        ci_low: lo,
                        ci_high: hi,
                    }
                })
                .collect(),
        });
    }
    Ok(points)
}
