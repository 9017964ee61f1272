//! `qecd bench`: decoding throughput per decoder and thread count, on freshly sampled toric
//! shots or on a shot file with its DEM.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::common::{parse_threads, thread_pool, CodeArgs};
use super::model::{build_named, open_shots, toric_dem};
use qecd::bits::BitMatrix;
use qecd::decode::registry::{DecoderInput, ToricContext};
use qecd::dem::FlatDem;
use qecd::experiment::{count_mistakes, decode_timed};
use qecd::io::{ShotFormat, ShotLayout};
use qecd::sample::sample_toric;

/// Arguments of `qecd bench`.
#[derive(Args, Debug)]
#[command(
    after_help = "Decoders: mwpm (exact minimum-weight perfect matching), neural (END, trained model via --model, feature `neural`), ml (exact maximum likelihood, toric L <= 4)."
)]
pub struct BenchArgs {
    /// Decoders to time, comma separated.
    #[arg(long, default_value = "mwpm", value_delimiter = ',')]
    pub decoder: Vec<String>,
    #[command(flatten)]
    pub code: CodeArgs,
    /// Instead of sampling the toric code: the DEM of the shots in --in.
    #[arg(long, requires = "input")]
    pub dem: Option<PathBuf>,
    /// With --dem: the detection events to decode (the first --shots of them).
    #[arg(long = "in", requires = "dem")]
    pub input: Option<PathBuf>,
    /// Format of --in.
    #[arg(long = "in_format", alias = "in-format", default_value = "b8")]
    pub in_format: ShotFormat,
    /// Shots to decode per measurement.
    #[arg(long, default_value_t = 10_000)]
    pub shots: usize,
    /// Seed of the sampled shots.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Thread counts to measure, comma separated (each at most 1024).
    #[arg(long, value_delimiter = ',', default_value = "1", value_parser = parse_threads)]
    pub threads: Vec<usize>,
    #[command(flatten)]
    pub neural: super::neural_args::NeuralArgs,
}

/// Runs `qecd bench`.
pub fn run(a: BenchArgs) -> Result<()> {
    let neural = a.neural.options();
    let (dem, dets, obs, what, toric) = match (&a.dem, &a.input) {
        (Some(path), Some(input)) => {
            let dem = FlatDem::from_file(path)?;
            let mut reader = open_shots(
                Some(input),
                a.in_format,
                ShotLayout::detectors(dem.num_detectors),
                a.shots.max(1),
            )?;
            let dets = reader
                .next_batch(a.shots.max(1))?
                .unwrap_or_else(|| BitMatrix::zeros(0, dem.num_detectors));
            (
                dem,
                dets,
                None,
                format!(
                    "{} ({} shots of {})",
                    path.display(),
                    a.shots,
                    input.display()
                ),
                None,
            )
        }
        _ => {
            let code = a.code.toric()?;
            let channel = a.code.channel()?;
            let shots = sample_toric(&code, &channel, a.shots, a.seed, false);
            let dem = toric_dem(a.code.distance, a.code.noise, a.code.p)?;
            let what = format!(
                "toric L={} {} p={} seed={}",
                a.code.distance, a.code.noise, a.code.p, a.seed
            );
            let toric = ToricContext {
                distance: a.code.distance,
                noise: a.code.noise,
                p: a.code.p,
            };
            (dem, shots.dets, Some(shots.obs), what, Some(toric))
        }
    };
    if dets.rows() == 0 {
        bail!("no shots to decode");
    }
    println!("# {what}: {} shots, {} detectors", dets.rows(), dets.cols());
    println!(
        "{:<10} {:>7} {:>12} {:>12} {:>10}  logical error rate",
        "decoder", "threads", "shots/s", "us/shot", "seconds"
    );
    for name in &a.decoder {
        let input = DecoderInput::new(&dem).with_neural(&neural);
        let input = match toric {
            Some(t) => input.with_toric(t),
            None => input,
        };
        let decoder = build_named(name, input)?;
        for &t in &a.threads {
            let pool = thread_pool(Some(t))?;
            let (pred, time) = pool
                .install(|| decode_timed(decoder.as_ref(), &dets))
                .map_err(|e| e.in_file(0))?;
            let secs = time.as_secs_f64();
            let rate = obs.as_ref().map_or("-".to_string(), |o| {
                format!("{:.5}", count_mistakes(&pred, o) as f64 / o.rows() as f64)
            });
            println!(
                "{:<10} {:>7} {:>12.0} {:>12.3} {:>10.3}  {rate}",
                name,
                t,
                dets.rows() as f64 / secs,
                secs * 1e6 / dets.rows() as f64,
                secs
            );
        }
    }
    Ok(())
}
