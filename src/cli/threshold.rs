//! `qecd threshold`: logical error rates over a grid of distances and physical error rates,
//! written as sinter CSV, printed with Wilson intervals, fitted by finite-size scaling and
//! plotted. `--shard K/N` runs a deterministic 1/N of the (distance, p) tasks, so a sweep can
//! be split over many machines and the CSVs merged with `sinter combine`
//! (`docs/sweeps-on-a-cluster.md`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context, Result};
use clap::Args;

use super::common::{parse_threads, thread_pool};
use super::model::{build_named, toric_dem};
use super::progress::Progress;
use qecd::code::ToricCode;
use qecd::decode::registry::{DecoderInput, ToricContext};
use qecd::decode::Decoder;
use qecd::experiment::compare_on_toric;
use qecd::io::{check_outputs, AtomicOutput};
use qecd::noise::NoiseSpec;
use qecd::plot::{plot_curves, plot_format, Curve};
use qecd::sample::ToricSampler;
use qecd::stats::{
    fit_threshold, strong_id, wilson_interval, PairedCounts, RatePoint, SinterRow,
    SINTER_CSV_HEADER, Z95,
};

/// Arguments of `qecd threshold`.
#[derive(Args, Debug)]
pub struct ThresholdArgs {
    /// The code family (only `toric`).
    #[arg(long, default_value = "toric", value_parser = ["toric"])]
    pub code: String,
    /// Noise family (as for `qecd sample`).
    #[arg(long, default_value = "depolarizing")]
    pub noise: NoiseSpec,
    /// Distances, comma separated.
    #[arg(long, value_delimiter = ',', required = true)]
    pub distances: Vec<usize>,
    /// Physical error rates: `START:STOP:STEP` (inclusive) or a comma-separated list.
    #[arg(long, value_parser = parse_p_grid)]
    pub p: PGrid,
    /// Shots per (decoder, distance, p).
    #[arg(long, default_value_t = 10_000)]
    pub shots: u64,
    /// Decoders, comma separated.
    #[arg(long, default_value = "mwpm", value_delimiter = ',')]
    pub decoder: Vec<String>,
    /// Base seed; each task's seed is derived from it, the distance and the p index, and is
    /// recorded in the CSV metadata.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Sinter-compatible CSV output.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Plot of the curves (.png or .svg).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Bootstrap resamples for the threshold's uncertainty.
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Worker threads (default: all cores, at most 1024).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
    /// Run only shard K of N (`K/N`, 0 <= K < N): the (distance, p) tasks whose index in
    /// distance-major order is K modulo N. Seeds do not depend on the shard, so the N CSVs
    /// merged by `sinter combine` equal the unsharded run's.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<Shard>,
    #[command(flatten)]
    pub neural: super::neural_args::NeuralArgs,
}

/// One of N deterministic parts of a sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This part, `0..count`.
    pub index: usize,
    /// Number of parts.
    pub count: usize,
}

impl Shard {
    /// Whether task `task` (distance-major index of (distance, p)) belongs to this shard.
    pub fn holds(&self, task: usize) -> bool {
        task % self.count == self.index
    }
}

fn parse_shard(s: &str) -> Result<Shard, String> {
    let bad = || format!("'{s}': expected K/N with whole numbers 0 <= K < N");
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let index: usize = k.trim().parse().map_err(|_| bad())?;
    let count: usize = n.trim().parse().map_err(|_| bad())?;
    if count == 0 || index >= count {
        return Err(bad());
    }
    Ok(Shard { index, count })
}

/// A list of physical error rates.
#[derive(Clone, Debug)]
pub struct PGrid(pub Vec<f64>);

/// The most physical error rates one `--p` sweep may hold (a grid of that many points already
/// takes `shots x distances x decoders x 10 000` decodes).
pub const MAX_SWEEP_POINTS: usize = 10_000;

fn too_many_points(s: &str, n: f64) -> String {
    format!("'{s}': {n} points, more than the limit of {MAX_SWEEP_POINTS} per sweep")
}

fn parse_p_grid(s: &str) -> Result<PGrid, String> {
    let check = |p: f64| {
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(format!("{p} is not a probability in [0, 1]"))
        }
    };
    let num = |t: &str| {
        t.trim()
            .parse::<f64>()
            .map_err(|_| format!("'{t}' is not a number"))
    };
    let parts: Vec<&str> = s.split(':').collect();
    let ps = match parts[..] {
        [one] => {
            let ps = one
                .split(',')
                .map(|t| num(t).and_then(check))
                .collect::<Result<Vec<_>, _>>()?;
            if ps.len() > MAX_SWEEP_POINTS {
                return Err(too_many_points(s, ps.len() as f64));
            }
            ps
        }
        [a, b, step] => {
            let (a, b, step) = (num(a)?, num(b)?, num(step)?);
            if !(step > 0.0 && b >= a && step.is_finite()) {
                return Err(format!(
                    "'{s}': expected START:STOP:STEP with STOP >= START and STEP > 0"
                ));
            }
            let steps = ((b - a) / step + 1e-9).floor();
            if steps + 1.0 > MAX_SWEEP_POINTS as f64 {
                return Err(too_many_points(s, steps + 1.0));
            }
            let n = steps as usize;
            (0..=n)
                .map(|k| check(a + step * k as f64))
                .collect::<Result<Vec<_>, _>>()?
        }
        _ => {
            return Err(format!(
                "'{s}': expected START:STOP:STEP or a comma-separated list"
            ))
        }
    };
    Ok(PGrid(ps))
}

/// The seed of one task: a mix of the base seed, distance and p index.
fn task_seed(seed: u64, l: usize, pi: usize) -> u64 {
    let mut x = seed
        ^ (l as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ (pi as u64).wrapping_mul(0xD1B5_4A32_D192_ED03);
    x ^= x >> 29;
    x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x ^ (x >> 32)
}

/// Runs `qecd threshold`.
pub fn run(a: ThresholdArgs) -> Result<()> {
    check_outputs(&[("--out", a.out.as_deref()), ("--plot", a.plot.as_deref())])?;
    if let Some(plot) = &a.plot {
        plot_format(plot)?;
    }
    if a.distances.is_empty() || a.p.0.is_empty() {
        bail!("nothing to do: give --distances and --p");
    }
    // Every distance and rate is checked before the first shot, not when the sweep reaches it.
    for &l in &a.distances {
        ToricCode::new(l).with_context(|| format!("--distances {l}"))?;
    }
    for &p in &a.p.0 {
        a.noise
            .channel(p)
            .with_context(|| format!("noise {} at p = {p}", a.noise))?;
    }
    let pool = thread_pool(a.threads)?;
    let mut out = match &a.out {
        Some(p) => {
            let mut f =
                AtomicOutput::create(p).with_context(|| format!("cannot write {}", p.display()))?;
            writeln!(f, "{SINTER_CSV_HEADER}")?;
            Some(f)
        }
        None => None,
    };
    let neural = a.neural.options();
    let shard = a.shard.unwrap_or(Shard { index: 0, count: 1 });
    let tasks: Vec<(usize, usize)> = (0..a.distances.len())
        .flat_map(|li| (0..a.p.0.len()).map(move |pi| (li, pi)))
        .enumerate()
        .filter(|&(task, _)| shard.holds(task))
        .map(|(_, lp)| lp)
        .collect();
    if tasks.is_empty() {
        eprintln!(
            "note: shard {}/{} holds none of the {} tasks",
            shard.index,
            shard.count,
            a.distances.len() * a.p.0.len()
        );
    }
    let total = a.shots * (a.decoder.len() * tasks.len()) as u64;
    let mut progress = Progress::new(total, "shots");
    let mut results: Vec<(String, RatePoint)> = Vec::new();
    let mut paired: Vec<(String, RatePoint, PairedCounts)> = Vec::new();
    for &(li, pi) in &tasks {
        let (l, p) = (a.distances[li], a.p.0[pi]);
        let code = ToricCode::new(l).context("invalid distance")?;
        let channel = a
            .noise
            .channel(p)
            .with_context(|| format!("noise {} at p = {p}", a.noise))?;
        let dem = toric_dem(l, a.noise, p)?;
        let input = DecoderInput::new(&dem)
            .with_toric(ToricContext {
                distance: l,
                noise: a.noise,
                p,
            })
            .with_neural(&neural);
        let decoders = a
            .decoder
            .iter()
            .map(|name| build_named(name, input))
            .collect::<Result<Vec<_>>>()?;
        let seed = task_seed(a.seed, l, pi);
        let sampler = ToricSampler::new(code, &channel, seed);
        progress.set_message(format!("L={l} p={p}"));
        let refs: Vec<&dyn Decoder> = decoders.iter().map(|d| d.as_ref()).collect();
        let per_shot = refs.len() as u64;
        let result = pool.install(|| {
            compare_on_toric(&sampler, a.shots, &refs, |n| progress.inc(n * per_shot))
        })?;
        let meta = format!(
            r#"{{"L":{l},"code":"{}","noise":"{}","p":{p},"seed":{seed}}}"#,
            a.code, a.noise
        );
        for (k, name) in a.decoder.iter().enumerate() {
            let errors = result.decoders[k].errors;
            if let Some(f) = out.as_mut() {
                let row = SinterRow {
                    shots: result.shots,
                    errors,
                    discards: 0,
                    // Sampling is shared; each decoder is charged all of it.
                    seconds: result.seconds(k),
                    decoder: name.clone(),
                    strong_id: strong_id(&format!("{name}|{meta}")),
                    json_metadata: meta.clone(),
                };
                writeln!(f, "{}", row.to_csv_line())?;
            }
            let point = RatePoint {
                distance: l,
                p,
                shots: result.shots,
                errors,
            };
            results.push((name.clone(), point));
            if k > 0 {
                paired.push((name.clone(), point, result.decoders[k].paired));
            }
        }
    }
    progress.finish();
    if let Some(f) = out {
        let path = f.path().display().to_string();
        f.commit()
            .with_context(|| format!("cannot finish {path}"))?;
    }
    // With the CSV on standard output (`--out -`), the table goes to standard error.
    let mut table: Box<dyn Write> = if a.out.as_deref() == Some(std::path::Path::new("-")) {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    report(&mut table, &a, &results)?;
    report_paired(&mut table, &a.decoder[0], &paired)
}

/// Prints the table of rates, fits each decoder's threshold and draws the plot. Rows are
/// grouped by decoder.
fn report(w: &mut dyn Write, a: &ThresholdArgs, results: &[(String, RatePoint)]) -> Result<()> {
    let mut results = results.to_vec();
    results.sort_by_key(|(name, _)| a.decoder.iter().position(|d| d == name));
    writeln!(
        w,
        "{:<15} {:>5} {:>8} {:>10} {:>8} {:>10} {:>21}",
        "decoder", "L", "p", "shots", "errors", "P_L", "95% Wilson interval"
    )?;
    for (name, pt) in &results {
        let (lo, hi) = wilson_interval(pt.errors, pt.shots, Z95);
        writeln!(
            w,
            "{:<15} {:>5} {:>8.4} {:>10} {:>8} {:>10.5} [{:>8.5}, {:>8.5}]",
            name,
            pt.distance,
            pt.p,
            pt.shots,
            pt.errors,
            pt.rate(),
            lo,
            hi
        )?;
    }
    let mut curves = Vec::new();
    let mut first_fit = None;
    for name in &a.decoder {
        let pts: Vec<RatePoint> = results
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, p)| *p)
            .collect();
        match fit_threshold(&pts, a.bootstrap, a.seed) {
            Ok(fit) => {
                writeln!(
w,
                    "{name}: threshold p_th = {:.4} +- {:.4} (nu = {:.2} +- {:.2}; chi2 = {:.1} for {} dof; \
                     fit P_L = A + B x + C x^2, x = (p - p_th) L^(1/nu); +- is the bootstrap standard error)",
                    fit.p_th, fit.p_th_err, fit.nu, fit.nu_err, fit.chi2, fit.dof
                )?;
                first_fit.get_or_insert(fit.p_th);
            }
            Err(e) => writeln!(w, "{name}: no threshold fit: {e}")?,
        }
        for &l in &a.distances {
            let points = pts
                .iter()
                .filter(|p| p.distance == l)
                .map(|p| {
                    let (lo, hi) = wilson_interval(p.errors, p.shots, Z95);
                    (p.p, p.rate(), lo, hi)
                })
                .collect();
            curves.push(Curve {
                label: format!("{name} L={l}"),
                points,
            });
        }
    }
    if let Some(path) = &a.plot {
        let title = format!("{} code, {} noise: logical error rate", a.code, a.noise);
        plot_curves(path, &curves, first_fit, &title)?;
    }
    Ok(())
}

/// With several decoders: each one's logical error rate relative to the first decoder's, on the
/// identical shots, with the paired 95% interval of the ratio (see [`PairedCounts::rate_ratio`]).
fn report_paired(
    w: &mut dyn Write,
    first: &str,
    paired: &[(String, RatePoint, PairedCounts)],
) -> Result<()> {
    if paired.is_empty() {
        return Ok(());
    }
    writeln!(
        w,
        "paired on identical shots: P_L(decoder) / P_L({first}), 95% interval"
    )?;
    writeln!(
        w,
        "{:<15} {:>5} {:>8} {:>10} {:>12} {:>12} {:>8} {:>21}",
        "decoder", "L", "p", "shots", "only it wrong", "only first", "ratio", "95% interval"
    )?;
    for (name, pt, c) in paired {
        let ratio = match c.rate_ratio(Z95) {
            Some((r, lo, hi)) => format!("{r:>8.4} [{lo:>8.4}, {hi:>8.4}]"),
            None => format!("{:>8} {:>21}", "-", "(no errors)"),
        };
        writeln!(
            w,
            "{:<15} {:>5} {:>8.4} {:>10} {:>12} {:>12} {}",
            name, pt.distance, pt.p, c.shots, c.only_a, c.only_b, ratio
        )?;
    }
    Ok(())
}
