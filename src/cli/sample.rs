//! `qecd sample`: toric-code shots to Stim-compatible files.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use super::common::{parse_threads, thread_pool, CodeArgs};
use super::progress::Progress;
use qecd::io::{check_outputs, AtomicOutput, ShotFormat, ShotLayout, ShotWriter};
use qecd::sample::{ToricSampler, CHUNK};

/// Arguments of `qecd sample`.
#[derive(Args, Debug)]
pub struct SampleArgs {
    #[command(flatten)]
    pub code: CodeArgs,
    /// Number of shots to sample.
    #[arg(long, default_value_t = 10_000)]
    pub shots: u64,
    /// Seed of the run; the same seed gives the same shots for any thread count.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Detection events output file (2 L^2 bits a shot: vertex checks, then plaquette checks);
    /// `-` for standard output.
    #[arg(long)]
    pub out: PathBuf,
    /// Format of --out: `01` (a line of 0/1 characters per shot) or `b8` (bit-packed).
    #[arg(long = "out_format", alias = "out-format", default_value = "01")]
    pub out_format: ShotFormat,
    /// Observable flips output file: the 4 logical-class bits of each shot's error (L0..L3).
    #[arg(long = "obs_out", alias = "obs-out")]
    pub obs_out: Option<PathBuf>,
    /// Format of --obs_out.
    #[arg(
        long = "obs_out_format",
        alias = "obs-out-format",
        default_value = "01"
    )]
    pub obs_out_format: ShotFormat,
    /// Also write the detector error model of the code and channel (Stim DEM text).
    #[arg(long = "dem_out", alias = "dem-out")]
    pub dem_out: Option<PathBuf>,
    /// Also write the errors themselves (4 L^2 bits a shot: X parts, then Z parts).
    #[arg(long = "errors_out", alias = "errors-out")]
    pub errors_out: Option<PathBuf>,
    /// Format of --errors_out.
    #[arg(
        long = "errors_out_format",
        alias = "errors-out-format",
        default_value = "01"
    )]
    pub errors_out_format: ShotFormat,
    /// Worker threads (default: all cores, at most 1024). Results do not depend on it.
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

/// One output file being written.
struct Output {
    writer: ShotWriter<AtomicOutput>,
}

impl Output {
    fn create(path: &Path, format: ShotFormat, layout: ShotLayout) -> Result<Self> {
        let file = AtomicOutput::create(path)
            .with_context(|| format!("cannot write output file {}", path.display()))?;
        Ok(Output {
            writer: ShotWriter::new(file, format, layout, path.display().to_string()),
        })
    }

    fn commit(self) -> Result<()> {
        let file = self.writer.finish()?;
        let path = file.path().to_path_buf();
        file.commit()
            .with_context(|| format!("cannot finish output file {}", path.display()))?;
        Ok(())
    }
}

/// Runs `qecd sample`.
pub fn run(args: SampleArgs) -> Result<()> {
    check_outputs(&[
        ("--out", Some(&args.out)),
        ("--obs_out", args.obs_out.as_deref()),
        ("--errors_out", args.errors_out.as_deref()),
        ("--dem_out", args.dem_out.as_deref()),
    ])?;
    let code = args.code.toric()?;
    let channel = args.code.channel()?;
    if args.shots == 0 {
        bail!("--shots must be at least 1");
    }
    let dem = match &args.dem_out {
        Some(_) => Some(code.dem_text(&channel)?),
        None => None,
    };
    let pool = thread_pool(args.threads)?;
    // Create every output first, so that an unwritable path fails before any work.
    let mut dets = Output::create(
        &args.out,
        args.out_format,
        ShotLayout::detectors(code.num_detectors()),
    )?;
    let mut obs = match &args.obs_out {
        Some(p) => Some(Output::create(
            p,
            args.obs_out_format,
            ShotLayout::observables(4),
        )?),
        None => None,
    };
    let mut errs = match &args.errors_out {
        Some(p) => Some(Output::create(
            p,
            args.errors_out_format,
            ShotLayout::detectors(2 * code.num_qubits()),
        )?),
        None => None,
    };
    let dem_file = match (&args.dem_out, dem) {
        (Some(p), Some(text)) => {
            let mut f = AtomicOutput::create(p)
                .with_context(|| format!("cannot write DEM file {}", p.display()))?;
            std::io::Write::write_all(&mut f, text.as_bytes())
                .with_context(|| format!("cannot write DEM file {}", p.display()))?;
            Some(f)
        }
        _ => None,
    };

    let sampler = ToricSampler::new(code, &channel, args.seed);
    // About 16 MiB of packed detection events per batch, in whole chunks.
    let bytes_per_shot = code.num_detectors().div_ceil(8) + 2 * code.num_qubits() / 8;
    let batch = ((16 << 20) / bytes_per_shot / CHUNK).max(1) * CHUNK;
    let mut progress = Progress::new(args.shots, "shots");
    let mut done = 0u64;
    pool.install(|| -> Result<()> {
        while done < args.shots {
            let n = (args.shots - done).min(batch as u64) as usize;
            let shots = sampler.sample(done, n, errs.is_some());
            dets.writer.write_batch(&shots.dets)?;
            if let Some(o) = obs.as_mut() {
                o.writer.write_batch(&shots.obs)?;
            }
            if let (Some(e), Some(m)) = (errs.as_mut(), shots.errors.as_ref()) {
                e.writer.write_batch(m)?;
            }
            done += n as u64;
            progress.inc(n as u64);
        }
        Ok(())
    })?;
    progress.finish();
    dets.commit()?;
    for o in [obs, errs].into_iter().flatten() {
        o.commit()?;
    }
    if let Some(f) = dem_file {
        let path = f.path().to_path_buf();
        f.commit()
            .with_context(|| format!("cannot finish DEM file {}", path.display()))?;
    }
    Ok(())
}
