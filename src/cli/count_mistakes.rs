//! `qecd count-mistakes`: decode and count the shots whose predicted observable flips differ
//! from the actual ones, as `pymatching count_mistakes` does (same flags). Prints
//! `MISTAKES / SHOTS`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

use super::common::thread_pool;
use super::model::{build_named, open_shots, DecoderArgs, ModelArgs, ShotInputArgs, Sink};
use qecd::bits::BitMatrix;
use qecd::experiment::Comparison;
use qecd::io::{check_outputs, split_columns, ShotFormat, ShotLayout};

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
    /// --in_includes_appended_observables; without either, the actual flips are taken to be
    /// all zero, as PyMatching does, with a warning).
    #[arg(long = "obs_in", alias = "obs-in")]
    pub obs_in: Option<PathBuf>,
    /// Format of --obs_in: 01, b8, r8, ptb64, hits or dets.
    #[arg(long = "obs_in_format", alias = "obs-in-format", default_value = "01")]
    pub obs_in_format: ShotFormat,
    /// Where to write `MISTAKES / SHOTS` (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also print the decoding time (total and per shot) on stderr.
    #[arg(long)]
    pub time: bool,
    #[command(flatten)]
    pub decoder: DecoderArgs,
}

/// Runs `qecd count-mistakes`.
pub fn run(a: CountMistakesArgs) -> Result<()> {
    check_outputs(&[("--out", a.out.as_deref())])?;
    let dem = a.model.load()?;
    let decoder = build_named(
        a.decoder.name()?,
        a.model.decoder_input(&dem, &a.neural.options()),
    )?;
    let (nd, no) = (decoder.num_detectors(), decoder.num_observables());
    let appended = a.input.appended_observables;
    let reader = open_shots(
        a.input.input.as_deref(),
        a.input.in_format.unwrap_or(ShotFormat::Zero1),
        ShotLayout::new(nd, if appended { no } else { 0 }),
        a.input.batch,
    )?;
    let mut obs_reader = match (&a.obs_in, appended) {
        (Some(p), false) => Some(open_shots(
            Some(p),
            a.obs_in_format,
            ShotLayout::observables(no),
            a.input.batch,
        )?),
        (Some(_), true) => {
            bail!("give either --obs_in or --in_includes_appended_observables, not both")
        }
        (None, true) => None,
        (None, false) => {
            a.model.lenient(
                "neither --obs_in nor --in_includes_appended_observables: counting predictions \
                 that differ from all-zero observable flips, as pymatching does",
            )?;
            None
        }
    };
    let pool = thread_pool(a.input.threads)?;
    let mut counts = Comparison::new(1);
    for batch in reader {
        let batch = batch.context("reading detection events")?;
        let (dets, obs) = match obs_reader.as_mut() {
            None if appended => split_columns(&batch, nd),
            None => {
                let zeros = BitMatrix::zeros(batch.rows(), no);
                (batch, zeros)
            }
            Some(r) => {
                let obs = r
                    .next_batch(batch.rows())
                    .context("reading observable flips")?;
                match obs {
                    Some(o) if o.rows() == batch.rows() => (batch, o),
                    o => bail!(
                        "--obs_in has fewer shots ({}) than --in",
                        counts.shots + o.map_or(0, |o| o.rows()) as u64
                    ),
                }
            }
        };
        pool.install(|| counts.record(&[decoder.as_ref()], &dets, &obs))
            .context("decoding")?;
    }
    let (shots, mistakes) = (counts.shots, counts.decoders[0].errors);
    let seconds = counts.decoders[0].decoding.as_secs_f64();
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
