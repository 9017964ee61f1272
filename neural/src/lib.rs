//! The equivariant neural decoder (END, Egorov, Bondesan and Welling, arXiv:2304.07362) for the
//! toric code, on libtorch through `tch`: the `qecd-neural` crate, apart from `qecd` so that
//! nothing else links libtorch. Its executable `qecd-neural` is the `qecd` command line with
//! this backend installed; `qecd` hands every command that runs a network over to it. Two
//! networks: END, and a local network whose per-qubit posteriors set the weights of exact
//! matching (any torus size).
//!
//! - [`model`]: END's translation-equivariant trunk and per-site head ([`model::EndNet`]);
//! - [`local`], [`reweight`]: the local network and per-shot matching on its posteriors;
//! - [`pooling`]: the syndrome-dependent class permutation and the pooling over sites;
//! - [`device`]: `--device` handling and mixed precision on CUDA;
//! - [`optim`]: AdamW with a one-cycle schedule and fp16 loss scaling, with saveable state;
//! - [`card`], [`checkpoint`]: the `card.json` that describes a trained model, model folders;
//! - [`batch`], [`train`], [`infer`]: data from the simulator, training, decoding;
//! - [`backend`]: [`backend::TorchBackend`], how `--decoder neural` reaches this module;
//! - [`runtime`]: process-wide CPU settings (the allocator keeps freed activations, libtorch's
//!   AVX-512 kernels);
//! - [`precision`]: `f32` or `bf16` inference of the local network;
//! - [`seeds`]: every random stream of a run, derived from its seed.

pub mod backend;
pub mod batch;
pub mod card;
pub mod checkpoint;
pub mod device;
pub mod evaluate;
pub mod infer;
pub mod local;
pub mod model;
pub mod optim;
pub mod pooling;
pub mod precision;
pub mod reweight;
pub mod runtime;
pub mod seeds;
pub mod train;

use std::path::PathBuf;

use qecd::noise::{NoiseSpec, PauliChannel};

/// The noise spec written `noise` (as `--noise` or a card's `noise` field).
pub fn parse_noise(noise: &str) -> Result<NoiseSpec, NeuralError> {
    noise
        .parse()
        .map_err(|e| NeuralError::InvalidConfig(format!("--noise '{noise}': {e}")))
}

/// The canonical spelling of a noise spec (`depol` becomes `depolarizing`).
pub fn canonical_noise(noise: &str) -> Result<String, NeuralError> {
    parse_noise(noise).map(|spec| spec.to_string())
}

/// The noise channel of spec `noise` at error rate `p`.
pub fn channel(noise: NoiseSpec, p: f64) -> Result<PauliChannel, NeuralError> {
    noise
        .channel(p)
        .map_err(|e| NeuralError::InvalidConfig(format!("--noise '{noise}' at p = {p}: {e}")))
}

/// Errors of the neural decoder.
#[derive(Debug, thiserror::Error)]
pub enum NeuralError {
    /// An error reported by libtorch.
    #[error("libtorch: {0}")]
    Torch(#[from] tch::TchError),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A model file or card is unreadable or inconsistent.
    #[error("{path}: {message}")]
    BadModel {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The model was trained for other data than it is given.
    #[error("model/data mismatch: the model was trained for {what} {model}, the data has {data}")]
    Mismatch {
        /// The quantity that differs (distance, noise, ...).
        what: &'static str,
        /// The model's value.
        model: String,
        /// The data's value.
        data: String,
    },
    /// None of the given models was trained for the shots' distance.
    #[error("no model for L = {distance}: the models given are {available}")]
    NoModelFor {
        /// The distance of the shots.
        distance: usize,
        /// The models given, with their distances.
        available: String,
    },
    /// A requested device is not usable.
    #[error("{0}")]
    Device(String),
    /// An invalid setting.
    #[error("{0}")]
    InvalidConfig(String),
    /// Matching on the network's weights failed.
    #[error("matching: {0}")]
    Matching(#[from] qecd::decode::matching::MatchingError),
}
