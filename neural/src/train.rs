//! Training an END model on fresh samples from the toric-code simulator.
//!
//! Every step draws a new batch (seeded from the run's seed and the step index, so a resumed run
//! sees exactly the batches an uninterrupted one would), encoded on a producer thread while the
//! network trains on the previous batch. AdamW with a one-cycle schedule; fp16 autocast with loss
//! scaling on CUDA; checkpoints (weights, optimizer moments, card) every few hundred steps.

use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::{Rng, SeedableRng};
use tch::{nn::VarStore, Device, Kind, Tensor};

use super::batch::{labels, row_classes, EncodedBatch};
use super::card::{
    HistoryPoint, ModelCard, TrainingRecord, CARD_FILE, CARD_FORMAT, OPTIMIZER_FILE,
};
use super::checkpoint::{load_weights, save_weights};
use super::device::{device_name, uses_mixed_precision, with_autocast, DeviceChoice};
use super::infer::predict_classes;
use super::model::{parameter_count, EndNet, ModelConfig};
use super::optim::{AdamW, LossScaler, OneCycle};
use super::NeuralError;
use qecd::bits::BitMatrix;
use qecd::code::toric::ToricCode;
use qecd::noise::{NoiseSpec, PauliChannel};
use qecd::sample::sample_toric;

/// Settings of a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Side L of the torus.
    pub distance: usize,
    /// Noise spec (as `--noise`), e.g. `depolarizing`.
    pub noise: String,
    /// Physical error rate (used for the held-out set; for training unless `p_range` is set).
    pub p: f64,
    /// When set, each step's `p` is drawn uniformly from `[a, b]`.
    pub p_range: Option<(f64, f64)>,
    /// Number of optimizer steps.
    pub steps: u64,
    /// Shots per step.
    pub batch: usize,
    /// Peak learning rate.
    pub lr: f64,
    /// AdamW weight decay.
    pub weight_decay: f64,
    /// Seed of the training data and of the initial weights.
    pub seed: u64,
    /// Network shape.
    pub model: ModelConfig,
    /// Evaluate on the held-out set every this many steps (0: only at the end).
    pub eval_every: u64,
    /// Size of the held-out set.
    pub eval_shots: usize,
    /// Save a checkpoint every this many steps (0: only at the end).
    pub checkpoint_every: u64,
    /// Start from the weights of this trained model (same network shape; any L, since the
    /// weights do not depend on L) instead of a random initialisation.
    pub init_from: Option<std::path::PathBuf>,
    /// The command line, recorded in the card.
    pub command: String,
}

/// A reference decoder evaluated on the same held-out shots (e.g. matching): its name and a
/// function from detector rows to predicted observable rows.
pub type Reference<'a> = (
    &'a str,
    &'a (dyn Fn(&BitMatrix) -> Result<BitMatrix, String> + Sync),
);

/// The canonical spelling of a noise spec (`depol` becomes `depolarizing`).
pub fn canonical_noise(noise: &str) -> Result<String, NeuralError> {
    noise
        .parse::<NoiseSpec>()
        .map(|spec| spec.to_string())
        .map_err(|e| NeuralError::InvalidConfig(format!("--noise '{noise}': {e}")))
}

/// The noise channel of spec `noise` at error rate `p`.
pub fn channel(noise: &str, p: f64) -> Result<PauliChannel, NeuralError> {
    noise
        .parse::<NoiseSpec>()
        .and_then(|spec| spec.channel(p))
        .map_err(|e| NeuralError::InvalidConfig(format!("--noise '{noise}' at p = {p}: {e}")))
}

/// SplitMix64 finaliser: derives independent seeds from (seed, index).
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Index of the held-out stream in [`derive_seed`] (training batches use indices `0..steps`).
const HELD_OUT_STREAM: u64 = u64::MAX - 1;

/// One training batch: network inputs and labels.
#[derive(Clone, Debug)]
pub struct TrainBatch {
    /// Network inputs.
    pub encoded: EncodedBatch,
    /// Label class of each shot.
    pub labels: Vec<i64>,
}

/// A network with its optimizer state: one [`Learner::step`] per batch.
pub struct Learner {
    /// The variables.
    pub vs: VarStore,
    /// The network.
    pub net: EndNet,
    /// AdamW state.
    pub opt: AdamW,
    /// Loss scale (active on CUDA).
    pub scaler: LossScaler,
    device: Device,
}

/// Loss and accuracy of one step (on its own batch, before the update).
#[derive(Clone, Copy, Debug)]
pub struct StepStats {
    /// Mean cross-entropy.
    pub loss: f64,
    /// Fraction of shots whose label was the argmax.
    pub accuracy: f64,
}

impl Learner {
    /// A freshly initialised network of shape `model` on `device`.
    pub fn new(model: ModelConfig, weight_decay: f64, device: Device) -> Result<Self, NeuralError> {
        let vs = VarStore::new(device);
        let net = EndNet::new(&vs.root(), model)?;
        let opt = AdamW::new(&vs, weight_decay);
        Ok(Learner {
            vs,
            net,
            opt,
            scaler: LossScaler::new(uses_mixed_precision(device)),
            device,
        })
    }

    /// One optimisation step on `batch` with learning rate `lr` (skipped, under fp16 loss
    /// scaling, when the gradients overflow).
    pub fn step(&mut self, batch: &TrainBatch, lr: f64) -> StepStats {
        let (syn, xor) = batch.encoded.tensors(self.device);
        let target = Tensor::from_slice(&batch.labels).to_device(self.device);
        self.opt.zero_grad();
        let logits =
            with_autocast(self.device, || self.net.forward(&syn, &xor, true)).to_kind(Kind::Float);
        let loss = logits.cross_entropy_for_logits(&target);
        (&loss * self.scaler.scale).backward();
        let finite = !self.scaler.enabled || self.opt.unscale_grads(self.scaler.scale);
        if self.scaler.update(finite) {
            self.opt.step(lr);
        }
        let accuracy = logits
            .argmax(1, false)
            .eq_tensor(&target)
            .to_kind(Kind::Float)
            .mean(None)
            .double_value(&[]);
        StepStats {
            loss: loss.double_value(&[]),
            accuracy,
        }
    }
}

/// Samples and encodes the batch of step `step` of a run.
pub fn make_batch(
    code: &ToricCode,
    config: &TrainConfig,
    step: u64,
) -> Result<TrainBatch, NeuralError> {
    let ch = channel(&config.noise, config.p_at(step))?;
    let shots = sample_toric(
        code,
        &ch,
        config.batch,
        derive_seed(config.seed, step),
        false,
    );
    let encoded = EncodedBatch::encode(code, &shots.dets)?;
    let labels = labels(&shots.obs, &encoded.pure_classes);
    Ok(TrainBatch { encoded, labels })
}

impl TrainConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), NeuralError> {
        self.model.validate()?;
        let bad = |m: String| Err(NeuralError::InvalidConfig(m));
        if self.distance < self.model.min_distance().max(2) {
            return bad(format!(
                "--distance {} too small (kernel {} needs L >= {})",
                self.distance,
                self.model.kernel,
                self.model.min_distance().max(2)
            ));
        }
        let valid_p = |p: f64| (0.0..=0.75).contains(&p);
        if !valid_p(self.p) {
            return bad(format!("--p {} must lie in [0, 0.75]", self.p));
        }
        if let Some((a, b)) = self.p_range {
            if !(valid_p(a) && valid_p(b) && a <= b) {
                return bad(format!(
                    "--p-range {a}:{b} must satisfy 0 <= a <= b <= 0.75"
                ));
            }
        }
        if self.steps == 0 || self.batch == 0 || self.eval_shots == 0 {
            return bad("--steps, --batch and --eval-shots must be positive".to_string());
        }
        if self.lr.is_nan()
            || self.lr <= 0.0
            || self.weight_decay.is_nan()
            || self.weight_decay < 0.0
        {
            return bad(format!(
                "--lr must be > 0 and --weight-decay >= 0 (got {} and {})",
                self.lr, self.weight_decay
            ));
        }
        channel(&self.noise, self.p)?;
        Ok(())
    }

    /// The error rate of step `step`.
    pub fn p_at(&self, step: u64) -> f64 {
        match self.p_range {
            None => self.p,
            Some((a, b)) => {
                let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(derive_seed(
                    self.seed ^ 0x05ee_d0f9,
                    step,
                ));
                a + (b - a) * rng.random::<f64>()
            }
        }
    }

    fn record(&self, device: &str, mixed: bool) -> TrainingRecord {
        TrainingRecord {
            command: self.command.clone(),
            seed: self.seed,
            p: self.p,
            p_range: self.p_range.map(|(a, b)| [a, b]),
            steps_total: self.steps,
            steps_done: 0,
            batch: self.batch,
            lr: self.lr,
            weight_decay: self.weight_decay,
            eval_every: self.eval_every,
            eval_shots: self.eval_shots,
            checkpoint_every: self.checkpoint_every,
            init_from: self.init_from.as_ref().map(|p| p.display().to_string()),
            device: device.to_string(),
            mixed_precision: mixed,
            time_s: 0.0,
            samples: 0,
            last_loss: None,
            history: Vec::new(),
        }
    }

    /// The settings a card was trained with (for `--resume`).
    pub fn from_card(card: &ModelCard) -> Self {
        let t = &card.training;
        TrainConfig {
            distance: card.distance,
            noise: card.noise.clone(),
            p: t.p,
            p_range: t.p_range.map(|[a, b]| (a, b)),
            steps: t.steps_total,
            batch: t.batch,
            lr: t.lr,
            weight_decay: t.weight_decay,
            seed: t.seed,
            model: card.model,
            eval_every: t.eval_every,
            eval_shots: t.eval_shots,
            checkpoint_every: t.checkpoint_every,
            init_from: t.init_from.as_ref().map(std::path::PathBuf::from),
            command: t.command.clone(),
        }
    }
}

/// The fixed held-out set of a run: shots at the run's `p`.
fn held_out(code: &ToricCode, config: &TrainConfig) -> Result<(BitMatrix, Vec<u8>), NeuralError> {
    let ch = channel(&config.noise, config.p)?;
    let shots = sample_toric(
        code,
        &ch,
        config.eval_shots,
        derive_seed(config.seed, HELD_OUT_STREAM),
        false,
    );
    let truth = row_classes(&shots.obs);
    Ok((shots.dets, truth))
}

fn error_rate(predicted: &[u8], truth: &[u8]) -> f64 {
    let wrong = predicted.iter().zip(truth).filter(|(a, b)| a != b).count();
    wrong as f64 / truth.len().max(1) as f64
}

/// What a training run reports at the end.
#[derive(Clone, Debug)]
pub struct TrainOutcome {
    /// The final card (also written to the output folder).
    pub card: ModelCard,
    /// Training samples per second of this run (sampling, encoding and optimisation).
    pub samples_per_second: f64,
}

/// How to run a training session (as opposed to what to train, [`TrainConfig`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct RunOptions {
    /// Continue the run recorded in the output folder.
    pub resume: bool,
    /// Where to train.
    pub device: DeviceChoice,
    /// Draw a progress bar (otherwise evaluations are logged to stderr).
    pub progress: bool,
    /// Stop (with a checkpoint) after this many steps in this session; resume later.
    pub stop_after: Option<u64>,
}

/// Trains a model into the folder `out` (created if needed). With `options.resume`, continues
/// the run recorded in `out/card.json` with the settings recorded there (`config` is not used).
/// Without it, `out` must not hold a card yet.
pub fn train(
    config: &TrainConfig,
    out: &Path,
    options: &RunOptions,
    reference: Option<Reference<'_>>,
) -> Result<TrainOutcome, NeuralError> {
    let resume = options.resume;
    let progress = options.progress;
    let device = options.device.resolve()?;
    let mixed = uses_mixed_precision(device);
    std::fs::create_dir_all(out).map_err(|source| NeuralError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let card_path = out.join(CARD_FILE);
    let (config, mut card) = if resume {
        let card = ModelCard::load(out)?;
        (TrainConfig::from_card(&card), card)
    } else {
        if card_path.exists() {
            return Err(NeuralError::InvalidConfig(format!(
                "{} already exists: pass --resume to continue that run, or choose another --out",
                card_path.display()
            )));
        }
        config.validate()?;
        let card = ModelCard {
            format: CARD_FORMAT,
            code: "toric".to_string(),
            distance: config.distance,
            noise: canonical_noise(&config.noise)?,
            model: config.model,
            parameters: 0,
            training: config.record(&device_name(device), mixed),
            evaluation: Vec::new(),
            evaluation_note: None,
        };
        (config.clone(), card)
    };
    let code = ToricCode::new(config.distance)
        .map_err(|e| NeuralError::InvalidConfig(format!("--distance {}: {e}", config.distance)))?;

    tch::manual_seed(derive_seed(config.seed, u64::MAX) as i64);
    let mut learner = Learner::new(config.model, config.weight_decay, device)?;
    card.parameters = parameter_count(&learner.vs);
    let start = card.training.steps_done;
    let end = match options.stop_after {
        Some(n) => (start + n).min(config.steps),
        None => config.steps,
    };
    if resume && start > 0 {
        load_weights(&mut learner.vs, &out.join(super::card::MODEL_FILE))?;
        learner.opt.load(&out.join(OPTIMIZER_FILE), start)?;
    } else if let Some(init) = &config.init_from {
        let init_card = ModelCard::load(init)?;
        if init_card.model != config.model {
            return Err(NeuralError::Mismatch {
                what: "network shape (--init-from)",
                model: format!("{:?} in {}", init_card.model, init.display()),
                data: format!("{:?}", config.model),
            });
        }
        load_weights(&mut learner.vs, &init.join(super::card::MODEL_FILE))?;
    }
    card.training.device = device_name(device);
    card.training.mixed_precision = mixed;
    let schedule = OneCycle {
        max_lr: config.lr,
        total_steps: config.steps,
    };

    let (eval_dets, eval_truth) = held_out(&code, &config)?;
    let reference_rate = match reference {
        Some((name, decode)) => {
            let pred = decode(&eval_dets).map_err(|e| {
                NeuralError::InvalidConfig(format!("reference decoder {name}: {e}"))
            })?;
            Some((name, error_rate(&row_classes(&pred), &eval_truth)))
        }
        None => None,
    };

    let bar = if progress {
        ProgressBar::new(config.steps)
    } else {
        ProgressBar::with_draw_target(Some(config.steps), ProgressDrawTarget::hidden())
    };
    bar.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:30}] {pos}/{len} steps ({per_sec}, eta {eta}) {msg}",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    bar.set_position(start);
    let log = |line: String| {
        if bar.is_hidden() {
            eprintln!("{line}");
        } else {
            bar.println(line);
        }
    };

    // Producer: samples and encodes the batches of steps start.. on its own thread.
    let (tx, rx) = mpsc::sync_channel::<Result<TrainBatch, NeuralError>>(2);
    let producer = {
        let config = config.clone();
        std::thread::spawn(move || {
            for step in start..end {
                if tx.send(make_batch(&code, &config, step)).is_err() {
                    break;
                }
            }
        })
    };

    let run_start = Instant::now();
    let time_before = card.training.time_s;
    let samples_before = card.training.samples;
    let mut ema_loss: Option<f64> = None;
    let mut ema_acc: Option<f64> = None;
    let ema = |old: Option<f64>, new: f64| Some(old.map_or(new, |o| 0.98 * o + 0.02 * new));
    let save_all = |card: &mut ModelCard, learner: &Learner, step: u64| {
        card.training.steps_done = step;
        card.training.time_s = time_before + run_start.elapsed().as_secs_f64();
        card.training.samples = samples_before + (step - start) * config.batch as u64;
        save_weights(&learner.vs, out)?;
        super::card::save_safetensors_atomically(&out.join(OPTIMIZER_FILE), |tmp| {
            learner
                .opt
                .save(tmp)
                .map_err(|e| tch::TchError::Kind(e.to_string()))
        })?;
        card.save(out)
    };
    for step in start..end {
        let batch = rx
            .recv()
            .map_err(|_| NeuralError::InvalidConfig("sampler thread stopped".to_string()))??;
        let lr = schedule.lr(step);
        let stats = learner.step(&batch, lr);
        ema_loss = ema(ema_loss, stats.loss);
        ema_acc = ema(ema_acc, stats.accuracy);
        bar.inc(1);
        bar.set_message(format!(
            "loss {:.4} acc {:.4} lr {:.2e}",
            ema_loss.unwrap_or(f64::NAN),
            ema_acc.unwrap_or(f64::NAN),
            lr
        ));
        let done = step + 1;
        card.training.last_loss = ema_loss;
        if (config.eval_every > 0 && done % config.eval_every == 0) || done == end {
            let pred = predict_classes(&learner.net, &code, &eval_dets, device, 4096)?;
            let rate = error_rate(&pred, &eval_truth);
            card.training.history.push(HistoryPoint {
                step: done,
                model_error_rate: rate,
                matching_error_rate: reference_rate.map(|(_, r)| r),
            });
            let vs_ref = reference_rate
                .map(|(name, r)| format!(", {name} {r:.4}"))
                .unwrap_or_default();
            log(format!(
                "step {done}/{}: held-out logical error rate (p = {}, {} shots): model {rate:.4}{vs_ref}; train loss {:.4} acc {:.4}",
                config.steps,
                config.p,
                config.eval_shots,
                ema_loss.unwrap_or(f64::NAN),
                ema_acc.unwrap_or(f64::NAN),
            ));
        }
        if (config.checkpoint_every > 0 && done % config.checkpoint_every == 0) || done == end {
            save_all(&mut card, &learner, done)?;
        }
    }
    drop(rx);
    let _ = producer.join();
    bar.finish_and_clear();
    if start == end {
        // Nothing trained in this session: only the card (e.g. the device) may have changed.
        card.save(out)?;
    }
    let elapsed = run_start.elapsed().as_secs_f64();
    let trained = (end - start) * config.batch as u64;
    Ok(TrainOutcome {
        card,
        samples_per_second: trained as f64 / elapsed.max(1e-9),
    })
}
