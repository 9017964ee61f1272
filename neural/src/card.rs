//! `card.json`: what a trained model is for, how it was trained and how well it decodes.
//!
//! A model folder holds `model.safetensors` (the weights), `card.json` and, while training can
//! still be resumed, `optimizer.safetensors` (AdamW moments).

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::model::ModelConfig;
use super::NeuralError;
use qecd::io::AtomicOutput;

/// File name of the weights inside a model folder.
pub const MODEL_FILE: &str = "model.safetensors";
/// File name of the card inside a model folder.
pub const CARD_FILE: &str = "card.json";
/// File name of the optimizer state inside a model folder.
pub const OPTIMIZER_FILE: &str = "optimizer.safetensors";
/// Version of the card layout this build writes (format 1, without `kind`, is read as END).
pub const CARD_FORMAT: u32 = 2;

/// Which network a model folder holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ModelKind {
    /// END: 16 logical-class logits for one torus size ([`super::model::EndNet`]).
    #[default]
    End,
    /// The local network: per-qubit posteriors as matching weights, any torus size
    /// ([`super::local::LocalNet`]).
    Local,
}

impl std::fmt::Display for ModelKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ModelKind::End => "end",
            ModelKind::Local => "local",
        })
    }
}

impl std::str::FromStr for ModelKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "end" => Ok(ModelKind::End),
            "local" => Ok(ModelKind::Local),
            _ => Err(format!("unknown model kind '{s}' (known: end, local)")),
        }
    }
}

/// Description of a trained model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelCard {
    /// Card layout version ([`CARD_FORMAT`]).
    pub format: u32,
    /// The network ([`ModelKind`]); cards of format 1 hold END models.
    #[serde(default)]
    pub kind: ModelKind,
    /// The code family (`toric`).
    pub code: String,
    /// Side `L` of the torus the model was trained on (END); for a local model, the size of
    /// the held-out set (it decodes any size; `training.distances` lists the training sizes).
    pub distance: usize,
    /// Noise spec the model was trained for, as given to `--noise` (e.g. `depolarizing`).
    pub noise: String,
    /// Network shape.
    pub model: ModelConfig,
    /// Number of trainable parameters.
    pub parameters: i64,
    /// How the model was trained.
    pub training: TrainingRecord,
    /// Held-out logical error rates (model and reference decoders), one entry per `p`.
    #[serde(default)]
    pub evaluation: Vec<EvalPoint>,
    /// Remarks on the evaluation (e.g. fewer shots than planned, and why).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_note: Option<String>,
}

/// Training settings and progress.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrainingRecord {
    /// The command line that trained the model.
    pub command: String,
    /// Seed of the training data (batch `k` is sampled with a stream derived from it and `k`).
    pub seed: u64,
    /// Physical error rate of the training data (midpoint when a range is used).
    pub p: f64,
    /// Range `[a, b]` the per-step `p` is drawn from, if any.
    pub p_range: Option<[f64; 2]>,
    /// Torus sizes of the training batches (local models: one drawn per step); empty: only
    /// `distance`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub distances: Vec<usize>,
    /// Steps of the schedule.
    pub steps_total: u64,
    /// Steps done so far.
    pub steps_done: u64,
    /// Shots per step.
    pub batch: usize,
    /// Peak learning rate of the one-cycle schedule.
    pub lr: f64,
    /// AdamW weight decay.
    pub weight_decay: f64,
    /// Steps between evaluations on the held-out set.
    pub eval_every: u64,
    /// Shots in the held-out set (sampled at `p` from the run's seed).
    pub eval_shots: usize,
    /// Steps between checkpoints.
    pub checkpoint_every: u64,
    /// Model the weights were initialised from (fine-tuning), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_from: Option<String>,
    /// The training record of that model (copied from its card when this run started), so a
    /// fine-tuned model's card holds every stage of its training; `time_s` and `samples` are
    /// this run's alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub init_training: Option<Box<TrainingRecord>>,
    /// Device the training ran on (`cpu`, `cuda:0`).
    pub device: String,
    /// Whether fp16 autocast was used.
    pub mixed_precision: bool,
    /// Wall-clock seconds spent training (summed over resumed runs).
    pub time_s: f64,
    /// Training samples seen.
    pub samples: u64,
    /// Training loss (moving average over the last steps), once a step was taken.
    pub last_loss: Option<f64>,
    /// Periodic evaluations on the fixed held-out set: `(step, model error rate)`.
    #[serde(default)]
    pub history: Vec<HistoryPoint>,
}

/// One periodic evaluation during training.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryPoint {
    /// Steps done.
    pub step: u64,
    /// Logical error rate of the model on the held-out shots.
    pub model_error_rate: f64,
    /// Logical error rate of matching on the same shots, where available.
    pub matching_error_rate: Option<f64>,
}

/// Logical error rates at one physical error rate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalPoint {
    /// Physical error rate.
    pub p: f64,
    /// Number of shots (the same shots for every decoder).
    pub shots: u64,
    /// Seed the shots were sampled with.
    pub seed: u64,
    /// One entry per decoder.
    pub decoders: Vec<DecoderRate>,
}

/// A decoder's logical error rate with its 95% Wilson interval.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DecoderRate {
    /// Decoder name (`neural`, `mwpm`, ...).
    pub decoder: String,
    /// Shots whose predicted logical class was wrong.
    pub errors: u64,
    /// `errors / shots`.
    pub rate: f64,
    /// Lower end of the 95% Wilson interval.
    pub ci_low: f64,
    /// Upper end of the 95% Wilson interval.
    pub ci_high: f64,
}

impl ModelCard {
    /// Reads and checks `dir/card.json`.
    pub fn load(dir: &Path) -> Result<Self, NeuralError> {
        let path = dir.join(CARD_FILE);
        let text = std::fs::read_to_string(&path).map_err(|source| NeuralError::Io {
            path: path.clone(),
            source,
        })?;
        let card: ModelCard = serde_json::from_str(&text).map_err(|e| NeuralError::BadModel {
            path: path.clone(),
            message: format!(
                "not a model card: {e} (line {}, column {})",
                e.line(),
                e.column()
            ),
        })?;
        if !(1..=CARD_FORMAT).contains(&card.format) {
            return Err(NeuralError::BadModel {
                path,
                message: format!(
                    "card format {} is not supported (this build reads formats 1 to {CARD_FORMAT})",
                    card.format
                ),
            });
        }
        if card.code != "toric" {
            return Err(NeuralError::BadModel {
                path,
                message: format!("code '{}' is not supported (expected 'toric')", card.code),
            });
        }
        card.model.validate().map_err(|e| NeuralError::BadModel {
            path: path.clone(),
            message: e.to_string(),
        })?;
        Ok(card)
    }

    /// Writes `dir/card.json` atomically (temporary file, then rename).
    pub fn save(&self, dir: &Path) -> Result<(), NeuralError> {
        let text = serde_json::to_string_pretty(self).expect("a card serialises");
        let path = dir.join(CARD_FILE);
        let write = || -> std::io::Result<()> {
            let mut out = AtomicOutput::create(&path)?;
            out.write_all(text.as_bytes())?;
            out.write_all(b"\n")?;
            out.commit()
        };
        write().map_err(|source| NeuralError::Io { path, source })
    }
}

/// Saves tensors through libtorch to a temporary `.safetensors` file next to `path`, then
/// renames it over `path` ([`AtomicOutput`]), so an interrupted save never leaves half a file.
pub fn save_safetensors_atomically(
    path: &Path,
    save: impl FnOnce(&Path) -> Result<(), tch::TchError>,
) -> Result<(), NeuralError> {
    let io = |source| NeuralError::Io {
        path: path.to_path_buf(),
        source,
    };
    let out = AtomicOutput::create_with_suffix(path, ".safetensors").map_err(io)?;
    save(out.temp_path())?;
    out.commit().map_err(io)
}
