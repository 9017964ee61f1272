//! `qecd train`: train a neural decoder (END or the local network) on fresh simulator samples,
//! drawing the library's training events as a progress bar.

use std::path::PathBuf;

use clap::Args;
use qecd::noise::NoiseSpec;

/// Arguments of `qecd train`.
#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Network: `end` (16 logical classes, one L) or `local` (per-qubit posteriors as matching
    /// weights, any L).
    #[arg(long, default_value = "end")]
    pub kind: String,
    /// Side L of the toric code (END's training size; the held-out set's size). For `--kind
    /// local` it defaults to the largest of --distances.
    #[arg(long, short = 'd')]
    pub distance: Option<usize>,
    /// With --kind local: torus sizes of the training batches, one drawn per step (e.g.
    /// 6,8,10,12).
    #[arg(long, value_delimiter = ',')]
    pub distances: Vec<usize>,
    /// Noise channel spec (e.g. `depolarizing`, `biased:eta=10`).
    #[arg(long, default_value = "depolarizing")]
    pub noise: NoiseSpec,
    /// Physical error rate (held-out set; training too unless --p-range is given).
    #[arg(long, default_value_t = 0.15)]
    pub p: f64,
    /// Train on a p drawn uniformly per step from A:B.
    #[arg(long, value_name = "A:B", value_parser = parse_range)]
    pub p_range: Option<(f64, f64)>,
    /// Optimizer steps.
    #[arg(long, default_value_t = 2000)]
    pub steps: u64,
    /// Shots per step.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// Peak learning rate of the one-cycle schedule.
    #[arg(long, default_value_t = 3e-3)]
    pub lr: f64,
    /// AdamW weight decay.
    #[arg(long, default_value_t = 1e-4)]
    pub weight_decay: f64,
    /// Seed of the training data and initial weights.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Channels of the trunk.
    #[arg(long, default_value_t = 32)]
    pub width: i64,
    /// Residual blocks.
    #[arg(long, default_value_t = 4)]
    pub depth: i64,
    /// Convolution kernel side (odd).
    #[arg(long, default_value_t = 3)]
    pub kernel: i64,
    /// Evaluate on the held-out set every N steps.
    #[arg(long, default_value_t = 500)]
    pub eval_every: u64,
    /// Held-out shots.
    #[arg(long, default_value_t = 10_000)]
    pub eval_shots: usize,
    /// Checkpoint every N steps.
    #[arg(long, default_value_t = 200)]
    pub checkpoint_every: u64,
    /// Device: auto, cpu, cuda or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// libtorch CPU threads (default: libtorch's choice; at most 1024).
    #[arg(long, value_parser = super::common::parse_threads)]
    pub threads: Option<usize>,
    /// Output model folder (model.safetensors, card.json, optimizer.safetensors).
    #[arg(long)]
    pub out: PathBuf,
    /// Continue the run recorded in --out (its card's settings are used).
    #[arg(long)]
    pub resume: bool,
    /// Initialise the network from this trained model folder (same --width/--depth/--kernel,
    /// any L): fine-tuning, e.g. an L = 8 model from an L = 6 one.
    #[arg(long)]
    pub init_from: Option<PathBuf>,
    /// Stop after N steps in this session (with a checkpoint); continue later with --resume.
    #[arg(long)]
    pub stop_after: Option<u64>,
    /// Hide the progress bar (evaluations are still logged to stderr).
    #[arg(long)]
    pub no_progress: bool,
    /// After training, measure the model (and matching) on this many shots per p for the card
    /// (0: skip).
    #[arg(long, default_value_t = 0)]
    pub card_shots: u64,
    /// Error rates of the card's evaluation.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "0.10,0.12,0.14,0.16,0.18"
    )]
    pub card_p: Vec<f64>,
}

fn parse_range(s: &str) -> Result<(f64, f64), String> {
    let (a, b) = s
        .split_once(':')
        .ok_or_else(|| format!("expected A:B (e.g. 0.08:0.18), got '{s}'"))?;
    let num = |x: &str| {
        x.trim()
            .parse::<f64>()
            .map_err(|_| format!("'{x}' in '{s}' is not a number"))
    };
    Ok((num(a)?, num(b)?))
}
