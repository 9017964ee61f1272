//! Arguments and helpers shared by several subcommands.

use anyhow::{Context, Result};
use clap::Args;

use qecd::code::ToricCode;
use qecd::noise::{NoiseSpec, PauliChannel};

/// The code and noise of a simulated run.
#[derive(Args, Debug, Clone)]
pub struct CodeArgs {
    /// The code family (only `toric` for now).
    #[arg(long, default_value = "toric", value_parser = ["toric"])]
    pub code: String,
    /// Linear size L of the torus (the code distance), at least 2.
    #[arg(long, alias = "L", default_value_t = 8)]
    pub distance: usize,
    /// Noise family: bitflip, phaseflip, depolarizing, biased:eta=ETA or
    /// pauli:px=PX,py=PY,pz=PZ (independent on each qubit).
    #[arg(long, default_value = "depolarizing")]
    pub noise: NoiseSpec,
    /// Physical error rate p of the noise family (depolarizing: X, Y, Z each p/3).
    #[arg(long, default_value = "0.1", value_parser = parse_probability)]
    pub p: f64,
}

impl CodeArgs {
    /// The toric code of `--distance`.
    pub fn toric(&self) -> Result<ToricCode> {
        ToricCode::new(self.distance).context("invalid --distance")
    }

    /// The channel of `--noise` at `--p`.
    pub fn channel(&self) -> Result<PauliChannel> {
        self.noise
            .channel(self.p)
            .with_context(|| format!("invalid noise '{}' at p = {}", self.noise, self.p))
    }
}

/// Parses a probability in `[0, 1]`.
pub fn parse_probability(s: &str) -> Result<f64, String> {
    let p: f64 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
    if !(0.0..=1.0).contains(&p) {
        return Err(format!("{p} is not a probability in [0, 1]"));
    }
    Ok(p)
}

pub use qecd::experiment::MAX_THREADS;

/// Parses a `--threads` count in `1..=MAX_THREADS`.
pub fn parse_threads(s: &str) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number of threads"))?;
    if !(1..=MAX_THREADS).contains(&n) {
        return Err(format!(
            "{n} threads: expected 1 to {MAX_THREADS} (the limit on worker threads)"
        ));
    }
    Ok(n)
}

/// A rayon pool of `threads` workers (all cores when `None`); the count comes from
/// [`parse_threads`].
pub fn thread_pool(threads: Option<usize>) -> Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads.unwrap_or(0))
        .build()
        .context("cannot start worker threads")
}
