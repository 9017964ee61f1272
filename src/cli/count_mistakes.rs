//! `qecd count-mistakes`: decode and count the shots whose predicted observable flips differ
//! from the actual ones, as `pymatching count_mistakes` does (same flags). Prints
//! `MISTAKES / SHOTS`.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;

use super::common::thread_pool;
use super::model::{open_shots, ModelArgs, ShotInputArgs, Sink};
use qecd::decode::registry::build_decoder;
use qecd::io::{check_outputs, split_columns, ShotFormat};

/// Arguments of `qecd count-mistakes`.
#[derive(Args, Debug)]
pub struct CountMistakesArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub input: ShotInputArgs,
    #[command(flatten)]
    pub neural: super::neural_args::NeuralArgs,
    /// Actual observable flips, one shot per row (not needed with
    /// --in_includes_appended_observables).
    #[arg(
        long = "obs_in",
        alias = "obs-in",
        required_unless_present = "appended_observables"
    )]
    pub obs_in: Option<PathBuf>,
    /// Format of --obs_in: `01` or `b8`.
    #[arg(long = "obs_in_format", alias = "obs-in-format", default_value = "01")]
    pub obs_in_format: ShotFormat,
    /// Where to write `MISTAKES / SHOTS` (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also print the decoding time (total and per shot) on stderr.
    #[arg(long)]
    pub time: bool,
    /// Decoder (see `qecd bench --help` for the list).
    #[arg(long, default_value = "mwpm")]
    pub decoder: String,
}

/// Runs `qecd count-mistakes`.
pub fn run(a: CountMistakesArgs) -> Result<()> {
    check_outputs(&[("--out", a.out.as_deref())])?;
    let dem = a.model.load()?;
    super::model::check_model(&dem)?;
    let decoder = build_decoder(&a.decoder, a.model.decoder_input(&dem, &a.neural.options()))?;
    let (nd, no) = (decoder.num_detectors(), decoder.num_observables());
    let appended = a.input.appended_observables;
    let bits = nd + if appended { no } else { 0 };
    let reader = open_shots(
        a.input.input.as_deref(),
        a.input.in_format,
        bits,
        a.input.batch,
    )?;
    let mut obs_reader = match (&a.obs_in, appended) {
        (Some(p), false) => Some(open_shots(Some(p), a.obs_in_format, no, a.input.batch)?),
        (Some(_), true) => {
            bail!("give either --obs_in or --in_includes_appended_observables, not both")
        }
        (None, _) => None,
    };
    let pool = thread_pool(a.input.threads)?;
    let (mut shots, mut mistakes) = (0u64, 0u64);
    let mut seconds = 0.0;
    for batch in reader {
        let batch = batch.context("reading detection events")?;
        let (dets, obs) = match obs_reader.as_mut() {
            None => split_columns(&batch, nd),
            Some(r) => {
                let obs = r
                    .next_batch(batch.rows())
                    .context("reading observable flips")?;
                match obs {
                    Some(o) if o.rows() == batch.rows() => (batch, o),
                    o => bail!(
                        "--obs_in has fewer shots ({}) than --in",
                        shots + o.map_or(0, |o| o.rows()) as u64
                    ),
                }
            }
        };
        let start = Instant::now();
        let pred = pool
            .install(|| decoder.decode_batch(&dets))
            .map_err(|e| e.in_file(shots))
            .context("decoding")?;
        seconds += start.elapsed().as_secs_f64();
        mistakes += (0..pred.rows())
            .filter(|&r| pred.row(r) != obs.row(r))
            .count() as u64;
        shots += dets.rows() as u64;
    }
    if let Some(r) = obs_reader.as_mut() {
        if r.next_batch(1)
            .context("reading observable flips")?
            .is_some()
        {
            bail!("--obs_in has more shots than --in ({shots})");
        }
    }
    let mut sink = Sink::create(a.out.as_deref())?;
    writeln!(sink, "{mistakes} / {shots}")?;
    if a.time {
        // On stderr, as PyMatching prints it.
        eprintln!("Total decoding time: {:.0}us", seconds * 1e6);
        eprintln!(
            "Decoding time per shot: {:.4}us",
            seconds * 1e6 / shots.max(1) as f64
        );
    }
    sink.finish()
}
