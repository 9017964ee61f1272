//! The model shots come from (`--dem FILE`, or `--code toric --distance L` with `--noise` and
//! `--p`), and the shot-file plumbing shared by `predict`, `count-mistakes` and `bench`.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::Args;

use super::common::{parse_probability, parse_threads};
use qecd::code::ToricCode;
use qecd::decode::matching::from_dem::undecomposable_components;
use qecd::decode::registry::{
    build_decoder, BuildDecoderError, DecoderInput, NeuralOptions, ToricContext, DECODERS,
};
use qecd::decode::Decoder;
use qecd::dem::FlatDem;
use qecd::io::{AtomicOutput, ShotFormat, ShotLayout, ShotReader};
use qecd::noise::NoiseSpec;

/// Which decoder `predict` and `count-mistakes` run.
#[derive(Args, Debug, Clone)]
pub struct DecoderArgs {
    /// Decoder (see `qecd bench --help` for the list).
    #[arg(long, default_value = "mwpm")]
    pub decoder: String,
    /// Correlated (two-pass) matching, as pymatching's --enable_correlations: with
    /// --decoder mwpm, the same as --decoder mwpm-correlated.
    #[arg(long = "enable_correlations", alias = "enable-correlations")]
    pub enable_correlations: bool,
}

impl DecoderArgs {
    /// The registry name of the decoder asked for.
    pub fn name(&self) -> Result<&str> {
        match (self.decoder.as_str(), self.enable_correlations) {
            (name, false) => Ok(name),
            ("mwpm" | "mwpm-correlated", true) => Ok("mwpm-correlated"),
            (name, true) => bail!(
                "--enable_correlations applies to matching (--decoder mwpm), not --decoder {name}"
            ),
        }
    }
}

/// Where the detector error model comes from.
#[derive(Args, Debug, Clone)]
pub struct ModelArgs {
    /// Detector error model (Stim DEM text) of the shots. Every error must be graphlike after
    /// splitting at `^` (1 or 2 detectors per component).
    #[arg(long, conflicts_with = "code", required_unless_present = "code")]
    pub dem: Option<PathBuf>,
    /// Instead of --dem: a built-in code, whose DEM is generated (only `toric`).
    #[arg(long, value_parser = ["toric"], requires = "distance")]
    pub code: Option<String>,
    /// With --code toric: the torus size L (shots have 2 L^2 detectors and 4 observables).
    #[arg(long, alias = "L")]
    pub distance: Option<usize>,
    /// With --code: the noise the DEM is generated for (sets the edge weights).
    #[arg(long, default_value = "depolarizing")]
    pub noise: NoiseSpec,
    /// With --code: the physical error rate of --noise.
    #[arg(long, default_value = "0.1", value_parser = parse_probability)]
    pub p: f64,
    /// Refuse what qecd otherwise accepts with a warning on stderr, as PyMatching does
    /// silently: error components that flip three or more detectors (dropped otherwise), and
    /// for count-mistakes a missing --obs_in (all-zero observables otherwise).
    #[arg(long)]
    pub strict: bool,
}

impl ModelArgs {
    /// What a decoder is built from: the DEM, the toric code and noise when simulated, and the
    /// neural decoder's options.
    pub fn decoder_input<'a>(
        &self,
        dem: &'a FlatDem,
        neural: &'a NeuralOptions,
    ) -> DecoderInput<'a> {
        let input = DecoderInput::new(dem)
            .with_neural(neural)
            .with_strict(self.strict);
        match (&self.code, self.distance) {
            (Some(_), Some(distance)) => input.with_toric(ToricContext {
                distance,
                noise: self.noise,
                p: self.p,
            }),
            _ => input,
        }
    }

    /// Reads or generates the model and flattens it. Undecomposable error components, which
    /// matching drops, get one warning line on stderr (an error under --strict).
    pub fn load(&self) -> Result<FlatDem> {
        let Some(path) = &self.dem else {
            let l = self.distance.context("--code toric needs --distance")?;
            return toric_dem(l, self.noise, self.p);
        };
        let dem = FlatDem::from_file(path)?;
        if let Some(u) = undecomposable_components(&dem) {
            let name = path.display();
            if self.strict {
                bail!("{name}: {} (--strict)", u.first);
            }
            eprintln!(
                "warning: {name}: dropping {} error component(s) that flip 3 or more detectors, \
                 as pymatching does; the first: {} (--strict refuses such models)",
                u.count, u.first
            );
        }
        Ok(dem)
    }

    /// Warns (or, under --strict, refuses) where qecd follows PyMatching's lenient behaviour.
    pub fn lenient(&self, what: &str) -> Result<()> {
        if self.strict {
            bail!("{what} (--strict)");
        }
        eprintln!("warning: {what}");
        Ok(())
    }
}

/// Builds the decoder called `name`; where the library says what the input lacks, adds the
/// command-line options that supply it.
pub fn build_named(name: &str, input: DecoderInput<'_>) -> Result<Box<dyn Decoder>> {
    build_decoder(name, input)
        .map_err(|e| {
            let hint = match &e {
                BuildDecoderError::Needs { decoder: "ml", .. } => {
                    "give --code toric --distance L --noise ... --p ..."
                }
                BuildDecoderError::Needs {
                    decoder: "neural", ..
                } => {
                    "the `qecd-neural` executable beside `qecd` runs neural commands \
                 (`cargo build --release --workspace` builds both)"
                }
                _ => return anyhow::Error::new(e),
            };
            anyhow::anyhow!("{e}: {hint}")
        })
        .with_context(|| format!("building decoder '{name}' (known: {})", DECODERS.join(", ")))
}

/// The flattened DEM of the toric code of size `l` under `noise` at `p`.
pub fn toric_dem(l: usize, noise: NoiseSpec, p: f64) -> Result<FlatDem> {
    let code = ToricCode::new(l).context("invalid --distance")?;
    let channel = noise
        .channel(p)
        .with_context(|| format!("invalid noise '{noise}' at p = {p}"))?;
    Ok(code.dem(&channel)?)
}

/// Shot input options shared by `predict` and `count-mistakes` (PyMatching's spellings, with
/// dashed aliases).
#[derive(Args, Debug, Clone)]
pub struct ShotInputArgs {
    /// Detection events to decode (default: standard input).
    #[arg(long = "in")]
    pub input: Option<PathBuf>,
    /// Format of --in: 01, b8, r8, ptb64, hits or dets (default: b8 for predict and 01 for
    /// count-mistakes, as PyMatching).
    #[arg(long = "in_format", alias = "in-format")]
    pub in_format: Option<ShotFormat>,
    /// Each shot of --in holds the detection events followed by the observable flips (as
    /// written by Stim with `--append_observables`).
    #[arg(
        long = "in_includes_appended_observables",
        alias = "in-includes-appended-observables"
    )]
    pub appended_observables: bool,
    /// Shots per batch read, decoded in parallel and written (memory does not grow with the
    /// number of shots).
    #[arg(long, default_value_t = 16384, hide = true)]
    pub batch: usize,
    /// Worker threads (default: all cores, at most 1024).
    #[arg(long, value_parser = parse_threads)]
    pub threads: Option<usize>,
}

/// A shot reader over a file or standard input.
pub type Reader = ShotReader<Box<dyn BufRead>>;

/// Opens shots of the given layout from `path` (standard input when `None`).
pub fn open_shots(
    path: Option<&Path>,
    format: ShotFormat,
    layout: ShotLayout,
    batch: usize,
) -> Result<Reader> {
    let (input, name): (Box<dyn BufRead>, String) = match path {
        Some(p) => {
            let f = std::fs::File::open(p)
                .with_context(|| format!("cannot open input file {}", p.display()))?;
            (
                Box::new(BufReader::with_capacity(1 << 16, f)),
                p.display().to_string(),
            )
        }
        None => (
            Box::new(BufReader::new(std::io::stdin())),
            "stdin".to_string(),
        ),
    };
    Ok(ShotReader::new(input, format, layout, name)?.with_batch_size(batch))
}

/// An output written atomically ([`AtomicOutput`]: regular files renamed into place, FIFOs,
/// devices and `-` written in place), or standard output when no path is given.
pub struct Sink(AtomicOutput);

impl Sink {
    /// Creates `path` (atomically) or standard output when `None`.
    pub fn create(path: Option<&Path>) -> Result<Self> {
        let path = path.unwrap_or(Path::new("-"));
        Ok(Sink(AtomicOutput::create(path).with_context(|| {
            format!("cannot write output file {}", path.display())
        })?))
    }

    /// Name for error messages.
    pub fn name(&self) -> String {
        match self.0.path().to_str() {
            Some("-") => "stdout".into(),
            _ => self.0.path().display().to_string(),
        }
    }

    /// Flushes, and for a file renames it into place.
    pub fn finish(self) -> Result<()> {
        let name = self.name();
        self.0
            .commit()
            .with_context(|| format!("cannot finish output {name}"))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.write(buf)
    }
    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.0.write_all(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
