//! Training a neural decoder (END or the local network) on fresh samples from the toric-code
//! simulator.
//!
//! Every step draws a new batch (seeded from the run's seed and the step index through
//! [`super::seeds`], so a resumed run sees exactly the batches an uninterrupted one would),
//! sampled and encoded on a producer thread while the network trains on the previous batch.
//! END learns the logical class (cross-entropy over 16 classes); the local network learns the
//! X and Z part of every qubit's error (per-qubit binary cross-entropy), on a torus size drawn
//! per step. AdamW with a one-cycle schedule; fp16 autocast with loss scaling on CUDA;
//! checkpoints (weights, optimizer moments, card) every few hundred steps. Progress is reported
//! through [`TrainEvent`]s; drawing them is the caller's business.

use std::path::Path;
use std::sync::mpsc;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use tch::{nn::VarStore, Device, Kind, Tensor};

use super::batch::{bit_floats, grid_tensor, labels, row_classes, EncodedBatch};
use super::card::{
    HistoryPoint, ModelCard, ModelKind, TrainingRecord, CARD_FILE, CARD_FORMAT, OPTIMIZER_FILE,
};
use super::checkpoint::{load_weights, save_weights, Network};
use super::device::{device_name, uses_mixed_precision, with_autocast, DeviceChoice};
use super::infer::predict;
use super::model::{parameter_count, ModelConfig};
use super::optim::{AdamW, LossScaler, OneCycle};
use super::seeds::{stream_seed, Stream};
use super::{channel, parse_noise, NeuralError};
use qecd::bits::BitMatrix;
use qecd::code::toric::ToricCode;
use qecd::noise::NoiseSpec;
use qecd::sample::sample_toric;

/// Settings of a training run.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    /// Which network to train.
    pub kind: ModelKind,
    /// Side L of the torus: END's training size; the held-out set's size for both kinds.
    pub distance: usize,
    /// Local networks: the torus sizes of the training batches (one drawn uniformly per step).
    /// Empty: train on `distance` only.
    pub distances: Vec<usize>,
    /// The noise family (`--noise`).
    pub noise: NoiseSpec,
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
    /// Start from the weights of this trained model (same kind and network shape; any L, since
    /// the weights do not depend on L) instead of a random initialisation.
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

/// What a training run reports while it runs.
#[derive(Clone, Debug, PartialEq)]
pub enum TrainEvent {
    /// The session starts at step `start` and will stop at step `end` of `total`.
    Started {
        /// Steps already done (resumed runs).
        start: u64,
        /// Step this session stops at.
        end: u64,
        /// Steps of the whole schedule.
        total: u64,
    },
    /// A step was taken.
    Step {
        /// Steps done.
        done: u64,
        /// Moving average of the training loss.
        loss: f64,
        /// Moving average of the training accuracy (shots for END, qubit parts for local).
        accuracy: f64,
        /// Learning rate of the step.
        lr: f64,
    },
    /// The held-out set was decoded.
    Evaluated {
        /// Steps done.
        done: u64,
        /// Logical error rate of the model.
        model: f64,
        /// Name and logical error rate of the reference decoder on the same shots.
        reference: Option<(String, f64)>,
    },
    /// A checkpoint was written.
    Checkpoint {
        /// Steps done.
        done: u64,
    },
}

/// One training batch: network inputs and targets.
#[derive(Clone, Debug)]
pub enum TrainBatch {
    /// END: encoded syndromes and the label class of each shot.
    End {
        /// Network inputs.
        encoded: EncodedBatch,
        /// Label class of each shot.
        labels: Vec<i64>,
    },
    /// Local network: syndromes and the error of each shot.
    Local {
        /// Side L of the batch's torus.
        distance: usize,
        /// Number of shots.
        rows: usize,
        /// Detector bits as floats, the `(B, 2, L, L)` input.
        syndromes: Vec<f32>,
        /// Error bits as floats, the `(B, 4, L, L)` target (layout of [`super::local`]).
        errors: Vec<f32>,
    },
}

/// A network with its optimizer state: one [`Learner::step`] per batch.
pub struct Learner {
    /// The variables.
    pub vs: VarStore,
    /// The network.
    pub net: Network,
    /// AdamW state.
    pub opt: AdamW,
    /// Loss scale (active on CUDA).
    pub scaler: LossScaler,
    device: Device,
}

/// Loss and accuracy of one step (on its own batch, before the update).
#[derive(Clone, Copy, Debug)]
pub struct StepStats {
    /// Mean cross-entropy (END: over classes; local: binary, per qubit part).
    pub loss: f64,
    /// END: fraction of shots whose label was the argmax; local: fraction of qubit parts
    /// whose posterior is on the right side of 1/2.
    pub accuracy: f64,
}

impl Learner {
    /// A freshly initialised network of `kind` and shape `model` on `device`.
    pub fn new(
        kind: ModelKind,
        model: ModelConfig,
        weight_decay: f64,
        device: Device,
    ) -> Result<Self, NeuralError> {
        let vs = VarStore::new(device);
        let net = Network::new(&vs.root(), kind, model)?;
        let opt = AdamW::new(&vs, weight_decay);
        Ok(Learner {
            vs,
            net,
            opt,
            scaler: LossScaler::new(uses_mixed_precision(device)),
            device,
        })
    }

    /// The loss (float) and the accuracy tensor of `batch`, in training mode.
    fn loss(&self, batch: &TrainBatch) -> Result<(Tensor, Tensor), NeuralError> {
        let device = self.device;
        match (&self.net, batch) {
            (Network::End(net), TrainBatch::End { encoded, labels }) => {
                let (syn, xor) = encoded.tensors(device);
                let target = Tensor::from_slice(labels).to_device(device);
                let logits =
                    with_autocast(device, || net.forward(&syn, &xor, true)).to_kind(Kind::Float);
                let correct = logits.argmax(1, false).eq_tensor(&target);
                Ok((logits.cross_entropy_for_logits(&target), correct))
            }
            (
                Network::Local(net),
                TrainBatch::Local {
                    distance,
                    rows,
                    syndromes,
                    errors,
                },
            ) => {
                let syn = grid_tensor(syndromes, *rows, 2, *distance, device);
                let target = grid_tensor(errors, *rows, 4, *distance, device);
                let logits = with_autocast(device, || net.logits(&syn)).to_kind(Kind::Float);
                let correct = logits.gt(0.0).eq_tensor(&target.gt(0.5));
                let loss = logits.binary_cross_entropy_with_logits::<Tensor>(
                    &target,
                    None,
                    None,
                    tch::Reduction::Mean,
                );
                Ok((loss, correct))
            }
            _ => Err(NeuralError::InvalidConfig(format!(
                "a batch for another kind of network than {}",
                self.net.kind()
            ))),
        }
    }

    /// One optimisation step on `batch` with learning rate `lr` (skipped, under fp16 loss
    /// scaling, when the gradients overflow).
    pub fn step(&mut self, batch: &TrainBatch, lr: f64) -> Result<StepStats, NeuralError> {
        self.opt.zero_grad();
        let (loss, correct) = self.loss(batch)?;
        (&loss * self.scaler.scale).backward();
        let finite = !self.scaler.enabled || self.opt.unscale_grads(self.scaler.scale);
        if self.scaler.update(finite) {
            self.opt.step(lr);
        }
        Ok(StepStats {
            loss: loss.double_value(&[]),
            accuracy: correct.to_kind(Kind::Float).mean(None).double_value(&[]),
        })
    }
}

/// Samples and encodes the batch of step `step` of a run.
pub fn make_batch(config: &TrainConfig, step: u64) -> Result<TrainBatch, NeuralError> {
    let distance = config.distance_at(step);
    let code = ToricCode::new(distance)
        .map_err(|e| NeuralError::InvalidConfig(format!("distance {distance}: {e}")))?;
    let ch = channel(config.noise, config.p_at(step))?;
    let seed = stream_seed(config.seed, Stream::Batch(step));
    match config.kind {
        ModelKind::End => {
            let shots = sample_toric(&code, &ch, config.batch, seed, false);
            let encoded = EncodedBatch::encode(&code, &shots.dets)?;
            let labels = labels(&shots.obs, &encoded.pure_classes);
            Ok(TrainBatch::End { encoded, labels })
        }
        ModelKind::Local => {
            let shots = sample_toric(&code, &ch, config.batch, seed, true);
            let errors = shots.errors.as_ref().map(bit_floats).unwrap_or_default();
            Ok(TrainBatch::Local {
                distance,
                rows: config.batch,
                syndromes: bit_floats(&shots.dets),
                errors,
            })
        }
    }
}

impl TrainConfig {
    /// Checks the settings.
    pub fn validate(&self) -> Result<(), NeuralError> {
        self.model.validate()?;
        let bad = |m: String| Err(NeuralError::InvalidConfig(m));
        let min = self.model.min_distance().max(2);
        if self.kind == ModelKind::End && !self.distances.is_empty() {
            return bad("--distances is for local models; END trains on one --distance".into());
        }
        for &l in std::iter::once(&self.distance).chain(&self.distances) {
            if l < min {
                return bad(format!(
                    "distance {l} too small (kernel {} needs L >= {min})",
                    self.model.kernel
                ));
            }
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
        channel(self.noise, self.p)?;
        Ok(())
    }

    /// The error rate of step `step`.
    pub fn p_at(&self, step: u64) -> f64 {
        match self.p_range {
            None => self.p,
            Some((a, b)) => {
                a + (b - a) * stream_rng(self.seed, Stream::ErrorRate(step)).random::<f64>()
            }
        }
    }

    /// The torus size of step `step`.
    pub fn distance_at(&self, step: u64) -> usize {
        match self.distances.len() {
            0 => self.distance,
            1 => self.distances[0],
            n => {
                let k = stream_rng(self.seed, Stream::Distance(step)).random_range(0..n);
                self.distances[k]
            }
        }
    }

    fn record(&self, device: &str, mixed: bool) -> TrainingRecord {
        TrainingRecord {
            command: self.command.clone(),
            seed: self.seed,
            p: self.p,
            p_range: self.p_range.map(|(a, b)| [a, b]),
            distances: self.distances.clone(),
            steps_total: self.steps,
            steps_done: 0,
            batch: self.batch,
            lr: self.lr,
            weight_decay: self.weight_decay,
            eval_every: self.eval_every,
            eval_shots: self.eval_shots,
            checkpoint_every: self.checkpoint_every,
            init_from: self.init_from.as_ref().map(|p| p.display().to_string()),
            init_training: None,
            device: device.to_string(),
            mixed_precision: mixed,
            time_s: 0.0,
            samples: 0,
            last_loss: None,
            history: Vec::new(),
        }
    }

    /// The settings a card was trained with (for `--resume`); refuses a card whose noise spec
    /// does not parse.
    pub fn from_card(card: &ModelCard) -> Result<Self, NeuralError> {
        let t = &card.training;
        Ok(TrainConfig {
            kind: card.kind,
            distance: card.distance,
            distances: t.distances.clone(),
            noise: parse_noise(&card.noise)?,
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
        })
    }
}

fn stream_rng(seed: u64, stream: Stream) -> rand_xoshiro::Xoshiro256PlusPlus {
    rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(stream_seed(seed, stream))
}

/// The fixed held-out set of a run: shots at the run's `p` and `distance`.
fn held_out(code: &ToricCode, config: &TrainConfig) -> Result<(BitMatrix, Vec<u8>), NeuralError> {
    let ch = channel(config.noise, config.p)?;
    let seed = stream_seed(config.seed, Stream::HeldOut);
    let shots = sample_toric(code, &ch, config.eval_shots, seed, false);
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
    /// Stop (with a checkpoint) after this many steps in this session; resume later.
    pub stop_after: Option<u64>,
}

/// The card of a new run of `config` on `device`.
fn new_card(config: &TrainConfig, device: Device) -> Result<ModelCard, NeuralError> {
    Ok(ModelCard {
        format: CARD_FORMAT,
        kind: config.kind,
        code: "toric".to_string(),
        distance: config.distance,
        noise: config.noise.to_string(),
        model: config.model,
        parameters: 0,
        training: config.record(&device_name(device), uses_mixed_precision(device)),
        evaluation: Vec::new(),
        evaluation_note: None,
    })
}

/// Trains a model into the folder `out` (created if needed). With `options.resume`, continues
/// the run recorded in `out/card.json` with the settings recorded there (`config` is not used).
/// Without it, `out` must not hold a card yet. Progress goes to `events`.
pub fn train(
    config: &TrainConfig,
    out: &Path,
    options: &RunOptions,
    reference: Option<Reference<'_>>,
    events: &mut dyn FnMut(TrainEvent),
) -> Result<TrainOutcome, NeuralError> {
    let device = options.device.resolve()?;
    std::fs::create_dir_all(out).map_err(|source| NeuralError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    let card_path = out.join(CARD_FILE);
    let (config, mut card) = if options.resume {
        let card = ModelCard::load(out)?;
        (TrainConfig::from_card(&card)?, card)
    } else {
        if card_path.exists() {
            return Err(NeuralError::InvalidConfig(format!(
                "{} already exists: pass --resume to continue that run, or choose another --out",
                card_path.display()
            )));
        }
        config.validate()?;
        (config.clone(), new_card(config, device)?)
    };
    let code = ToricCode::new(config.distance)
        .map_err(|e| NeuralError::InvalidConfig(format!("--distance {}: {e}", config.distance)))?;

    tch::manual_seed(stream_seed(config.seed, Stream::Init) as i64);
    let mut learner = Learner::new(config.kind, config.model, config.weight_decay, device)?;
    card.parameters = parameter_count(&learner.vs);
    let start = card.training.steps_done;
    let end = match options.stop_after {
        Some(n) => (start + n).min(config.steps),
        None => config.steps,
    };
    if options.resume && start > 0 {
        load_weights(&mut learner.vs, &out.join(super::card::MODEL_FILE))?;
        learner.opt.load(&out.join(OPTIMIZER_FILE), start)?;
    } else if let Some(init) = &config.init_from {
        let init_card = ModelCard::load(init)?;
        if init_card.model != config.model || init_card.kind != config.kind {
            return Err(NeuralError::Mismatch {
                what: "network (--init-from)",
                model: format!(
                    "{} {:?} in {}",
                    init_card.kind,
                    init_card.model,
                    init.display()
                ),
                data: format!("{} {:?}", config.kind, config.model),
            });
        }
        load_weights(&mut learner.vs, &init.join(super::card::MODEL_FILE))?;
        card.training.init_training = Some(Box::new(init_card.training));
    }
    card.training.device = device_name(device);
    card.training.mixed_precision = uses_mixed_precision(device);
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
            Some((
                name.to_string(),
                error_rate(&row_classes(&pred), &eval_truth),
            ))
        }
        None => None,
    };
    events(TrainEvent::Started {
        start,
        end,
        total: config.steps,
    });

    // Producer: samples and encodes the batches of steps start.. on its own thread.
    let (tx, rx) = mpsc::sync_channel::<Result<TrainBatch, NeuralError>>(2);
    let producer = {
        let config = config.clone();
        std::thread::spawn(move || {
            for step in start..end {
                if tx.send(make_batch(&config, step)).is_err() {
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
        let stats = learner.step(&batch, lr)?;
        ema_loss = ema(ema_loss, stats.loss);
        ema_acc = ema(ema_acc, stats.accuracy);
        let done = step + 1;
        events(TrainEvent::Step {
            done,
            loss: ema_loss.unwrap_or(f64::NAN),
            accuracy: ema_acc.unwrap_or(f64::NAN),
            lr,
        });
        card.training.last_loss = ema_loss;
        if (config.eval_every > 0 && done % config.eval_every == 0) || done == end {
            let pred = predict(&learner.net, &code, &eval_dets, device, 4096)?;
            let rate = error_rate(&pred, &eval_truth);
            card.training.history.push(HistoryPoint {
                step: done,
                model_error_rate: rate,
                matching_error_rate: reference_rate.as_ref().map(|(_, r)| *r),
            });
            events(TrainEvent::Evaluated {
                done,
                model: rate,
                reference: reference_rate.clone(),
            });
        }
        if (config.checkpoint_every > 0 && done % config.checkpoint_every == 0) || done == end {
            save_all(&mut card, &learner, done)?;
            events(TrainEvent::Checkpoint { done });
        }
    }
    drop(rx);
    let _ = producer.join();
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
