//! Model folders on disk: build the network a card describes (its kind and shape) and load its
//! weights, with clear errors for missing, corrupt, mismatched or non-finite weights.

use std::collections::BTreeMap;
use std::path::Path;

use tch::{nn::VarStore, Device, Tensor};

use super::card::{save_safetensors_atomically, ModelCard, ModelKind, MODEL_FILE};
use super::local::LocalNet;
use super::model::{EndNet, ModelConfig};
use super::precision::Precision;
use super::NeuralError;

/// A network of either kind.
#[derive(Debug)]
pub enum Network {
    /// END: logical-class logits.
    End(EndNet),
    /// The local network: per-qubit posteriors.
    Local(LocalNet),
}

impl Network {
    /// Builds a freshly initialised network of `kind` and `config` under `vs`.
    pub fn new(
        vs: &tch::nn::Path,
        kind: ModelKind,
        config: ModelConfig,
    ) -> Result<Self, NeuralError> {
        Ok(match kind {
            ModelKind::End => Network::End(EndNet::new(vs, config)?),
            ModelKind::Local => Network::Local(LocalNet::new(vs, config)?),
        })
    }

    /// Its kind.
    pub fn kind(&self) -> ModelKind {
        match self {
            Network::End(_) => ModelKind::End,
            Network::Local(_) => ModelKind::Local,
        }
    }
}

/// A network with its variables and card.
pub struct LoadedModel {
    /// The variables (weights and batch-norm statistics).
    pub vs: VarStore,
    /// The network.
    pub net: Network,
    /// The card it was loaded with.
    pub card: ModelCard,
}

impl LoadedModel {
    /// Casts a local model's variables to `precision` (see [`super::precision`]); END models
    /// refuse anything but `f32`.
    pub fn set_precision(&mut self, precision: Precision) -> Result<(), NeuralError> {
        if self.card.kind == ModelKind::End && precision != Precision::F32 {
            return Err(NeuralError::InvalidConfig(format!(
                "--precision {precision}: only local models run in reduced precision"
            )));
        }
        self.vs.set_kind(precision.kind());
        Ok(())
    }

    /// The precision its variables are in.
    pub fn precision(&self) -> Precision {
        if self.vs.kind() == Precision::Bf16.kind() {
            Precision::Bf16
        } else {
            Precision::F32
        }
    }
}

impl std::fmt::Debug for LoadedModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedModel")
            .field("card", &self.card)
            .finish_non_exhaustive()
    }
}

/// Loads `dir/card.json` and `dir/model.safetensors` onto `device`.
pub fn load_model(dir: &Path, device: Device) -> Result<LoadedModel, NeuralError> {
    let card = ModelCard::load(dir)?;
    let mut vs = VarStore::new(device);
    let net = Network::new(&vs.root(), card.kind, card.model)?;
    load_weights(&mut vs, &dir.join(MODEL_FILE))?;
    Ok(LoadedModel { vs, net, card })
}

/// Saves the variables of `vs` to `dir/model.safetensors` atomically.
pub fn save_weights(vs: &VarStore, dir: &Path) -> Result<(), NeuralError> {
    save_safetensors_atomically(&dir.join(MODEL_FILE), |tmp| vs.save(tmp))
}

/// Loads weights into `vs`, checking that the file holds exactly its variables with their
/// shapes (a file of another architecture or a truncated file is an error naming the file)
/// and that every value is finite (a NaN or infinite weight, e.g. from a diverged run, is an
/// error naming the file and the tensor, rather than a decoder that answers nonsense).
pub fn load_weights(vs: &mut VarStore, path: &Path) -> Result<(), NeuralError> {
    let bad = |message: String| NeuralError::BadModel {
        path: path.to_path_buf(),
        message,
    };
    if !path.exists() {
        return Err(bad("model weights file not found".to_string()));
    }
    let saved: BTreeMap<String, Tensor> = Tensor::read_safetensors(path)
        .map_err(|e| bad(format!("not a readable safetensors file: {e}")))?
        .into_iter()
        .collect();
    let vars = vs.variables();
    for (name, var) in &vars {
        let src = saved.get(name).ok_or_else(|| {
            bad(format!(
                "tensor '{name}' missing: the card's model shape does not match the weights"
            ))
        })?;
        if src.size() != var.size() {
            return Err(bad(format!(
                "tensor '{name}' has shape {:?}, the card's model shape needs {:?}: the card's \
                 model does not match the weights",
                src.size(),
                var.size()
            )));
        }
        let non_finite = src
            .isfinite()
            .logical_not()
            .sum(tch::Kind::Int64)
            .int64_value(&[]);
        if non_finite > 0 {
            return Err(bad(format!(
                "tensor '{name}' holds {non_finite} NaN or infinite value(s) out of {}: the \
                 weights are unusable (a diverged training run?)",
                src.numel()
            )));
        }
    }
    if let Some(extra) = saved.keys().find(|k| !vars.contains_key(*k)) {
        return Err(bad(format!(
            "unexpected tensor '{extra}': the card's model shape does not match the weights"
        )));
    }
    vs.load(path)
        .map_err(|e| bad(format!("loading weights: {e}")))
}
