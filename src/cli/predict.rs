//! `qecd predict`: decode detection events into predicted observable flips, as
//! `pymatching predict` does (same flags).

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

use super::common::thread_pool;
use super::model::{build_named, open_shots, DecoderArgs, ModelArgs, ShotInputArgs, Sink};
use qecd::io::{check_outputs, split_columns, ShotFormat, ShotLayout, ShotWriter};

/// Arguments of `qecd predict`.
#[derive(Args, Debug)]
pub struct PredictArgs {
    #[command(flatten)]
    pub model: ModelArgs,
    #[command(flatten)]
    pub input: ShotInputArgs,
    #[command(flatten)]
    pub neural: super::neural_args::NeuralArgs,
    /// Predicted observable flips (default: standard output), one shot per row.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Format of --out: 01, b8, r8, ptb64, hits or dets.
    #[arg(long = "out_format", alias = "out-format", default_value = "01")]
    pub out_format: ShotFormat,
    #[command(flatten)]
    pub decoder: DecoderArgs,
}

/// Runs `qecd predict`.
pub fn run(a: PredictArgs) -> Result<()> {
    check_outputs(&[("--out", a.out.as_deref())])?;
    let dem = a.model.load()?;
    let decoder = build_named(
        a.decoder.name()?,
        a.model.decoder_input(&dem, &a.neural.options()),
    )?;
    let nd = decoder.num_detectors();
    let appended = if a.input.appended_observables {
        dem.num_observables
    } else {
        0
    };
    let reader = open_shots(
        a.input.input.as_deref(),
        a.input.in_format.unwrap_or(ShotFormat::B8),
        ShotLayout::new(nd, appended),
        a.input.batch,
    )?;
    let sink = Sink::create(a.out.as_deref())?;
    let name = sink.name();
    let layout = ShotLayout::observables(decoder.num_observables());
    let mut writer = ShotWriter::new(sink, a.out_format, layout, name);
    let pool = thread_pool(a.input.threads)?;
    let mut done = 0u64;
    for batch in reader {
        let batch = batch.context("reading detection events")?;
        let dets = if a.input.appended_observables {
            split_columns(&batch, nd).0
        } else {
            batch
        };
        let pred = pool
            .install(|| decoder.decode_batch(&dets))
            .map_err(|e| e.in_file(done))
            .context("decoding")?;
        writer.write_batch(&pred)?;
        done += dets.rows() as u64;
    }
    writer.finish()?.finish()
}
