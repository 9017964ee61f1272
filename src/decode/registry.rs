//! Decoders by name, for `--decoder` on the command line. To add a decoder, add its name to
//! [`DECODERS`] and an arm to [`build_decoder`].

use std::path::PathBuf;

use super::matching::decoder::{BuildMwpmError, MwpmDecoder};
use super::matching::from_dem::{check_graphlike, GraphFromDemError};
use super::ml::{MlDecoder, MlError};
use super::Decoder;
use crate::code::ToricCode;
use crate::dem::FlatDem;
use crate::noise::NoiseSpec;

/// Names accepted by [`build_decoder`].
pub const DECODERS: &[&str] = &["mwpm", "mwpm-correlated", "neural", "ml"];

/// The toric code and noise that produced the shots, when known (simulated runs).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToricContext {
    /// Side L of the torus.
    pub distance: usize,
    /// Noise family.
    pub noise: NoiseSpec,
    /// Physical error rate.
    pub p: f64,
}

/// Where the neural decoder's models come from.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NeuralOptions {
    /// Model folders (`card.json` + `model.safetensors`); the one trained for the shots' L is
    /// used.
    pub models: Vec<PathBuf>,
    /// `auto`, `cpu`, `cuda` or `cuda:N`.
    pub device: String,
    /// Local models: how many of the torus's point symmetries the posteriors are averaged over
    /// (1, 2, 4, 8 or 16; see [`crate::code::toric_symmetry`]); 0 means 1.
    pub symmetries: usize,
    /// Local models: the arithmetic of the forward pass, `f32` (also when empty) or `bf16`.
    pub precision: String,
    /// Local models: matching passes per shot, 1 or 2 (0 means the default, 2).
    pub passes: usize,
}

/// What a decoder may be built from.
#[derive(Clone, Copy, Debug)]
pub struct DecoderInput<'a> {
    /// The detector error model of the shots.
    pub dem: &'a FlatDem,
    /// The toric code and noise of the shots, when known.
    pub toric: Option<ToricContext>,
    /// Options of the neural decoder.
    pub neural: Option<&'a NeuralOptions>,
    /// Refuse models that matching can only decode by dropping error components (PyMatching
    /// drops them; see [`super::matching::from_dem::undecomposable_components`]).
    pub strict: bool,
}

impl<'a> DecoderInput<'a> {
    /// Input with only a DEM.
    pub fn new(dem: &'a FlatDem) -> Self {
        DecoderInput {
            dem,
            toric: None,
            neural: None,
            strict: false,
        }
    }

    /// Refuses undecomposable error components instead of dropping them.
    pub fn with_strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Adds the toric code and noise of the shots.
    pub fn with_toric(mut self, toric: ToricContext) -> Self {
        self.toric = Some(toric);
        self
    }

    /// Adds the neural decoder's options.
    pub fn with_neural(mut self, neural: &'a NeuralOptions) -> Self {
        self.neural = Some(neural);
        self
    }
}

/// Why a decoder could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildDecoderError {
    /// No decoder has this name.
    #[error("unknown decoder '{name}' (known: {})", DECODERS.join(", "))]
    Unknown {
        /// The name asked for.
        name: String,
    },
    /// The matching decoder could not be built.
    #[error(transparent)]
    Mwpm(#[from] BuildMwpmError),
    /// The model is not graphlike and strictness was asked for.
    #[error(transparent)]
    Graph(#[from] GraphFromDemError),
    /// The decoder needs something the input lacks.
    #[error("decoder '{decoder}' needs {what}")]
    Needs {
        /// The decoder.
        decoder: &'static str,
        /// What is missing.
        what: String,
    },
    /// The maximum-likelihood decoder could not be built.
    #[error(transparent)]
    Ml(#[from] MlError),
    /// The neural decoder could not be built (the backend's error, boxed so that code which
    /// never builds a network does not depend on libtorch's types).
    #[error(transparent)]
    Neural(Box<dyn std::error::Error + Send + Sync>),
}

/// Builds the decoder called `name` for `input`.
pub fn build_decoder(
    name: &str,
    input: DecoderInput<'_>,
) -> Result<Box<dyn Decoder>, BuildDecoderError> {
    match name {
        "mwpm" => {
            if input.strict {
                check_graphlike(input.dem)?;
            }
            Ok(Box::new(MwpmDecoder::from_dem(input.dem)?))
        }
        "mwpm-correlated" => {
            if input.strict {
                check_graphlike(input.dem)?;
            }
            Ok(Box::new(MwpmDecoder::from_dem_correlated(input.dem)?))
        }
        "ml" => {
            let t = input.toric.ok_or_else(|| BuildDecoderError::Needs {
                decoder: "ml",
                what: "the toric code and noise the shots were simulated with \
                       (DecoderInput::with_toric)"
                    .to_string(),
            })?;
            let code = ToricCode::new(t.distance).map_err(|e| BuildDecoderError::Needs {
                decoder: "ml",
                what: format!("a valid distance: {e}"),
            })?;
            let channel = t.noise.channel(t.p).map_err(|e| BuildDecoderError::Needs {
                decoder: "ml",
                what: format!("a valid channel: {e}"),
            })?;
            Ok(Box::new(MlDecoder::new(&code, &channel)?))
        }
        "neural" => build_neural(input),
        _ => Err(BuildDecoderError::Unknown {
            name: name.to_string(),
        }),
    }
}

/// Builds neural decoders. Supplied at run time by a program that links libtorch (the
/// `qecd-neural` crate's `TorchBackend`, installed with [`set_neural_backend`]), so that this
/// crate, and every program that never runs a network, does not depend on libtorch and starts
/// in milliseconds.
pub trait NeuralBackend: Sync {
    /// The neural decoder for `input`.
    fn build(&self, input: &DecoderInput<'_>) -> Result<Box<dyn Decoder>, BuildDecoderError>;
}

static NEURAL_BACKEND: std::sync::OnceLock<&'static dyn NeuralBackend> = std::sync::OnceLock::new();

/// Installs the backend that [`build_decoder`] uses for `neural` (once per process; later
/// calls are ignored).
pub fn set_neural_backend(backend: &'static dyn NeuralBackend) {
    let _ = NEURAL_BACKEND.set(backend);
}

fn build_neural(input: DecoderInput<'_>) -> Result<Box<dyn Decoder>, BuildDecoderError> {
    match NEURAL_BACKEND.get() {
        Some(backend) => backend.build(&input),
        None => Err(BuildDecoderError::Needs {
            decoder: "neural",
            what: "a neural backend on libtorch, installed with set_neural_backend (e.g. \
                   `qecd_neural::backend::TorchBackend::install()`)"
                .to_string(),
        }),
    }
}
