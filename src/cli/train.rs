//! `qecd train`: train a neural decoder (END or the local network) on fresh simulator samples,
//! drawing the library's training events as a progress bar.

use std::path::PathBuf;

use clap::Args;

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
    pub noise: String,
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
    /// libtorch CPU threads (default: libtorch's choice).
    #[arg(long)]
    pub threads: Option<i32>,
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

/// The bar over training steps (hidden with `--no-progress`: evaluations then go to stderr).
#[cfg(feature = "neural")]
fn steps_bar(steps: u64, show: bool) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let bar = if show {
        ProgressBar::new(steps)
    } else {
        ProgressBar::with_draw_target(Some(steps), ProgressDrawTarget::hidden())
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} steps ({per_sec}, eta {eta}) {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar
}

/// Runs `qecd train`.
#[cfg(feature = "neural")]
pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    use anyhow::Context;
    use qecd::code::ToricCode;
    use qecd::decode::matching::decoder::MwpmDecoder;
    use qecd::decode::neural::card::{ModelCard, ModelKind};
    use qecd::decode::neural::device::DeviceChoice;
    use qecd::decode::neural::evaluate::evaluate;
    use qecd::decode::neural::infer::NeuralDecoder;
    use qecd::decode::neural::model::ModelConfig;
    use qecd::decode::neural::train::{train, RunOptions, TrainConfig, TrainEvent};
    use qecd::decode::Decoder;
    use qecd::noise::NoiseSpec;

    use super::model::toric_dem;

    let device: DeviceChoice = args.device.parse()?;
    if let Some(n) = args.threads {
        tch::set_num_threads(n);
    }
    let command = std::iter::once("qecd".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let config = if args.resume {
        TrainConfig::from_card(
            &ModelCard::load(&args.out).context("--resume needs the card of an earlier run")?,
        )
    } else {
        let kind: ModelKind = args.kind.parse().map_err(anyhow::Error::msg)?;
        let distance = match (args.distance, args.distances.iter().max()) {
            (Some(l), _) => l,
            (None, Some(&l)) if kind == ModelKind::Local => l,
            _ => anyhow::bail!(
                "--distance is required (unless --resume or --kind local --distances)"
            ),
        };
        TrainConfig {
            kind,
            distance,
            distances: args.distances.clone(),
            noise: args.noise.clone(),
            p: args.p,
            p_range: args.p_range,
            steps: args.steps,
            batch: args.batch,
            lr: args.lr,
            weight_decay: args.weight_decay,
            seed: args.seed,
            model: ModelConfig {
                width: args.width,
                depth: args.depth,
                kernel: args.kernel,
            },
            eval_every: args.eval_every,
            eval_shots: args.eval_shots,
            checkpoint_every: args.checkpoint_every,
            init_from: args.init_from.clone(),
            command,
        }
    };
    let noise: NoiseSpec = config
        .noise
        .parse()
        .with_context(|| format!("--noise '{}'", config.noise))?;
    let code = ToricCode::new(config.distance).context("invalid --distance")?;

    // Matching on the same held-out shots, for comparison during training.
    let matching = MwpmDecoder::from_dem(&toric_dem(config.distance, noise, config.p)?)
        .context("building the matching decoder for the held-out comparison")?;
    let reference =
        |dets: &qecd::bits::BitMatrix| matching.decode_batch(dets).map_err(|e| e.to_string());
    let options = RunOptions {
        resume: args.resume,
        device,
        stop_after: args.stop_after,
    };
    let bar = steps_bar(config.steps, !args.no_progress);
    let mut draw = |event: TrainEvent| match event {
        TrainEvent::Started { start, .. } => bar.set_position(start),
        TrainEvent::Step {
            loss, accuracy, lr, ..
        } => {
            bar.inc(1);
            bar.set_message(format!("loss {loss:.4} acc {accuracy:.4} lr {lr:.2e}"));
        }
        TrainEvent::Evaluated {
            done,
            model,
            reference,
        } => {
            let vs_ref = reference
                .map(|(name, r)| format!(", {name} {r:.4}"))
                .unwrap_or_default();
            let line = format!(
                "step {done}/{}: held-out logical error rate (L = {}, p = {}, {} shots): model {model:.4}{vs_ref}",
                config.steps, config.distance, config.p, config.eval_shots
            );
            if bar.is_hidden() {
                eprintln!("{line}");
            } else {
                bar.println(line);
            }
        }
        TrainEvent::Checkpoint { .. } => {}
    };
    let outcome = train(
        &config,
        &args.out,
        &options,
        Some(("mwpm", &reference)),
        &mut draw,
    )
    .with_context(|| format!("training into {}", args.out.display()))?;
    bar.finish_and_clear();
    let mut card = outcome.card;
    println!(
        "trained {}/{} steps ({} samples, {:.0} samples/s this run) on {}: {} parameters, model in {}",
        card.training.steps_done,
        card.training.steps_total,
        card.training.samples,
        outcome.samples_per_second,
        card.training.device,
        card.parameters,
        args.out.display()
    );
    if let Some(h) = card.training.history.last() {
        let mwpm = h
            .matching_error_rate
            .map(|r| format!(" (matching {r:.4})"))
            .unwrap_or_default();
        println!(
            "held-out logical error rate at p = {}: {:.4}{mwpm}",
            card.training.p, h.model_error_rate
        );
    }
    if args.card_shots == 0 {
        return Ok(());
    }
    if card.training.steps_done < card.training.steps_total {
        anyhow::bail!(
            "--card-shots: training is not finished ({}/{} steps); resume it first",
            card.training.steps_done,
            card.training.steps_total
        );
    }
    // The card's table: model and matching on the same fresh shots at each p.
    let out = args.out.clone();
    let mut build = |p: f64| -> Result<Vec<Box<dyn Decoder>>, qecd::decode::neural::NeuralError> {
        let dem = toric_dem(config.distance, noise, p)
            .map_err(|e| qecd::decode::neural::NeuralError::InvalidConfig(format!("{e:#}")))?;
        let mwpm = MwpmDecoder::from_dem(&dem)
            .map_err(|e| qecd::decode::neural::NeuralError::InvalidConfig(e.to_string()))?;
        Ok(vec![
            Box::new(NeuralDecoder::load(&out, device)?),
            Box::new(mwpm),
        ])
    };
    let mut log = |msg: &str| {
        if !args.no_progress {
            eprint!("\r{msg}      ");
        }
    };
    card.evaluation = evaluate(
        &code,
        &config.noise,
        &args.card_p,
        args.card_shots,
        card.training.seed,
        &mut build,
        &mut log,
    )?;
    card.evaluation_note = (args.card_shots < 100_000).then(|| {
        format!(
            "measured on {} shots per p instead of the planned 100000 (CPU time)",
            args.card_shots
        )
    });
    card.save(&args.out)?;
    println!(
        "{:>6} {:>8} {:>10} {:>22}",
        "p", "decoder", "P_L", "95% Wilson interval"
    );
    for point in &card.evaluation {
        for d in &point.decoders {
            println!(
                "{:>6} {:>8} {:>10.5} [{:.5}, {:.5}]",
                point.p, d.decoder, d.rate, d.ci_low, d.ci_high
            );
        }
    }
    Ok(())
}

/// Runs `qecd train` (this build has no libtorch).
#[cfg(not(feature = "neural"))]
pub fn run(_args: TrainArgs) -> anyhow::Result<()> {
    anyhow::bail!(
        "qecd was built without the `neural` feature (libtorch); rebuild with \
         `cargo build --release --features neural` to train neural decoders"
    )
}
