//! `qecd train`: trains a neural decoder (END or the local network). Only `qecd-neural` has
//! it (it links libtorch); `qecd` hands `train` over to `qecd-neural`.

use crate::cli::train::TrainArgs;

/// The bar over training steps (hidden with `--no-progress`: evaluations then go to stderr).
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
pub fn run(args: TrainArgs) -> anyhow::Result<()> {
    use anyhow::Context;
    use qecd::code::ToricCode;
    use qecd::decode::matching::decoder::MwpmDecoder;
    use qecd::decode::Decoder;
    use qecd_neural::card::{ModelCard, ModelKind};
    use qecd_neural::device::DeviceChoice;
    use qecd_neural::evaluate::evaluate;
    use qecd_neural::infer::NeuralDecoder;
    use qecd_neural::model::ModelConfig;
    use qecd_neural::train::{train, RunOptions, TrainConfig, TrainEvent};

    use crate::cli::model::toric_dem;

    let device: DeviceChoice = args.device.parse()?;
    if let Some(n) = args.threads {
        // At most MAX_THREADS (1024), so the conversion cannot fail.
        tch::set_num_threads(i32::try_from(n).unwrap_or(i32::MAX));
    }
    let command = std::iter::once("qecd".to_string())
        .chain(std::env::args().skip(1))
        .collect::<Vec<_>>()
        .join(" ");
    let config = if args.resume {
        TrainConfig::from_card(
            &ModelCard::load(&args.out).context("--resume needs the card of an earlier run")?,
        )?
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
            noise: args.noise,
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
    let noise = config.noise;
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
    let mut build = |p: f64| -> Result<Vec<Box<dyn Decoder>>, qecd_neural::NeuralError> {
        let dem = toric_dem(config.distance, noise, p)
            .map_err(|e| qecd_neural::NeuralError::InvalidConfig(format!("{e:#}")))?;
        let mwpm = MwpmDecoder::from_dem(&dem)
            .map_err(|e| qecd_neural::NeuralError::InvalidConfig(e.to_string()))?;
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
        config.noise,
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
